// The stub's ACME resources (RFC 8555 §7): directory, nonce, account,
// order, authorization, challenge, finalize, certificate, plus ARI
// (RFC 9773) and revoke/key-change acknowledgements. Everything here runs
// under Impl::mu.
#include <algorithm>
#include <ctime>
#include <strings.h>

#include "certkeeper/util/clock.h"
#include "support/acme_stub_ca.h"
#include "support/acme_stub_impl.h"

namespace certkeeper::testing {
namespace {

StubResponse json_response(int status, const nlohmann::json& body) {
  StubResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

// "/order/12" with prefix "/order/" -> 12; -1 when not such a path.
int id_after(const std::string& path, const std::string& prefix) {
  if (path.rfind(prefix, 0) != 0 || path.size() == prefix.size()) return -1;
  const std::string rest = path.substr(prefix.size());
  if (rest.size() > 9 || rest.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoi(rest);
}

std::string header_value(const StubRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k.size() == name.size() && strncasecmp(k.c_str(), name.c_str(), k.size()) == 0) return v;
  }
  return "";
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

UnixTime AcmeStub::Impl::now() const {
  if (options.clock) return options.clock->now();
  return options.now != 0 ? options.now : static_cast<UnixTime>(std::time(nullptr));
}

StubResponse AcmeStub::Impl::route(const StubRequest& r) {
  StubResponse out = [&] {
    if (r.path == "/dir") return r.method == "GET" ? directory() : StubResponse::problem(405, "malformed", "GET only");
    if (r.path == "/nonce") {
      StubResponse n;
      n.status = r.method == "HEAD" ? 200 : 204;  // RFC 8555 §7.2
      n.content_type.clear();
      n.headers["Cache-Control"] = "no-store";
      return n;
    }
    if (r.path.rfind("/renewal-info/", 0) == 0) return renewal_info();
    if (r.method != "POST") {
      StubResponse n = StubResponse::problem(405, "malformed", "use POST (or POST-as-GET)");
      n.headers["Allow"] = "POST";
      return n;
    }
    int account = 0;
    if (auto rejected = check_jws(r, r.path == "/acct" || r.path == "/revoke", account)) return *rejected;
    if (r.path == "/acct") return new_account(r);
    if (id_after(r.path, "/acct/") > 0) {
      return json_response(200, {{"status", "valid"}, {"orders", r.url + "/orders"}});
    }
    if (r.path == "/order") return new_order(r, account);
    if (int id = id_after(r.path, "/order/"); orders.count(id)) return get_order(id);
    if (int id = id_after(r.path, "/authz/"); authzs.count(id)) return authorization(r, id);
    if (int id = id_after(r.path, "/chall/"); authzs.count(id)) return challenge(r, id);
    if (int id = id_after(r.path, "/finalize/"); orders.count(id)) return finalize(r, id);
    if (int id = id_after(r.path, "/cert/"); orders.count(id)) return certificate(id);
    if (r.path == "/revoke" || r.path == "/key-change") return json_response(200, nlohmann::json::object());
    return StubResponse::problem(404, "malformed", "no such resource: " + r.path);
  }();
  if (r.path != "/dir") {
    const std::string index = "<" + base + "/dir>;rel=\"index\"";
    auto [it, added] = out.headers.emplace("Link", index);
    if (!added) it->second += ", " + index;
  }
  return out;
}

// The checks of RFC 8555 §6.2–6.5 a real server makes (options.strict), and
// the account behind "kid". `jwk_allowed`: newAccount and revokeCert.
std::optional<StubResponse> AcmeStub::Impl::check_jws(const StubRequest& r, bool jwk_allowed, int& account) {
  if (!options.strict) return std::nullopt;
  if (!r.jws) return StubResponse::problem(400, "malformed", "the body is not a flattened JWS");
  if (header_value(r, "Content-Type") != "application/jose+json") {
    return StubResponse::problem(415, "malformed", "Content-Type must be application/jose+json");
  }
  if (!r.nonce_valid) return StubResponse::problem(400, "badNonce", "JWS has an invalid anti-replay nonce");
  const nlohmann::json& h = r.protected_header;
  if (!h.contains("url") || !h["url"].is_string() || h["url"].get<std::string>() != r.url) return StubResponse::problem(401, "unauthorized", "the JWS url is not " + r.url);
  if (h.contains("kid") == h.contains("jwk")) {
    return StubResponse::problem(400, "malformed", "exactly one of kid and jwk is required");
  }
  if (h.contains("jwk")) {
    if (!jwk_allowed) return StubResponse::problem(400, "malformed", "this resource needs a kid");
    return std::nullopt;
  }
  if (r.path == "/acct") return StubResponse::problem(400, "malformed", "newAccount needs a jwk");
  const std::string kid = h["kid"].is_string() ? h["kid"].get<std::string>() : "";
  account = id_after(kid.rfind(base, 0) == 0 ? kid.substr(base.size()) : "", "/acct/");
  const bool known = std::any_of(accounts.begin(), accounts.end(), [&](const auto& a) { return a.second == account; });
  if (!known) return StubResponse::problem(400, "accountDoesNotExist", "no account " + kid);
  return std::nullopt;
}

StubResponse AcmeStub::Impl::directory() {
  nlohmann::json meta = {{"termsOfService", base + "/terms"}};
  if (options.external_account_required) meta["externalAccountRequired"] = true;
  if (options.profiles.is_object()) meta["profiles"] = options.profiles;
  nlohmann::json d = {
      {"newNonce", base + "/nonce"},    {"newAccount", base + "/acct"}, {"newOrder", base + "/order"},
      {"revokeCert", base + "/revoke"}, {"keyChange", base + "/key-change"}, {"meta", meta},
  };
  if (options.renewal_info) d["renewalInfo"] = base + "/renewal-info";
  return json_response(200, d);
}

StubResponse AcmeStub::Impl::new_account(const StubRequest& r) {
  const std::string jwk = r.protected_header.value("jwk", nlohmann::json()).dump();
  const nlohmann::json payload = r.payload.is_object() ? r.payload : nlohmann::json::object();
  auto it = accounts.find(jwk);
  if (it == accounts.end()) {
    if (payload.value("onlyReturnExisting", false)) {
      return StubResponse::problem(400, "accountDoesNotExist", "no account for this key");
    }
    if (options.external_account_required && !payload.contains("externalAccountBinding")) {
      return StubResponse::problem(400, "externalAccountRequired", "an external account binding is required");
    }
  }
  const bool created = it == accounts.end();
  if (created) it = accounts.emplace(jwk, next_account++).first;
  const std::string url = base + "/acct/" + std::to_string(it->second);
  StubResponse out = json_response(created ? 201 : 200,
                                   {{"status", "valid"},
                                    {"contact", payload.value("contact", nlohmann::json::array())},
                                    {"orders", url + "/orders"}});
  out.headers["Location"] = url;
  return out;
}

StubResponse AcmeStub::Impl::new_order(const StubRequest& r, int account) {
  const nlohmann::json& p = r.payload;
  if (!p.is_object() || !p.contains("identifiers") || !p["identifiers"].is_array() || p["identifiers"].empty()) {
    return StubResponse::problem(400, "malformed", "newOrder needs identifiers");
  }
  Order order;
  order.account = account;
  order.identifiers = p["identifiers"];
  order.expires = format_utc(now() + days(7));
  if (p.contains("profile")) {
    order.profile = p.value("profile", "");
    if (!options.profiles.is_object() || !options.profiles.contains(order.profile)) {
      return StubResponse::problem(400, "invalidProfile", "unknown profile " + order.profile);
    }
  }
  if (p.contains("replaces")) {
    order.replaces = p.value("replaces", "");
    if (already_replaced.count(order.replaces)) {
      return StubResponse::problem(409, "alreadyReplaced", order.replaces + " has already been replaced");
    }
  }
  for (const auto& ident : order.identifiers) {
    if (!ident.is_object() || !ident.contains("value") || !ident["value"].is_string()) {
      return StubResponse::problem(400, "malformed", "an identifier needs type and value");
    }
  }
  for (const auto& ident : order.identifiers) {
    Authz a;
    std::string value = ident["value"].get<std::string>();
    a.wildcard = value.rfind("*.", 0) == 0;
    a.identifier = {{"type", ident.value("type", "dns")}, {"value", a.wildcard ? value.substr(2) : value}};
    a.challenge_type = a.wildcard ? "dns-01" : options.challenge_type;  // RFC 8555 §7.1.3
    unsigned char t[32];
    for (auto& b : t) b = static_cast<unsigned char>(rng());
    a.token = stub::b64url_encode(std::string(reinterpret_cast<char*>(t), sizeof t));
    const int id = static_cast<int>(authzs.size()) + 1;
    authzs.emplace(id, std::move(a));
    order.authzs.push_back(id);
  }
  const int id = static_cast<int>(orders.size()) + 1;
  orders.emplace(id, std::move(order));
  StubResponse out = json_response(201, order_json(id));
  out.headers["Location"] = base + "/order/" + std::to_string(id);
  return out;
}

StubResponse AcmeStub::Impl::get_order(int id) {
  Order& o = orders.at(id);
  if (o.status == "processing") {
    if (o.polls_left > 0) {
      --o.polls_left;
    } else {
      o.status = "valid";
    }
  }
  StubResponse out = json_response(200, order_json(id));
  if (o.status == "processing") add_order_retry_after(out);
  return out;
}

void AcmeStub::Impl::add_order_retry_after(StubResponse& out) const {
  std::string value = order_retry_after.value_or(
      options.order_retry_after > 0 ? std::to_string(options.order_retry_after) : std::string());
  if (!value.empty()) out.headers["Retry-After"] = value;
}

StubResponse AcmeStub::Impl::authorization(const StubRequest& r, int id) {
  if (r.payload.is_object() && r.payload.value("status", "") == "deactivated") authzs.at(id).status = "deactivated";
  return json_response(200, authz_json(id));
}

StubResponse AcmeStub::Impl::challenge(const StubRequest& r, int id) {
  Authz& a = authzs.at(id);
  if (!r.post_as_get && a.status == "pending") {  // {} asks the server to validate (§7.5.1); the stub agrees
    a.status = "valid";
    a.validated = format_utc(now());
    for (auto& [oid, o] : orders) {
      const bool all_valid = std::all_of(o.authzs.begin(), o.authzs.end(),
                                         [&](int aid) { return authzs.at(aid).status == "valid"; });
      if (o.status == "pending" && all_valid) o.status = "ready";
    }
  }
  StubResponse out = json_response(200, challenge_json(id));
  out.headers["Link"] = "<" + base + "/authz/" + std::to_string(id) + ">;rel=\"up\"";
  return out;
}

StubResponse AcmeStub::Impl::finalize(const StubRequest& r, int id) {
  Order& o = orders.at(id);
  if (o.status != "ready") return StubResponse::problem(403, "orderNotReady", "the order is " + o.status);
  const std::string csr_b64 = r.payload.is_object() ? r.payload.value("csr", "") : "";
  const auto der = stub::b64url_decode(csr_b64);
  std::string error = "the csr field is not base64url";
  std::optional<stub::Csr> csr = der && !der->empty() ? stub::parse_csr(*der, error) : std::nullopt;
  if (!csr) return StubResponse::problem(400, "badCSR", error);
  std::vector<std::string> wanted;
  for (const auto& ident : o.identifiers) wanted.push_back(ident["value"].get<std::string>());
  std::vector<std::string> got = csr->dns;
  got.insert(got.end(), csr->ips.begin(), csr->ips.end());
  if (sorted(wanted) != sorted(got)) return StubResponse::problem(400, "badCSR", "the CSR's names differ from the order's");

  StubIssued out;
  out.order = id;
  out.names = csr->dns;
  out.for_csr_key = !wrong_certificate;
  EVP_PKEY* key = csr->key.get();
  std::optional<Key> other;
  if (wrong_certificate) {
    other = Key::generate(KeyType::ec_p256);
    key = other->get();
  }
  out.leaf_pem = stub::issue_leaf(pki, *csr, key, now(), options.certificate_validity);
  out.chain_pem = out.leaf_pem + pki.intermediate().pem();
  o.chain_pem = out.chain_pem;
  o.status = "processing";
  o.polls_left = options.processing_polls;
  issued.push_back(std::move(out));
  StubResponse resp = json_response(200, order_json(id));
  resp.headers["Location"] = base + "/order/" + std::to_string(id);
  add_order_retry_after(resp);
  return resp;
}

StubResponse AcmeStub::Impl::certificate(int id) {
  const Order& o = orders.at(id);
  if (o.status != "valid") return StubResponse::problem(404, "malformed", "no certificate yet");
  StubResponse out;
  out.body = o.chain_pem;
  out.content_type = "application/pem-certificate-chain";
  return out;
}

StubResponse AcmeStub::Impl::renewal_info() {
  nlohmann::json body = renewal_body.value_or(nlohmann::json{
      {"suggestedWindow", {{"start", format_utc(now() + days(30))}, {"end", format_utc(now() + days(32))}}}});
  StubResponse out = json_response(200, body);
  if (renewal_retry_after > 0) out.headers["Retry-After"] = std::to_string(renewal_retry_after);
  return out;
}

nlohmann::json AcmeStub::Impl::order_json(int id) const {
  const Order& o = orders.at(id);
  nlohmann::json authz_urls = nlohmann::json::array();
  for (int a : o.authzs) authz_urls.push_back(base + "/authz/" + std::to_string(a));
  nlohmann::json j = {{"status", o.status},         {"expires", o.expires},
                      {"identifiers", o.identifiers}, {"authorizations", authz_urls},
                      {"finalize", base + "/finalize/" + std::to_string(id)}};
  if (!o.profile.empty()) j["profile"] = o.profile;
  if (!o.replaces.empty()) j["replaces"] = o.replaces;
  if (o.status == "valid") j["certificate"] = base + "/cert/" + std::to_string(id);
  return j;
}

nlohmann::json AcmeStub::Impl::challenge_json(int id) const {
  const Authz& a = authzs.at(id);
  nlohmann::json c = {{"type", a.challenge_type},
                      {"url", base + "/chall/" + std::to_string(id)},
                      {"token", a.token},
                      {"status", a.status == "valid" ? "valid" : "pending"}};
  if (!a.validated.empty()) c["validated"] = a.validated;
  return c;
}

nlohmann::json AcmeStub::Impl::authz_json(int id) const {
  const Authz& a = authzs.at(id);
  nlohmann::json j = {{"identifier", a.identifier},
                      {"status", a.status},
                      {"expires", format_utc(now() + days(7))},
                      {"challenges", nlohmann::json::array({challenge_json(id)})}};
  if (a.wildcard) j["wildcard"] = true;
  return j;
}

}  // namespace certkeeper::testing
