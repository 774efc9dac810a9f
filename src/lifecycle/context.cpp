#include "certkeeper/lifecycle/context.h"

#include <arpa/inet.h>
#include <sys/utsname.h>

#include <utility>

#include "certkeeper/store/location.h"

namespace certkeeper::lifecycle {

Result<store::Inventory> Context::inventory(store::OpenMode mode) const {
  if (open_inventory) return open_inventory(mode);
  return store::Inventory::open(db_path, mode, key_file);
}

std::unique_ptr<net::HttpClient> Context::http(const net::HttpOptions& options) const {
  if (make_http) return make_http(options);
  return net::make_http_client(options);
}

bool is_fleet_inventory(const std::string& db_value) { return store::is_postgresql_location(db_value); }

std::string Context::node_name() const { return node.empty() ? default_node_name() : node; }

Result<std::string> inventory_path(const std::string& db_value) {
  auto location = store::parse_location(db_value);
  if (!location) return std::move(location).error();
  return std::move(location->path);
}

bool valid_certificate_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name[0])) return false;
  for (char c : name) {
    if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

Status check_node_name(const std::string& name) {
  // The same alphabet as certificate names: a node name appears in
  // messages, reports and Prometheus labels.
  if (valid_certificate_name(name)) return {};
  return make_error(Errc::usage,
                    "is not a valid node name; use 1-64 letters, digits, '.', '_' or '-' (--node or CERTKEEPER_NODE)",
                    name);
}

Status check_challenge_address(const std::string& address) {
  unsigned char bytes[16];
  if (::inet_pton(AF_INET, address.c_str(), bytes) == 1 || ::inet_pton(AF_INET6, address.c_str(), bytes) == 1) return {};
  return make_error(Errc::usage,
                    "is not a numeric IPv4 or IPv6 address; give the address this node's challenge responders listen "
                    "on (--challenge-address or CERTKEEPER_CHALLENGE_ADDRESS), e.g. 192.0.2.10 or 2001:db8::10",
                    address);
}

std::string default_node_name() {
  struct utsname u {};
  if (::uname(&u) != 0) return "";
  // A host name that is not a node name (too long, odd bytes) becomes one:
  // other bytes turn into '-', cut at 64.
  std::string host = u.nodename;
  if (host.size() > 64) host.resize(64);
  for (char& c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-';
    if (!ok) c = '-';
  }
  return valid_certificate_name(host) ? host : "";
}

Status check_certificate_name(const std::string& name) {
  if (valid_certificate_name(name)) return {};
  return make_error(Errc::usage, "is not a valid certificate name; use 1-64 letters, digits, '.', '_' or '-'", name);
}

}  // namespace certkeeper::lifecycle
