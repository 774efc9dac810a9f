// One scheduler pass: snapshot what is due, then per certificate (decided
// again on fresh data): ACME certificates are renewed when decide() says so
// (under the certificate's lease, which every node meets: decided once more
// after taking it), manual ones are warned about and watched endpoints are
// probed (under the certificate's run lock); every certificate leaves the
// pass with its next check stored.
#include "certkeeper/lifecycle/renew.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "ari_refresh.h"
#include "converge.h"
#include "issue_held.h"
#include "event_alert.h"
#include "revocation_watch.h"
#include "certkeeper/lifecycle/event_hook.h"
#include "certkeeper/lifecycle/mail.h"
#include "certkeeper/lifecycle/watch.h"
#include "certkeeper/store/inventory.h"
#include "certkeeper/util/expiry.h"
#include "certkeeper/util/log.h"
#include "renew_locks.h"

namespace certkeeper::lifecycle {

namespace {

constexpr std::int64_t kRemindEvery = kSecondsPerDay;  // halted and expiring manual certificates

// "1 day", "3 days"
std::string days_text(std::int64_t days) { return fmt::format("{} day{}", days, days == 1 ? "" : "s"); }

struct CurrentVersion {
  std::optional<store::VersionRecord> version;
};

// The version the scheduler judges: the desired one (issue 12), which is
// the pinned version while one is pinned, else the newest. A pinned version
// that nears expiry is renewed; storing the new version ends the pin
// (Inventory::append_version, event "pin-ended").
Result<CurrentVersion> current_of(store::Inventory& inv, const store::CertificateRecord& c) {
  CurrentVersion out;
  const auto desired = store::desired_version(c);
  if (!desired) return out;
  auto versions = inv.versions(c.name);
  if (!versions) return versions.error();
  for (auto& v : *versions) {
    if (v.version == *desired) out.version = std::move(v);
  }
  return out;
}

// A decision about a pinned version says so.
void say_pinned(Decision& d, const store::CertificateRecord& c) {
  if (c.pinned_version) d.reason = fmt::format("pinned version {}: {}", *c.pinned_version, d.reason);
}

RenewalFacts facts_of(const store::CertificateRecord& c, const CurrentVersion& cur) {
  RenewalFacts f;
  if (cur.version) {
    f.not_before = cur.version->not_before;
    f.not_after = cur.version->not_after;
    f.revoked = cur.version->revoked_at.has_value();
  }
  if (c.ari_start && c.ari_end && *c.ari_end > *c.ari_start) f.ari = AriWindow{*c.ari_start, *c.ari_end};
  return f;
}

FailureRecord failures_of(const store::CertificateRecord& c) {
  return FailureRecord{c.failures, c.last_attempt, c.retry_after, c.failure_permanent};
}

// Manual certificates cannot renew themselves: from the warning window on
// (the same rule as the reports: a third of the lifetime, at most 30 days)
// they are announced once a day.
struct ManualDecision {
  Decision decision;
  bool warn = false;  // inside the warning window: announce it
};

ManualDecision decide_manual(const CurrentVersion& cur, UnixTime now) {
  if (!cur.version) return {{DecisionKind::check_at, now + kRemindEvery, "manual certificate without a version"}};
  const auto& v = *cur.version;
  UnixTime warn_from = v.not_after - expiry_warning_window(v.not_before, v.not_after);
  if (now < warn_from) {
    return {{DecisionKind::check_at, warn_from,
             fmt::format("manual certificate: warn from {} (expires {})", format_utc(warn_from),
                         format_utc(v.not_after))}};
  }
  std::string when = v.not_after > now ? "expires in " + days_text(days_left(v.not_after, now))
                                       : "has expired";
  return {{DecisionKind::check_at, now + kRemindEvery,
           fmt::format("manual certificate {} on {}: import its replacement", when, format_utc(v.not_after))},
          true};
}

const char* kind_name(DecisionKind k) {
  switch (k) {
    case DecisionKind::renew_now: return "renew now";
    case DecisionKind::check_at: return "check later";
    case DecisionKind::back_off: return "back off";
    case DecisionKind::halted: return "halted";
  }
  return "?";
}

class Pass {
 public:
  Pass(const Context& ctx, const RenewRequest& request, const RandomSource& random)
      : ctx_(ctx), request_(request), random_(random) {}

