// certkeeper keys new --out F (README "Private keys at rest"): a fresh
// 32-byte key file, mode 0600 whatever the umask, never overwriting a file.
#include <sys/stat.h>

#include "cli/cli_fixture.h"
#include "support/temp_dir.h"

namespace certkeeper::testing {
namespace {

class KeysCliTest : public CliTest {};

TEST_F(KeysCliTest, NewWritesA0600KeyFileOnce) {
  const std::string key = pki_.path("inventory.key");
  auto r = ck({"keys", "new", "--out", key});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(key), std::string::npos) << r.out;
  EXPECT_EQ(file_mode(key), 0600);
  const std::string bytes = read_file(key);
  ASSERT_EQ(bytes.size(), 32u);
  EXPECT_EQ(r.out.find(bytes), std::string::npos);
  r = ck({"keys", "new", "--out", key});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(key), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("never overwritten"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(key), bytes) << "keys new replaced a key file";
  const std::string other = pki_.path("other.key");
  r = ck({"--json", "keys", "new", "--out", other});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json(r)["key_file"], other);
  EXPECT_EQ(json(r)["mode"], "0600");
  EXPECT_NE(read_file(other), bytes) << "two key files with the same bytes";
  EXPECT_EQ(file_mode(db()), -1) << "keys new needs no inventory and makes none";
}

TEST_F(KeysCliTest, UsageErrors) {
  EXPECT_EQ(ck({"keys", "new"}).exit_code, 2);
  EXPECT_EQ(ck({"keys"}).exit_code, 2);
  auto r = ck({"keys", "new", "--out", pki_.path("no/such/dir/k.key")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("no/such/dir/k.key"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace certkeeper::testing
