// certkeeper renew [NAME ...] [--force] [--dry-run] [--parallel N] [--jitter[=S]] [--on-event PROG]
// certkeeper run [--on-event PROG] [--parallel N]
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "app.h"
#include "mail_options.h"
#include "certkeeper/lifecycle/event_hook.h"
#include "certkeeper/lifecycle/fleet_challenges.h"
#include "certkeeper/lifecycle/renew.h"
#include "certkeeper/util/log.h"
#include "certkeeper/util/text.h"

namespace certkeeper::cli {

namespace {

const char* decision_name(lifecycle::DecisionKind k) {
  switch (k) {
    case lifecycle::DecisionKind::renew_now: return "renew-now";
    case lifecycle::DecisionKind::check_at: return "check-at";
    case lifecycle::DecisionKind::back_off: return "back-off";
    case lifecycle::DecisionKind::halted: return "halted";
  }
  return "?";
}

nlohmann::json item_json(const lifecycle::RenewItem& item) {
  nlohmann::json j = {{"name", item.name},
                      {"source", item.source},
                      {"decision", decision_name(item.decision.kind)},
                      {"at", item.decision.at ? nlohmann::json(format_utc(item.decision.at)) : nlohmann::json()},
                      {"reason", item.decision.reason},
                      {"stored_next_check", utc_or_null(item.stored_next_check)},
                      {"attempted", item.attempted},
                      {"renewed", item.issued && item.issued->stored},
                      {"events", item.events},
                      {"hook_error", item.hook_error}};
  if (item.issued) {
    j["version"] = item.issued->stored ? nlohmann::json(item.issued->version) : nlohmann::json();
    if (item.issued->error) {
      j["error"] = error_json(*item.issued->error);
      j["error"]["permanent"] = item.issued->permanent_failure;
    }
    if (item.issued->install) j["install"] = install_json(*item.issued->install);
  }
  return j;
}

std::string item_text(const lifecycle::RenewItem& item, bool dry_run) {
  if (item.issued && item.issued->stored) {
    std::string text = fmt::format("{}: renewed, version {} ({})", item.name, item.issued->version,
                                   item.decision.reason);
    if (item.issued->install) {
      text += item.issued->install->rolled_back
                  ? "; install rolled back: " + item.issued->install->failure
                  : fmt::format("; installed into {} target(s)", item.issued->install->targets.size());
    }
    return text;
  }
  if (item.issued && item.issued->error) {
    return fmt::format("{}: renewal failed: {}", item.name, item.issued->error->what());
  }
  std::string at = item.decision.at ? " at " + format_utc(item.decision.at) : "";
  // A dry run says what the pass would do, events included.
  std::string fire = dry_run && !item.events.empty() ? fmt::format("would fire {}; ", fmt::join(item.events, ", ")) : "";
  switch (item.decision.kind) {
    case lifecycle::DecisionKind::renew_now:
      return fmt::format("{}: {}renew now: {}", item.name, dry_run ? "would " : "", item.decision.reason);
    case lifecycle::DecisionKind::check_at:
      return fmt::format("{}: {}{}next check{}: {}", item.name, fire, dry_run ? "would set the " : "", at,
                         item.decision.reason);
    case lifecycle::DecisionKind::back_off:
      return fmt::format("{}: {}until{}: {}", item.name, dry_run ? "would back off " : "backing off ", at,
                         item.decision.reason);
    case lifecycle::DecisionKind::halted:
      return fmt::format("{}: halted ({}no order): {}", item.name, fire, item.decision.reason);
  }
  return item.name;
}

// The convergence of this node's targets (issue 12): one line each.
std::string install_item_text(const lifecycle::ConvergeItem& item, bool dry_run) {
  if (item.error) {
    return item.name.empty() ? "targets: " + item.error->what()
                             : fmt::format("{}: install of version {} failed: {}", item.name, item.version,
                                           item.error->what());
  }
  if (dry_run || !item.install) {
    return fmt::format("{}: would install version {} into this node's targets", item.name, item.version);
  }
  if (item.install->rolled_back) {
    return fmt::format("{}: install of version {} rolled back: {}", item.name, item.version, item.install->failure);
  }
  return fmt::format("{}: installed version {} into {} target(s)", item.name, item.version,
                     item.install->targets.size());
}

nlohmann::json install_item_json(const lifecycle::ConvergeItem& item) {
  nlohmann::json j = {{"name", item.name}, {"version", item.version}};
  j["install"] = item.install ? install_json(*item.install) : nlohmann::json();
  j["error"] = item.error ? error_json(*item.error) : nlohmann::json();
  return j;
}

// "next check: T (NAME: why then)". When something is due now (a dry run,
// or a certificate never scheduled), the next scheduled check is said.
std::string next_check_text(const lifecycle::RenewOutcome& outcome) {
  const bool due_now = !outcome.next_check || *outcome.next_check == 0;
  if (outcome.next && (due_now || outcome.next->at <= *outcome.next_check)) {
    return fmt::format("next check: {} ({}: {})\n", format_utc(outcome.next->at), outcome.next->name,
                       outcome.next->reason);
  }
  return due_now ? "" : "next check: " + format_utc(*outcome.next_check) + "\n";
}

nlohmann::json next_json(const std::optional<lifecycle::NextCheck>& next) {
  if (!next) return nullptr;
  return {{"name", next->name}, {"at", format_utc(next->at)}, {"reason", next->reason}};
}

// The revocation watch (docs/manual/renewal.md). Unreachable and
// rejected CRLs were logged on stderr by the pass already.
nlohmann::json revocation_json(const lifecycle::RevocationWatch& w) {
  nlohmann::json crls = nlohmann::json::array();
  for (const auto& c : w.crls) {
    crls.push_back({{"url", c.url},
                    {"status", c.status},
                    {"error", c.error},
                    {"certificates", c.certificates},
                    {"entries", c.entries},
                    {"next_fetch", utc_or_null(c.next_fetch)}});
  }
  nlohmann::json events = nlohmann::json::array();
  for (const auto& e : w.events) {
    events.push_back({{"name", e.name},
                      {"version", e.version},
                      {"event", e.event},
                      {"reason", e.reason},
                      {"revoked_at", utc_or_null(e.revoked_at)},
                      {"crl", e.url},
                      {"hook_error", e.hook_error}});
  }
  return {{"crls", crls}, {"events", events}, {"unread_versions", w.unread_versions}};
}

std::string revocation_text(const lifecycle::RevocationWatch& w) {
  std::string text;
  for (const auto& c : w.crls) {
    if (c.status == "would-fetch") {
      text += fmt::format("CRL {}: would fetch (named by {})\n", text::printable(c.url),
                          plural(c.certificates, "certificate"));
    } else if (c.status == "fetched") {
      text += fmt::format("CRL {}: fetched ({} listed), checked {}; next fetch {}\n", text::printable(c.url),
                          plural(c.entries, "revoked serial"), plural(c.certificates, "certificate"),
                          c.next_fetch ? format_utc(*c.next_fetch) : "-");
    }
  }
  if (w.unread_versions > 0) {
    text += fmt::format("would read the CRL distribution points of {} stored since the last pass\n",
                        plural(static_cast<std::size_t>(w.unread_versions), "version"));
  }
  for (const auto& e : w.events) {
    if (e.event == "revoked") {
      text += fmt::format("{}: version {} REVOKED ({}) on {} according to {}\n", e.name, e.version, e.reason,
                          e.revoked_at ? format_utc(*e.revoked_at) : "?", text::printable(e.url));
    } else {
      text += fmt::format("{}: version {}: revocation expected: {}\n", e.name, e.version, text::printable(e.reason));
    }
  }
  return text;
}

// 0 when nothing failed; 4 when an order failed at the CA (the shared rule
// of ca_exit_code_for), 5 when an install (of a renewal, or the
// convergence of this node's targets) was rolled back, 1 otherwise.
int pass_status(const lifecycle::RenewOutcome& outcome) {
  int code = kOk;
  for (const auto& item : outcome.items) {
    if (!item.issued) continue;
    if (item.issued->error) {
      code = std::max(code, ca_exit_code_for(item.issued->error->code) == kCaFailed ? int(kCaFailed) : int(kFailure));
    }
    if (item.issued->install && item.issued->install->rolled_back) code = std::max(code, int(kInstallRolledBack));
    if (item.issued->install_error) code = std::max(code, int(kFailure));
  }
  for (const auto& item : outcome.installs) {
    if (item.error) code = std::max(code, int(kFailure));
    if (item.install && item.install->rolled_back) code = std::max(code, int(kInstallRolledBack));
  }
  return code;
}

// The --on-event help lists the events of lifecycle's table.
std::string on_event_help() {
  std::string events;
  for (const auto& e : lifecycle::hook_events()) events += (events.empty() ? "" : ", ") + std::string(e.event);
  return "Program run as 'PROG EVENT NAME' on " + events;
}

struct RenewArgs {
  lifecycle::RenewRequest request;
  int jitter = 0;
  MailOptions mail;
};

// Loads the mail settings into the request when --email was given.
Status prepare_mail(lifecycle::RenewRequest& request, const MailOptions& mail) {
  auto settings = load_mail(mail);
  if (!settings) return settings.error();
  request.mail = std::move(*settings);
  request.email = mail.recipients();
  return {};
}

}  // namespace

Command add_renew(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("renew", "One scheduler pass: renew what is due, warn about manual certificates");
  auto args = std::make_shared<RenewArgs>();
  auto& r = args->request;
  app->add_option("NAME", r.names, "Only these certificates (default: everything due)");
  app->add_flag("--force", r.force, "Renew now, whatever the schedule says (the named ones, or every ACME one)");
  app->add_flag("--dry-run", r.dry_run, "Print each decision and its reason; change nothing, contact nobody");
  app->add_option("--parallel", r.parallel, "Certificates worked at once (default 4)")
      ->type_name("N")
      ->check(CLI::Range(1, 64));
  app->add_option("--jitter", args->jitter,
                  "Wait a random 0..S seconds first (default 300 when given without a value), so a fleet "
                  "started by timers does not reach the CA at the same second")
      ->type_name("SECONDS")
      ->expected(0, 1)
      ->default_str("300")
      ->check(CLI::Range(0, 86400));
  app->add_option("--on-event", r.on_event, on_event_help())->type_name("PROG");
  add_mail_options(app, args->mail, "each event that --on-event gets");
  return {app, [&g, args, app] {
            auto& req = args->request;
            if (!req.on_event.empty()) {
              if (auto hook = lifecycle::check_event_hook(req.on_event); !hook) return fail(g, hook.error());
            }
            if (auto mail = prepare_mail(req, args->mail); !mail) return fail(g, mail.error());
            if (app->count("--jitter") && !req.dry_run) {
              int max = args->jitter;
              auto random = lifecycle::system_random();
              std::this_thread::sleep_for(std::chrono::seconds(random(0, max)));
            }
            auto outcome = lifecycle::renew(g.context(), req, lifecycle::system_random());
            if (!outcome) return fail(g, outcome.error());
            int code = pass_status(*outcome);
            if (g.json) {
              nlohmann::json list = nlohmann::json::array();
              for (const auto& item : outcome->items) list.push_back(item_json(item));
              nlohmann::json installs = nlohmann::json::array();
              for (const auto& item : outcome->installs) installs.push_back(install_item_json(item));
              print_json({{"ok", code == 0},
                          {"exit_code", code},
                          {"dry_run", req.dry_run},
                          {"next_check", outcome->next_check && *outcome->next_check
                                             ? nlohmann::json(format_utc(*outcome->next_check))
                                             : nlohmann::json()},
                          {"next", next_json(outcome->next)},
                          {"certificates", list},
                          {"node", outcome->node},
                          {"installs", installs},
                          {"revocation", revocation_json(outcome->revocation)}});
              return code;
            }
            std::string text;
            for (const auto& item : outcome->items) {
              // Reasons and errors quote CAs and endpoints: one printable line.
              std::string line = text::printable(item_text(item, req.dry_run));
              if (item.issued && item.issued->error) {
                err_line("certkeeper: " + line);
              } else {
                text += line + "\n";
              }
            }
            if (outcome->items.empty()) text += "nothing is due\n";
            for (const auto& item : outcome->installs) {
              std::string line = text::printable(install_item_text(item, req.dry_run));
              if (item.error || (item.install && item.install->rolled_back)) {
                err_line("certkeeper: " + line);
              } else {
                text += line + "\n";
              }
            }
            text += revocation_text(outcome->revocation);
            text += next_check_text(*outcome);
            text.pop_back();
            out(g, text);
            return code;
          }};
}

namespace {

// What a pass run in a child process tells the daemon.
struct ChildPass {
  bool done = false;   // the pass ran (else it is tried again in a minute)
  bool fatal = false;  // an error no later pass can mend: the daemon stops with `exit_code`
  int exit_code = kOk;
  std::string unreachable;  // a shared inventory could not be reached: why (the daemon says it once)
  std::size_t decisions = 0;
  std::optional<UnixTime> next_check;
};

// One pass in a forked child, so that whatever a pass loads (the libcurl
// module, the http-01 responder, TLS state, parallel workers) goes away with
// the child and the daemon stays small between passes (bench/README.md, "Renewal passes").
// The child reports back one line on a pipe: "done DECISIONS NEXT_CHECK"
// (0 when nothing is scheduled), "retry" or "fatal EXIT_CODE". Signals stay blocked in the child as in the daemon: SIGTERM
// lets the pass in flight finish.
ChildPass pass_in_child(Globals& g, const lifecycle::RenewRequest& request) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    log::warn("certkeeper: cannot start a pass: pipe failed; retrying in a minute");
    return {};
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    log::warn("certkeeper: cannot start a pass: fork failed; retrying in a minute");
    return {};
  }
  if (pid == 0) {
    ::close(fds[0]);
    std::string report = "retry";
    auto outcome = lifecycle::renew(g.context(), request, lifecycle::system_random());
    if (!outcome && outcome.error().code == Errc::database && lifecycle::is_fleet_inventory(g.db)) {
      // The daemon says it once per outage, not at every pass.
      std::string why = text::printable(outcome.error().what());
      std::replace(why.begin(), why.end(), '\n', ' ');
      report = "unreachable " + why;
    } else if (!outcome) {
      log::warn("certkeeper: " + outcome.error().what());
      const Errc code = outcome.error().code;
      // Another pass holds the lock, or the database is busy: try again soon.
      if (code != Errc::conflict && code != Errc::database) report = fmt::format("fatal {}", fail(g, outcome.error()));
    } else {
      for (const auto& item : outcome->items) {
        if (item.issued) log::warn(item_text(item, false));
      }
      for (const auto& item : outcome->installs) log::warn(text::printable(install_item_text(item, false)));
      if (std::string watch = revocation_text(outcome->revocation); !watch.empty()) {
        watch.pop_back();
        log::warn(watch);
      }
      report = fmt::format("done {} {}", outcome->items.size(), outcome->next_check.value_or(0));
    }
    report += "\n";
    [[maybe_unused]] const ssize_t written = ::write(fds[1], report.data(), report.size());
    std::fflush(nullptr);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string answer;
  char buf[128];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) != 0) {
    if (n > 0) answer.append(buf, static_cast<std::size_t>(n));
    else if (errno != EINTR) break;
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ChildPass pass;
  unsigned long long decisions = 0;
  long long next = 0;
  int code = 0;
  if (std::sscanf(answer.c_str(), "done %llu %lld", &decisions, &next) == 2) {
    pass.done = true;
    pass.decisions = static_cast<std::size_t>(decisions);
    if (next != 0) pass.next_check = static_cast<UnixTime>(next);
  } else if (answer.rfind("unreachable ", 0) == 0) {
    pass.unreachable = answer.substr(std::string("unreachable ").size());
    if (!pass.unreachable.empty() && pass.unreachable.back() == '\n') pass.unreachable.pop_back();
  } else if (std::sscanf(answer.c_str(), "fatal %d", &code) == 1) {
    pass.fatal = true;
    pass.exit_code = code;
  } else if (answer != "retry\n") {
    log::warn(WIFSIGNALED(status) ? fmt::format("certkeeper: the pass was killed by signal {}; retrying in a minute",
                                                WTERMSIG(status))
                                  : std::string("certkeeper: the pass ended without a result; retrying in a minute"));
  }
  return pass;
}

