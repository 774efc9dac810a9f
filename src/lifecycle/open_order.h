// Private to lifecycle: the order a certificate has open at the CA, and
// whether this run's account may finish it. Only the account that made an
// order may (RFC 8555 §7.4: an order belongs to its account); one made by
// another account is abandoned ("order-abandoned") so that a new one can be
// placed in the same run, never left to fail every run.
#pragma once

#include <optional>
#include <string>

#include "acme_session.h"
#include "certkeeper/store/inventory.h"

namespace certkeeper::lifecycle::detail {

// An order for a definition: the one an earlier run left open (resumed,
// with the key stored for it), or a new one whose key, URL and account are
// stored before any challenge is answered.
struct OrderInFlight {
  acme::Order order;
  std::string key_pem;
  std::int64_t id = 0;
  bool resumed = false;
};

// The CA refused the last request as not this account's business (pebble:
// "does not own the specified order"; RFC 8555 §6.7 unauthorized). For a
// resumed order that is final, though `unauthorized` is transient for other
// requests.
bool refused_as_not_ours(const acme::Client& client);

// Closes `order` as abandoned, saying why on stderr and in the event.
Status abandon_order(store::Inventory& inv, const Context& ctx, const store::OrderRecord& order,
                     const std::string& why);

// The definition's open order when this session's account can finish it
// (asked of the CA); nullopt when there is none, or after closing one that
// is invalid or failed for good, or abandoning one of another account. A CA
// that cannot be asked now is an error, and the order is kept.
Result<std::optional<OrderInFlight>> resume_open_order(store::Inventory& inv, AcmeSession& s,
                                                       const store::CertificateRecord& def, const Context& ctx);

}  // namespace certkeeper::lifecycle::detail
