// What every whole operation needs: the inventory, the clock, who is acting
// (recorded in every event), and how to reach the network.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "certkeeper/net/http_client.h"
#include "certkeeper/store/inventory.h"
#include "certkeeper/util/clock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

struct Context {
  std::string db_path;
  Clock* clock = nullptr;
  std::string actor;  // "cli:USER", "scheduler", ...
  // This process's node (issue 12, DESIGN.md "Many hosts"): --node, else
  // $CERTKEEPER_NODE, else the host name. Targets belong to a node; leases
  // and heartbeats name it. "" in tests that build a Context by hand: the
  // host name then (node_name()).
  std::string node{};
  // certkeeper's version, as a node's heartbeat reports it.
  std::string version{};
  // The key file of private keys encrypted at rest (--key-file,
  // CERTKEEPER_KEY_FILE); "" leaves it to the inventory's setting key_file.
  std::string key_file{};
  // The address this node's built-in challenge responders (http-01,
  // tls-alpn-01) listen on in place of the host of the certificate's
  // --listen, keeping its port (--challenge-address,
  // CERTKEEPER_CHALLENGE_ADDRESS): nodes of a fleet that share one machine,
  // or a host with one address for the load balancer. "": as configured.
  std::string challenge_address{};

  // The seams (issue 11): every whole operation opens the inventory and
  // builds its HTTP clients through inventory() and http(), never by
  // itself, so that a caller can hand in another store or client. Unset:
  // the SQLite file at db_path with key_file, and net::make_http_client.
  std::function<Result<store::Inventory>(store::OpenMode)> open_inventory{};
  std::function<std::unique_ptr<net::HttpClient>(const net::HttpOptions&)> make_http{};

  UnixTime now() const { return clock->now(); }
  // `node`, or the host name when it is "".
  std::string node_name() const;
  Result<store::Inventory> inventory(store::OpenMode mode) const;
  std::unique_ptr<net::HttpClient> http(const net::HttpOptions& options) const;
};

// The inventory file named by the value of --db or CERTKEEPER_DB: a path,
// or sqlite:PATH. Anything else (another scheme://, a password) is an
// Errc::usage error that never shows a password (store/location.h).
Result<std::string> inventory_path(const std::string& db_value);

// Whether the inventory `db_value` names is one a fleet can share (a
// PostgreSQL database). On SQLite the inventory has one node.
bool is_fleet_inventory(const std::string& db_value);

// A node name: 1-64 characters of [A-Za-z0-9._-], starting with a letter or
// digit (a host name up to 64 characters fits). Errc::usage otherwise.
Status check_node_name(const std::string& name);
// The host name (uname) as a node name (bytes outside the alphabet become
// '-', cut at 64); "" when even that is not one.
std::string default_node_name();

// --challenge-address: a numeric IPv4 or IPv6 address. Errc::usage otherwise.
Status check_challenge_address(const std::string& address);

// A certificate name is also a directory name in install targets:
// 1-64 characters of [A-Za-z0-9._-], starting with a letter or digit.
bool valid_certificate_name(const std::string& name);
// The same as an Errc::usage error that says what a name may hold.
Status check_certificate_name(const std::string& name);

}  // namespace certkeeper::lifecycle
