// Private to lifecycle: the CA's renewal window (RFC 9773) for a
// certificate's current version, fetched when due and kept otherwise.
#pragma once

#include <optional>
#include <string>

#include "certkeeper/lifecycle/context.h"
#include "certkeeper/lifecycle/renewal_policy.h"
#include "certkeeper/store/inventory.h"

namespace certkeeper::lifecycle::detail {

// How long to wait before asking again when the CA gave no Retry-After, and
// after a failed or malformed answer (issue: "retry ARI in 6 hours").
inline constexpr std::int64_t kAriDefaultRecheck = 6 * 3600;

struct AriRefresh {
  std::optional<AriWindow> window;       // nullopt: none (no ARI, failed, or never fetched)
  std::optional<UnixTime> next_fetch;    // nullopt: the CA has no ARI at all
  std::string note;                      // what happened, for -v
  bool answered = false;                 // the CA answered in this pass (renewalInfo, or a directory without it)
};

// When `c.ari_next_fetch` is in the future, the stored window. Otherwise asks
// the CA (an unauthenticated GET: no account needed): a valid window and its
// Retry-After (clamped to 1 minute .. 1 day), or, when the CA fails or sends
// something malformed, no window (the time rule decides) and another try in
// 6 hours.
AriRefresh refresh_ari(const Context& ctx, store::Inventory& inv, const store::CertificateRecord& c,
                       const std::string& leaf_pem);

// The ari_cert_id to put in a new order's "replaces", or "" when the CA has
// no ARI or the certificate cannot be named.
std::string replaces_id(const std::string& leaf_pem);

}  // namespace certkeeper::lifecycle::detail
