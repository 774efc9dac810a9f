#include "install_steps.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "certkeeper/deploy/probe.h"
#include "certkeeper/deploy/reload.h"
#include "certkeeper/util/crash_point.h"
#include "certkeeper/util/log.h"

namespace certkeeper::lifecycle::detail {

namespace {

// The last PEM block of `pem`: the top of a chain whose root was not sent.
std::string last_pem_block(const std::string& pem) {
  auto begin = pem.rfind("-----BEGIN CERTIFICATE-----");
  return begin == std::string::npos ? std::string() : pem.substr(begin);
}

std::string short_fp(const std::string& fp) { return fp.substr(0, 16); }

}  // namespace

std::string default_probe_name(const std::vector<std::string>& names) {
  for (const auto& n : names) {
    if (n.rfind("*.", 0) != 0) return n;
  }
  // Only wildcards: any name under the first one is covered by it.
  return names.empty() ? std::string() : "certkeeper-probe." + names.front().substr(2);
}

Status run_reloads(const std::vector<deploy::TargetSpec>& targets, std::vector<CommandStep>& steps) {
  std::vector<std::vector<std::string>> done;
  for (const auto& target : targets) {
    for (const auto& command : target.reload) {
      // Two targets of one service share its reload: run it once.
      if (std::find(done.begin(), done.end(), command.argv) != done.end()) continue;
      done.push_back(command.argv);
      CommandStep step{deploy::command_text(command.argv), true, false, ""};
      auto outcome = deploy::run_reload(command);
      if (!outcome) {
        step.detail = outcome.error().message;
      } else if (!outcome->ok) {
        step.detail = deploy::describe_failure(*outcome, command);
      } else {
        step.ok = true;
      }
      log::debug(fmt::format("reload '{}': {}", step.command, step.ok ? "ok" : step.detail));
      steps.push_back(step);
      if (!step.ok) {
        return make_error(Errc::io, fmt::format("reload '{}' {}", step.command,
                                                outcome ? step.detail : "could not run: " + step.detail));
      }
    }
  }
  return {};
}

// After a graceful reload (nginx, postfix, dovecot) the workers from before
// it keep accepting for a moment: a probe that reached a new worker once
// says little about the next client. The new certificate must be served on
// this many connections in a row; an old one in between starts the count
// again.
constexpr int kProbeSettled = 3;

Status run_probes(const std::vector<deploy::TargetSpec>& targets, const store::VersionRecord& version,
                  std::chrono::milliseconds wait, std::vector<ProbeStep>& steps) {
  deploy::ProbeOptions options;
  options.default_name = default_probe_name(version.names);
  if (!version.root_pem.empty()) {
    options.trust_pem = version.root_pem;
  } else {
    // The CA sent no root (ACME): the chain must lead to the same top
    // certificate the inventory accepted.
    options.trust_pem = last_pem_block(version.chain_pem.empty() ? version.leaf_pem : version.chain_pem);
    options.partial_chain = true;
  }
  for (const auto& target : targets) {
    for (const auto& probe : target.probes) {
      ProbeStep step;
      step.endpoint = deploy::probe_text(probe);
      auto deadline = std::chrono::steady_clock::now() + wait;
      int streak = 0;  // connections in a row that served the new certificate
      while (true) {
        ++step.attempts;
        auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        options.timeout = std::clamp(remaining, std::chrono::milliseconds(500), std::chrono::milliseconds(5'000));
        auto report = deploy::probe_endpoint(probe, options);
        bool retry = true;
        if (!report) {
          step.detail = report.error().message;
        } else {
          step.servername = report->servername;
          step.served_fingerprint = report->leaf_fingerprint_sha256;
          if (report->leaf_fingerprint_sha256 != version.fingerprint_sha256) {
            // Old workers may still answer for a moment after a reload.
            step.detail = fmt::format("serves another certificate (sha256 {}..., expected {}...)",
                                      short_fp(report->leaf_fingerprint_sha256), short_fp(version.fingerprint_sha256));
          } else if (!report->chain_verifies) {
            step.detail = "serves the new certificate, but its chain does not verify: " + report->verify_error;
            retry = false;
          } else if (!report->name_covered) {
            step.detail = "serves the new certificate, but it does not cover " + report->servername;
            retry = false;
          } else if (++streak < kProbeSettled) {
            continue;  // served: once more at once, on a new connection
          } else {
            step.ok = true;
            step.detail.clear();
            break;
          }
        }
        streak = 0;
        if (!retry || std::chrono::steady_clock::now() + std::chrono::milliseconds(200) >= deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
      log::debug(fmt::format("probe {}: {}", step.endpoint, step.ok ? "ok" : step.detail));
      steps.push_back(step);
      if (!step.ok) return make_error(Errc::network, fmt::format("probe {}: {}", step.endpoint, step.detail));
    }
  }
  crash_point("probed");
  return {};
}

}  // namespace certkeeper::lifecycle::detail
