#include "certkeeper/util/log.h"

#include <cstdio>

namespace certkeeper::log {
namespace {
Level g_level = Level::normal;

void emit(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fputc('\n', stderr);
}
}  // namespace

void set_level(Level level) { g_level = level; }
Level level() { return g_level; }

void warn(std::string_view line) {
  if (g_level >= Level::normal) emit(line);
}

void debug(std::string_view line) {
  if (g_level >= Level::verbose) emit(line);
}

}  // namespace certkeeper::log
