// Builds a benchmark inventory: N real X.509 certificates, of which DUE
// expire within 30 days, stored through the store like any import.
//   certkeeper-bench-inventory DB N DUE FILES_DIR [--scheduled] [--key-file F]
// DB is a SQLite path or a postgresql:// URI (bench/store.sh); a PostgreSQL
// inventory stores its private keys only encrypted, so it needs --key-file
// (a file from `certkeeper keys new`): the inventory is then made as
// `init --encrypt-keys` makes it (key_encryption and key_file recorded)
// before the first key is written. --key-file works on SQLite too.
// FILES_DIR receives root.pem, ca.pem (intermediate + root), leaf.pem,
// leaf.key and extra-K.pem/.key (K = 1..20) for the timed commands.
//
// --scheduled (bench/renew.sh): the inventory a scheduler has already been
// through. Every second certificate is an ACME definition (http-01 webroot,
// its version issued like an import), the others manual; every certificate
// has its next_check stored (Inventory::set_schedule's UPDATE): the DUE ones
// an hour ago (due now), the rest in the future where the scheduler itself
// would put them (ACME: a third of the lifetime before expiry; manual: the
// start of the warning window), so `renew` finds exactly DUE due.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <sqlite3.h>

#include "certkeeper/crypto/facts.h"
#include "certkeeper/store/inventory.h"
#include "certkeeper/util/expiry.h"
#include "synthetic_pki.h"

using namespace certkeeper;

