// issue: the spine for ACME certificates. order -> challenges -> finalize ->
// download -> the same validation gate as an import -> a new version.
#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "acme_session.h"
#include "ari_refresh.h"
#include "certkeeper/lifecycle/acme_ops.h"

#include "install_new.h"
#include "certkeeper/lifecycle/version_record.h"
#include "certkeeper/store/event_kinds.h"
#include "certkeeper/util/log.h"
#include "certkeeper/util/text.h"
#include "ca_lease.h"
#include "issue_held.h"
#include "open_order.h"
#include "fleet_solver.h"
#include "solver_set.h"

namespace certkeeper::lifecycle {
namespace {

using detail::account_label;
using detail::AcmeSession;
using detail::OrderInFlight;
using detail::refused_as_not_ours;
using detail::worth_retrying;

// How long `issue` waits for another run issuing the same certificate (an
// order with its validation, and the install of what it stored).
constexpr int kIssueLeaseWaitMs = 600'000;

struct Shared {
  const Context& ctx;
  detail::SolverSet solvers;
  detail::CaLease* held = nullptr;  // set: the caller (a scheduler worker) holds the one certificate's lease
};

// The lease this order runs under, on the connection the order uses.
struct Fence {
  detail::CaLease& lease;
  store::Inventory& inv;
  // Before each step that changes something at the CA: still the holder?
  Status confirm() const { return lease.confirm(inv); }
};

// Each worker keeps its sessions (directory, nonce, account, connection)
// across the certificates it issues, so that after the first certificate an
// issuance costs only the protocol's own requests, not a directory fetch
// and a fresh nonce each time.
using Sessions = std::map<std::string, AcmeSession>;

// The error of a failed validation or a failed order, with the CA's
// problem as its cause. It is retried on the back-off whatever the
// problem's type: what fixes it (DNS, CAA, a web root, a listener) lies
// outside the definition, and the next attempt finds it fixed.
Error validation_error(std::string message, const std::string& url, const std::optional<acme::Problem>& problem) {
  Error e = make_error(Errc::ca_failed, std::move(message), url);
  if (problem) e.cause = problem->cause();
  e.cause.kind = CauseKind::ca_problem;
  e.cause.transient = true;
  return e;
}

Result<AcmeSession*> session_for(Sessions& sessions, store::Inventory& inv, Shared& shared,
                                 const detail::AcmeServer& server) {
  std::string key = server.directory_url + "\n" + server.contact + "\n" + server.ca_file;
  if (auto it = sessions.find(key); it != sessions.end()) return &it->second;
  auto opened = detail::open_session(inv, shared.ctx, server);
  if (!opened) return std::move(opened).error();
  return &sessions.emplace(key, std::move(*opened)).first->second;
}

Result<OrderInFlight> start_or_resume(store::Inventory& inv, AcmeSession& s, const store::CertificateRecord& def,
                                      const Context& ctx) {
  auto resumed = detail::resume_open_order(inv, s, def, ctx);
  if (!resumed) return std::move(resumed).error();
  if (*resumed) return std::move(**resumed);
  std::vector<acme::Identifier> ids;
  for (const auto& d : def.domains) ids.push_back(acme::identifier_for(d));
  auto key = crypto::generate_private_key(def.key_type);
  if (!key) return std::move(key).error();
  // RFC 9773 §5: an order that renews a certificate names it in "replaces"
  // (only for a CA that offers ARI); alreadyReplaced is retried once without.
  std::string replaces;
  auto dir = s.client->directory();
  if (dir && !dir->renewal_info.empty() && def.current_version) {
    if (auto current = inv.version_with_key(def.name, *def.current_version)) {
      replaces = detail::replaces_id(current->leaf_pem);
    }
  }
  auto order = replaces.empty() ? s.client->new_order(ids, def.profile)
                                : s.client->new_order_replacing(ids, def.profile, replaces);
  if (!order) return std::move(order).error();
  auto id = inv.open_order(def.name, s.account.id, s.account.account_url, order->url, *key, ctx.actor, ctx.now());
  if (!id) return std::move(id).error();
  return OrderInFlight{*order, *key, *id, false};
}

Result<challenge::Task> task_for(const acme::Authorization& authz, const std::string& type,
                                 const std::string& thumbprint, acme::Challenge& chosen) {
  auto it = std::find_if(authz.challenges.begin(), authz.challenges.end(),
                         [&](const acme::Challenge& c) { return c.type == type; });
  if (it == authz.challenges.end()) {
    return make_error(Errc::ca_failed, "the CA offers no " + type + " challenge for " + authz.identifier.value +
                                           "; choose another --challenge", authz.url);
  }
  if (!challenge::valid_token(it->token)) {
    return make_error(Errc::ca_failed, "the CA sent a challenge token that is not 128-bit base64url; refusing it",
                      it->url);
  }
  chosen = *it;
  // §8.1: keyAuthorization = token || '.' || base64url(Thumbprint(accountKey))
  return challenge::Task{type, authz.identifier.value, it->token, it->token + "." + thumbprint};
}

// §7.5: present every pending authorization's answer, tell the CA, wait for
// the verdicts; the answers are removed on every path.
Status authorize(AcmeSession& s, challenge::Solver& solver, const acme::Order& order, const std::string& type,
                 const Fence& fence) {
  challenge::CleanupGuard guard(solver);
  std::vector<std::pair<std::string, acme::Challenge>> pending;  // authz URL, challenge
  for (const auto& url : order.authorizations) {
    auto authz = s.client->authorization(url);
    if (!authz) return std::move(authz).error();
    if (authz->status == "valid") continue;
    acme::Challenge chosen;
    auto task = task_for(*authz, type, s.signer->thumbprint(), chosen);
    if (!task) return std::move(task).error();
    guard.add(*task);
    if (auto shown = solver.present(*task); !shown) return shown;
    pending.emplace_back(url, chosen);
  }
  if (pending.empty()) return {};
  if (auto ready = solver.ready(); !ready) return ready;
  // A holder stopped (SIGSTOP) past its lease while its answers were being
  // presented stops here: the new holder answers this order's challenges.
  if (auto still = fence.confirm(); !still) return still;
  for (const auto& [url, chall] : pending) {
    if (auto r = s.client->respond(chall.url); !r) return std::move(r).error();
  }
  for (const auto& [url, chall] : pending) {
    auto done = s.client->wait_authorization(url);
    if (!done) return std::move(done).error();
    if (done->status != "valid") {
      std::string why = "the CA could not validate " + text::printable(done->identifier.value) + " with " + type;
      std::optional<acme::Problem> first;
      for (const auto& c : done->challenges) {
        if (!c.error) continue;
        why += ": " + c.error->summary();
        if (!first) first = c.error;
      }
      return validation_error(why, url, first);
    }
  }
  return {};
}

Result<std::string> finalize_and_download(AcmeSession& s, const store::CertificateRecord& def, acme::Order order,
                                          const std::string& key_pem, const Fence& fence) {
  if (order.status == "pending" || order.status == "ready") {
    if (auto still = fence.confirm(); !still) return std::move(still).error();
    auto csr = crypto::make_csr_der(key_pem, def.domains);
    if (!csr) return std::move(csr).error();
    auto finalized = s.client->finalize(order, *csr);
    if (!finalized) return std::move(finalized).error();
    order = *finalized;
  } else if (order.status == "processing") {
    auto waited = s.client->wait_order(order.url);
    if (!waited) return std::move(waited).error();
    order = *waited;
  }
  if (order.status != "valid" || order.certificate.empty()) {
    std::string why = "the order ended " + text::printable(text::truncate_utf8(order.status, 40));
    if (order.error) why += ": " + order.error->summary();
    return validation_error(why, order.url, order.error);
  }
  return s.client->download(order.certificate, def.preferred_chain);
}

// The downloaded chain through the gate, then stored as a new version.
Status store_issued(store::Inventory& inv, const Context& ctx, AcmeSession& s, const store::CertificateRecord& def,
                    const OrderInFlight& in_flight, const std::string& pem, const Fence& fence, IssueOutcome& out) {
  crypto::Policy policy;
  policy.now = ctx.now();
  policy.names = def.domains;
  policy.ca_file = s.ca_file;
  policy.require_key = true;
  out.verdict = crypto::validate_pem(def.name, pem, in_flight.key_pem, policy);
  if (!out.verdict->accepted()) {
    const auto& f = *std::find_if(out.verdict->findings.begin(), out.verdict->findings.end(),
                                  [](const crypto::Finding& x) { return x.severity == crypto::Severity::error; });
    Error e = make_error(Errc::ca_failed, "the CA's certificate failed validation (" + f.code + ": " + f.message +
                                              "); nothing was stored", def.name);
    e.cause.kind = CauseKind::finding;
    e.cause.type = f.code;
    return e;
  }
  nlohmann::json detail = {{"order_url", in_flight.order.url},
                           {"account_url", s.account.account_url},
                           {"fingerprint_sha256", out.verdict->bundle->leaf().fingerprint_sha256},
                           {"serial", out.verdict->bundle->leaf().serial_hex},
                           {"not_after", out.verdict->bundle->leaf().not_after}};
  // The fence: stored (and the order closed) only while this lease is
  // still the current one, checked inside the storing transaction.
  auto number = inv.append_fenced_version(def, version_record(*out.verdict->bundle, *out.verdict),
                                          fence.lease.handle(), in_flight.id, store::event::issued, detail.dump(),
                                          ctx.actor, ctx.now());
  if (!number) return std::move(number).error();
  out.stored = true;
  out.version = *number;
  return {};
}

// RFC 8555 §7.3.1: the CA no longer knows the account (a reset CA, an
// expired account): register the stored key again, with the stored contact,
// once. A CA that wants an external account binding for that gets none from
// a timer: a halt that says which command brings it.
Status register_again(store::Inventory& inv, Shared& shared, AcmeSession& s, const detail::AcmeServer& server,
                      const std::string& name) {
  // The account row changes: under the account lock, as in open_session.
  auto held = detail::lock_account(shared.ctx, server);
  if (!held) return std::move(held).error();
  const std::string forgotten = s.account.account_url;
  auto again = detail::send_new_account(s, inv, shared.ctx, server, {});
  if (again) {
    log::warn(fmt::format("certkeeper: {}: the CA no longer knew the ACME account {}; registered {} again",
                          name, text::printable(forgotten), text::printable(s.account.account_url)));
    return again;
  }
  const bool wants_eab = again.error().code == Errc::usage ||
                         again.error().cause.type == acme::problem_type_name(acme::ProblemType::external_account_required);
  if (!wants_eab) return again;
  Error e = make_error(Errc::ca_failed,
                       fmt::format("the CA no longer knows the ACME account {} and registers it again only with an "
                                   "external account binding; run 'certkeeper account register --eab-kid KID "
                                   "--eab-hmac-key KEY' with the values the CA gave you, then 'certkeeper issue {}'",
                                   text::printable(forgotten), name),
                       account_label(server));
  e.cause.kind = CauseKind::ca_problem;
  e.cause.type = acme::problem_type_name(acme::ProblemType::account_does_not_exist);
  e.cause.transient = false;
  return e;
}

// The certificate chain of an order: its challenges answered (when still
// pending), finalized, downloaded.
Result<std::string> obtain(AcmeSession& s, challenge::Solver& solver, const store::CertificateRecord& def,
                           const OrderInFlight& in_flight, const Fence& fence) {
  if (in_flight.order.status == "pending") {
    if (auto ok = authorize(s, solver, in_flight.order, def.challenge, fence); !ok) return ok.error();
  }
  return finalize_and_download(s, def, in_flight.order, in_flight.key_pem, fence);
}

// The order itself: placed or resumed, authorized, finalized, stored. The
// attempt is recorded before any polling, so that a run stopped while the
// CA works (SIGTERM, a timer's time limit) still shows in last_attempt. A
// resumed order that the CA refuses at a later step as another account's is
// abandoned and a new one placed, once: a certificate never stays stuck on
// an order nobody can finish.
Status order_and_store(store::Inventory& inv, Shared& shared, AcmeSession& session,
                       const store::CertificateRecord& def, challenge::Solver& solver, const Fence& fence,
                       IssueOutcome& out, std::optional<OrderInFlight>& in_flight) {
  const Context& ctx = shared.ctx;
  for (int attempt = 0;; ++attempt) {
    if (auto still = fence.confirm(); !still) return still;
    auto order = start_or_resume(inv, session, def, ctx);
    if (!order) return std::move(order).error();
    in_flight = std::move(*order);
    out.resumed = in_flight->resumed;
    if (auto noted = inv.record_attempt(def.name, in_flight->order.url, in_flight->resumed, ctx.actor, ctx.now());
        !noted) {
      return noted;
    }
    auto pem = obtain(session, solver, def, *in_flight, fence);
    if (pem) return store_issued(inv, ctx, session, def, *in_flight, *pem, fence, out);
    if (!in_flight->resumed || attempt > 0 || !refused_as_not_ours(pem.error())) return std::move(pem).error();
    store::OrderRecord refused;
    refused.id = in_flight->id;
    refused.certificate_name = def.name;
    refused.order_url = in_flight->order.url;
    if (auto abandoned = detail::abandon_order(inv, ctx, refused, "the CA says another account owns it"); !abandoned) {
      return abandoned;
    }
    in_flight.reset();
  }
}

Status issue_steps(store::Inventory& inv, Shared& shared, Sessions& sessions, const store::CertificateRecord& def,
                   const Fence& fence, IssueOutcome& out, AcmeSession*& session,
                   std::optional<OrderInFlight>& in_flight) {
  auto server = detail::acme_server_for(inv, &def);
  if (!server) return std::move(server).error();
  auto found = session_for(sessions, inv, shared, *server);
  if (!found) return std::move(found).error();
  session = *found;
  if (!def.profile.empty()) {
    auto dir = session->client->directory();
    if (!dir) return std::move(dir).error();
    if (std::find(dir->profiles.begin(), dir->profiles.end(), def.profile) == dir->profiles.end()) {
      return make_error(Errc::usage, "the CA does not offer the profile '" + def.profile + "'", def.name);
    }
  }
  auto local = shared.solvers.for_definition(def);
  if (!local) return std::move(local).error();
  // http-01 and tls-alpn-01: every node behind the load balancer answers
  // (lifecycle/fleet_challenges.h); on one host that is this one.
  std::optional<detail::FleetSolver> fleet;
  if (detail::answered_by_every_node(def.challenge)) {
    fleet.emplace(shared.ctx, inv, **local, def, fence.lease.handle().generation);
  }
  challenge::Solver& solver = fleet ? static_cast<challenge::Solver&>(*fleet) : **local;
  Status done = order_and_store(inv, shared, *session, def, solver, fence, out, in_flight);
  if (done || done.error().cause.type != acme::problem_type_name(acme::ProblemType::account_does_not_exist)) {
    return done;
  }
  if (auto again = register_again(inv, shared, *session, *server, def.name); !again) return again;
  in_flight.reset();
  return order_and_store(inv, shared, *session, def, solver, fence, out, in_flight);
}

// The definition of an ACME certificate, or why there is none to issue.
Result<store::CertificateRecord> acme_definition(store::Inventory& inv, const std::string& name) {
  auto def = inv.find_certificate(name);
  if (!def) return std::move(def).error();
  if (!*def) return make_error(Errc::not_found, "no such certificate; define it with 'certkeeper add'", name);
  if ((*def)->source != "acme") {
    return make_error(Errc::conflict, "is a manual certificate; only 'certkeeper add' definitions are issued", name);
  }
  return std::move(**def);
}

// One order per certificate at a time, on every node (issue, renew's
// workers): the certificate's lease is taken, then the definition read
// again. Without it, a second run resumes the first one's open order and
// answers the same challenges (the CA refuses the second answer as
// malformed, a failure that halts the certificate), or stores the same
// certificate twice. `issue` waits for another holder and then places its
// own order even when that holder stored a version meanwhile: the operator
// asked for an order, and the definition may have changed since (the
// scheduler, which decides by itself, skips such a certificate instead).
Result<store::CertificateRecord> lease_and_read(store::Inventory& inv, const Context& ctx, const std::string& name,
                                                std::unique_ptr<detail::CaLease>& lease) {
  if (auto ok = check_certificate_name(name); !ok) return std::move(ok).error();
  // An unknown name gets its error before any lease row is made for it.
  if (auto before = acme_definition(inv, name); !before) return before;
  auto taken = detail::CaLease::take(ctx, inv, name, kIssueLeaseWaitMs);
  if (!taken) return std::move(taken).error();
  lease = std::move(*taken);
  return acme_definition(inv, name);
}

// A failed attempt is recorded whatever its text (the store makes any text
// storable); the order is closed when retrying it cannot help. Only a
// database that fails is not written to again.
void record_failed(store::Inventory& inv, const Context& ctx, const std::string& name, const Error& error,
                   const std::optional<OrderInFlight>& in_flight, IssueOutcome& out) {
  // Permanent: the CA's problem says retrying cannot help (badCSR,
  // rejectedIdentifier, userActionRequired, ...), or the definition itself
  // is wrong (a profile the CA does not offer).
  const bool permanent =
      (error.cause.kind == CauseKind::ca_problem && !error.cause.transient) || error.code == Errc::usage;
  out.permanent_failure = permanent;
  if (error.code == Errc::database) return;
  // The lease passed to another holder, which finishes this order: nothing
  // of it is this run's to close or to count as a failure.
  if (error.cause.type == store::kLeaseLost) return;
  if (in_flight && (permanent || out.verdict)) {
    if (auto closed = inv.close_order(in_flight->id, "failed", ctx.now()); !closed) {
      log::warn("certkeeper: " + name + ": the failed order could not be closed: " + closed.error().what());
    }
  }
  store::Inventory::Failure failure{error.what(), error.cause.retry_after, permanent, error.cause.type,
                                    error.cause.instance, error.cause.terms_of_service};
  if (auto recorded = inv.record_failure(name, failure, ctx.actor, ctx.now()); !recorded) {
    log::warn("certkeeper: " + name + ": the failure could not be recorded: " + recorded.error().what());
  }
}

IssueOutcome issue_one(Shared& shared, Sessions& sessions, const std::string& name) {
  const Context& ctx = shared.ctx;
  IssueOutcome out;
  out.name = name;
  auto inv = ctx.inventory(store::OpenMode::existing);
  if (!inv) {
    out.error = inv.error();
    return out;
  }
  std::unique_ptr<detail::CaLease> own_lease;
  auto def = shared.held ? acme_definition(*inv, name) : lease_and_read(*inv, ctx, name, own_lease);
  if (!def) {
    out.error = def.error();
    return out;
  }
  const Fence fence{shared.held ? *shared.held : *own_lease, *inv};
  AcmeSession* session = nullptr;
  std::optional<OrderInFlight> in_flight;
  std::size_t requests_before = 0;
  for (const auto& [key, s] : sessions) requests_before += s.client->requests();
  Status done = issue_steps(*inv, shared, sessions, *def, fence, out, session, in_flight);
  std::size_t requests_after = 0;
  for (const auto& [key, s] : sessions) requests_after += s.client->requests();
  out.requests = requests_after - requests_before;
  if (done) {
    // A scheduler worker (the lease held for it) is inside a pass, which
    // beats for itself.
    auto installed = install_new_version(ctx, *inv, name, out.version, shared.held == nullptr);
    if (installed) {
      out.install = std::move(*installed);
    } else {
      out.install_error = std::move(installed).error();
    }
    return out;
  }
  out.error = done.error();
  record_failed(*inv, ctx, name, *out.error, in_flight, out);
  log::debug("issue " + name + ": " + done.error().what());
  return out;
}

}  // namespace

IssueOutcome detail::issue_held(const Context& ctx, const std::string& name, CaLease& lease) {
  Shared shared{ctx, detail::SolverSet(*ctx.clock, ctx.challenge_address), &lease};
  Sessions sessions;
  return issue_one(shared, sessions, name);
}

std::vector<IssueOutcome> issue(const Context& ctx, const std::vector<std::string>& names, int parallel) {
  if (names.empty()) return {};
  Shared shared{ctx, detail::SolverSet(*ctx.clock, ctx.challenge_address)};
  std::vector<IssueOutcome> outcomes(names.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    Sessions sessions;
    for (std::size_t i; (i = next++) < names.size();) outcomes[i] = issue_one(shared, sessions, names[i]);
  };
  std::size_t threads = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(parallel, 1)), 1, names.size());
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return outcomes;
}

}  // namespace certkeeper::lifecycle
