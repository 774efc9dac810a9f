// --preferred-chain against pebble's alternate roots (Link rel="alternate").
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certkeeper/lifecycle/acme_ops.h"
#include "certkeeper/lifecycle/init.h"
#include "certkeeper/store/inventory.h"
#include "support/pebble.h"
#include "support/temp_dir.h"

namespace certkeeper::lifecycle {
namespace {

using namespace certkeeper::testing;

std::string subject_cn(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!x) return {};
  char buf[256] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, buf, sizeof buf);
  X509_free(x);
  return buf;
}

TEST(PreferredChain, PicksTheAlternateChainByItsRoot) {
  PebbleOptions options;
  options.alternate_roots = 1;
  Pebble pebble(options);
  TempDir dir;
  std::string root0 = pebble.issuing_root_pem(0), root1 = pebble.issuing_root_pem(1);
  std::string trust = dir.file("trust.pem");
  write_file(trust, read_file(pebble.ca_file()) + root0 + root1);
  SystemClock clock;
  Context ctx{dir.file("ck.db"), &clock, "test"};
  ASSERT_TRUE(init(ctx, {std::nullopt, pebble.directory_url(), trust, std::nullopt, {}}));

  for (const auto& [name, root] : {std::pair{"first", root0}, std::pair{"second", root1}}) {
    AddRequest add;
    add.name = name;
    add.domains = {std::string(name) + ".example.test"};
    add.listen = "127.0.0.1:" + std::to_string(pebble.http01_port());
    add.preferred_chain = subject_cn(root);
    ASSERT_TRUE(add_certificate(ctx, add));
    auto out = issue(ctx, {name}, 1);
    ASSERT_FALSE(out[0].error) << out[0].error->what();
    auto inv = store::Inventory::open(ctx.db_path, store::OpenMode::existing);
    auto v = inv->version_with_key(name, 1);
    ASSERT_TRUE(v);
    EXPECT_EQ(subject_cn(v->root_pem), subject_cn(root)) << name << " asked for " << add.preferred_chain;
  }
}

}  // namespace
}  // namespace certkeeper::lifecycle