namespace {

void write(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

store::Inventory::NewVersion version_of(const std::string& name, const bench::Issued& issued,
                                        const std::string& chain_pem, bool acme, const std::string& host) {
  auto facts = crypto::read_facts(issued.cert_pem);
  if (!facts) throw std::runtime_error(facts.error().what());
  store::Inventory::NewVersion item;
  item.definition.name = name;
  item.definition.source = "manual";
  if (acme) {
    item.definition.source = "acme";
    item.definition.domains = {host};
    item.definition.challenge = "http-01";
    item.definition.challenge_config = R"({"webroot":"/var/www/html"})";
    item.definition.key_type = "ec-p256";
  }
  auto& v = item.version;
  v.leaf_pem = issued.cert_pem;
  v.chain_pem = chain_pem;
  v.key_pem = issued.key_pem;
  v.fingerprint_sha256 = facts->fingerprint_sha256;
  v.serial = facts->serial_hex;
  v.subject = facts->subject;
  v.issuer = facts->issuer;
  v.issuer_cn = facts->issuer_cn;
  v.names = facts->names();
  v.key_type = facts->key_type;
  v.not_before = facts->not_before;
  v.not_after = facts->not_after;
  v.origin = acme ? "acme" : "import-pem";
  item.event_detail_json = R"({"origin":"bench"})";
  return item;
}

// Stores next_check for each (name, time) in one transaction, on a second
// connection (the Inventory's is idle between calls; WAL allows this).
bool set_schedules(const std::string& db, const std::vector<std::pair<std::string, UnixTime>>& rows) {
  sqlite3* h = nullptr;
  auto fail = [&](const char* what) {
    std::fprintf(stderr, "%s: %s\n", what, h ? sqlite3_errmsg(h) : "out of memory");
    sqlite3_close(h);
    return false;
  };
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) return fail("open");
  sqlite3_busy_timeout(h, 5000);
  if (sqlite3_exec(h, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("begin");
  sqlite3_stmt* q = nullptr;
  if (sqlite3_prepare_v2(h, "UPDATE certificates SET next_check = ?, ari_start = NULL, ari_end = NULL, "
                            "ari_next_fetch = NULL WHERE name = ?", -1, &q, nullptr) != SQLITE_OK) {
    return fail("prepare");
  }
  for (const auto& [name, at] : rows) {
    sqlite3_bind_int64(q, 1, at);
    sqlite3_bind_text(q, 2, name.c_str(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(q) != SQLITE_DONE || sqlite3_changes(h) != 1) {
      sqlite3_finalize(q);
      return fail(name.c_str());
    }
    sqlite3_reset(q);
  }
  sqlite3_finalize(q);
  if (sqlite3_exec(h, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("commit");
  sqlite3_close(h);
  return true;
}

// The PostgreSQL variant of set_schedules: Inventory::set_schedule per row
// (each its own transaction; bench/store.sh connects the builder with
// synchronous_commit off so that 100,000 commits do not wait for the disk).
bool set_schedules_through_store(store::Inventory& inv, const std::vector<std::pair<std::string, UnixTime>>& rows) {
  for (const auto& [name, at] : rows) {
    if (auto ok = inv.set_schedule(name, {at, std::nullopt, std::nullopt, std::nullopt}); !ok) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), ok.error().what().c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  bool scheduled = false;
  std::string key_file;
  std::vector<std::string> positional;
  for (int a = 1; a < argc; ++a) {
    std::string arg = argv[a];
    if (arg == "--scheduled") {
      scheduled = true;
    } else if (arg == "--key-file" && a + 1 < argc) {
      key_file = argv[++a];
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() != 4) {
    std::fprintf(stderr, "usage: %s DB N DUE FILES_DIR [--scheduled] [--key-file F]\n", argv[0]);
    return 2;
  }
  const bool postgresql = positional[0].rfind("postgresql://", 0) == 0 || positional[0].rfind("postgres://", 0) == 0;
  if (postgresql && key_file.empty()) {
    std::fprintf(stderr, "a PostgreSQL inventory stores its keys only encrypted: give --key-file F\n");
    return 2;
  }
  std::string db = positional[0], dir = positional[3];
  long n = std::atol(positional[1].c_str()), due = std::atol(positional[2].c_str());
  bench::SyntheticPki pki;
  write(dir + "/root.pem", pki.root_pem());
  write(dir + "/ca.pem", pki.intermediate_pem() + pki.root_pem());
  auto one = pki.leaf("check.bench.test", -10L * 86400, 80L * 86400);
  write(dir + "/leaf.pem", one.cert_pem);
  write(dir + "/leaf.key", one.key_pem);
  for (int k = 1; k <= 20; ++k) {
    auto extra = pki.leaf(fmt::format("extra{}.bench.test", k), -10L * 86400, 80L * 86400);
    write(fmt::format("{}/extra-{}.pem", dir, k), extra.cert_pem);
    write(fmt::format("{}/extra-{}.key", dir, k), extra.key_pem);
  }

  auto inv = store::Inventory::open(db, store::OpenMode::create, key_file);
  if (!inv) {
    std::fprintf(stderr, "%s\n", inv.error().what().c_str());
    return 1;
  }
  UnixTime now = std::time(nullptr);
  if (!key_file.empty()) {
    // As `init --encrypt-keys`: the settings first, every key sealed after.
    if (auto converted = inv->encrypt_keys("bench", now); !converted) {
      std::fprintf(stderr, "%s\n", converted.error().what().c_str());
      return 1;
    }
  }
  const long batch = 10000;
  for (long start = 0; start < n; start += batch) {
    std::vector<store::Inventory::NewVersion> items;
    for (long i = start; i < std::min(n, start + batch); ++i) {
      // The first DUE expire within 1..29 days; the rest 60..400 days out.
      long days_left = i < due ? 1 + i % 29 : 60 + i % 340;
      auto host = fmt::format("host{}.bench.test", i);
      auto issued = pki.leaf(host, -10L * 86400, days_left * 86400L);
      items.push_back(version_of(fmt::format("cert-{:06}", i), issued, pki.intermediate_pem(),
                                 scheduled && i % 2 == 0, host));
    }
    std::vector<std::pair<std::string, UnixTime>> plan;
    for (const auto& item : items) {
      const auto& v = item.version;
      UnixTime at = item.definition.source == "acme" ? v.not_after - (v.not_after - v.not_before) / 3
                                                     : v.not_after - expiry_warning_window(v.not_before, v.not_after);
      plan.emplace_back(item.definition.name, at);
    }
    auto stored = inv->append_versions(std::move(items), scheduled ? "issued" : "imported", "bench", now);
    if (!stored) {
      std::fprintf(stderr, "%s\n", stored.error().what().c_str());
      return 1;
    }
    if (!scheduled) continue;
    // The same UPDATE as Inventory::set_schedule, but one transaction per
    // batch: set_schedule commits each call on its own (synchronous = FULL,
    // about 4 ms per fsync here), which would take 7 minutes for 100,000.
    std::vector<std::pair<std::string, UnixTime>> rows;
    for (std::size_t k = 0; k < plan.size(); ++k) {
      long i = start + static_cast<long>(k);
      UnixTime at = i < due ? now - 3600 : plan[k].second;
      if (i >= due && at <= now) {
        std::fprintf(stderr, "%s: planned check %lld is not in the future\n", plan[k].first.c_str(),
                     static_cast<long long>(at));
        return 1;
      }
      rows.emplace_back(plan[k].first, at);
    }
    if (!(postgresql ? set_schedules_through_store(*inv, rows) : set_schedules(db, rows))) return 1;
  }
  // The last one again through the store's own API, and the due list as
  // `renew` will see it, so that a change of the store's contract shows here.
  if (scheduled && n > 0) {
    auto name = fmt::format("cert-{:06}", n - 1);
    auto c = inv->find_certificate(name);
    if (!c || !*c || !(*c)->next_check) {
      std::fprintf(stderr, "%s: no next_check after the bulk schedule\n", name.c_str());
      return 1;
    }
    if (auto ok = inv->set_schedule(name, {(*c)->next_check, std::nullopt, std::nullopt, std::nullopt}); !ok) {
      std::fprintf(stderr, "%s\n", ok.error().what().c_str());
      return 1;
    }
    auto due_now = inv->due_certificates(now);
    if (!due_now || static_cast<long>(due_now->size()) != std::min(n, due)) {
      std::fprintf(stderr, "due_certificates: %s\n",
                   due_now ? fmt::format("{} due, expected {}", due_now->size(), std::min(n, due)).c_str()
                           : due_now.error().what().c_str());
      return 1;
    }
  }
  return 0;
}
