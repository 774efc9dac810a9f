// Remote endpoints: `probe` (look once) and `watch` (keep an endpoint in the
// inventory). A watched endpoint is a certificate with source "remote": each
// probe that sees a new leaf stores it as a new version (leaf and chain as
// served, no key), and its failures / last_error / last_attempt /
// last_success describe the probes, so the reports show an endpoint that
// cannot be reached as unreachable, never as expired. The scheduler pass
// probes watched endpoints when due (renew.cpp); they never cause an order.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "certkeeper/deploy/probe.h"
#include "certkeeper/deploy/target.h"
#include "certkeeper/lifecycle/context.h"
#include "certkeeper/store/inventory.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

// How often a reachable endpoint is probed, and a failing one retried.
constexpr UnixTime kWatchEvery = 12 * 3600;
constexpr UnixTime kWatchRetry = 3600;

struct ProbeRequest {
  deploy::ProbeSpec probe;
  std::string ca_file;  // also trust these CAs ("" = the system store only)
};

struct ProbeResult {
  deploy::ProbeReport report;
  // The managed certificate (name, version) whose leaf is being served.
  std::optional<std::pair<std::string, int>> inventory;
};

// Probes once, and once more after 2 s when the first attempt could not
// connect or complete the handshake. Errc::network / Errc::timeout name the
// endpoint and say it is unreachable (not that its certificate expired).
// The inventory is only read (a missing database means no match).
Result<ProbeResult> probe_remote(const Context& ctx, const ProbeRequest& request);

struct WatchRequest {
  ProbeRequest probe;
  std::string name;  // "" = derived from the endpoint: HOST-PORT
};

// The default name of a watched endpoint: HOST-PORT (':' of an IPv6 host
// become '-'); a valid certificate name.
std::string watch_name(const deploy::ProbeSpec& probe);

struct Observation {
  std::string name;
  std::string endpoint;              // HOST:PORT[,starttls=..][,servername=..]
  std::optional<ProbeResult> probed;  // when it was reached
  std::optional<Error> error;         // when it was not
  std::optional<int> new_version;     // a new leaf was seen and stored
  store::Inventory::ObservationChange change = store::Inventory::ObservationChange::none;
};

// Defines each endpoint (refusing a name that belongs to a managed
// certificate, Errc::conflict) and probes it at once; an unreachable
// endpoint is still added (its observation carries the error).
Result<std::vector<Observation>> watch_add(const Context& ctx, const std::vector<WatchRequest>& requests);

// The watched endpoints (their definitions).
Result<std::vector<store::CertificateRecord>> watched(const Context& ctx);

// Probes the named watched endpoints now (all when `names` is empty) and
// schedules the next probe.
Result<std::vector<Observation>> watch_check(const Context& ctx, const std::vector<std::string>& names);

// One probe of a watched endpoint, recorded in `inv` (no scheduling).
Observation observe(const Context& ctx, store::Inventory& inv, const store::CertificateRecord& remote);

// The probe request stored with a watched endpoint.
Result<ProbeRequest> watched_probe(const store::CertificateRecord& remote);

}  // namespace certkeeper::lifecycle
