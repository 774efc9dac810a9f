// Inventory: ACME accounts and orders in flight.
#include <nlohmann/json.hpp>

#include "certkeeper/util/text.h"
#include "impl.h"

namespace certkeeper::store {
namespace {

AccountRecord read_account(sql::Statement& q) {
  AccountRecord a;
  a.id = q.getColumn(0).getInt64();
  a.directory_url = q.getColumn(1).getString();
  a.contact = q.getColumn(2).getString();
  a.account_url = q.getColumn(3).isNull() ? "" : q.getColumn(3).getString();
  a.key_pem = q.getColumn(4).getString();
  a.status = q.getColumn(5).getString();
  a.created_at = q.getColumn(6).getInt64();
  a.pending_key_pem = q.getColumn(7).getString();
  return a;
}

}  // namespace

Result<std::optional<AccountRecord>> Inventory::find_account(const std::string& directory_url,
                                                             const std::string& contact) {
  return detail::guarded(impl_->path, [&]() -> Result<std::optional<AccountRecord>> {
    sql::Statement q(impl_->db,
                        "SELECT id, directory_url, contact, account_url, key_pem, status, created_at, pending_key_pem "
                        "FROM acme_accounts WHERE directory_url = ? AND contact = ?");
    q.bind(1, directory_url);
    q.bind(2, contact);
    if (!q.executeStep()) return std::optional<AccountRecord>{};
    AccountRecord a = read_account(q);
    a.key_pem = detail::readable_key(*impl_, a.key_pem, detail::account_key_ad("key_pem", a.directory_url, a.contact));
    a.pending_key_pem = detail::readable_key(
        *impl_, a.pending_key_pem, detail::account_key_ad("pending_key_pem", a.directory_url, a.contact));
    return std::optional<AccountRecord>{a};
  });
}

Result<AccountRecord> Inventory::save_account(AccountRecord account, const std::string& actor, UnixTime now,
                                              const std::string& event_kind) {
  return detail::guarded(impl_->path, [&]() -> Result<AccountRecord> {
    sql::Transaction tx(impl_->db);
    if (account.created_at == 0) account.created_at = now;
    sql::Statement q(impl_->db,
                        "INSERT INTO acme_accounts (directory_url, contact, account_url, key_pem, status, created_at, "
                        "pending_key_pem) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (directory_url, contact) DO UPDATE SET "
                        "account_url = excluded.account_url, key_pem = excluded.key_pem, status = excluded.status, "
                        "pending_key_pem = excluded.pending_key_pem");
    q.bind(1, account.directory_url);
    q.bind(2, account.contact);
    q.bind(3, account.account_url);
    q.bind(4, detail::stored_key(*impl_, account.key_pem,
                                 detail::account_key_ad("key_pem", account.directory_url, account.contact)));
    q.bind(5, account.status);
    q.bind(6, static_cast<std::int64_t>(account.created_at));
    q.bind(7, detail::stored_key(*impl_, account.pending_key_pem,
                                 detail::account_key_ad("pending_key_pem", account.directory_url, account.contact)));
    q.exec();
    sql::Statement id(impl_->db, "SELECT id FROM acme_accounts WHERE directory_url = ? AND contact = ?");
    id.bind(1, account.directory_url);
    id.bind(2, account.contact);
    id.executeStep();
    account.id = id.getColumn(0).getInt64();
    nlohmann::json detail = {{"directory_url", account.directory_url},
                             {"contact", account.contact},
                             {"account_url", account.account_url},
                             {"status", account.status}};
    detail::insert_event(impl_->db, now, std::nullopt, "", event_kind, actor, detail.dump());
    tx.commit();
    return account;
  });
}

Result<bool> Inventory::add_account_if_absent(AccountRecord account, const std::string& actor, UnixTime now,
                                              const std::string& event_kind) {
  return detail::guarded(impl_->path, [&]() -> Result<bool> {
    sql::Transaction tx(impl_->db);
    if (account.created_at == 0) account.created_at = now;
    sql::Statement q(impl_->db,
                        "INSERT INTO acme_accounts (directory_url, contact, account_url, key_pem, status, created_at, "
                        "pending_key_pem) VALUES (?, ?, ?, ?, ?, ?, '') ON CONFLICT (directory_url, contact) DO NOTHING");
    q.bind(1, account.directory_url);
    q.bind(2, account.contact);
    q.bind(3, account.account_url);
    q.bind(4, detail::stored_key(*impl_, account.key_pem,
                                 detail::account_key_ad("key_pem", account.directory_url, account.contact)));
    q.bind(5, account.status);
    q.bind(6, static_cast<std::int64_t>(account.created_at));
    if (q.exec() == 0) return false;
    nlohmann::json detail = {{"directory_url", account.directory_url},
                             {"contact", account.contact},
                             {"account_url", account.account_url},
                             {"status", account.status}};
    detail::insert_event(impl_->db, now, std::nullopt, "", event_kind, actor, detail.dump());
    tx.commit();
    return true;
  });
}

Result<std::int64_t> Inventory::open_order(const std::string& name, std::int64_t account_id,
                                           const std::string& account_url, const std::string& order_url,
                                           const std::string& key_pem, const std::string& actor, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Result<std::int64_t> {
    sql::Transaction tx(impl_->db);
    auto id = detail::certificate_id(impl_->db, name);
    if (!id) return make_error(Errc::not_found, "no such certificate", name);
    sql::Statement q(impl_->db, "INSERT INTO orders (certificate_id, account_id, account_url, order_url, key_pem, "
                                   "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
    q.bind(1, static_cast<std::int64_t>(*id));
    q.bind(2, static_cast<std::int64_t>(account_id));
    q.bind(3, account_url);
    q.bind(4, order_url);
    q.bind(5, detail::stored_key(*impl_, key_pem, detail::order_key_ad(name, order_url)));
    q.bind(6, static_cast<std::int64_t>(now));
    q.executeStep();
    const std::int64_t order_id = q.int64(0);
    q.exec();
    detail::insert_event(impl_->db, now, *id, name, event::order_opened, actor,
                         nlohmann::json{{"order_url", order_url}}.dump());
    tx.commit();
    return order_id;
  });
}

Result<std::optional<OrderRecord>> Inventory::open_order_of(const std::string& name) {
  return detail::guarded(impl_->path, [&]() -> Result<std::optional<OrderRecord>> {
    sql::Statement q(impl_->db,
                        "SELECT o.id, o.account_id, o.order_url, o.key_pem, o.status, o.created_at, o.account_url "
                        "FROM orders o "
                        "JOIN certificates c ON c.id = o.certificate_id WHERE c.name = ? AND o.status = 'open' "
                        "ORDER BY o.id DESC LIMIT 1");
    q.bind(1, name);
    if (!q.executeStep()) return std::optional<OrderRecord>{};
    OrderRecord o;
    o.id = q.getColumn(0).getInt64();
    o.certificate_name = name;
    o.account_id = q.getColumn(1).getInt64();
    o.order_url = q.getColumn(2).getString();
    o.key_pem = detail::readable_key(*impl_, q.getColumn(3).getString(), detail::order_key_ad(name, o.order_url));
    o.status = q.getColumn(4).getString();
    o.created_at = q.getColumn(5).getInt64();
    o.account_url = q.getColumn(6).getString();
    return std::optional<OrderRecord>{o};
  });
}

Status Inventory::close_order(std::int64_t order_id, const std::string& status, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Statement q(impl_->db, "UPDATE orders SET status = ?, finished_at = ? WHERE id = ?");
    q.bind(1, status);
    q.bind(2, static_cast<std::int64_t>(now));
    q.bind(3, static_cast<std::int64_t>(order_id));
    q.exec();
    return {};
  });
}

Status Inventory::abandon_order(const OrderRecord& order, const std::string& reason, const std::string& actor,
                                UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Transaction tx(impl_->db);
    sql::Statement q(impl_->db, "UPDATE orders SET status = 'failed', finished_at = ? WHERE id = ? AND status = 'open'");
    q.bind(1, static_cast<std::int64_t>(now));
    q.bind(2, static_cast<std::int64_t>(order.id));
    if (q.exec() > 0) {
      auto id = detail::certificate_id(impl_->db, order.certificate_name);
      detail::insert_event(impl_->db, now, id, order.certificate_name, event::order_abandoned, actor,
                           nlohmann::json{{"order_url", text::to_utf8(order.order_url)}, {"reason", text::to_utf8(reason)}}
                               .dump());
    }
    tx.commit();
    return {};
  });
}

}  // namespace certkeeper::store