  RenewItem work(store::Inventory& inv, const store::CertificateRecord& snapshot) {
    RenewItem item;
    item.name = snapshot.name;
    item.source = snapshot.source;
    std::optional<detail::RunLock> lock;
    // ACME certificates: the lease decides who renews (finish_acme), not a
    // run lock that a stopped process would keep for ever.
    if (!request_.dry_run && snapshot.source != "acme") {
      auto taken = detail::RunLock::acquire(ctx_.db_path, detail::certificate_lock(snapshot.name), 0);
      if (!taken) {
        item.decision = {DecisionKind::check_at, ctx_.now(), "skipped: another run is working on it"};
        return item;
      }
      lock.emplace(std::move(*taken));
    }
    // Decide again on fresh data: the snapshot may be stale by now.
    auto fresh = inv.find_certificate(snapshot.name);
    if (!fresh || !*fresh) {
      item.decision = {DecisionKind::check_at, ctx_.now(), "skipped: the certificate is gone"};
      return item;
    }
    store::CertificateRecord c = std::move(**fresh);
    item.stored_next_check = c.next_check;
    bool named = !request_.names.empty();
    if (!named && !request_.force && c.next_check && *c.next_check > ctx_.now()) {
      item.decision = {DecisionKind::check_at, *c.next_check, "done meanwhile by another run"};
      return item;
    }
    auto cur = current_of(inv, c);
    if (!cur) {
      item.decision = {DecisionKind::check_at, ctx_.now() + 3600, cur.error().what()};
      return item;
    }
    if (c.source == "manual") return finish_manual(inv, c, *cur, std::move(item));
    if (c.source == "remote") return finish_remote(inv, c, std::move(item));
    item = finish_acme(inv, c, *cur, std::move(item));
    if (request_.dry_run) explain_dry_run(item, c, cur->version.has_value());
    return item;
  }

  // What a certificate not worked in this pass will get at its next check.
  std::optional<NextCheck> explain_next(store::Inventory& inv) {
    auto next = inv.next_scheduled(ctx_.now());
    if (!next || !*next) return std::nullopt;
    const store::CertificateRecord& c = **next;
    NextCheck out{c.name, *c.next_check, "the watched endpoint is probed"};
    if (c.source == "remote") return out;
    auto cur = current_of(inv, c);
    if (!cur) return out;
    if (c.source == "manual") {
      out.reason = decide_manual(*cur, ctx_.now()).decision.reason;
      return out;
    }
    // Why it is then: the decision as of now (an ARI draw is random, so the
    // moment inside a window may differ from the stored one).
    Decision as_of_now =
        decide(facts_of(c, *cur), RenewalPolicy{c.renew_before_days}, failures_of(c), ctx_.now(), random_);
    say_pinned(as_of_now, c);
    out.reason = as_of_now.reason;
    if (c.ari_next_fetch && *c.ari_next_fetch == out.at) out.reason = "the CA's ARI window is asked for again; " + out.reason;
    return out;
  }

 private:
  // A watched endpoint: probe it, store a new served leaf, warn like a manual
  // certificate inside its warning window, and say so once when it stops
  // answering. Never an order.
  RenewItem finish_remote(store::Inventory& inv, const store::CertificateRecord& c, RenewItem item) {
    const UnixTime now = ctx_.now();
    if (request_.dry_run) {
      item.decision = {DecisionKind::check_at, now, "would probe the watched endpoint"};
      return item;
    }
    Observation o = observe(ctx_, inv, c);
    auto after = inv.find_certificate(c.name);
    if (!after || !*after) return item;
    auto cur = current_of(inv, **after);
    if (!cur) return item;
    if (!o.probed) {
      const std::string why = o.error ? o.error->what() : "not reached";
      item.decision = {DecisionKind::check_at, now + kWatchRetry, "unreachable: " + why};
      if (o.change == store::Inventory::ObservationChange::unreachable) fire(item, hook::unreachable, **after, *cur, why);
      schedule(inv, **after, item.decision.at, std::nullopt);
      return item;
    }
    const auto& v = *cur->version;
    const UnixTime warn_from = v.not_after - expiry_warning_window(v.not_before, v.not_after);
    const std::string version = o.new_version ? fmt::format("new version {}", *o.new_version)
                                              : fmt::format("version {}", v.version);
    if (now >= warn_from) {
      std::string when = v.not_after > now ? "expires in " + days_text(days_left(v.not_after, now))
                                           : "has expired";
      item.decision = {DecisionKind::check_at, now + kRemindEvery,
                       fmt::format("served certificate ({}) {} on {}: replace it on {}", version, when,
                                   format_utc(v.not_after), o.endpoint)};
      fire(item, hook::expires_soon, **after, *cur, "");
    } else {
      item.decision = {DecisionKind::check_at, std::min(now + kWatchEvery, warn_from),
                       fmt::format("served certificate ({}) valid until {}", version, format_utc(v.not_after))};
    }
    schedule(inv, **after, item.decision.at, std::nullopt);
    return item;
  }

