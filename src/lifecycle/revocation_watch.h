// Private to lifecycle: the revocation watch of a scheduler pass (issue 6,
// docs/manual/renewal.md "Revocation watch"), run after the renewals.
#pragma once

#include <vector>

#include "certkeeper/lifecycle/context.h"
#include "certkeeper/lifecycle/renew.h"
#include "certkeeper/store/inventory.h"

namespace certkeeper::lifecycle::detail {

// How long a CRL without nextUpdate is kept, and when a failed fetch (or a
// rejected CRL) is tried again.
inline constexpr std::int64_t kCrlDefaultLifetime = 24 * 3600;
inline constexpr std::int64_t kCrlRetry = 3600;
// A CRL body larger than this is refused (the largest public CRLs are a
// few MB).
inline constexpr std::size_t kCrlMaxBody = 20 * 1024 * 1024;

// 1. "revocation-expected" for each item whose ARI window (fetched in this
//    pass) ended before now while its version is still valid: once per version.
// 2. The CRL URLs of versions stored since the last pass are read and recorded.
// 3. Each CRL whose cache is stale (and is named by a current version) is
//    fetched, verified against the issuer in the stored chain and cached;
//    every current version naming it is looked up, and one found is marked
//    revoked (CRL date and reason) with the event "revoked", once.
// Unreachable or rejected CRLs are logged and returned, never fatal. A dry
// run reads nothing new, fetches nothing and changes nothing: it lists the
// CRLs it would fetch.
RevocationWatch watch_revocations(const Context& ctx, store::Inventory& inv, const RenewRequest& request,
                                  const std::vector<RenewItem>& items);

}  // namespace certkeeper::lifecycle::detail
