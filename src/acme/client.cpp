#include "certkeeper/acme/client.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "certkeeper/crypto/facts.h"
#include "certkeeper/util/json.h"
#include "parse.h"
#include "transport.h"

namespace certkeeper::acme {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

// Polling: quick first looks (pebble validates in milliseconds), then
// backing off to 5 s, within 5 minutes in all; Retry-After wins (§7.4, §8.2).
constexpr milliseconds kFirstPoll{10};
constexpr milliseconds kMaxPollInterval{5000};
constexpr milliseconds kPollBudget{300'000};

std::vector<std::string> pem_blocks(const std::string& pem) {
  std::vector<std::string> blocks;
  const std::string begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----";
  std::size_t pos = 0;
  while ((pos = pem.find(begin, pos)) != std::string::npos) {
    auto stop = pem.find(end, pos);
    if (stop == std::string::npos) break;
    blocks.push_back(pem.substr(pos, stop + end.size() - pos) + "\n");
    pos = stop + end.size();
  }
  return blocks;
}

// The issuer CN of the chain's top certificate: what --preferred-chain names.
std::string top_issuer_cn(const std::string& pem) {
  auto blocks = pem_blocks(pem);
  if (blocks.empty()) return {};
  auto facts = crypto::read_facts(blocks.back());
  return facts ? facts->issuer_cn : std::string();
}

// RFC 9773 §4.1: two unpadded base64url parts; anything else would change
// the URL's path or query.
bool valid_cert_id(const std::string& id) {
  const auto dot = id.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == id.size()) return false;
  return id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") ==
             std::string::npos &&
         id.find('.', dot + 1) == std::string::npos;
}

// A Location header (§7.3, §7.4) is the URL of every later request about
// the resource: one that is no URL cannot be used, nor repeated raw.
Error not_a_location(const char* resource, const std::string& url) {
  return make_error(Errc::ca_failed,
                    std::string(resource) +
                        " answered with a Location that is not a URL (bytes outside printable ASCII); the ACME "
                        "server is not working, try again later or check --acme-server",
                    url);
}

}  // namespace

struct Client::Impl {
  Impl(net::HttpClient& http, const crypto::Signer& key, std::string url, Clock& clock)
      : transport(http, key, clock), directory_url(std::move(url)) {}
  detail::Transport transport;
  std::string directory_url;
  std::optional<Directory> directory;

  // The directory, fetched once: it also gives the newNonce URL that every
  // signed request needs, so each POST goes through here.
  Result<Directory> load_directory() {
    if (directory) return *directory;
    if (directory_url.rfind("https://", 0) != 0) {
      return make_error(Errc::usage, "the ACME directory must be an https:// URL", directory_url);
    }
    auto response = transport.get(directory_url);
    if (!response) return std::move(response).error();
    auto dir = detail::parse_directory(response->body, directory_url);
    if (!dir) return std::move(dir).error();
    transport.set_new_nonce_url(dir->new_nonce);
    directory = *dir;
    return dir;
  }

  // POST-as-GETs `url` until `waiting` says the resource is done, honouring
  // each answer's Retry-After (the first one may come from the request that
  // started the wait, e.g. finalize).
  template <class T, class Parse, class Waiting>
  Result<T> poll(const std::string& url, std::string retry_after, Parse parse, Waiting waiting,
                 const char* gave_up) {
    milliseconds interval = kFirstPoll, spent{0};
    while (wait(interval, spent, retry_after)) {
      auto response = post(url, "");
      if (!response) return std::move(response).error();
      retry_after = response->header("retry-after");
      Result<T> resource = parse(response->body, url, transport.clock().now());
      if (!resource || !waiting(*resource)) return resource;
    }
    return make_error(Errc::ca_failed, gave_up, url);
  }

  Result<Order> wait_order(const std::string& url, const std::string& retry_after) {
    return poll<Order>(
        url, retry_after, detail::parse_order,
        [](const Order& o) { return o.status == "processing" || o.status == "pending"; },
        "the order stayed processing for 5 minutes; try again later");
  }

  Result<net::HttpResponse> post(const std::string& url, const std::string& payload, bool embed_jwk = false,
                                 const std::string& accept = "") {
    if (auto dir = load_directory(); !dir) return std::move(dir).error();
    return transport.post(url, payload, embed_jwk, accept);
  }

  // Waits before the next poll: Retry-After when the server gave one, else
  // the doubling schedule. False when the budget is spent.
  bool wait(milliseconds& interval, milliseconds& spent, const std::string& retry_after) {
    Clock& clock = transport.clock();
    milliseconds delay = interval;
    if (auto at = parse_retry_after(retry_after, clock.now())) {
      delay = std::max(milliseconds(1000), milliseconds((*at - clock.now()) * 1000));
    }
    if (spent + delay > kPollBudget) return false;
    clock.sleep_for(delay);
    spent += delay;
    interval = std::min(interval * 2, kMaxPollInterval);
    return true;
  }
};

