#include "parse.h"

#include <arpa/inet.h>

#include <nlohmann/json.hpp>

#include "certkeeper/util/json.h"

namespace certkeeper::acme {

Identifier identifier_for(const std::string& name) {
  unsigned char buf[16];
  bool ip = inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
  return {ip ? "ip" : "dns", name};
}

namespace detail {
namespace {

using nlohmann::json;

Error malformed(const std::string& url, const std::string& what) {
  return make_error(Errc::ca_failed, "the ACME server sent a malformed " + what + "; try again later", url);
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The body as a JSON object, or the malformed-`what` error saying why (too
// deeply nested, not JSON, not an object).
Result<json> object(const std::string& body, const std::string& url, const std::string& what) {
  auto j = parse_json(body);
  if (!j) return malformed(url, what + ": " + j.error().message);
  if (!j->is_object()) return malformed(url, what + ": not a JSON object");
  return std::move(*j);
}

std::optional<Problem> embedded_problem(const json& j, const char* key, UnixTime now) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return std::nullopt;
  return parse_problem(0, it->dump(), "", now);
}

Identifier read_identifier(const json& j) { return {str(j, "type"), str(j, "value")}; }

}  // namespace

Result<Directory> parse_directory(const std::string& body, const std::string& url) {
  auto j = object(body, url, "directory");
  if (!j) return std::move(j).error();
  Directory d;
  d.new_nonce = str(*j, "newNonce");
  d.new_account = str(*j, "newAccount");
  d.new_order = str(*j, "newOrder");
  d.revoke_cert = str(*j, "revokeCert");
  d.key_change = str(*j, "keyChange");
  d.renewal_info = str(*j, "renewalInfo");
  if (d.new_nonce.empty() || d.new_account.empty() || d.new_order.empty()) {
    return malformed(url, "directory (newNonce, newAccount or newOrder missing); check --acme-server");
  }
  if (auto meta = j->find("meta"); meta != j->end() && meta->is_object()) {
    d.terms_of_service = str(*meta, "termsOfService");
    if (auto e = meta->find("externalAccountRequired"); e != meta->end() && e->is_boolean()) {
      d.external_account_required = e->get<bool>();
    }
    if (auto p = meta->find("profiles"); p != meta->end() && p->is_object()) {
      for (const auto& [name, _] : p->items()) d.profiles.push_back(name);
    }
  }
  return d;
}

Result<Account> parse_account(const std::string& body, const std::string& location) {
  auto j = object(body, location, "account");
  if (!j) return std::move(j).error();
  Account a;
  a.url = location;
  a.status = str(*j, "status");
  if (auto c = j->find("contact"); c != j->end() && c->is_array()) {
    for (const auto& item : *c) {
      if (item.is_string()) a.contact.push_back(item.get<std::string>());
    }
  }
  return a;
}

Result<Order> parse_order(const std::string& body, const std::string& url, UnixTime now) {
  auto j = object(body, url, "order");
  if (!j) return std::move(j).error();
  Order o;
  o.url = url;
  o.status = str(*j, "status");
  o.finalize = str(*j, "finalize");
  o.certificate = str(*j, "certificate");
  o.replaces = str(*j, "replaces");
  if (auto ids = j->find("identifiers"); ids != j->end() && ids->is_array()) {
    for (const auto& id : *ids) {
      if (id.is_object()) o.identifiers.push_back(read_identifier(id));
    }
  }
  if (auto authz = j->find("authorizations"); authz != j->end() && authz->is_array()) {
    for (const auto& a : *authz) {
      if (a.is_string()) o.authorizations.push_back(a.get<std::string>());
    }
  }
  o.error = embedded_problem(*j, "error", now);
  if (o.status.empty() || o.finalize.empty()) return malformed(url, "order (status or finalize missing)");
  return o;
}

Result<Challenge> parse_challenge(const std::string& body, const std::string& url, UnixTime now) {
  auto j = object(body, url, "challenge");
  if (!j) return std::move(j).error();
  Challenge c{str(*j, "type"), str(*j, "url"), str(*j, "status"), str(*j, "token"),
              embedded_problem(*j, "error", now)};
  if (c.url.empty()) c.url = url;
  return c;
}

Result<Authorization> parse_authorization(const std::string& body, const std::string& url, UnixTime now) {
  auto j = object(body, url, "authorization");
  if (!j) return std::move(j).error();
  Authorization a;
  a.url = url;
  a.status = str(*j, "status");
  if (auto id = j->find("identifier"); id != j->end() && id->is_object()) a.identifier = read_identifier(*id);
  if (auto w = j->find("wildcard"); w != j->end() && w->is_boolean()) a.wildcard = w->get<bool>();
  if (auto cs = j->find("challenges"); cs != j->end() && cs->is_array()) {
    for (const auto& c : *cs) {
      if (!c.is_object()) continue;
      auto parsed = parse_challenge(c.dump(), url, now);
      if (parsed) a.challenges.push_back(std::move(*parsed));
    }
  }
  if (a.status.empty() || a.identifier.value.empty()) return malformed(url, "authorization");
  return a;
}

std::string identifiers_json(const std::vector<Identifier>& identifiers) {
  json list = json::array();
  for (const auto& id : identifiers) list.push_back({{"type", id.type}, {"value", id.value}});
  return list.dump();
}

}  // namespace detail
}  // namespace certkeeper::acme
