#include "certkeeper/lifecycle/event_hook.h"

#include <fmt/format.h>

#include "certkeeper/util/expiry.h"
#include "certkeeper/util/process.h"
#include "certkeeper/util/safe_path.h"
#include "certkeeper/util/text.h"

namespace certkeeper::lifecycle {
namespace {

constexpr HookEventInfo kEvents[] = {
    {hook::renewal_failed,
     "an order failed; the next attempt is scheduled; `CERTKEEPER_ERROR` holds the CA's URLs (instance, terms of "
     "service) when it gave any"},
    {hook::halted, "a permanent failure stops renewals (again once a day)"},
    {hook::rolled_back, "the renewed certificate's install was rolled back"},
    {hook::install_failed, "the renewed certificate could not be installed (its files could not be written)"},
    {hook::expires_soon,
     "a manual certificate, or the one a watched endpoint serves, is inside its warning window (once a day)"},
    {hook::unreachable, "a watched endpoint stopped answering (once per outage)"},
    {hook::revoked, "the current version is on its CA's CRL (once per version)"},
    {hook::revocation_expected,
     "an ACME certificate's renewal window (ARI) ended while it is still valid: the CA expects to revoke it, "
     "replace it now (once per version)"},
};

constexpr HookVariable kEnvironment[] = {
    {"CERTKEEPER_EVENT", "the event, as the first argument"},
    {"CERTKEEPER_NAME", "the certificate, as the second argument"},
    {"CERTKEEPER_DAYS_LEFT", "whole days until the current version expires (negative once expired; empty when unknown)"},
    {"CERTKEEPER_NOT_AFTER", "when the current version expires, RFC 3339 (empty when unknown)"},
    {"CERTKEEPER_ERROR", "what went wrong, one line (empty when nothing did)"},
};

}  // namespace

std::span<const HookEventInfo> hook_events() { return kEvents; }

bool is_hook_event(std::string_view event) {
  for (const auto& e : kEvents) {
    if (event == e.event) return true;
  }
  return false;
}

std::span<const HookVariable> hook_environment() { return kEnvironment; }

Status check_event_hook(const std::string& program) {
  auto trusted = trusted_program(program, "--on-event");
  if (!trusted && trusted.error().code == Errc::rejected) return trusted.error();
  return {};
}

Status run_event_hook(const std::string& program, const HookEvent& e) {
  ProcessSpec spec;
  spec.argv = {program, e.event, e.name};
  // The error quotes CAs and certificates (outside input): one printable
  // line, which also keeps a NUL from making the environment unusable.
  spec.env = {{"CERTKEEPER_EVENT", e.event},
              {"CERTKEEPER_NAME", e.name},
              {"CERTKEEPER_DAYS_LEFT", e.not_after ? std::to_string(days_left(*e.not_after, e.now)) : ""},
              {"CERTKEEPER_NOT_AFTER", e.not_after ? format_utc(*e.not_after) : ""},
              {"CERTKEEPER_ERROR", text::printable(e.error)}};
  // Checked right before each run: the file may have changed since the start.
  auto trusted = trusted_program(program, "--on-event");
  if (!trusted && trusted.error().code == Errc::rejected) return trusted.error();
  if (trusted) spec.program = *trusted;
  spec.timeout = std::chrono::seconds(60);
  spec.max_output = 4096;
  auto run = run_process(spec);
  if (!run) return make_error(Errc::io, "the --on-event program cannot run: " + run.error().message, program);
  if (run->timed_out) return make_error(Errc::io, "the --on-event program timed out after 60 s", program);
  if (run->exit_code != 0) {
    return make_error(Errc::io, fmt::format("the --on-event program exited {} for {} {}", run->exit_code, e.event, e.name),
                      program);
  }
  return {};
}

}  // namespace certkeeper::lifecycle
