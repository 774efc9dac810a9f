#include "ca_lease.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <chrono>
#include <cstdlib>
#include <random>

#include <fmt/format.h>

#include "certkeeper/util/log.h"
#include "certkeeper/util/text.h"
#include "int_setting.h"

namespace certkeeper::lifecycle::detail {
namespace {

// One process's one acquisition: two processes of a node, and two
// acquisitions of one process, are different holders.
std::string new_holder(const Context& ctx) {
  static std::mutex mutex;
  static std::mt19937_64 engine(std::random_device{}());
  std::lock_guard<std::mutex> guard(mutex);
  return fmt::format("{}/{}/{:016x}", ctx.node_name(), static_cast<long>(::getpid()), engine());
}

bool lease_held_error(const Error& e) { return e.code == Errc::conflict && e.cause.type == store::kLeaseHeld; }

// The holder of `name`'s lease when it is a process of this node that no
// longer exists (killed, crashed): its lease need not be waited out. ""
// otherwise; a process that exists, even another one with a reused pid, is
// waited for. Node names must be unique per host for this to hold.
std::string gone_holder(const Context& ctx, store::Inventory& inv, const std::string& name) {
  auto lease = inv.lease_of(name);
  if (!lease || !*lease) return "";
  const std::string& holder = (*lease)->holder;
  const std::string prefix = ctx.node_name() + "/";
  if ((*lease)->node != ctx.node_name() || holder.rfind(prefix, 0) != 0) return "";
  const auto slash = holder.find('/', prefix.size());
  if (slash == std::string::npos) return "";
  char* end = nullptr;
  const long pid = std::strtol(holder.c_str() + prefix.size(), &end, 10);
  if (end != holder.c_str() + slash || pid <= 0 || pid == static_cast<long>(::getpid())) return "";
  if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) return "";
  return holder;
}

}  // namespace

int lease_seconds(store::Inventory& inv) {
  return int_setting(inv, kLeaseSecondsSetting, kDefaultLeaseSeconds, kMinLeaseSeconds);
}

Result<std::unique_ptr<CaLease>> CaLease::take(const Context& ctx, store::Inventory& inv, const std::string& name,
                                               int wait_ms, bool* waited) {
  if (waited) *waited = false;
  const int seconds = lease_seconds(inv);
  const std::string holder = new_holder(ctx);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  std::string gone;
  for (bool said = false;;) {
    auto grant = inv.acquire_lease(name, holder, ctx.node_name(), seconds, ctx.actor, ctx.now(), gone);
    if (grant) {
      if (grant->replaced) {
        const bool expired = grant->replaced->expires_at <= ctx.now();
        log::warn(fmt::format("certkeeper: {}: took over the lease to talk to the CA from node {} (generation {}, {}); "
                              "resuming its order",
                              name, text::printable(grant->replaced->node), grant->replaced->generation,
                              expired ? "expired at " + format_utc(grant->replaced->expires_at)
                                      : "its process " + text::printable(grant->replaced->holder) + " is gone"));
      }
      auto own = ctx.inventory(store::OpenMode::existing);
      if (!own) {
        if (auto released = inv.release_lease(name, {holder, grant->lease.generation}, ctx.now()); !released) {
          log::warn("certkeeper: " + name + ": the lease could not be released (it expires by itself): " +
                    released.error().what());
        }
        return std::move(own).error();
      }
      return std::unique_ptr<CaLease>(new CaLease(ctx, name, std::move(*own), std::move(*grant), seconds));
    }
    if (!lease_held_error(grant.error())) return std::move(grant).error();
    if (gone.empty()) {
      gone = gone_holder(ctx, inv, name);
      if (!gone.empty()) continue;  // taken over at once
    }
    gone.clear();
    if (std::chrono::steady_clock::now() >= deadline) return std::move(grant).error();
    if (!said) {
      log::warn(fmt::format("certkeeper: {}; waiting for it (at most {} s)", grant.error().what(), wait_ms / 1000));
      said = true;
    }
    if (waited) *waited = true;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

CaLease::CaLease(const Context& ctx, std::string name, store::Inventory own, store::LeaseGrant grant, int seconds)
    : ctx_(ctx),
      name_(std::move(name)),
      own_(std::move(own)),
      grant_(std::move(grant)),
      handle_{grant_.lease.holder, grant_.lease.generation},
      seconds_(seconds) {
  renewer_ = std::thread([this] { renew_loop(); });
}

CaLease::~CaLease() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  renewer_.join();
  if (auto released = own_.release_lease(name_, handle_, ctx_.now()); !released) {
    log::warn("certkeeper: " + name_ + ": the lease could not be released (it expires by itself): " +
              released.error().what());
  }
}

// A thread, not renewals between the order's steps: one step can block for
// longer than a lease (a dns-01 hook and its propagation wait, the CA's
// validation and finalize polling), and the holder must keep its lease
// through it. A process stopped with SIGSTOP stops this thread as well, so
// it loses the lease as it should; a dead one loses it with the thread.
void CaLease::renew_loop() {
  const auto every = std::chrono::seconds(std::max(1, seconds_ / 3));
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (wake_.wait_for(lock, every, [this] { return stopping_; })) return;
    auto renewed = own_.renew_lease(name_, handle_, seconds_, ctx_.now());
    if (renewed) continue;
    log::warn("certkeeper: " + renewed.error().what());
    if (renewed.error().cause.type == store::kLeaseLost) return;  // the fence refuses what follows
  }
}

Status CaLease::confirm(store::Inventory& inv) { return inv.renew_lease(name_, handle_, seconds_, ctx_.now()); }

}  // namespace certkeeper::lifecycle::detail
