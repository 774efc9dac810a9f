// parse_json (util/json.h), the one JSON reader, against nlohmann's own
// verdict: it accepts exactly the valid JSON that nests at most
// kMaxJsonDepth levels and holds no NUL byte, and what it accepts survives
// what callers do with it (copy, compare, dump), which recurse per level.
#include <algorithm>

#include "certkeeper/util/json.h"
#include "fuzz_input.h"

namespace {

using certkeeper::fuzz::property_failed;

// Counts the deepest nesting as nlohmann's SAX parser (iterative) sees it,
// building nothing.
struct DepthCounter : nlohmann::json_sax<nlohmann::json> {
  int depth = 0;
  int deepest = 0;
  bool open() {
    deepest = std::max(deepest, ++depth);
    return true;
  }
  bool close() {
    --depth;
    return true;
  }
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return open(); }
  bool key(string_t&) override { return true; }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = certkeeper::fuzz::as_text(data, size);
  auto doc = certkeeper::parse_json(text);

  DepthCounter counter;
  const bool valid = nlohmann::json::sax_parse(text, &counter, nlohmann::json::input_format_t::json, true);
  // nlohmann's lexer ends the text at a NUL byte; parse_json refuses it.
  const bool should_accept =
      valid && counter.deepest <= certkeeper::kMaxJsonDepth && text.find('\0') == std::string_view::npos;
  if (doc.has_value() != should_accept) property_failed("parse_json disagrees with nlohmann and the depth limit");
  if (!doc) return 0;
  const nlohmann::json copy = *doc;
  if (copy != *doc) property_failed("a copy differs");
  const std::string dumped = doc->dump();
  auto again = certkeeper::parse_json(dumped);
  if (!again || *again != *doc) property_failed("the dump does not read back to the same value");
  return 0;
}
