// What the harnesses share: the fuzzer's bytes as text, cut into the parts a
// harness needs. Seeds (tests/fuzz/corpus/) are written in the same form.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace certkeeper::fuzz {

// Parts of one input are separated by this line; a harness that needs fewer
// parts than given ignores the rest, one that needs more gets "".
inline constexpr std::string_view kPartSeparator = "\n%%\n";

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// At most `max` parts, as many as the input has; the last holds the rest.
inline std::vector<std::string> split_parts(std::string_view input, std::size_t max) {
  std::vector<std::string> out;
  while (out.size() + 1 < max) {
    auto at = input.find(kPartSeparator);
    if (at == std::string_view::npos) break;
    out.emplace_back(input.substr(0, at));
    input.remove_prefix(at + kPartSeparator.size());
  }
  out.emplace_back(input);
  return out;
}

// Exactly `count` parts: missing ones are "".
inline std::vector<std::string> parts(std::string_view input, std::size_t count) {
  auto out = split_parts(input, count);
  out.resize(count);
  return out;
}

// A property the harness checks failed: abort, so libFuzzer keeps the input.
[[noreturn]] inline void property_failed(const char* what) {
  std::fprintf(stderr, "fuzz property failed: %s\n", what);
  std::abort();
}

}  // namespace certkeeper::fuzz
