// Private keys encrypted at rest (README "Private keys at rest"): init
// --encrypt-keys converts an inventory in one transaction and scrubs the
// file (no "PRIVATE KEY" left in its bytes); every key written afterwards is
// encrypted; what needs no key works without the key file; a missing,
// loose or wrong key file is exit 1 naming it and changes nothing; keys
// rotate re-encrypts under a new file, after which only that one works; a
// conversion killed before its commit leaves the old state.
#include <sys/stat.h>

#include <cstdio>

#include "cli/cli_fixture.h"
#include "support/program.h"

namespace certkeeper::testing {
namespace {

class KeysAtRestTest : public CliTest {
 protected:
  std::string key_file(const std::string& name = "inventory.key") {
    const std::string path = pki_.path(name);
    auto r = run_certkeeper({"keys", "new", "--out", path});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return path;
  }

  void import_web(const std::string& name = "web", const std::map<std::string, std::string>& env = {}) {
    const Files f = write_set(pki_.leaf(), name);
    auto r = run_certkeeper({"--db", db(), "import", name, "--cert", f.cert, "--key", f.key, "--chain", f.chain}, env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  nlohmann::json check() {
    auto r = ck({"--json", "db", "check"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json(r)["private_keys"];
  }

  // The inventory's bytes after a WAL checkpoint by another program.
  std::string checkpointed_bytes() {
    auto sqlite3 = which("sqlite3");
    EXPECT_TRUE(sqlite3);
    auto r = run_program({*sqlite3, db(), "PRAGMA wal_checkpoint(TRUNCATE);"}, pki_.path(""));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return read_file(db()) + read_file(db() + "-wal");
  }

  std::vector<std::string> global_events() {
    auto sqlite3 = which("sqlite3");
    auto r = run_program({*sqlite3, db(), "SELECT kind FROM events WHERE certificate_id IS NULL ORDER BY id;"},
                         pki_.path(""));
    std::vector<std::string> kinds;
    std::size_t start = 0;
    while (start < r.out.size()) {
      std::size_t end = r.out.find('\n', start);
      if (end == std::string::npos) end = r.out.size();
      if (end > start) kinds.push_back(r.out.substr(start, end - start));
      start = end + 1;
    }
    return kinds;
  }

  // export --include-key, and the key it wrote.
  ProcessResult export_key(const std::string& out_dir, std::vector<std::string> globals = {}) {
    std::vector<std::string> args = {"--db", db()};
    args.insert(args.end(), globals.begin(), globals.end());
    for (const char* a : {"export", "web", "--format", "pem", "--include-key", "--out"}) args.push_back(a);
    args.push_back(pki_.path(out_dir));
    return run_certkeeper(args);
  }
};

TEST_F(KeysAtRestTest, AnExistingInventoryIsConvertedAndScrubbed) {
  init();
  import_web();
  ASSERT_NE(checkpointed_bytes().find("PRIVATE KEY"), std::string::npos) << "the test needs a plaintext key first";
  EXPECT_EQ(check()["encryption"], "plaintext");
  const std::string key = key_file();
  auto r = ck({"--key-file", key, "--json", "init", "--encrypt-keys"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json(r)["keys_encrypted"], 1);
  EXPECT_EQ(json(r)["settings"]["key_encryption"], "aes-256-gcm");
  EXPECT_EQ(json(r)["settings"]["key_file"], key);
  const auto keys = check();
  EXPECT_EQ(keys["encryption"], "encrypted");
  EXPECT_EQ(keys["plaintext"], 0);
  EXPECT_EQ(keys["encrypted"], 1);
  EXPECT_EQ(checkpointed_bytes().find("PRIVATE KEY"), std::string::npos) << "plaintext left in the file";
  EXPECT_EQ(global_events().back(), "keys-encrypted");

  // The key is the same one: export reads it through the recorded key file.
  r = export_key("out");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(pki_.path("out/privkey.pem")), read_file(pki_.path("webkey.pem")));

  // Every key written from now on is encrypted.
  import_web("mail");
  EXPECT_EQ(check()["encrypted"], 2);
  EXPECT_EQ(check()["plaintext"], 0);
  EXPECT_EQ(checkpointed_bytes().find("PRIVATE KEY"), std::string::npos);
}

TEST_F(KeysAtRestTest, CommandsThatNeedNoKeyWorkWithoutTheKeyFile) {
  init();
  import_web();
  const std::string key = key_file();
  ASSERT_EQ(ck({"--key-file", key, "init", "--encrypt-keys"}).exit_code, 0);
  ASSERT_EQ(::rename(key.c_str(), (key + ".away").c_str()), 0);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"list"}, {"show", "web"}, {"history", "web"}, {"report"}, {"db", "check"}, {"--json", "report"}}) {
    auto r = ck(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
  }
  const std::string before = db_snapshot();
  auto r = export_key("out");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(key), std::string::npos) << r.err;
  EXPECT_EQ(read_file(pki_.path("out/privkey.pem")), "");
  // Importing needs the key too (to encrypt the new one): refused, nothing stored.
  const Files f = write_set(pki_.leaf(), "mail");
  r = ck({"import", "mail", "--cert", f.cert, "--key", f.key, "--chain", f.chain});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(key), std::string::npos) << r.err;
  EXPECT_EQ(db_snapshot(), before) << "a failed command changed the inventory";
}

// A wrong key file never seals a new key: the right one could not open it.
TEST_F(KeysAtRestTest, AWrongKeyFileStoresNoNewKey) {
  init();
  import_web();
  const std::string key = key_file();
  const std::string other = key_file("other.key");
  ASSERT_EQ(ck({"--key-file", key, "init", "--encrypt-keys"}).exit_code, 0);
  const std::string before = checkpointed_bytes();
  const Files f = write_set(pki_.leaf(), "next-");
  auto r = ck({"--key-file", other, "import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find(other), std::string::npos) << r.err;
  EXPECT_EQ(checkpointed_bytes(), before);
  r = ck({"--key-file", key, "import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(export_key("out", {"--key-file", key}).exit_code, 0);
}

TEST_F(KeysAtRestTest, AWrongOrLooseKeyFileIsExit1NamingItAndChangesNothing) {
  init();
  import_web();
  const std::string key = key_file();
  const std::string other = key_file("other.key");
  // init --encrypt-keys with a loose key file: refused before anything.
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  std::string before = checkpointed_bytes();
  auto r = ck({"--key-file", key, "init", "--encrypt-keys"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("chmod 600 " + key), std::string::npos) << r.err;
  EXPECT_EQ(checkpointed_bytes(), before);
  EXPECT_EQ(check()["encryption"], "plaintext");
  r = ck({"--key-file", pki_.path("missing.key"), "init", "--encrypt-keys"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(pki_.path("missing.key")), std::string::npos) << r.err;
  r = ck({"init", "--encrypt-keys"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(checkpointed_bytes(), before);

  ASSERT_EQ(::chmod(key.c_str(), 0600), 0);
  ASSERT_EQ(ck({"--key-file", key, "init", "--encrypt-keys"}).exit_code, 0);
  const std::string key_bytes = read_file(key);
  // Another key file does not open the keys: exit 1 naming it, no key byte shown.
  r = export_key("out", {"--key-file", other});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(other), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(key_bytes), std::string::npos);
  r = run_certkeeper({"--db", db(), "export", "web", "--format", "pem", "--include-key", "--out", pki_.path("o2")},
                     {{"CERTKEEPER_KEY_FILE", other}});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(other), std::string::npos) << r.err;
  // Nor does converting again with it: the keys stay as they are.
  before = checkpointed_bytes();
  r = ck({"--key-file", other, "init", "--encrypt-keys"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(other), std::string::npos) << r.err;
  EXPECT_EQ(checkpointed_bytes(), before);
  // With a setting changed in the same command, the setting stays too.
  r = ck({"--key-file", other, "init", "--external-url", "https://changed.example.test/", "--encrypt-keys"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(checkpointed_bytes(), before);
  // A loose key file is refused when reading too.
  ASSERT_EQ(::chmod(key.c_str(), 0640), 0);
  r = export_key("out3");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("chmod 600 " + key), std::string::npos) << r.err;
}

TEST_F(KeysAtRestTest, ANewInventoryStoresEveryKeyEncrypted) {
  const std::string key = key_file();
  auto r = ck({"--key-file", key, "init", "--encrypt-keys", "--external-url", "https://www.example.test/"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(check()["encryption"], "none");
  import_web("web", {{"CERTKEEPER_KEY_FILE", key}});
  EXPECT_EQ(check()["encryption"], "encrypted");
  EXPECT_EQ(checkpointed_bytes().find("PRIVATE KEY"), std::string::npos);
}

TEST_F(KeysAtRestTest, RotateReencryptsAndOnlyTheNewKeyFileWorks) {
  init();
  import_web();
  const std::string key = key_file();
  const std::string next = key_file("next.key");
  auto r = ck({"keys", "rotate", "--new-key-file", next});
  EXPECT_EQ(r.exit_code, 2) << "an inventory that does not encrypt: " << r.err;
  ASSERT_EQ(ck({"--key-file", key, "init", "--encrypt-keys"}).exit_code, 0);
  r = ck({"--json", "keys", "rotate", "--new-key-file", next});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json(r)["keys"], 1);
  EXPECT_EQ(json(r)["key_file"], next);
  EXPECT_EQ(global_events().back(), "keys-rotated");
  r = export_key("old", {"--key-file", key});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(key), std::string::npos) << r.err;
  r = export_key("new");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(pki_.path("new/privkey.pem")), read_file(pki_.path("webkey.pem")));
  EXPECT_EQ(check()["encrypted"], 1);
  // A rotation with a key file that does not open them changes nothing.
  const std::string third = key_file("third.key");
  const std::string before = checkpointed_bytes();
  r = ck({"--key-file", key, "keys", "rotate", "--new-key-file", third});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(key), std::string::npos) << r.err;
  EXPECT_EQ(checkpointed_bytes(), before);
  ASSERT_EQ(::chmod(third.c_str(), 0644), 0);
  r = ck({"keys", "rotate", "--new-key-file", third});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("chmod 600 " + third), std::string::npos) << r.err;
  EXPECT_EQ(checkpointed_bytes(), before);
}

TEST_F(KeysAtRestTest, AConversionKilledBeforeItsCommitLeavesThePlaintextInventory) {
  init();
  import_web();
  const std::string key = key_file();
  auto r = run_certkeeper({"--db", db(), "--key-file", key, "init", "--encrypt-keys"},
                          {{"CERTKEEPER_CRASH_AT", "keys-sealed"}});
  EXPECT_NE(r.exit_code, 0);
  const auto keys = check();
  EXPECT_EQ(keys["encryption"], "plaintext");
  EXPECT_EQ(keys["encrypted"], 0);
  r = ck({"--json", "init"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json(r)["settings"].count("key_encryption"), 0u);
  r = export_key("out");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // And the conversion can simply be run again.
  ASSERT_EQ(ck({"--key-file", key, "init", "--encrypt-keys"}).exit_code, 0);
  EXPECT_EQ(check()["encryption"], "encrypted");
}

}  // namespace
}  // namespace certkeeper::testing