// What ends the daemon's sleep: a signal, or (a fleet) changes that other
// nodes committed, heard through LISTEN/NOTIFY; else the timer. The
// blocked signals are read from a signalfd so that one poll waits on both.
struct Wakeup {
  int signal = 0;
  std::vector<std::string> changes;
};

class Wakeups {
 public:
  explicit Wakeups(const sigset_t& set) : set_(set), signals_(::signalfd(-1, &set, SFD_CLOEXEC)) {}
  ~Wakeups() {
    if (signals_ >= 0) ::close(signals_);
  }
  Wakeups(const Wakeups&) = delete;
  Wakeups& operator=(const Wakeups&) = delete;

  // Listens to the inventory unless it already does. An unreachable server
  // is said once until it answers again; the node keeps what is installed
  // and its timer keeps passes going.
  void listen(const lifecycle::Context& ctx) {
    if (ear_) return;
    auto opened = lifecycle::listen_for_changes(ctx);
    if (!opened) {
      unreachable(opened.error().what());
      return;
    }
    reachable();
    ear_.emplace(std::move(*opened));
  }

  // Said once per outage (the passes and the listener both meet it).
  void unreachable(const std::string& why) {
    if (!unreachable_) {
      log::warn("certkeeper: inventory unreachable: " + text::printable(why) +
                "; keeping what is installed, trying again at every pass");
    }
    unreachable_ = true;
  }
  void reachable() {
    if (unreachable_) log::warn("certkeeper: inventory reachable again");
    unreachable_ = false;
  }

