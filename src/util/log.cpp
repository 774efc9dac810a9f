#include "certkeeper/util/log.h"

#include <cstdio>
#include <string>

#include "certkeeper/util/text.h"

namespace certkeeper::log {
namespace {
Level g_level = Level::normal;

// A log line quotes certificate fields and CA messages (outside input):
// one printable line whatever they hold (util/text.h).
void emit(std::string_view line) {
  std::string shown = text::printable(line);
  shown += '\n';
  std::fwrite(shown.data(), 1, shown.size(), stderr);
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
