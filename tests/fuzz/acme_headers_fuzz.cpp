// The response headers the ACME client reads: Retry-After (RFC 9110
// §10.2.3), Link (RFC 8288) and Replay-Nonce (RFC 8555 §6.5.1), plus the
// URLs that Location and Link headers hand to the next signed request. The
// first byte names the header. What the client accepts must go into the
// next request's protected header (JSON) without an exception.
#include "acme/transport.h"
#include "certkeeper/acme/problem.h"
#include "certkeeper/util/json.h"
#include "fuzz_input.h"

namespace {

using namespace certkeeper;

constexpr UnixTime kNow = 1'800'000'000;
const std::string kUrl = "https://ca.example/acme/new-order";

// The transport is only asked for protected headers: it never sends.
class NoNetwork final : public net::HttpClient {
 public:
  Result<net::HttpResponse> send(const net::HttpRequest&) override {
    return make_error(Errc::network, "the harness has no network");
  }
  std::size_t requests_sent() const override { return 0; }
};

struct Fixture {
  Fixture() : clock(kNow) {
    auto key = crypto::generate_private_key("ec-p256");
    if (!key) fuzz::property_failed("no key");
    signer = std::move(crypto::make_signer(*key).value());
    transport = std::make_unique<acme::detail::Transport>(http, *signer, clock);
  }
  NoNetwork http;
  FixedClock clock;
  std::unique_ptr<crypto::Signer> signer;
  std::unique_ptr<acme::detail::Transport> transport;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// The protected header for `url` with `nonce` (and `kid`, when given) must
// be JSON that holds exactly them.
void check_protected_header(const std::string& url, const std::string& nonce, const std::string& kid) {
  auto& t = *fixture().transport;
  t.set_kid(kid);
  auto header = parse_json(t.protected_header(url, nonce, kid.empty()));
  if (!header || (*header)["url"] != url || (*header)["nonce"] != nonce) {
    fuzz::property_failed("a protected header does not hold its url and nonce");
  }
  if (!kid.empty() && (*header)["kid"] != kid) fuzz::property_failed("a protected header lost its kid");
}

void retry_after(const std::string& value) {
  auto at = acme::parse_retry_after(value, kNow);
  if (!at) return;
  // RFC 9111 §1.2.2 bounds a number; a date is a 4-digit year at most.
  if (*at > kNow + (UnixTime{1} << 31) && *at > 253402300799) fuzz::property_failed("a Retry-After beyond any bound");
  (void)format_utc(*at);
}

void links(const std::string& input) {
  auto p = fuzz::parts(input, 2);
  net::HttpResponse response;
  response.url = p[0];
  std::size_t start = 0;
  while (start <= p[1].size()) {  // one Link header per line
    auto end = p[1].find('\n', start);
    response.headers.emplace_back("link", p[1].substr(start, end == std::string::npos ? end : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  for (const char* rel : {"alternate", "up", "index", "terms-of-service"}) {
    for (const auto& target : response.links(rel)) {
      // The client POSTs to alternates only when they are signable.
      if (acme::detail::signable_url(target)) check_protected_header(target, "bm9uY2U", "");
    }
  }
}

void replay_nonce(const std::string& value) {
  if (acme::detail::valid_replay_nonce(value)) check_protected_header(kUrl, value, "");
}

void location(const std::string& value) {
  if (!acme::detail::signable_url(value)) return;
  check_protected_header(value, "bm9uY2U", "");
  check_protected_header(kUrl, "bm9uY2U", value);  // an account's Location becomes the kid
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string value(fuzz::as_text(data + 1, size - 1));
  switch (static_cast<char>(data[0])) {
    case 'r': retry_after(value); break;
    case 'l': links(value); break;
    case 'n': replay_nonce(value); break;
    case 'u': location(value); break;
    default:
      switch (data[0] % 4) {
        case 0: retry_after(value); break;
        case 1: links(value); break;
        case 2: replay_nonce(value); break;
        default: location(value); break;
      }
  }
  return 0;
}
