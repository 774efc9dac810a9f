// The HTTPS client's response reader (net/http_wire.h) with the fuzzer as
// the server, and its URL parts (net/url.h) with the fuzzer as the CA that
// wrote a Location or Link. Input: a selector byte (bit 0: the request was
// HEAD; bits 1-2: the body limit), then the server's bytes, then after a
// "%%" line a URL. The bytes are read whole and cut into 1- and 7-byte
// reads: the verdict must not depend on how TCP cut the stream.
#include <vector>

#include "fuzz_input.h"
#include "net/http_wire.h"
#include "net/url.h"
#include "support/scripted_channel.h"

namespace {

using namespace certkeeper;

struct Verdict {
  bool ok = false;
  std::string what;  // the error, or status + headers + body
};

Verdict read_once(std::string_view said, std::size_t chunk, bool head, std::size_t max_body) {
  testing::ScriptedChannel server(said, chunk);
  net::ResponseReader reader(server, max_body);
  auto response = reader.read(head);
  if (!response) return {false, response.error().message};
  if (response->status < 200 || response->status > 999) fuzz::property_failed("a final status outside 200-999");
  if (response->body.size() > max_body) fuzz::property_failed("a body above the limit");
  if (head && !response->body.empty()) fuzz::property_failed("a body after HEAD");
  std::string what = std::to_string(response->status) + (response->reusable ? "+" : "-");
  for (const auto& [name, value] : response->headers) {
    if (name.empty() || name.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ:\r\n \t") != std::string::npos) {
      fuzz::property_failed("a header name that is no lower-case token");
    }
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      fuzz::property_failed("a header value with CR, LF or NUL");
    }
    what += name + ":" + value + "\n";
  }
  return {true, what + response->body};
}

void check_url(const std::string& text) {
  auto url = net::parse_url(text);
  if (url) {
    if (url->host.empty() || url->port < 1 || url->port > 65535 || url->target.empty() || url->target[0] != '/') {
      fuzz::property_failed("parse_url accepted a URL without host, port or target");
    }
    (void)url->authority();
  }
  const std::string resolved = net::resolve_reference(text, "https://ca.example.test:14000/acme/order/1?x=y");
  if (!text.empty() && text.find("://") == std::string::npos && !resolved.starts_with("https://")) {
    fuzz::property_failed("a relative reference did not take the base's scheme");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool head = (data[0] & 1) != 0;
  constexpr std::size_t kLimits[] = {0, 16, 4096, 1024 * 1024};
  const std::size_t max_body = kLimits[(data[0] >> 1) & 3];
  const auto parts = fuzz::split_parts(fuzz::as_text(data + 1, size - 1), 2);
  const std::string& said = parts[0];
  std::vector<Verdict> verdicts;
  for (std::size_t chunk : {std::size_t{4096}, std::size_t{1}, std::size_t{7}}) {
    verdicts.push_back(read_once(said, chunk, head, max_body));
  }
  for (const auto& v : verdicts) {
    if (v.ok != verdicts[0].ok || v.what != verdicts[0].what) {
      fuzz::property_failed("the response read depends on how reads were cut");
    }
  }
  if (parts.size() > 1) check_url(parts[1]);
  return 0;
}
