#include "event_alert.h"

#include <optional>

#include "certkeeper/lifecycle/mail.h"
#include "certkeeper/util/log.h"

namespace certkeeper::lifecycle::detail {

Status deliver_event(const RenewRequest& request, const HookEvent& e) {
  std::optional<Error> errors;
  auto failed = [&](const Error& why) {
    if (errors) {
      errors->message += "; " + why.what();
    } else {
      errors = make_error(why.code, why.what());
    }
    log::warn("certkeeper: " + e.name + ": " + why.what());
  };
  // Only the events the reference documents (event_hook.h).
  if (!is_hook_event(e.event)) {
    failed(make_error(Errc::internal, "event '" + e.event + "' is not in the table of lifecycle/event_hook.h"));
    return *errors;
  }
  if (!request.on_event.empty()) {
    if (auto ok = run_event_hook(request.on_event, e); !ok) failed(ok.error());
  }
  if (request.mail) {
    if (auto ok = send_event_mail(*request.mail, request.email, e); !ok) failed(ok.error());
  }
  if (errors) return *errors;
  return {};
}

}  // namespace certkeeper::lifecycle::detail