Client::Client(net::HttpClient& http, const crypto::Signer& account_key, std::string directory_url, Clock& clock)
    : impl_(std::make_unique<Impl>(http, account_key, std::move(directory_url), clock)) {}
Client::~Client() = default;

const std::optional<Problem>& Client::last_problem() const { return impl_->transport.last_problem; }
std::size_t Client::requests() const { return impl_->transport.requests(); }
void Client::set_account_url(std::string url) { impl_->transport.set_kid(std::move(url)); }
const std::string& Client::account_url() const { return impl_->transport.kid(); }

Result<Directory> Client::directory() { return impl_->load_directory(); }

Result<Account> Client::new_account(const std::vector<std::string>& contact, bool agree_to_terms,
                                    const std::optional<ExternalAccountBinding>& eab) {
  auto dir = directory();
  if (!dir) return std::move(dir).error();
  json payload = json::object();
  if (!contact.empty()) payload["contact"] = contact;
  if (agree_to_terms) payload["termsOfServiceAgreed"] = true;
  if (eab) {
    // §7.3.4: a JWS over the account key, MACed with the CA-issued key.
    auto mac_key = crypto::base64url_decode(eab->hmac_key);
    if (!mac_key) return make_error(Errc::usage, "the EAB HMAC key is not base64url", eab->kid);
    json header = {{"alg", "HS256"}, {"kid", eab->kid}, {"url", dir->new_account}};
    std::string protected_b64 = crypto::base64url_encode(header.dump());
    std::string payload_b64 = crypto::base64url_encode(impl_->transport.key().jwk_json());
    std::string mac = crypto::hmac_sha256(*mac_key, protected_b64 + "." + payload_b64);
    payload["externalAccountBinding"] = {
        {"protected", protected_b64}, {"payload", payload_b64}, {"signature", crypto::base64url_encode(mac)}};
  }
  auto response = impl_->post(dir->new_account, payload.dump(), /*embed_jwk=*/true);
  if (!response) return std::move(response).error();
  auto account = detail::parse_account(response->body, response->header("location"));
  if (!account) return std::move(account).error();
  if (account->url.empty()) return make_error(Errc::ca_failed, "newAccount answered without a Location", dir->new_account);
  if (!detail::signable_url(account->url)) return not_a_location("newAccount", dir->new_account);
  set_account_url(account->url);
  return account;
}

Result<Account> Client::find_account() {
  auto dir = directory();
  if (!dir) return std::move(dir).error();
  auto response = impl_->post(dir->new_account, R"({"onlyReturnExisting":true})", true);
  if (!response) return std::move(response).error();
  auto account = detail::parse_account(response->body, response->header("location"));
  if (account && !detail::signable_url(account->url)) return not_a_location("newAccount", dir->new_account);
  if (account) set_account_url(account->url);
  return account;
}

Result<Order> Client::new_order(const std::vector<Identifier>& identifiers, const std::string& profile,
                                const std::string& replaces) {
  auto dir = directory();
  if (!dir) return std::move(dir).error();
  json payload = {{"identifiers", parse_json_or_null(detail::identifiers_json(identifiers))}};
  if (!profile.empty()) payload["profile"] = profile;
  if (!replaces.empty()) payload["replaces"] = replaces;
  auto response = impl_->post(dir->new_order, payload.dump());
  if (!response) return std::move(response).error();
  std::string location = response->header("location");
  if (location.empty()) return make_error(Errc::ca_failed, "newOrder answered without a Location", dir->new_order);
  if (!detail::signable_url(location)) return not_a_location("newOrder", dir->new_order);
  return detail::parse_order(response->body, location, impl_->transport.clock().now());
}

Result<Order> Client::new_order_replacing(const std::vector<Identifier>& identifiers, const std::string& profile,
                                          const std::string& replaces) {
  auto order = new_order(identifiers, profile, replaces);
  const bool replaced = !order && last_problem() && last_problem()->type == ProblemType::already_replaced;
  if (!replaced || replaces.empty()) return order;
  // §5: the certificate was already replaced; the renewal itself is still
  // wanted, so order it as a plain new order (once: no replaces, no loop).
  return new_order(identifiers, profile);
}

Result<Order> Client::order(const std::string& url) {
  auto response = impl_->post(url, "");
  if (!response) return std::move(response).error();
  auto order = detail::parse_order(response->body, url, impl_->transport.clock().now());
  if (order) order->retry_after = parse_retry_after(response->header("retry-after"), impl_->transport.clock().now());
  return order;
}

Result<Authorization> Client::authorization(const std::string& url) {
  auto response = impl_->post(url, "");
  if (!response) return std::move(response).error();
  return detail::parse_authorization(response->body, url, impl_->transport.clock().now());
}

