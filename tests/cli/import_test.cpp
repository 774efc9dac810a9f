// import, check and init as whole processes: exit codes, messages, and the
// database left byte for byte as it was when input is rejected.
#include "cli/cli_fixture.h"
#include "support/program.h"

namespace certkeeper::testing {
namespace {

TEST_F(CliTest, InitCreatesAPrivateDatabase) {
  auto r = ck({"--json", "init", "--external-url", "https://www.example.test/", "--email", "ops@example.test"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = json(r);
  EXPECT_TRUE(doc["created"]);
  EXPECT_EQ(doc["settings"]["external_url"], "https://www.example.test/");
  EXPECT_EQ(doc["settings"]["acme_server"], "https://127.0.0.1:14000/dir");
  EXPECT_EQ(file_mode(db()), 0600);
  EXPECT_EQ(file_mode(pki_.path("state")), 0700);
  auto again = ck({"--json", "init"});
  ASSERT_EQ(again.exit_code, 0);
  EXPECT_FALSE(json(again)["created"]);
}

TEST_F(CliTest, InitRejectsAUrlWithoutHost) {
  auto r = ck({"init", "--external-url", "https://:443/"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--external-url"), std::string::npos) << r.err;
  EXPECT_EQ(file_mode(db()), -1) << "nothing was created";
}

TEST_F(CliTest, ImportStoresAVersionAndReportsIt) {
  init();
  auto leaf = pki_.leaf();
  auto f = write_set(leaf);
  auto r = ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("web: stored version 1"), std::string::npos) << r.out;

  auto list = ck({"--json", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto cert = json(list)["certificates"][0];
  EXPECT_EQ(cert["name"], "web");
  EXPECT_EQ(cert["fingerprint_sha256"], leaf.facts().fingerprint_sha256);
  EXPECT_EQ(cert["serial"], leaf.facts().serial_hex);
  EXPECT_EQ(cert["source"], "manual");
  EXPECT_EQ(cert["version"], 1);

  auto again = ck({"--json", "import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(json(again)["unchanged"]);
  EXPECT_FALSE(json(again)["stored"]);

  auto history = ck({"--json", "history", "web"});
  ASSERT_EQ(history.exit_code, 0);
  auto events = json(history)["events"];
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["kind"], "created");
  EXPECT_EQ(events[1]["kind"], "imported");
  EXPECT_EQ(events[1]["detail"]["files"]["key"], f.key);
  EXPECT_EQ(events[1]["actor"].get<std::string>().rfind("cli:", 0), 0u);
}

TEST_F(CliTest, ANewerCertificateBecomesVersionTwo) {
  init();
  auto first = write_set(pki_.leaf(), "a-");
  ASSERT_EQ(ck({"import", "web", "--cert", first.cert, "--key", first.key, "--chain", first.chain}).exit_code, 0);
  CertOptions later;
  later.not_after = pki_.now() + days(200);
  auto second = write_set(pki_.leaf(later), "b-");
  auto r = ck({"--json", "import", "web", "--cert", second.cert, "--key", second.key, "--chain", second.chain});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json(r)["version"], 2);
  auto show = json(ck({"--json", "show", "web"}));
  EXPECT_EQ(show["current"]["version"], 2);
  EXPECT_EQ(show["versions"], 2);
}

TEST_F(CliTest, RejectedImportChangesNothing) {
  init();
  auto good = write_set(pki_.leaf(), "good-");
  ASSERT_EQ(ck({"import", "web", "--cert", good.cert, "--key", good.key, "--chain", good.chain}).exit_code, 0);
  std::string before = db_snapshot();

  auto other_key = pki_.write("other.key", Key::generate(KeyType::ec_p256).pem());
  auto r = ck({"import", "web", "--cert", good.cert, "--key", other_key, "--chain", good.chain});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("key-mismatch"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(other_key), std::string::npos) << "the message names the file: " << r.err;
  EXPECT_NE(r.err.find("web: import rejected (1 error); fix the files named above, nothing was changed"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(db_snapshot(), before);

  auto json_run = ck({"--json", "import", "new-name", "--cert", good.cert, "--key", other_key});
  EXPECT_EQ(json_run.exit_code, 3);
  auto doc = json(json_run);
  EXPECT_FALSE(doc["ok"]);
  EXPECT_FALSE(doc["stored"]);
  EXPECT_EQ(doc["findings"][0]["code"], "key-mismatch");
  EXPECT_EQ(db_snapshot(), before) << "a rejected new name leaves no definition behind";
}

TEST_F(CliTest, ImportChecksTheExternalUrl) {
  init("https://mail.example.test:8443/owa");
  auto f = write_set(pki_.leaf());  // covers www.example.test only
  std::string before = db_snapshot();
  auto r = ck({"import", "mail", "--cert", f.cert, "--key", f.key, "--chain", f.chain});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("name-mismatch"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("mail.example.test"), std::string::npos) << r.err;
  EXPECT_EQ(db_snapshot(), before);
}

TEST_F(CliTest, ImportNeedsAnInventory) {
  auto f = write_set(pki_.leaf());
  auto r = ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("certkeeper init"), std::string::npos) << r.err;
  EXPECT_EQ(file_mode(db()), -1);
}

TEST_F(CliTest, ImportOfPkcs12AndDer) {
  init();
  auto leaf = pki_.leaf();
  auto p12 = pki_.write("web.p12", pkcs12(leaf, {pki_.intermediate(), pki_.root()}, "s3cret", P12Style::legacy));
  auto pw = pki_.write("pw.txt", "s3cret\n");
  auto r = ck({"--json", "import", "p12", "--p12", p12, "--password-file", pw});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(json(r)["origin"], "import-p12");

  auto wrong = pki_.write("wrong.txt", "nope\n");
  auto bad = ck({"import", "p12", "--p12", p12, "--password-file", wrong});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("p12-bad-password"), std::string::npos) << bad.err;

  auto der_cert = pki_.write("web.der", leaf.der());
  auto der_key = pki_.write("web.key.der", leaf.key().der());
  auto chain = pki_.write("ca.pem", pem_concat({pki_.intermediate().pem(), pki_.root().pem()}));
  auto d = ck({"import", "der", "--cert", der_cert, "--key", der_key, "--chain", chain});
  EXPECT_EQ(d.exit_code, 0) << d.err;
}

// A PKCS#12 file without its key: the hint is one the user can follow
// (--key is refused beside --p12), and following it, with the real openssl,
// gives a file that imports.
TEST_F(CliTest, APkcs12FileWithoutItsKeyGetsAHintThatWorks) {
  init();
  auto leaf = pki_.leaf();
  auto p12 = pki_.write("nokey.p12", pkcs12_without_key(leaf, {pki_.intermediate(), pki_.root()}, ""));
  const std::string before = db_snapshot();
  auto r = ck({"import", "web", "--p12", p12});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("key-missing: " + p12), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("give the key with --key"), std::string::npos) << r.err;
  EXPECT_EQ(db_snapshot(), before);
  EXPECT_EQ(ck({"import", "web", "--p12", p12, "--key", pki_.write("k.pem", leaf.key().pem())}).exit_code, 2)
      << "--key is indeed refused beside --p12";

  const auto start = r.err.find("'openssl pkcs12");
  ASSERT_NE(start, std::string::npos) << r.err;
  auto openssl = which("openssl");
  ASSERT_TRUE(openssl);
  const Files f = write_set(leaf);
  const std::string fixed = pki_.path("fixed.p12");
  auto exported = run_program({*openssl, "pkcs12", "-export", "-in", f.cert, "-inkey", f.key, "-certfile", f.chain,
                               "-out", fixed, "-passout", "pass:"},
                              pki_.path(""));
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto again = ck({"import", "web", "--p12", fixed});
  EXPECT_EQ(again.exit_code, 0) << again.err;
}

TEST_F(CliTest, BadNamesAndMissingOptionsAreUsageErrors) {
  init();
  auto f = write_set(pki_.leaf());
  EXPECT_EQ(ck({"import", "../etc", "--cert", f.cert, "--key", f.key}).exit_code, 2);
  EXPECT_EQ(ck({"import", "web"}).exit_code, 2);
  EXPECT_EQ(ck({"check"}).exit_code, 2);
  EXPECT_EQ(ck({"check", "--cert", f.cert, "--p12", f.cert}).exit_code, 2);
  EXPECT_EQ(ck({"frobnicate"}).exit_code, 2);
  auto r = ck({"report", "--format", "yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.err.empty());
}

TEST_F(CliTest, CheckChangesNothingAndUsesTheHost) {
  init();
  std::string before = db_snapshot();
  auto f = write_set(pki_.leaf());
  auto ok = ck({"--json", "check", "--cert", f.cert, "--key", f.key, "--chain", f.chain});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  auto doc = json(ok);
  EXPECT_TRUE(doc["accepted"]);
  EXPECT_EQ(doc["names_checked"][0], "www.example.test");
  EXPECT_EQ(doc["names_from"], "external_url setting");
  auto other = ck({"check", "--cert", f.cert, "--key", f.key, "--chain", f.chain, "--host", "imap.example.test"});
  EXPECT_EQ(other.exit_code, 3);
  EXPECT_NE(other.err.find("name-mismatch"), std::string::npos) << other.err;
  EXPECT_EQ(db_snapshot(), before);
}

TEST_F(CliTest, AFifoIsRefusedWithoutHanging) {
  auto fifo = pki_.make_fifo("cert.pem");
  auto r = ck({"check", "--cert", fifo});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("unreadable"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(fifo), std::string::npos) << r.err;
}

TEST_F(CliTest, ADamagedDatabaseIsAnErrorThatChangesNothing) {
  std::string garbage(4096, '\x7f');
  pki_.make_dir("state");
  write_file(db(), garbage);
  for (auto args : std::vector<std::vector<std::string>>{{"list"}, {"report"}, {"init"}, {"show", "x"}}) {
    auto r = ck(args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find(db()), std::string::npos) << r.err;
  }
  auto f = write_set(pki_.leaf());
  EXPECT_EQ(ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 1);
  EXPECT_EQ(read_file(db()), garbage);
}

}  // namespace
}  // namespace certkeeper::testing
