#include "open_order.h"

#include "certkeeper/util/log.h"

namespace certkeeper::lifecycle::detail {
namespace {

// Why the open order `o` cannot be resumed by `account`, or "" when it can:
// it was made for another server or contact, or by another account (a key
// lost to a registration race, a deactivated account that was replaced: its
// key is gone, and the CA gives its orders to no one else).
std::string foreign_order(const store::OrderRecord& o, const store::AccountRecord& account) {
  if (o.account_id != account.id) return "it was made with the account of another ACME server or contact";
  if (!o.account_url.empty() && o.account_url != account.account_url) {
    return "it was made by the ACME account " + o.account_url + ", whose key is no longer stored";
  }
  return "";
}

}  // namespace

bool refused_as_not_ours(const acme::Client& client) {
  return client.last_problem() && client.last_problem()->type == acme::ProblemType::unauthorized;
}

Status abandon_order(store::Inventory& inv, const Context& ctx, const store::OrderRecord& order,
                     const std::string& why) {
  log::warn("certkeeper: " + order.certificate_name + ": abandoning the order " + order.order_url + " (" + why +
            "); ordering again");
  return inv.abandon_order(order, why + "; ordered again", ctx.actor, ctx.now());
}

Result<std::optional<OrderInFlight>> resume_open_order(store::Inventory& inv, AcmeSession& s,
                                                       const store::CertificateRecord& def, const Context& ctx) {
  using Resumed = std::optional<OrderInFlight>;
  auto open = inv.open_order_of(def.name);
  if (!open) return std::move(open).error();
  if (!*open) return Resumed{};
  const store::OrderRecord& o = **open;
  std::string why = foreign_order(o, s.account);
  if (why.empty()) {
    auto order = s.client->order(o.order_url);
    if (order && order->status != "invalid") return Resumed{OrderInFlight{*order, o.key_pem, o.id, true}};
    if (!order && refused_as_not_ours(*s.client)) {
      why = "the CA says another account owns it";
    } else if (!order && (order.error().code == Errc::network ||
                          (s.client->last_problem() && s.client->last_problem()->transient()))) {
      return std::move(order).error();  // a CA that cannot be asked now says nothing about the order
    } else {
      if (auto closed = inv.close_order(o.id, "failed", ctx.now()); !closed) return std::move(closed).error();
      return Resumed{};
    }
  }
  if (auto abandoned = abandon_order(inv, ctx, o, why); !abandoned) return std::move(abandoned).error();
  return Resumed{};
}

}  // namespace certkeeper::lifecycle::detail