Result<Challenge> Client::respond(const std::string& challenge_url) {
  auto response = impl_->post(challenge_url, "{}");
  if (!response) return std::move(response).error();
  return detail::parse_challenge(response->body, challenge_url, impl_->transport.clock().now());
}

Result<Authorization> Client::wait_authorization(const std::string& url) {
  return impl_->poll<Authorization>(
      url, "", detail::parse_authorization, [](const Authorization& a) { return a.status == "pending"; },
      "the authorization stayed pending for 5 minutes; try again later");
}

Result<Order> Client::finalize(const Order& order, const std::string& csr_der) {
  json payload = {{"csr", crypto::base64url_encode(csr_der)}};
  auto response = impl_->post(order.finalize, payload.dump());
  if (!response) return std::move(response).error();
  auto updated = detail::parse_order(response->body, order.url, impl_->transport.clock().now());
  if (!updated || updated->status == "valid" || updated->status == "invalid") return updated;
  return impl_->wait_order(order.url, response->header("retry-after"));
}

Result<Order> Client::wait_order(const std::string& url) { return impl_->wait_order(url, ""); }

Result<std::string> Client::download(const std::string& certificate_url, const std::string& preferred_issuer_cn) {
  constexpr const char* kPemChain = "application/pem-certificate-chain";
  auto response = impl_->post(certificate_url, "", false, kPemChain);
  if (!response) return std::move(response).error();
  if (pem_blocks(response->body).empty()) {
    return make_error(Errc::ca_failed, "the certificate download held no PEM certificate", certificate_url);
  }
  if (preferred_issuer_cn.empty() || top_issuer_cn(response->body) == preferred_issuer_cn) return response->body;
  // §7.4.2: alternate chains are offered as Link rel="alternate".
  for (const auto& alternate : response->links("alternate")) {
    auto alt = impl_->post(alternate, "", false, kPemChain);
    if (alt && top_issuer_cn(alt->body) == preferred_issuer_cn) return alt->body;
  }
  return response->body;  // the preferred chain is a preference, not a requirement
}

Result<RenewalInfo> Client::renewal_info(const std::string& cert_id) {
  auto dir = directory();
  if (!dir) return std::move(dir).error();
  if (dir->renewal_info.empty()) {
    return make_error(Errc::not_found,
                      "the CA offers no renewalInfo (RFC 9773); renew on the certificate's lifetime instead",
                      impl_->directory_url);
  }
  if (!valid_cert_id(cert_id)) {
    return make_error(Errc::invalid_input, "is not an ARI certificate identifier (base64url \".\" base64url)",
                      cert_id);
  }
  std::string url = dir->renewal_info;
  if (url.back() != '/') url += '/';
  url += cert_id;
  auto response = impl_->transport.get(url);  // §4.1: a plain GET, not POST-as-GET
  if (!response) return std::move(response).error();
  return detail::parse_renewal_info(response->body, response->header("retry-after"), url,
                                    impl_->transport.clock().now());
}

Status Client::revoke(const std::string& certificate_der, int reason) {
  auto dir = directory();
  if (!dir) return std::move(dir).error();
  if (dir->revoke_cert.empty()) return make_error(Errc::ca_failed, "the CA offers no revokeCert", impl_->directory_url);
  json payload = {{"certificate", crypto::base64url_encode(certificate_der)}, {"reason", reason}};
  auto response = impl_->post(dir->revoke_cert, payload.dump());
  if (!response && last_problem() && last_problem()->type == ProblemType::already_revoked) return {};
  if (!response) return std::move(response).error();
  return {};
}

Status Client::key_change(const crypto::Signer& new_key) {
  auto dir = directory();
  if (!dir) return std::move(dir).error();
  if (dir->key_change.empty()) return make_error(Errc::ca_failed, "the CA offers no keyChange", impl_->directory_url);
  // §7.3.5: the inner JWS is signed by the new key, carries its jwk, no nonce.
  json inner_header = {{"alg", new_key.alg()}, {"jwk", parse_json_or_null(new_key.jwk_json())}, {"url", dir->key_change}};
  json inner_payload = {{"account", account_url()}, {"oldKey", parse_json_or_null(impl_->transport.key().jwk_json())}};
  auto inner = crypto::jws_sign(new_key, inner_header.dump(), inner_payload.dump());
  if (!inner) return std::move(inner).error();
  auto response = impl_->post(dir->key_change, *inner);
  if (!response) return std::move(response).error();
  return {};
}

Result<Account> Client::deactivate() {
  auto response = impl_->post(account_url(), R"({"status":"deactivated"})");
  if (!response) return std::move(response).error();
  return detail::parse_account(response->body, account_url());
}

}  // namespace certkeeper::acme