  Wakeup wait(std::int64_t seconds) {
    Wakeup woke;
    if (signals_ < 0) {  // no signalfd: signals and the timer only
      timespec timeout{static_cast<time_t>(seconds), 0};
      siginfo_t info{};
      const int sig = sigtimedwait(&set_, &info, &timeout);
      woke.signal = sig > 0 ? sig : 0;
      return woke;
    }
    pollfd fds[2] = {{signals_, POLLIN, 0}, {ear_ ? ear_->fd() : -1, POLLIN, 0}};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return woke;
      const int n = ::poll(fds, 2, static_cast<int>(std::min<std::int64_t>(left.count(), 3'600'000)));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return woke;
      if (fds[0].revents & POLLIN) {
        signalfd_siginfo info{};
        if (::read(signals_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
          woke.signal = static_cast<int>(info.ssi_signo);
          return woke;
        }
      }
      if (ear_ && fds[1].revents != 0) {
        auto changes = ear_->take();
        if (!changes) {
          // The server went away: heard again once a pass reaches it.
          unreachable(changes.error().what());
          ear_.reset();
          fds[1].fd = -1;
          continue;
        }
        if (!changes->empty()) {
          woke.changes = std::move(*changes);
          return woke;
        }
      }
    }
  }

 private:
  sigset_t set_;
  int signals_ = -1;
  std::optional<store::InventoryWatch> ear_;
  bool unreachable_ = false;
};

