// `init`: create (or update) the inventory and its settings.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "certkeeper/lifecycle/context.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

// Setting keys stored by init.
inline constexpr const char* kExternalUrl = "external_url";
inline constexpr const char* kAcmeServer = "acme_server";
inline constexpr const char* kAcmeCaFile = "acme_ca_file";
inline constexpr const char* kEmail = "email";
// Seconds a lease to talk to the CA lasts unless renewed (issue 12; 5-3600,
// default 120): how long a certificate waits when its holder died or stopped.
inline constexpr const char* kLeaseSeconds = "lease_seconds";
// Seconds the nodes of a fleet may serve different versions (or not the
// desired one) before reports say `drift` (issue 12; 60-604800, default 900,
// store::kDefaultDriftAfter).
inline constexpr const char* kDriftAfter = "drift_after";
// Seconds the holder of a lease waits for every answering node of a fleet to
// serve its http-01 or tls-alpn-01 answers before it gives up the order's
// validation (issue 12; 5-3600, default 120).
inline constexpr const char* kChallengeWait = "challenge_wait";

// Pebble on loopback: the embedded default ACME server (DESIGN.md).
inline constexpr const char* kDefaultAcmeServer = "https://127.0.0.1:14000/dir";

struct InitRequest {
  std::optional<std::string> external_url;
  std::optional<std::string> acme_server;
  std::optional<std::string> acme_ca_file;
  std::optional<std::string> email;
  std::optional<int> keep_versions;  // sets kept per target directory (1-100; default 5)
  std::optional<int> node_down_after{};  // seconds without a heartbeat before a node is down (60-604800; default 600)
  // Store every private key encrypted with the context's key file (which
  // must be given); an existing inventory is converted in one transaction.
  bool encrypt_keys = false;
  std::optional<int> lease_seconds{};  // kLeaseSeconds (5-3600)
  std::optional<int> drift_after{};    // kDriftAfter (60-604800)
  std::optional<int> challenge_wait{};  // kChallengeWait (5-3600)
};

struct InitOutcome {
  bool created = false;  // the database file did not exist before
  int schema_version = 0;
  std::map<std::string, std::string> settings;  // all settings after the change
  std::optional<std::int64_t> keys_encrypted;    // with encrypt_keys: the keys encrypted now
};

// Checks every value first (Errc::usage for a URL without a host, an e-mail
// without '@', an unreadable CA file), then creates or migrates the database
// and stores the given settings with one event. Idempotent. With
// encrypt_keys the key file is read first (a missing, unreadable or
// group/world-readable one changes nothing).
Result<InitOutcome> init(const Context& ctx, const InitRequest& request);

}  // namespace certkeeper::lifecycle
