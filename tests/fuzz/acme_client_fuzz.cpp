// The whole ACME client (RFC 8555) against a CA whose every answer is the
// fuzzer's: account, order, authorizations, challenges, finalize with
// polling, download with alternate chains, renewalInfo, revoke, key change
// and deactivation, in the order the client makes them. This is where a
// header or document value reaches the next signed request, the poll
// timing or a problem summary.
//
// Input: the answers, one per part; each is "STATUS\n" (default 200), then
// "Name: value" header lines, an empty line and the body. Once the answers
// run out, every request fails as a network error.
#include <charconv>

#include "certkeeper/acme/client.h"
#include "fuzz_input.h"

namespace {

using namespace certkeeper;

constexpr std::size_t kMaxAnswers = 48;

net::HttpResponse answer_from(const std::string& text, const std::string& url) {
  net::HttpResponse r;
  r.url = url;
  r.status = 200;
  std::size_t pos = text.find('\n');
  const std::string status = text.substr(0, pos);
  std::from_chars(status.data(), status.data() + status.size(), r.status);
  while (pos != std::string::npos && pos + 1 <= text.size()) {
    const std::size_t start = pos + 1;
    pos = text.find('\n', start);
    const std::string line = text.substr(start, pos == std::string::npos ? pos : pos - start);
    if (line.empty()) {
      r.body = pos == std::string::npos ? "" : text.substr(pos + 1);
      break;
    }
    const auto colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    const std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    r.headers.emplace_back(name, value.substr(value.find_first_not_of(' ') == std::string::npos
                                                  ? value.size()
                                                  : value.find_first_not_of(' ')));
  }
  return r;
}

class ScriptedCa final : public net::HttpClient {
 public:
  explicit ScriptedCa(std::vector<std::string> answers) : answers_(std::move(answers)) {}
  Result<net::HttpResponse> send(const net::HttpRequest& request) override {
    ++sent_;
    if (next_ >= answers_.size()) return make_error(Errc::network, "the script has no more answers", request.url);
    return answer_from(answers_[next_++], request.url);
  }
  std::size_t requests_sent() const override { return sent_; }

 private:
  std::vector<std::string> answers_;
  std::size_t next_ = 0;
  std::size_t sent_ = 0;
};

std::unique_ptr<crypto::Signer> new_signer() {
  auto key = crypto::generate_private_key("ec-p256");
  if (!key) fuzz::property_failed("no key");
  return std::move(crypto::make_signer(*key).value());
}

const crypto::Signer& account_key() {
  static auto signer = new_signer();
  return *signer;
}

const crypto::Signer& next_key() {
  static auto signer = new_signer();
  return *signer;
}

// What the caller does with a failure: print it.
template <class T>
void look(const Result<T>& result) {
  if (!result) (void)result.error().what();
}

void order_flow(acme::Client& client) {
  auto order = client.new_order_replacing({acme::identifier_for("www.example.test")}, "", "aaaa.bbbb");
  look(order);
  if (!order) return;
  std::size_t authorizations = 0;
  for (const auto& url : order->authorizations) {
    if (++authorizations > 4) break;
    if (auto authz = client.authorization(url); authz && !authz->challenges.empty()) {
      look(client.respond(authz->challenges.front().url));
    }
    look(client.wait_authorization(url));
  }
  auto finalized = client.finalize(*order, "not a real CSR");
  look(finalized);
  if (finalized && !finalized->certificate.empty()) {
    look(client.download(finalized->certificate, "Preferred Root X1"));
  }
  look(client.order(order->url));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ScriptedCa ca(fuzz::split_parts(fuzz::as_text(data, size), kMaxAnswers));
  FixedClock clock(1'800'000'000);
  acme::Client client(ca, account_key(), "https://ca.example/dir", clock);
  look(client.new_account({"mailto:ops@example.test"}, true, std::nullopt));
  order_flow(client);
  look(client.renewal_info("aaaa.bbbb"));
  look(client.revoke("not real DER", 1));
  look(client.key_change(next_key()));
  look(client.deactivate());
  return 0;
}
