#include "solver_set.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "certkeeper/util/json.h"

namespace certkeeper::lifecycle::detail {

std::string SolverSet::listen_here(const std::string& configured) const {
  const auto colon = configured.rfind(':');
  if (address_.empty() || colon == std::string::npos) return configured;
  const bool v6 = address_.find(':') != std::string::npos;
  return (v6 ? "[" + address_ + "]" : address_) + configured.substr(colon);
}

Result<challenge::Solver*> SolverSet::for_definition(const store::CertificateRecord& def) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string key = def.challenge + " " + def.challenge_config;
  if (auto it = solvers_.find(key); it != solvers_.end()) return it->second.get();
  auto config = parse_json_or_null(def.challenge_config);
  if (!config.is_object()) config = nlohmann::json::object();
  std::unique_ptr<challenge::Solver> solver;
  // The built-in responders share one listener per address in the process
  // (challenge/solver.h), and wait this long for a port another process holds.
  std::chrono::seconds port_wait = challenge::kDefaultPortWait;
  if (auto it = config.find("listen_wait_seconds"); it != config.end() && it->is_number_integer()) {
    port_wait = std::chrono::seconds(std::clamp<std::int64_t>(it->get<std::int64_t>(), 0, 3600));
  }
  if (def.challenge == "http-01" && config.contains("webroot_map") && config["webroot_map"].is_object()) {
    std::map<std::string, std::string> webroots;
    for (const auto& [domain, dir] : config["webroot_map"].items()) {
      if (dir.is_string()) webroots[domain] = dir.get<std::string>();
    }
    solver = challenge::make_webroot_map_solver(webroots);
  } else if (def.challenge == "http-01" && config.contains("webroot")) {
    solver = challenge::make_webroot_solver(config.value("webroot", ""));
  } else if (def.challenge == "http-01") {
    solver = challenge::make_http_standalone_solver(listen_here(config.value("listen", "0.0.0.0:80")), port_wait);
  } else if (def.challenge == "tls-alpn-01") {
    solver = challenge::make_tls_alpn_solver(listen_here(config.value("listen", "0.0.0.0:443")), port_wait);
  } else if (def.challenge == "dns-01" && config.contains("dns_hook")) {
    solver = challenge::make_dns_hook_solver(config.value("dns_hook", ""),
                                             std::chrono::seconds(config.value("propagation_seconds", 30)), clock_);
  } else {
    return make_error(Errc::usage, "has no usable challenge configuration; run 'certkeeper add' again", def.name);
  }
  auto* raw = solver.get();
  solvers_[key] = std::move(solver);
  return raw;
}

}  // namespace certkeeper::lifecycle::detail
