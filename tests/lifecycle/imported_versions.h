// A fixture of the lifecycle tests about installs: an inventory (fixed
// clock at the test PKI's now) whose certificate "web" has N imported
// versions, each a fresh leaf of the test PKI with its chain.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "certkeeper/lifecycle/check.h"
#include "certkeeper/lifecycle/init.h"
#include "support/fixed_time.h"
#include "support/temp_dir.h"
#include "support/test_pki.h"

namespace certkeeper::testing {

class ImportedVersionsTest : public ::testing::Test {
 protected:
  ImportedVersionsTest() : clock_(pki_.now()) {
    ctx_.db_path = pki_.path("ck.db");
    ctx_.clock = &clock_;
    ctx_.actor = "test";
  }

  // init (external URL www.example.test, keep_versions `keep`), then
  // versions 1..n of "web"; their leaves go to leaves_.
  void import_versions(int n, std::optional<int> keep = std::nullopt) {
    ASSERT_TRUE(lifecycle::init(ctx_, {"https://www.example.test", {}, {}, {}, keep}));
    for (int i = 1; i <= n; ++i) {
      auto leaf = pki_.leaf();
      std::string p = "v" + std::to_string(i) + "-";
      crypto::Sources s;
      s.cert_file = pki_.write(p + "cert.pem", leaf.pem());
      s.key_file = pki_.write(p + "key.pem", leaf.key().pem());
      s.chain_file = pki_.write(p + "ca.pem", pem_concat({pki_.intermediate().pem(), pki_.root().pem()}));
      auto out = lifecycle::import_certificate(ctx_, {"web", s, ""});
      ASSERT_TRUE(out && out->stored);
      leaves_.push_back(leaf);
    }
  }

  TestPki pki_;
  FixedClock clock_;
  lifecycle::Context ctx_;
  TempDir dir_;
  std::vector<Cert> leaves_;
};

}  // namespace certkeeper::testing
