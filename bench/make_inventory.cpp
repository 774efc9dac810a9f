// Builds a benchmark inventory: N real X.509 certificates, of which DUE
// expire within 30 days, stored through the store like any import.
//   certkeeper-bench-inventory DB N DUE FILES_DIR
// FILES_DIR receives root.pem, ca.pem (intermediate + root), leaf.pem,
// leaf.key and extra-K.pem/.key (K = 1..20) for the timed commands.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "certkeeper/crypto/facts.h"
#include "certkeeper/store/inventory.h"
#include "synthetic_pki.h"

using namespace certkeeper;

namespace {

void write(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

store::Inventory::NewVersion version_of(const std::string& name, const bench::Issued& issued,
                                        const std::string& chain_pem) {
  auto facts = crypto::read_facts(issued.cert_pem);
  if (!facts) throw std::runtime_error(facts.error().what());
  store::Inventory::NewVersion item;
  item.definition.name = name;
  item.definition.source = "manual";
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
  v.origin = "import-pem";
  item.event_detail_json = R"({"origin":"bench"})";
  return item;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s DB N DUE FILES_DIR\n", argv[0]);
    return 2;
  }
  std::string db = argv[1], dir = argv[4];
  long n = std::atol(argv[2]), due = std::atol(argv[3]);
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

  auto inv = store::Inventory::open(db, store::OpenMode::create);
  if (!inv) {
    std::fprintf(stderr, "%s\n", inv.error().what().c_str());
    return 1;
  }
  UnixTime now = std::time(nullptr);
  const long batch = 10000;
  for (long start = 0; start < n; start += batch) {
    std::vector<store::Inventory::NewVersion> items;
    for (long i = start; i < std::min(n, start + batch); ++i) {
      // The first DUE expire within 1..29 days; the rest 60..400 days out.
      long days_left = i < due ? 1 + i % 29 : 60 + i % 340;
      auto issued = pki.leaf(fmt::format("host{}.bench.test", i), -10L * 86400, days_left * 86400L);
      items.push_back(version_of(fmt::format("cert-{:06}", i), issued, pki.intermediate_pem()));
    }
    auto stored = inv->append_versions(std::move(items), "imported", "bench", now);
    if (!stored) {
      std::fprintf(stderr, "%s\n", stored.error().what().c_str());
      return 1;
    }
  }
  return 0;
}
