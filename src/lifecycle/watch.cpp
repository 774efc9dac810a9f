// probe and watch (watch.h): probing with one retry, storing what was
// served, and the watched endpoints' definitions.
#include "certkeeper/lifecycle/watch.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "certkeeper/crypto/facts.h"
#include "certkeeper/lifecycle/version_record.h"
#include "certkeeper/store/event_kinds.h"
#include "certkeeper/util/json.h"

namespace certkeeper::lifecycle {
namespace {

Result<deploy::ProbeReport> probe_with_retry(const ProbeRequest& request) {
  deploy::ProbeOptions options;
  options.ca_file = request.ca_file;
  options.default_name = request.probe.host;
  auto first = deploy::probe_endpoint(request.probe, options);
  if (first || (first.error().code != Errc::network && first.error().code != Errc::timeout)) return first;
  std::this_thread::sleep_for(std::chrono::seconds(2));  // a restart or a dropped packet: once more
  auto second = deploy::probe_endpoint(request.probe, options);
  if (second || (second.error().code != Errc::network && second.error().code != Errc::timeout)) return second;
  Error e = std::move(second).error();
  e.message = "unreachable (tried twice): " + e.message + "; check that the service runs and the port is open";
  return e;
}

store::VersionRecord version_of(const deploy::ProbeReport& report) {
  store::VersionRecord v = version_facts(report.served.front());
  v.leaf_pem = report.served_pem.front();
  for (std::size_t i = 1; i < report.served_pem.size(); ++i) v.chain_pem += report.served_pem[i];
  v.origin = "probe";
  v.findings_json = "[]";
  return v;
}

// After a probe by hand: the next one in 12 h, or in 1 h when it failed.
Status schedule_next_probe(const Context& ctx, store::Inventory& inv, const Observation& o) {
  const UnixTime at = ctx.now() + (o.probed ? kWatchEvery : kWatchRetry);
  return inv.set_schedule(o.name, {at, std::nullopt, std::nullopt, std::nullopt});
}

Result<store::Inventory> open_existing(const Context& ctx) {
  return ctx.inventory(store::OpenMode::existing);
}

}  // namespace

std::string watch_name(const deploy::ProbeSpec& probe) {
  std::string host = probe.host;
  std::replace(host.begin(), host.end(), ':', '-');
  return host + "-" + std::to_string(probe.port);
}

Result<ProbeRequest> watched_probe(const store::CertificateRecord& remote) {
  nlohmann::json config = parse_json_or_null(remote.challenge_config);
  if (!config.is_object() || !config.contains("probe") || !config["probe"].is_string()) {
    return make_error(Errc::database, "the watched endpoint's probe is missing; run 'certkeeper watch add' again",
                      remote.name);
  }
  auto probe = deploy::parse_probe(config["probe"].get<std::string>());
  if (!probe) return probe.error();
  return ProbeRequest{*probe, config.value("ca_file", "")};
}

Result<ProbeResult> probe_remote(const Context& ctx, const ProbeRequest& request) {
  auto report = probe_with_retry(request);
  if (!report) return std::move(report).error();
  ProbeResult result{std::move(*report), std::nullopt};
  if (auto inv = ctx.inventory(store::OpenMode::read_only); inv) {
    auto match = inv->find_by_fingerprint(result.report.leaf_fingerprint_sha256);
    if (match) result.inventory = *match;
  }
  return result;
}

Observation observe(const Context& ctx, store::Inventory& inv, const store::CertificateRecord& remote) {
  Observation o;
  o.name = remote.name;
  auto request = watched_probe(remote);
  if (!request) {
    o.error = request.error();
    return o;
  }
  o.endpoint = deploy::probe_text(request->probe);
  auto probed = probe_remote(ctx, *request);
  if (!probed) {
    o.error = probed.error();
  } else {
    o.probed = std::move(*probed);
    auto known = inv.version_by_fingerprint(remote.name, o.probed->report.leaf_fingerprint_sha256);
    if (known && !*known) {
      nlohmann::json detail = {{"endpoint", o.endpoint},
                               {"verifies", o.probed->report.chain_verifies},
                               {"verify_error", o.probed->report.verify_error},
                               {"name_covered", o.probed->report.name_covered}};
      auto stored = inv.append_version(remote, version_of(o.probed->report), store::event::observed, detail.dump(),
                                       ctx.actor, ctx.now());
      if (stored) o.new_version = *stored;
      else o.error = stored.error();
    } else if (!known) {
      o.error = known.error();
    }
  }
  auto change = inv.record_observation(remote.name, o.probed.has_value(), o.error ? o.error->what() : "", ctx.actor,
                                       ctx.now());
  if (change) o.change = *change;
  return o;
}

Result<std::vector<Observation>> watch_add(const Context& ctx, const std::vector<WatchRequest>& requests) {
  auto inv = open_existing(ctx);
  if (!inv) return inv.error();
  // Every name is checked before anything is stored.
  std::vector<store::CertificateRecord> definitions;
  for (const auto& r : requests) {
    store::CertificateRecord def;
    def.name = r.name.empty() ? watch_name(r.probe.probe) : r.name;
    if (auto ok = check_certificate_name(def.name); !ok) return ok.error();
    auto existing = inv->find_certificate(def.name);
    if (!existing) return existing.error();
    if (*existing && (*existing)->source != "remote") {
      return make_error(Errc::conflict,
                        "is a " + (*existing)->source + " certificate; watch the endpoint under another name (--name)",
                        def.name);
    }
    def.source = "remote";
    nlohmann::json config = {{"probe", deploy::probe_text(r.probe.probe)}};
    if (!r.probe.ca_file.empty()) config["ca_file"] = r.probe.ca_file;
    def.challenge_config = config.dump();
    def.domains = {deploy::probe_text(r.probe.probe)};
    definitions.push_back(std::move(def));
  }
  std::vector<Observation> out;
  for (const auto& def : definitions) {
    if (auto ok = inv->define_certificate(def, ctx.actor, ctx.now()); !ok) return ok.error();
    auto fresh = inv->find_certificate(def.name);
    if (!fresh || !*fresh) return fresh ? make_error(Errc::internal, "vanished after being defined", def.name) : fresh.error();
    Observation o = observe(ctx, *inv, **fresh);
    if (auto ok = schedule_next_probe(ctx, *inv, o); !ok) return ok.error();
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::vector<store::CertificateRecord>> watched(const Context& ctx) {
  auto inv = ctx.inventory(store::OpenMode::read_only);
  if (!inv) return inv.error();
  auto all = inv->list_certificates();
  if (!all) return all.error();
  std::vector<store::CertificateRecord> out;
  for (auto& c : *all) {
    if (c.source == "remote") out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<Observation>> watch_check(const Context& ctx, const std::vector<std::string>& names) {
  auto inv = open_existing(ctx);
  if (!inv) return inv.error();
  std::vector<store::CertificateRecord> work;
  if (names.empty()) {
    auto all = inv->list_certificates();
    if (!all) return all.error();
    for (auto& c : *all) {
      if (c.source == "remote") work.push_back(std::move(c));
    }
  } else {
    for (const auto& name : names) {
      auto c = inv->find_certificate(name);
      if (!c) return c.error();
      if (!*c || (*c)->source != "remote") {
        return make_error(Errc::not_found, "is not a watched endpoint; 'certkeeper watch list' shows them", name);
      }
      work.push_back(std::move(**c));
    }
  }
  std::vector<Observation> out;
  for (const auto& c : work) {
    Observation o = observe(ctx, *inv, c);
    if (auto ok = schedule_next_probe(ctx, *inv, o); !ok) return ok.error();
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace certkeeper::lifecycle
