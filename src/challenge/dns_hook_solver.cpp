// dns-01 (RFC 8555 §8.4) through an operator's hook program, with lego's
// exec contract (`PROG present|cleanup FQDN VALUE`). The program gets an
// argument vector, never a shell line, and a bounded time.
#include <algorithm>
#include <cctype>
#include <chrono>

#include <fmt/format.h>

#include "certkeeper/challenge/solver.h"
#include "certkeeper/util/log.h"
#include "certkeeper/util/process.h"
#include "certkeeper/util/safe_path.h"
#include "certkeeper/util/text.h"

namespace certkeeper::challenge {
namespace {

using namespace std::chrono_literals;

constexpr auto kHookTimeout = 60s;
// Bytes of the hook's stderr in a message: room for a reason with its advice
// and a file name (contrib/dns/rfc2136-hook's lines are about 300).
constexpr std::size_t kMaxDetail = 400;

bool valid_dns_name(const std::string& name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.front() == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
  });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The first non-empty line of the hook's stderr (else stdout), capped and
// with control characters escaped (util/text.h), for a one-line message.
std::string first_line(const ProcessResult& r) {
  for (const std::string* text : {&r.err, &r.out}) {
    std::size_t start = text->find_first_not_of(" \t\r\n");
    if (start == std::string::npos) continue;
    std::size_t end = text->find_first_of("\r\n", start);
    const std::string line = text->substr(start, std::min(end, text->size()) - start);
    return text::printable(text::truncate_utf8(line, kMaxDetail));
  }
  return "no output";
}

class DnsHookSolver final : public Solver {
 public:
  DnsHookSolver(std::string program, std::chrono::seconds propagation, Clock& clock)
      : program_(std::move(program)), propagation_(propagation), clock_(clock) {}

  std::string type() const override { return "dns-01"; }

  Status present(const Task& task) override {
    auto fqdn = fqdn_of(task);
    if (!fqdn) return std::move(fqdn).error();
    auto ran = run("present", *fqdn, dns01_value(task.key_authorization));
    if (!ran) return std::move(ran).error();
    if (ran->timed_out) {
      return make_error(Errc::timeout,
                        fmt::format("the DNS hook did not finish 'present {}' within {} s and was stopped; make it "
                                    "return once the TXT record is set",
                                    *fqdn, kHookTimeout.count()),
                        program_);
    }
    if (ran->exit_code != 0) {
      return make_error(Errc::io,
                        fmt::format("the DNS hook failed 'present {}' with exit code {}: {}; run it by hand to see "
                                    "why",
                                    *fqdn, ran->exit_code, first_line(*ran)),
                        program_);
    }
    return {};
  }

  void cleanup(const Task& task) override {
    auto fqdn = fqdn_of(task);
    if (!fqdn) return;
    auto ran = run("cleanup", *fqdn, dns01_value(task.key_authorization));
    if (!ran) {
      log::warn(ran.error().what());
    } else if (ran->timed_out || ran->exit_code != 0) {
      log::warn(fmt::format("{}: the DNS hook failed 'cleanup {}' ({}); remove the TXT record by hand", program_,
                            *fqdn, ran->timed_out ? "timed out" : "exit code " + std::to_string(ran->exit_code)));
    }
  }

  Status ready() override {
    if (propagation_.count() > 0) clock_.sleep_for(propagation_);
    return {};
  }

 private:
  // "_acme-challenge.NAME." (RFC 8555 §8.4), NAME lower-cased.
  Result<std::string> fqdn_of(const Task& task) const {
    std::string name = lower(task.identifier);
    if (name.size() > 1 && name.back() == '.') name.pop_back();
    if (!valid_dns_name(name)) {
      return make_error(Errc::invalid_input,
                        "is not a DNS name a dns-01 hook can be given; dns-01 needs a (wildcard-stripped) name",
                        task.identifier);
    }
    return "_acme-challenge." + name + ".";
  }

  Result<ProcessResult> run(const char* action, const std::string& fqdn, const std::string& value) const {
    ProcessSpec spec;
    spec.argv = {program_, action, fqdn, value};
    spec.env = {{"CERTKEEPER_DNS_FQDN", fqdn}, {"CERTKEEPER_DNS_VALUE", value}};
    spec.timeout = kHookTimeout;
    // A hook someone else could change would run their code as us
    // (util/safe_path.h): checked right before each run.
    auto trusted = trusted_program(program_, "--dns-hook");
    if (!trusted && trusted.error().code == Errc::rejected) return trusted.error();
    if (trusted) spec.program = *trusted;
    auto r = run_process(spec);
    if (!r) {
      std::string why = r.error().message;  // "cannot run: REASON; HINT"
      if (why.rfind("cannot run: ", 0) == 0) why.erase(0, 12);
      return make_error(Errc::io, fmt::format("cannot run the DNS hook: {}", why), program_);
    }
    return r;
  }

  const std::string program_;
  const std::chrono::seconds propagation_;
  Clock& clock_;
};

}  // namespace

std::unique_ptr<Solver> make_dns_hook_solver(std::string program, std::chrono::seconds propagation, Clock& clock) {
  return std::make_unique<DnsHookSolver>(std::move(program), propagation, clock);
}

}  // namespace certkeeper::challenge
