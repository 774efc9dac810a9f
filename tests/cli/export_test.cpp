// export as a whole process: PEM files and PKCS#12 (modern and legacy) that
// import again with the same fingerprint, checked with the openssl command
// line too; the key only ever in a 0600 file; nothing overwritten without
// --force; a watched endpoint has no key to give.
#include <filesystem>

#include "cli/cli_fixture.h"
#include "support/program.h"
#include "support/temp_dir.h"
#include "support/tls_endpoint.h"

namespace certkeeper::testing {
namespace {

constexpr const char* kPassword = "Appliance-Passw0rd";

class ExportTest : public CliTest {
 protected:
  void SetUp() override {
    init();
    files_ = write_set(leaf_);
    auto r = ck({"import", "web", "--cert", files_.cert, "--key", files_.key, "--chain", files_.chain});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    root_ = pki_.write("root.pem", pki_.root().pem());
    password_ = pki_.write("p12-password.txt", std::string(kPassword) + "\n");
  }

  // openssl ARGS... (argv, no shell), in the test's folder.
  ProgramResult openssl(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {*which("openssl")};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv, pki_.path(""));
  }

  // "sha256 Fingerprint=AB:CD:..." of a PEM file, as lower-case hex without colons.
  std::string openssl_fingerprint(const std::string& pem_file) const {
    auto r = openssl({"x509", "-in", pem_file, "-noout", "-fingerprint", "-sha256"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string hex;
    for (char c : r.out.substr(r.out.find('=') + 1)) {
      if (std::isxdigit(static_cast<unsigned char>(c))) hex += static_cast<char>(std::tolower(c));
    }
    return hex;
  }

  std::string current_fingerprint(const std::string& name) {
    auto show = ck({"--json", "show", name});
    EXPECT_EQ(show.exit_code, 0) << show.err;
    return show.exit_code == 0 ? json(show)["current"]["fingerprint_sha256"].get<std::string>() : "";
  }

  std::vector<std::string> entries(const std::string& dir) const {
    std::vector<std::string> out;
    if (!std::filesystem::exists(dir)) return out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

  Cert leaf_ = pki_.leaf();  // pki_ (the base's) exists by now
  Files files_;
  std::string root_, password_;
};

TEST_F(ExportTest, PemFilesImportAgainWithTheSameFingerprint) {
  const std::string dir = pki_.path("exported");
  auto r = ck({"export", "web", "--format", "pem", "--out", dir, "--include-key"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("web: exported version 1"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(entries(dir), (std::vector<std::string>{"cert.pem", "chain.pem", "fullchain.pem", "privkey.pem"}));
  EXPECT_EQ(file_mode(dir + "/privkey.pem"), 0600);
  EXPECT_EQ(file_mode(dir + "/cert.pem"), 0644);
  EXPECT_EQ(file_mode(dir), 0700) << "a directory made for a key is private";
  EXPECT_EQ(read_file(dir + "/fullchain.pem"), read_file(dir + "/cert.pem") + read_file(dir + "/chain.pem"));
  EXPECT_TRUE(leaf_.key().same_as_pem(read_file(dir + "/privkey.pem")));

  const std::string fingerprint = leaf_.facts().fingerprint_sha256;
  EXPECT_EQ(openssl_fingerprint(dir + "/cert.pem"), fingerprint);
  auto back = ck({"import", "copy", "--cert", dir + "/cert.pem", "--key", dir + "/privkey.pem", "--chain",
                  dir + "/chain.pem", "--ca-file", root_});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(current_fingerprint("copy"), fingerprint);

  auto history = json(ck({"--json", "history", "web"}));
  const auto& last = history["events"].back();
  EXPECT_EQ(last["kind"], "exported");
  EXPECT_EQ(last["detail"]["key"], true);
  EXPECT_EQ(last["detail"]["files"].size(), 4u);
}

TEST_F(ExportTest, ModernPkcs12ReadsInOpensslAndImportsAgain) {
  const std::string p12 = pki_.path("web.p12");
  auto r = ck({"--json", "export", "web", "--format", "p12", "--out", p12, "--include-key", "--password-file",
               password_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json(r)["files"][0]["mode"], "0600");
  EXPECT_EQ(file_mode(p12), 0600);

  auto info = openssl({"pkcs12", "-in", p12, "-info", "-noout", "-passin", "file:" + password_});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.err.find("MAC: sha256"), std::string::npos) << info.err;
  EXPECT_NE(info.err.find("PBES2, PBKDF2, AES-256-CBC"), std::string::npos) << info.err;
  EXPECT_NE(info.err.find("PRF hmacWithSHA256"), std::string::npos) << info.err;
  EXPECT_NE(info.err.find("Shrouded Keybag"), std::string::npos) << "the key is in it: " << info.err;

  auto leaf = openssl({"pkcs12", "-in", p12, "-nokeys", "-clcerts", "-passin", "file:" + password_, "-out",
                       pki_.path("from-p12.pem")});
  ASSERT_EQ(leaf.exit_code, 0) << leaf.err;
  EXPECT_EQ(openssl_fingerprint(pki_.path("from-p12.pem")), leaf_.facts().fingerprint_sha256);

  auto back = ck({"import", "copy", "--p12", p12, "--password-file", password_, "--ca-file", root_});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(current_fingerprint("copy"), leaf_.facts().fingerprint_sha256);
}

TEST_F(ExportTest, LegacyPkcs12ForOldAppliances) {
  const std::string p12 = pki_.path("old.p12");
  auto r = ck({"export", "web", "--format", "p12", "--legacy", "--out", p12, "--include-key", "--password-file",
               password_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto modern_only = openssl({"pkcs12", "-in", p12, "-info", "-noout", "-passin", "file:" + password_});
  EXPECT_NE(modern_only.exit_code, 0) << "RC2-40 needs OpenSSL 3's legacy provider";
  auto info = openssl({"pkcs12", "-legacy", "-in", p12, "-info", "-noout", "-passin", "file:" + password_});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.err.find("MAC: sha1"), std::string::npos) << info.err;
  EXPECT_NE(info.err.find("pbeWithSHA1And40BitRC2-CBC"), std::string::npos) << info.err;
  EXPECT_NE(info.err.find("pbeWithSHA1And3-KeyTripleDES-CBC"), std::string::npos) << info.err;

  auto back = ck({"import", "copy", "--p12", p12, "--password-file", password_, "--ca-file", root_});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(current_fingerprint("copy"), leaf_.facts().fingerprint_sha256);
}

TEST_F(ExportTest, StandardOutputGetsTheFullchainButNeverTheKey) {
  auto pem = ck({"export", "web", "--format", "pem"});
  ASSERT_EQ(pem.exit_code, 0) << pem.err;
  EXPECT_EQ(pem.out, pem_concat({leaf_.pem(), pki_.intermediate().pem()}));

  const std::string before = db_snapshot();
  for (const auto& args : {std::vector<std::string>{"export", "web", "--format", "pem", "--include-key"},
                           std::vector<std::string>{"export", "web", "--format", "p12", "--include-key",
                                                    "--password-file", password_}}) {
    auto key = ck(args);
    EXPECT_EQ(key.exit_code, 2) << args[3];
    EXPECT_EQ(key.out, "") << "not a byte of it on standard output";
    EXPECT_NE(key.err.find("never written to standard output"), std::string::npos) << key.err;
  }
  auto device = ck({"export", "web", "--format", "pem", "--out", "/dev/stdout", "--include-key"});
  EXPECT_EQ(device.exit_code, 2) << device.err;
  auto p12_device = ck({"export", "web", "--format", "p12", "--out", "/dev/stdout", "--include-key",
                        "--password-file", password_});
  EXPECT_EQ(p12_device.exit_code, 2) << p12_device.err;
  EXPECT_NE(p12_device.err.find("not a regular file"), std::string::npos) << p12_device.err;
  EXPECT_EQ(p12_device.out, "");
  EXPECT_EQ(db_snapshot(), before);
}

TEST_F(ExportTest, AKeyInPkcs12NeedsAPasswordFile) {
  const std::string p12 = pki_.path("web.p12");
  auto r = ck({"export", "web", "--format", "p12", "--out", p12, "--include-key"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--password-file"), std::string::npos) << r.err;
  EXPECT_EQ(file_mode(p12), -1);

  const std::string empty = pki_.write("empty-password.txt", "");
  auto blank = ck({"export", "web", "--format", "p12", "--out", p12, "--include-key", "--password-file", empty});
  EXPECT_EQ(blank.exit_code, 2);
  EXPECT_NE(blank.err.find(empty), std::string::npos) << blank.err;
  EXPECT_EQ(file_mode(p12), -1);

  auto certificates = ck({"export", "web", "--format", "p12", "--out", p12});
  ASSERT_EQ(certificates.exit_code, 0) << certificates.err;
  EXPECT_EQ(file_mode(p12), 0644);
  auto info = openssl({"pkcs12", "-in", p12, "-info", "-noout", "-passin", "pass:"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(info.err.find("Shrouded Keybag"), std::string::npos) << "no key in it: " << info.err;
}

TEST_F(ExportTest, ExistingFilesAreReplacedOnlyWithForce) {
  const std::string dir = pki_.path("exported");
  std::filesystem::create_directories(dir);
  write_file(dir + "/chain.pem", "keep me");
  auto r = ck({"export", "web", "--format", "pem", "--out", dir, "--include-key"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(dir + "/chain.pem: exists; give --force"), std::string::npos) << r.err;
  EXPECT_EQ(entries(dir), std::vector<std::string>{"chain.pem"}) << "nothing else was written";
  EXPECT_EQ(read_file(dir + "/chain.pem"), "keep me");

  auto forced = ck({"export", "web", "--format", "pem", "--out", dir, "--include-key", "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(read_file(dir + "/chain.pem"), pki_.intermediate().pem());
  EXPECT_EQ(entries(dir), (std::vector<std::string>{"cert.pem", "chain.pem", "fullchain.pem", "privkey.pem"}));
}

TEST_F(ExportTest, UnknownNamesAndVersions) {
  EXPECT_EQ(ck({"export", "nope", "--format", "pem"}).exit_code, 1);
  auto r = ck({"export", "web", "--format", "pem", "--version", "7"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("has no version 7"), std::string::npos) << r.err;
  EXPECT_EQ(ck({"export", "web", "--format", "der"}).exit_code, 2);
  EXPECT_EQ(ck({"export", "web", "--format", "pem", "--legacy"}).exit_code, 2);
}

TEST_F(ExportTest, AWatchedEndpointHasNoKeyToExport) {
  TlsEndpointOptions o;
  o.chain_pem = pem_concat({leaf_.pem(), pki_.intermediate().pem()});
  o.key_pem = leaf_.key().pem();
  TlsEndpoint endpoint(o);
  auto watched = ck({"watch", "add", "127.0.0.1:" + std::to_string(endpoint.port()), "--name", "remote",
                     "--servername", "www.example.test", "--ca-file", root_});
  ASSERT_EQ(watched.exit_code, 0) << watched.err << watched.out;

  const std::string dir = pki_.path("remote-export");
  auto key = ck({"export", "remote", "--format", "pem", "--out", dir, "--include-key"});
  EXPECT_EQ(key.exit_code, 2);
  EXPECT_NE(key.err.find("remote: is a watched endpoint"), std::string::npos) << key.err;
  EXPECT_NE(key.err.find("without --include-key"), std::string::npos) << key.err;
  EXPECT_FALSE(std::filesystem::exists(dir));

  auto certificate = ck({"export", "remote", "--format", "pem", "--out", dir});
  ASSERT_EQ(certificate.exit_code, 0) << certificate.err;
  EXPECT_EQ(openssl_fingerprint(dir + "/cert.pem"), leaf_.facts().fingerprint_sha256);
  EXPECT_EQ(entries(dir), (std::vector<std::string>{"cert.pem", "chain.pem", "fullchain.pem"}));
}

}  // namespace
}  // namespace certkeeper::testing
