#include "certkeeper/lifecycle/event_hook.h"

#include <fmt/format.h>

#include "certkeeper/util/expiry.h"
#include "certkeeper/util/process.h"
#include "certkeeper/util/text.h"

namespace certkeeper::lifecycle {

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