  RenewItem finish_manual(store::Inventory& inv, const store::CertificateRecord& c, const CurrentVersion& cur,
                          RenewItem item) {
    auto manual = decide_manual(cur, ctx_.now());
    item.decision = manual.decision;
    say_pinned(item.decision, c);
    if (request_.dry_run) {
      if (manual.warn) item.events.push_back(hook::expires_soon);
      return item;
    }
    if (manual.warn) fire(item, hook::expires_soon, c, cur, "");
    schedule(inv, c, item.decision.at, std::nullopt);
    return item;
  }

  RenewItem finish_acme(store::Inventory& inv, store::CertificateRecord c, const CurrentVersion& cur, RenewItem item) {
    std::optional<UnixTime> ari_next;
    bool ca_back = false;  // the CA answers again after failing us
    if (!request_.dry_run && cur.version) {
      // The last fetch failed (the CA could not be reached): no window was
      // kept, yet another fetch was scheduled.
      bool last_fetch_failed = !c.ari_start.has_value() && c.ari_next_fetch.has_value();
      // The CA's window first (RFC 9773): fetched when due, kept otherwise.
      auto ari = detail::refresh_ari(ctx_, inv, c, cur.version->leaf_pem);
      c.ari_start = ari.window ? std::optional<UnixTime>(ari.window->start) : std::nullopt;
      c.ari_end = ari.window ? std::optional<UnixTime>(ari.window->end) : std::nullopt;
      c.ari_next_fetch = ari.next_fetch;
      ari_next = ari.next_fetch;
      if (ari.window) {  // for the revocation watch: a window in the past means "revocation expected"
        item.ari_window = ari.window;
        item.ari_version = cur.version->version;
      }
      if (!ari.note.empty()) log::debug(c.name + ": " + ari.note);
      // The CA answers again after failing us: do not wait out the back-off
      // (the issue: renewed in the first pass after the CA recovers).
      ca_back = ari.answered && last_fetch_failed && c.failures > 0;
    }
    RenewalPolicy policy{c.renew_before_days};
    item.decision = decide(facts_of(c, cur), policy, failures_of(c), ctx_.now(), random_);
    say_pinned(item.decision, c);
    if (request_.force) item.decision = {DecisionKind::renew_now, ctx_.now(), "forced (--force)"};
    if (ca_back && item.decision.kind == DecisionKind::back_off && !(c.retry_after && *c.retry_after > ctx_.now())) {
      item.decision = {DecisionKind::renew_now, ctx_.now(),
                       fmt::format("the CA answers again after {} failed attempts", c.failures)};
    }
    if (request_.dry_run) {
      if (item.decision.kind == DecisionKind::halted) item.events.push_back("halted");
      return item;
    }
    if (item.decision.kind == DecisionKind::halted) {
      fire(item, hook::halted, c, cur, c.last_error);
      schedule(inv, c, ctx_.now() + kRemindEvery, ari_next);
      return item;
    }
    if (item.decision.kind != DecisionKind::renew_now) {
      schedule(inv, c, item.decision.at, ari_next);
      return item;
    }
    // Lock, then check again: another node (or process) may hold the lease,
    // or have renewed the certificate since it was read.
    auto lease = detail::CaLease::take(ctx_, inv, c.name, 0);
    if (!lease) {
      item.decision = {DecisionKind::check_at, ctx_.now(), "skipped: " + lease.error().message};
      return item;
    }
    auto again = inv.find_certificate(c.name);
    if (!again || !*again) {
      item.decision = {DecisionKind::check_at, ctx_.now(), "skipped: the certificate is gone"};
      return item;
    }
    if ((*again)->current_version != c.current_version) {
      item.decision = {DecisionKind::check_at, (*again)->next_check.value_or(ctx_.now()),
                       fmt::format("done meanwhile by another run (version {})", (*again)->current_version.value_or(0))};
      return item;
    }
    item.attempted = true;
    item.issued = detail::issue_held(ctx_, c.name, **lease);
    lease->reset();  // released before the next decision is stored
    auto after = inv.find_certificate(c.name);
    if (!after || !*after) return item;
    if (!item.issued->stored) {
      // The window fetched in this pass still describes the current
      // certificate; the stored one is older.
      (*after)->ari_start = c.ari_start;
      (*after)->ari_end = c.ari_end;
      (*after)->ari_next_fetch = c.ari_next_fetch;
    } else {
      // A new certificate: ask the CA about it soon, so a window moved into
      // the past (a mass revocation) is seen long before the time rule.
      ari_next = ctx_.now() + detail::kAriDefaultRecheck;
    }
    auto now_cur = current_of(inv, **after);
    if (!now_cur) return item;
    // The next decision is made from what is stored now: the new version, or
    // the failure record the attempt left.
    auto next = decide(facts_of(**after, *now_cur), policy, failures_of(**after), ctx_.now(), random_);
    UnixTime at = next.kind == DecisionKind::halted ? ctx_.now() + kRemindEvery : next.at;
    if (next.kind == DecisionKind::renew_now) {
      at = ctx_.now() + backoff_delay(std::max(1, (*after)->failures));
      // Never after expiry (a certificate of minutes).
      if (now_cur->version && now_cur->version->not_after > ctx_.now()) at = std::min(at, now_cur->version->not_after);
    }
    schedule(inv, **after, at, ari_next);
    if (item.issued->error) {
      fire(item, (*after)->failure_permanent ? hook::halted : hook::renewal_failed, **after, *now_cur,
           item.issued->error->what());
    }
    if (item.issued->install && item.issued->install->rolled_back) {
      fire(item, hook::rolled_back, **after, *now_cur, item.issued->install->failure);
    } else if (item.issued->install_error) {
      fire(item, hook::install_failed, **after, *now_cur, item.issued->install_error->what());
    }
    return item;
  }

