// The ACME documents a CA sends (RFC 8555 §7.1, §6.7; RFC 9773 §4.2), each
// through the parser the client uses: the first byte names the document,
// the rest is the body. Parsed values are read the way the client reads
// them (summaries, embedded problems), so nothing they hold can crash later.
#include <charconv>

#include "acme/parse.h"
#include "certkeeper/acme/problem.h"
#include "fuzz_input.h"

namespace {

using namespace certkeeper;
using namespace certkeeper::acme;

constexpr UnixTime kNow = 1'800'000'000;  // 2027-01-15
const std::string kUrl = "https://ca.example/acme/resource/1";

void read_problem(const Problem& p) {
  (void)p.summary();
  (void)p.transient();
  (void)problem_type_name(p.type);
}

template <class T>
void read_error(const Result<T>& r) {
  if (!r) (void)r.error().what();
}

enum class Document { directory, account, order, authorization, challenge, problem, renewal_info };

Document document_of(char selector) {
  switch (selector) {
    case 'd': return Document::directory;
    case 'a': return Document::account;
    case 'o': return Document::order;
    case 'z': return Document::authorization;
    case 'c': return Document::challenge;
    case 'p': return Document::problem;
    case 'r': return Document::renewal_info;
    default: return static_cast<Document>(static_cast<unsigned char>(selector) % 7);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string body(fuzz::as_text(data + 1, size - 1));
  switch (document_of(static_cast<char>(data[0]))) {
    case Document::directory: {
      auto d = detail::parse_directory(body, kUrl);
      read_error(d);
      break;
    }
    case Document::account: read_error(detail::parse_account(body, kUrl)); break;
    case Document::order: {
      auto o = detail::parse_order(body, kUrl, kNow);
      read_error(o);
      if (o && o->error) read_problem(*o->error);
      break;
    }
    case Document::authorization: {
      auto a = detail::parse_authorization(body, kUrl, kNow);
      read_error(a);
      if (a) {
        for (const auto& c : a->challenges) {
          if (c.error) read_problem(*c.error);
        }
      }
      break;
    }
    case Document::challenge: {
      auto c = detail::parse_challenge(body, kUrl, kNow);
      read_error(c);
      if (c && c->error) read_problem(*c->error);
      break;
    }
    case Document::problem: {
      // An error response: status, Retry-After and body as three parts.
      auto lines = fuzz::parts(body, 3);
      int status = 400;
      std::from_chars(lines[0].data(), lines[0].data() + lines[0].size(), status);
      read_problem(parse_problem(status, lines[2], lines[1], kNow));
      break;
    }
    case Document::renewal_info: {
      auto lines = fuzz::parts(body, 2);
      auto info = detail::parse_renewal_info(lines[1], lines[0], kUrl, kNow);
      read_error(info);
      if (info && info->end <= info->start) fuzz::property_failed("a renewalInfo window that ends before it starts");
      if (info && info->retry_after &&
          (*info->retry_after < kNow + kRenewalInfoMinRecheck || *info->retry_after > kNow + kRenewalInfoMaxRecheck)) {
        fuzz::property_failed("a renewalInfo Retry-After outside its clamp");
      }
      break;
    }
  }
  return 0;
}
