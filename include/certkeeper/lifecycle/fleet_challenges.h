// Challenges in a fleet (issue 12, DESIGN.md "Many hosts"; docs/manual/fleet.md
// "Challenges behind a load balancer"). The CA may reach any node behind the
// load balancer, so the node that holds a certificate's lease publishes its
// pending http-01 and tls-alpn-01 answers in the inventory, and every node
// that answers challenges serves them: its built-in responder (on its
// --challenge-address) or its own web root. The holder asks the CA to
// validate only once every answering node has acknowledged. dns-01 needs
// none of this.
//
// A node answers challenges while `certkeeper run` runs there: the daemon
// keeps an answerer process beside its passes (answer_challenges), which
// beats every kAnsweringBeatSeconds. A node whose answerer beat within
// kAnsweringLiveSeconds is an answering node. A holder on a node without one
// serves its answers itself, as on a single host; on SQLite that is always
// so, and the same code runs.
#pragma once

#include "certkeeper/lifecycle/context.h"

namespace certkeeper::lifecycle {

inline constexpr int kAnsweringBeatSeconds = 5;
inline constexpr int kAnsweringLiveSeconds = 15;
// A publication is answered only while its publisher's lease is held; after
// this it is stale in any case, and the next publication deletes it.
inline constexpr int kPublicationSeconds = 3600;
// The setting challenge_wait (init --challenge-wait): how long a holder
// waits for the acknowledgements.
inline constexpr int kDefaultChallengeWaitSeconds = 120;
inline constexpr int kMinChallengeWaitSeconds = 5;

// The answerer: serves every publication of the inventory (leaving those
// that their publisher serves itself on this node), acknowledges each, and
// removes each answer when its publication goes; it beats meanwhile. It
// wakes on the inventory's notifications and every kAnsweringBeatSeconds.
// Returns when `stop_fd` becomes readable (a signalfd, a pipe), after it
// removed its answers and cleared its beat. An inventory that cannot be
// reached is said once and tried again at every beat; nothing ends it but
// `stop_fd`.
void answer_challenges(const Context& ctx, int stop_fd);

}  // namespace certkeeper::lifecycle