  // A dry run neither asks the CA nor waits for anything: say what the pass
  // would do that the decision alone does not show.
  void explain_dry_run(RenewItem& item, const store::CertificateRecord& c, bool has_version) {
    const UnixTime now = ctx_.now();
    std::string& reason = item.decision.reason;
    if (!request_.names.empty() && !request_.force && c.next_check && *c.next_check > now) {
      reason += fmt::format("; named, so its stored next check ({}) is not waited for", format_utc(*c.next_check));
    }
    // refresh_ari(): a window is fetched when none is kept until later.
    if (has_version && !request_.force && !(c.ari_next_fetch && *c.ari_next_fetch > now)) {
      reason += "; the pass first asks the CA for its ARI renewal window (if it offers one), which can change this";
    }
  }

  void schedule(store::Inventory& inv, const store::CertificateRecord& c, UnixTime at,
                std::optional<UnixTime> ari_next) {
    // ARI is polled even while the lifetime rule says "later": a window moved
    // into the past (a mass revocation) must be seen before expiry.
    if (ari_next) at = std::min(at, *ari_next);
    store::Inventory::Schedule s{at, c.ari_start, c.ari_end, ari_next ? ari_next : c.ari_next_fetch};
    if (auto ok = inv.set_schedule(c.name, s); !ok) log::warn("certkeeper: " + ok.error().what());
  }

  void fire(RenewItem& item, const std::string& event, const store::CertificateRecord& c, const CurrentVersion& cur,
            const std::string& error) {
    item.events.push_back(event);
    HookEvent e{event, c.name, cur.version ? std::optional<UnixTime>(cur.version->not_after) : std::nullopt,
                ctx_.now(), error};
    // Shared with the revocation watch.
    if (auto delivered = detail::deliver_event(request_, e); !delivered) {
      item.hook_error += (item.hook_error.empty() ? "" : "; ") + delivered.error().message;
    }
  }

  const Context& ctx_;
  const RenewRequest& request_;
  const RandomSource& random_;
};

}  // namespace

RandomSource system_random() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  auto mutex = std::make_shared<std::mutex>();
  return [engine, mutex](std::int64_t lo, std::int64_t hi) {
    if (hi <= lo) return lo;
    std::lock_guard<std::mutex> guard(*mutex);
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(*engine);
  };
}

Result<store::InventoryWatch> listen_for_changes(const Context& ctx) { return store::InventoryWatch::open(ctx.db_path); }