// The node's challenge answerer (lifecycle/fleet_challenges.h): a process
// of its own beside the passes, so that it answers while a pass runs, and
// so that the passes (forked from this process) never inherit its
// listening sockets. It ends with the daemon (SIGTERM, or the parent's
// death), and is started again if it ends by itself.
class AnswererProcess {
 public:
  explicit AnswererProcess(const Globals& g) : g_(g) {}
  ~AnswererProcess() { stop(); }
  AnswererProcess(const AnswererProcess&) = delete;
  AnswererProcess& operator=(const AnswererProcess&) = delete;

  // Starts it, or again when it ended.
  void keep_running() {
    if (pid_ > 0) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == 0) return;
      log::warn(WIFSIGNALED(status)
                    ? fmt::format("certkeeper: the challenge answerer was killed by signal {}; starting it again",
                                  WTERMSIG(status))
                    : std::string("certkeeper: the challenge answerer ended; starting it again"));
      pid_ = -1;
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
      log::warn("certkeeper: cannot start the challenge answerer: fork failed; trying again at the next pass");
      return;
    }
    if (pid == 0) {
      // SIGTERM and SIGINT stay blocked (inherited): read from a signalfd.
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(0);
      sigset_t stop;
      sigemptyset(&stop);
      sigaddset(&stop, SIGTERM);
      sigaddset(&stop, SIGINT);
      const int fd = ::signalfd(-1, &stop, SFD_CLOEXEC);
      if (fd >= 0) lifecycle::answer_challenges(g_.context(), fd);
      std::fflush(nullptr);
      ::_exit(0);
    }
    pid_ = pid;
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    // It removes its answers and clears its beat: a moment.
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) != 0) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }

 private:
  const Globals& g_;
  pid_t pid_ = -1;
};

}  // namespace

