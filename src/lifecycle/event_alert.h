// Private to lifecycle: one scheduler event delivered the way the pass's
// request asks (the --on-event hook, then the --email alert), shared by the
// renewals and the revocation watch.
#pragma once

#include <string>

#include "certkeeper/lifecycle/event_hook.h"
#include "certkeeper/lifecycle/renew.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle::detail {

// Each failure is logged ("certkeeper: NAME: ..."); the error (the first
// failure's code) holds every failure's text joined with "; ". Success when
// everything was delivered, or nothing was asked for.
Status deliver_event(const RenewRequest& request, const HookEvent& event);

}  // namespace certkeeper::lifecycle::detail