Result<RenewOutcome> renew(const Context& ctx, const RenewRequest& request, const RandomSource& random) {
  std::optional<detail::RunLock> pass_lock;
  if (!request.dry_run) {
    auto lock = detail::RunLock::acquire(ctx.db_path, detail::pass_lock(detail::lock_node(ctx)), 0);
    if (!lock) {
      return make_error(Errc::conflict, "another renew pass is running; it will do the work", ctx.db_path);
    }
    pass_lock.emplace(std::move(*lock));
  }
  auto inv = ctx.inventory(request.dry_run ? store::OpenMode::read_only : store::OpenMode::existing);
  if (!inv) return inv.error();
  if (!request.dry_run) detail::beat(ctx, *inv, "renew pass");
  std::vector<store::CertificateRecord> work;
  if (!request.names.empty()) {
    for (const auto& name : request.names) {
      auto c = inv->find_certificate(name);
      if (!c) return c.error();
      if (!*c) return make_error(Errc::not_found, "no such certificate; 'certkeeper list' shows the names", name);
      work.push_back(std::move(**c));
    }
  } else if (request.force) {
    auto all = inv->list_certificates();
    if (!all) return all.error();
    for (auto& c : *all) {
      if (c.source == "acme") work.push_back(std::move(c));
    }
  } else {
    auto due = inv->due_certificates(ctx.now());
    if (!due) return due.error();
    work = std::move(*due);
    auto remotes = inv->due_remotes(ctx.now());
    if (!remotes) return remotes.error();
    for (auto& r : *remotes) work.push_back(std::move(r));
  }

  RenewOutcome out;
  out.node = ctx.node_name();
  out.items.resize(work.size());
  Pass pass(ctx, request, random);
  std::atomic<std::size_t> next{0};
  std::mutex log_mutex;
  // Each extra thread works on a connection of its own (an Inventory is
  // used by one thread at a time); the calling thread uses the pass's, so
  // a pass with one worker, or nothing to do, opens the inventory once (a
  // PostgreSQL session costs a connection: bench/store.sh).
  auto worker = [&](bool own_connection) {
    Result<store::Inventory> opened = make_error(Errc::internal, "not opened");
    if (own_connection) {
      opened = ctx.inventory(request.dry_run ? store::OpenMode::read_only : store::OpenMode::existing);
    }
    for (std::size_t i; (i = next++) < work.size();) {
      if (own_connection && !opened) {
        out.items[i].name = work[i].name;
        out.items[i].decision = {DecisionKind::check_at, ctx.now(), opened.error().what()};
        continue;
      }
      out.items[i] = pass.work(own_connection ? *opened : *inv, work[i]);
      const auto& item = out.items[i];
      if (!request.log_decisions) continue;
      std::lock_guard<std::mutex> guard(log_mutex);
      // One line per decision, for the journal.
      log::warn(fmt::format("{}: {}: {}", item.name, kind_name(item.decision.kind), item.decision.reason));
    }
  };
  // Workers overlap waiting on CAs; a dry run waits on nobody, and on two
  // cores extra threads only contend (measured: 1,000 due, 64 ms with one
  // worker, 125 ms with four).
  int parallel = request.dry_run ? 1 : std::max(request.parallel, 1);
  std::size_t threads = std::clamp<std::size_t>(static_cast<std::size_t>(parallel), 1,
                                                std::max<std::size_t>(work.size(), 1));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker, true);
  worker(false);
  for (auto& t : pool) t.join();
  // Then this node's targets (issue 12): what another node renewed, a
  // rollback pinned, or an import stored reaches them here.
  out.installs = detail::converge(ctx, *inv, request.names, request.dry_run);
  auto earliest = inv->earliest_check();
  if (earliest) out.next_check = *earliest;
  out.next = pass.explain_next(*inv);
  // Issue 6: after the renewals, the revocation watch (CRLs whose cache is
  // stale, ARI windows in the past); never fatal for the pass.
  out.revocation = detail::watch_revocations(ctx, *inv, request, out.items);
  if (out.revocation.next_fetch && (!out.next_check || *out.revocation.next_fetch < *out.next_check)) {
    out.next_check = out.revocation.next_fetch;
  }
  if (!request.dry_run) detail::beat(ctx, *inv, "idle");
  return out;
}

}  // namespace certkeeper::lifecycle
