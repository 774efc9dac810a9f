// Reload commands (`target add --reload CMD`): split into an argv the way a
// shell splits a simple command, without expanding anything
// (deploy/target.h). Whatever splits must split the same way again once
// each word is written back in single quotes.
#include "certkeeper/deploy/target.h"
#include "fuzz_input.h"

namespace {

// 'word' with each ' written as '\'' (close, escaped quote, reopen).
std::string single_quoted(const std::string& word) {
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace certkeeper;
  auto words = deploy::split_command(std::string(fuzz::as_text(data, size)));
  if (!words) return 0;
  if (words->empty()) fuzz::property_failed("an empty argv was accepted");
  std::string line;
  for (const auto& w : *words) line += single_quoted(w) + " ";
  auto again = deploy::split_command(line);
  if (!again || *again != *words) fuzz::property_failed("quoted words do not split back to themselves");
  return 0;
}
