// Minimal leveled logging to stderr. Callers never pass key material.
#pragma once

#include <string_view>

namespace certkeeper::log {

enum class Level { quiet = 0, normal = 1, verbose = 2 };

void set_level(Level level);
Level level();

// One line on stderr (control characters escaped, text::printable): shown
// unless quiet.
void warn(std::string_view line);
// One line on stderr: shown only with -v.
void debug(std::string_view line);

}  // namespace certkeeper::log