Command add_run(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("run", "The scheduler as a daemon: a pass, then sleep until the next check");
  auto args = std::make_shared<RenewArgs>();
  auto request = std::shared_ptr<lifecycle::RenewRequest>(args, &args->request);
  app->add_option("--on-event", request->on_event, on_event_help())->type_name("PROG");
  app->add_option("--parallel", request->parallel, "Certificates worked at once (default 4)")
      ->type_name("N")
      ->check(CLI::Range(1, 64));
  auto poll = std::make_shared<int>(30);
  app->add_option("--poll", *poll,
                  "With a PostgreSQL inventory (a fleet), the longest sleep between passes, so that this node "
                  "beats and installs what other nodes stored within it (default 30)")
      ->type_name("SECONDS")
      ->check(CLI::Range(1, 3600));
  add_mail_options(app, args->mail, "each event that --on-event gets");
  return {app, [&g, args, request, poll] {
            // Refused at the start; a hook that becomes unsafe later is
            // refused at each event, while the renewals go on.
            if (!request->on_event.empty()) {
              if (auto hook = lifecycle::check_event_hook(request->on_event); !hook) return fail(g, hook.error());
            }
            if (auto mail = prepare_mail(*request, args->mail); !mail) return fail(g, mail.error());
            // The signals are taken synchronously (sigtimedwait) between
            // passes: SIGTERM/SIGINT let the pass in flight finish, SIGHUP
            // starts a pass at once (after `add`, `import`, `target add`).
            sigset_t set;
            sigemptyset(&set);
            sigaddset(&set, SIGTERM);
            sigaddset(&set, SIGINT);
            sigaddset(&set, SIGHUP);
            pthread_sigmask(SIG_BLOCK, &set, nullptr);
            request->log_decisions = true;
            const auto ctx = g.context();
            log::warn("certkeeper: scheduler started on " + g.db);
            const bool fleet = lifecycle::is_fleet_inventory(g.db);
            // Before anything else opens a connection that it would inherit.
            AnswererProcess answerer(g);
            if (fleet) answerer.keep_running();
            Wakeups wakeups(set);
            // Listening before the first pass: a version another node stores
            // meanwhile wakes the daemon right after it (bench/fleet.sh).
            if (fleet) wakeups.listen(ctx);
            while (true) {
              constexpr std::int64_t kMaxWait = 6 * 3600;  // new definitions also arrive without SIGHUP
              const ChildPass pass = pass_in_child(g, *request);
              if (pass.fatal) return pass.exit_code;
              if (!pass.unreachable.empty()) wakeups.unreachable(pass.unreachable);
              if (pass.done) wakeups.reachable();
              // In a fleet, other nodes store versions and pins at any time.
              const std::int64_t max_wait = fleet ? *poll : kMaxWait;
              // A pass that could not run is tried again in a minute.
              std::int64_t wait = std::min<std::int64_t>(60, max_wait);
              if (pass.done) {
                wait = pass.next_check ? std::clamp<std::int64_t>(*pass.next_check - ctx.now(), 1, max_wait) : max_wait;
                // A fleet's node passes every --poll seconds: only passes
                // that decided something are worth a line.
                if (!fleet || pass.decisions > 0) {
                  log::warn(fmt::format("certkeeper: pass done ({}); next check {}", plural(pass.decisions, "decision"),
                                        format_utc(ctx.now() + wait)));
                }
              }
              if (fleet) {
                wakeups.listen(ctx);
                answerer.keep_running();
              }
              const Wakeup woke = wakeups.wait(wait);
              if (woke.signal == SIGTERM || woke.signal == SIGINT) {
                log::warn("certkeeper: scheduler stopped");
                return int(kOk);
              }
              if (woke.signal == SIGHUP) log::warn("certkeeper: SIGHUP: a pass now");
              if (!woke.changes.empty()) {
                log::warn("certkeeper: changed by another node (" + text::printable(woke.changes.front()) +
                          (woke.changes.size() > 1 ? fmt::format(" and {} more", woke.changes.size() - 1) : "") +
                          "): a pass now");
              }
            }
          }};
}

}  // namespace certkeeper::cli
