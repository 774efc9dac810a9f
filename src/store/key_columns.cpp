// Inventory: private keys encrypted at rest. Every column that holds a
// private key goes through stored_key / readable_key; init --encrypt-keys
// and keys rotate rewrite them all in one transaction, then scrub the file.
#include <openssl/crypto.h>

#include <filesystem>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "certkeeper/store/inventory_check.h"
#include "certkeeper/util/crash_point.h"
#include "impl.h"

namespace certkeeper::store {
namespace {

constexpr char kKeyEncryptionSetting[] = "key_encryption";
constexpr char kKeyFileSetting[] = "key_file";
constexpr char kAesGcm[] = "aes-256-gcm";

static_assert(std::string_view(kEncryptedKeyPrefix) == crypto::kSealedPrefix);

void wipe(std::string& secret) {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

std::optional<std::string> setting_of(sql::Database& db, const char* key) {
  sql::Statement q(db, "SELECT value FROM settings WHERE key = ?");
  q.bind(1, key);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

// The key file to use: the caller's, else the setting.
std::string key_file_of(Inventory::Impl& impl) {
  if (!impl.key_file.empty()) return impl.key_file;
  return setting_of(impl.db, kKeyFileSetting).value_or("");
}

Error not_opened(const std::string& key_file) {
  return make_error(Errc::crypto,
                    "does not open the private keys of this inventory (the key file is not the one they were "
                    "encrypted with, or a stored key was changed); give the right key file with --key-file F",
                    key_file);
}

// Whether `key` opens the first sealed certificate key of the inventory
// (true when none is stored yet).
bool opens_a_stored_key(sql::Database& db, const crypto::WrapKey& key) {
  sql::Statement q(db, fmt::format("SELECT c.name, v.version, v.key_pem FROM cert_versions v "
                                   "JOIN certificates c ON c.id = v.certificate_id "
                                   "WHERE substr(v.key_pem, 1, {}) = ? ORDER BY v.id LIMIT 1",
                                   crypto::kSealedPrefix.size()));
  q.bind(1, std::string(crypto::kSealedPrefix));
  if (!q.executeStep()) return true;
  std::string sealed = q.getColumn(2).getString();
  auto opened = crypto::open_sealed(key, sealed, detail::version_key_ad(q.getColumn(0).getString(),
                                                                         q.getColumn(1).getInt()));
  if (!opened) return false;
  wipe(*opened);
  return true;
}

const crypto::WrapKey& need_key(Inventory::Impl& impl) {
  const std::string file = key_file_of(impl);
  if (impl.key && impl.loaded_from == file) return *impl.key;
  if (file.empty()) {
    throw detail::KeyFailure{make_error(Errc::not_found,
                                        "stores its private keys encrypted and no key file is known; give it with "
                                        "--key-file F (or CERTKEEPER_KEY_FILE)",
                                        impl.path)};
  }
  auto key = crypto::read_key_file(file);
  if (!key) throw detail::KeyFailure{std::move(key).error()};
  // A key file that does not open the keys already stored is the wrong
  // one: refused before it seals a key that the right one could not open.
  if (!opens_a_stored_key(impl.db, *key)) throw detail::KeyFailure{not_opened(file)};
  impl.key = std::move(*key);
  impl.loaded_from = file;
  return *impl.key;
}

// One stored private key: where it is, what binds it, and its value.
struct KeyCell {
  const char* table;
  const char* column;
  std::int64_t id = 0;
  std::string ad;
  std::string value;
};

std::vector<KeyCell> key_cells(sql::Database& db) {
  std::vector<KeyCell> cells;
  {
    sql::Statement q(db, "SELECT v.id, c.name, v.version, v.key_pem FROM cert_versions v "
                            "JOIN certificates c ON c.id = v.certificate_id WHERE v.key_pem <> '' ORDER BY v.id");
    while (q.executeStep()) {
      cells.push_back({"cert_versions", "key_pem", q.getColumn(0).getInt64(),
                       detail::version_key_ad(q.getColumn(1).getString(), q.getColumn(2).getInt()),
                       q.getColumn(3).getString()});
    }
  }
  {
    sql::Statement q(db, "SELECT id, directory_url, contact, key_pem, pending_key_pem FROM acme_accounts ORDER BY id");
    while (q.executeStep()) {
      const std::string url = q.getColumn(1).getString();
      const std::string contact = q.getColumn(2).getString();
      if (std::string v = q.getColumn(3).getString(); !v.empty()) {
        cells.push_back({"acme_accounts", "key_pem", q.getColumn(0).getInt64(),
                         detail::account_key_ad("key_pem", url, contact), std::move(v)});
      }
      if (std::string v = q.getColumn(4).getString(); !v.empty()) {
        cells.push_back({"acme_accounts", "pending_key_pem", q.getColumn(0).getInt64(),
                         detail::account_key_ad("pending_key_pem", url, contact), std::move(v)});
      }
    }
  }
  {
    sql::Statement q(db, "SELECT o.id, c.name, o.order_url, o.key_pem FROM orders o "
                            "JOIN certificates c ON c.id = o.certificate_id WHERE o.key_pem <> '' ORDER BY o.id");
    while (q.executeStep()) {
      cells.push_back({"orders", "key_pem", q.getColumn(0).getInt64(),
                       detail::order_key_ad(q.getColumn(1).getString(), q.getColumn(2).getString()),
                       q.getColumn(3).getString()});
    }
  }
  return cells;
}

void update_cell(sql::Database& db, const KeyCell& cell, const std::string& value) {
  sql::Statement q(db, fmt::format("UPDATE {} SET {} = ? WHERE id = ?", cell.table, cell.column));
  q.bind(1, value);
  q.bind(2, cell.id);
  q.exec();
}

std::string seal_or_throw(const crypto::WrapKey& key, const std::string& pem, const std::string& ad) {
  auto sealed = crypto::seal(key, pem, ad);
  if (!sealed) throw detail::KeyFailure{std::move(sealed).error()};
  return std::move(*sealed);
}

// After the conversion committed: the old plaintext must leave the file.
// secure_delete (on for this connection) zeroed what the updates freed;
// VACUUM rebuilds the file from the live rows; the checkpoints move the
// WAL into it and cut the WAL to nothing.
// PostgreSQL never held a plaintext key (stored_key refuses to write one),
// so it has nothing to scrub.
Status scrub(Inventory::Impl& impl) {
  if (!impl.is_sqlite()) return {};
  return detail::guarded(impl.path, [&]() -> Status {
    impl.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    impl.db.exec("VACUUM");
    sql::Statement q(impl.db, "PRAGMA wal_checkpoint(TRUNCATE)");
    q.executeStep();
    if (q.getColumn(0).getInt() != 0) {
      return make_error(Errc::database,
                        "the keys are encrypted, but another process kept the old pages from being scrubbed; run "
                        "the command again when no other certkeeper uses the inventory",
                        impl.path);
    }
    return {};
  });
}

std::string absolute(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

}  // namespace

namespace detail {

std::string version_key_ad(const std::string& certificate_name, int version) {
  return fmt::format("certkeeper cert_versions.key_pem\ncertificate {}\nversion {}", certificate_name, version);
}

std::string account_key_ad(const char* column, const std::string& directory_url, const std::string& contact) {
  return fmt::format("certkeeper acme_accounts.{}\ndirectory {}\ncontact {}", column, directory_url, contact);
}

std::string order_key_ad(const std::string& certificate_name, const std::string& order_url) {
  return fmt::format("certkeeper orders.key_pem\ncertificate {}\norder {}", certificate_name, order_url);
}

bool keys_encrypted(sql::Database& db) { return setting_of(db, kKeyEncryptionSetting).value_or("") == kAesGcm; }

std::string stored_key(Inventory::Impl& impl, const std::string& pem, const std::string& ad) {
  if (pem.empty()) return pem;
  if (!keys_encrypted(impl.db)) {
    if (impl.is_sqlite()) return pem;
    // A shared database is read by its administrators and its backups: a
    // plaintext private key is never written to one (issue 11).
    throw KeyFailure{make_error(Errc::usage,
                                "stores private keys only encrypted, and this inventory was made without a key "
                                "file; run 'certkeeper --db URI --key-file F init --encrypt-keys' (make F with "
                                "'certkeeper keys new --out F'); nothing was written",
                                impl.path)};
  }
  return seal_or_throw(need_key(impl), pem, ad);
}

std::string readable_key(Inventory::Impl& impl, const std::string& stored, const std::string& ad) {
  if (!crypto::is_sealed(stored)) return stored;
  const crypto::WrapKey& key = need_key(impl);
  auto opened = crypto::open_sealed(key, stored, ad);
  if (!opened) throw KeyFailure{not_opened(impl.loaded_from)};
  return std::move(*opened);
}

}  // namespace detail

void Inventory::use_key_file(const std::string& path) {
  impl_->key_file = path;
  impl_->key.reset();
  impl_->loaded_from.clear();
}

Result<bool> Inventory::keys_encrypted() {
  return detail::guarded(impl_->path, [&]() -> Result<bool> { return detail::keys_encrypted(impl_->db); });
}

Result<Inventory::KeyConversion> Inventory::encrypt_keys(const std::string& actor, UnixTime now) {
  if (impl_->key_file.empty()) {
    return make_error(Errc::usage, "encrypting the private keys needs a key file: give --key-file F (make one with "
                                   "'certkeeper keys new --out F')");
  }
  auto converted = detail::guarded(impl_->path, [&]() -> Result<KeyConversion> {
    if (impl_->is_sqlite()) impl_->db.exec("PRAGMA secure_delete = ON");
    sql::Transaction tx(impl_->db);
    const crypto::WrapKey& key = need_key(*impl_);
    KeyConversion out;
    out.key_file = absolute(impl_->key_file);
    for (auto& cell : key_cells(impl_->db)) {
      if (crypto::is_sealed(cell.value)) {
        // Already encrypted: only under this key (one key per inventory).
        auto opened = crypto::open_sealed(key, cell.value, cell.ad);
        if (!opened) throw detail::KeyFailure{not_opened(impl_->key_file)};
        wipe(*opened);
        continue;
      }
      update_cell(impl_->db, cell, seal_or_throw(key, cell.value, cell.ad));
      wipe(cell.value);
      ++out.keys;
    }
    const bool was = detail::keys_encrypted(impl_->db);
    const std::string previous_file = setting_of(impl_->db, kKeyFileSetting).value_or("");
    detail::put_setting(impl_->db, kKeyEncryptionSetting, kAesGcm);
    detail::put_setting(impl_->db, kKeyFileSetting, out.key_file);
    if (!was || out.keys > 0 || previous_file != out.key_file) {
      detail::insert_event(impl_->db, now, std::nullopt, "", event::keys_encrypted, actor,
                           nlohmann::json{{"keys", out.keys}, {"key_file", out.key_file}}.dump());
    }
    crash_point("keys-sealed");
    tx.commit();
    return out;
  });
  if (!converted) return converted;
  if (auto scrubbed = scrub(*impl_); !scrubbed) return std::move(scrubbed).error();
  return converted;
}

Result<Inventory::KeyConversion> Inventory::rotate_keys(const std::string& new_key_file, const std::string& actor,
                                                        UnixTime now) {
  auto new_key = crypto::read_key_file(new_key_file);
  if (!new_key) return std::move(new_key).error();
  auto rotated = detail::guarded(impl_->path, [&]() -> Result<KeyConversion> {
    if (impl_->is_sqlite()) impl_->db.exec("PRAGMA secure_delete = ON");
    sql::Transaction tx(impl_->db);
    if (!detail::keys_encrypted(impl_->db)) {
      return make_error(Errc::usage,
                        "does not encrypt its private keys; encrypt them first with 'certkeeper --key-file F init "
                        "--encrypt-keys'",
                        impl_->path);
    }
    const crypto::WrapKey& old_key = need_key(*impl_);
    const std::string old_file = impl_->loaded_from;
    KeyConversion out;
    out.key_file = absolute(new_key_file);
    for (auto& cell : key_cells(impl_->db)) {
      std::string pem;
      if (crypto::is_sealed(cell.value)) {
        auto opened = crypto::open_sealed(old_key, cell.value, cell.ad);
        if (!opened) throw detail::KeyFailure{not_opened(old_file)};
        pem = std::move(*opened);
      } else {
        pem = std::move(cell.value);
      }
      update_cell(impl_->db, cell, seal_or_throw(*new_key, pem, cell.ad));
      wipe(pem);
      ++out.keys;
    }
    detail::put_setting(impl_->db, kKeyFileSetting, out.key_file);
    detail::insert_event(impl_->db, now, std::nullopt, "", event::keys_rotated, actor,
                         nlohmann::json{{"keys", out.keys}, {"key_file", out.key_file},
                                        {"previous_key_file", absolute(old_file)}}
                             .dump());
    crash_point("keys-rewrapped");
    tx.commit();
    return out;
  });
  if (!rotated) return rotated;
  // From now on only the new key opens them.
  use_key_file(new_key_file);
  if (auto scrubbed = scrub(*impl_); !scrubbed) return std::move(scrubbed).error();
  return rotated;
}

}  // namespace certkeeper::store
