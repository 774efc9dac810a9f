// Certificates an attacker wrote, through every command that shows them
// (README "Every certificate field is outside input"): names with bytes
// that are not UTF-8, NULs, ESC and BEL, an issuer whose name holds a
// newline. No command aborts, every text line stays one printable line
// (util/text.h: `\xNN` escapes), every JSON document parses, and a newline
// never forges a row. Remote certificates come from a real TLS endpoint on
// loopback (tests/support/tls_endpoint.h).
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "certkeeper/util/text.h"
#include "cli/cli_fixture.h"
#include "support/tls_endpoint.h"

namespace certkeeper::testing {
namespace {

using namespace std::string_literals;

const std::string kNotUtf8 = "bad\xFF\xFE.example.test";
const std::string kEscape = "evil\x1B[31m\x07.example.test";
const std::string kNul = "www.example.test\0.evil.test"s;
const std::string kHostileIssuer = "Evil\x1B[2J CA\nforged,row,\x1B]0;title\x07";
const std::string kHostileCn = "\x1B]0;owned\x07www";

// Every line of `text` is printable: no control character, no byte that is
// not UTF-8, nothing that moves the cursor or forges a line.
::testing::AssertionResult PrintableLines(const std::string& text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    // CSV ends its lines with CRLF (RFC 4180).
    const std::string body = !line.empty() && line.back() == '\r' ? line.substr(0, line.size() - 1) : line;
    if (!text::is_printable(body)) {
      return ::testing::AssertionFailure() << "a raw control character or bad byte in: " << text::printable(line);
    }
    start = end + 1;
  }
  return ::testing::AssertionSuccess();
}

std::size_t lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

bool contains(const nlohmann::json& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

class HostileFieldsTest : public CliTest {
 protected:
  void SetUp() override { init(); }

  // A leaf for www.example.test that also lists `extra` names, raw.
  Cert leaf_with(std::vector<std::string> extra, const std::string& cn = "www.example.test") const {
    CertOptions o;
    o.cn = cn;
    o.dns = {"www.example.test"};
    o.dns.insert(o.dns.end(), extra.begin(), extra.end());
    o.raw_names = true;
    return pki_.leaf(o);
  }
  std::vector<std::string> check_args(const Files& f) const {
    return {"check", "--cert", f.cert, "--key", f.key, "--chain", f.chain};
  }
};

TEST_F(HostileFieldsTest, CheckJsonShowsBytesThatAreNotUtf8EscapedAndNeverAborts) {
  const Files f = write_set(leaf_with({kNotUtf8}));
  auto args = check_args(f);
  args.insert(args.begin(), "--json");
  auto r = ck(args);
  ASSERT_EQ(r.exit_code, 3) << "exit " << r.exit_code << ": " << text::printable(r.err);
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_TRUE(contains(doc["certificate"]["names"], "bad\\xFF\\xFE.example.test")) << doc["certificate"].dump();
  bool invalid = false;
  for (const auto& finding : doc["findings"]) invalid = invalid || finding["code"] == "name-invalid";
  EXPECT_TRUE(invalid) << doc["findings"].dump();
}

TEST_F(HostileFieldsTest, CheckTextEscapesControlCharactersAndNuls) {
  const Files f = write_set(leaf_with({kEscape, kNul}, kHostileCn));
  auto r = ck(check_args(f));
  EXPECT_EQ(r.exit_code, 3) << text::printable(r.err);
  EXPECT_TRUE(PrintableLines(r.out));
  EXPECT_TRUE(PrintableLines(r.err));
  EXPECT_NE(r.out.find("evil\\x1B[31m\\x07.example.test www.example.test\\x00.evil.test"), std::string::npos)
      << "the names: line shows every name, escaped: " << r.out;
  EXPECT_NE(r.err.find("name-invalid"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("lists only host names"), std::string::npos) << "the NUL cut the message short: " << r.err;
}

TEST_F(HostileFieldsTest, ImportOfANameThatIsNotUtf8IsRejectedAndChangesNothing) {
  const Files f = write_set(leaf_with({kNotUtf8}));
  const std::string before = db_snapshot();
  auto r = ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain});
  EXPECT_EQ(r.exit_code, 3) << text::printable(r.err);
  EXPECT_EQ(r.err.find("database error"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("name-invalid: " + f.cert), std::string::npos) << r.err;
  EXPECT_TRUE(PrintableLines(r.err));
  EXPECT_EQ(db_snapshot(), before) << "a rejected import changes nothing";
}

TEST_F(HostileFieldsTest, AHostileIssuerAndSubjectAreEscapedInEveryView) {
  CertOptions ca = CertOptions::authority(kHostileIssuer);
  ca.raw_names = true;
  const Cert evil = pki_.issue(ca, pki_.root());
  CertOptions o;
  o.cn = kHostileCn;
  o.raw_names = true;
  const Cert leaf = pki_.issue(o, evil);
  const std::string cert = pki_.write("cert.pem", leaf.pem());
  const std::string key = pki_.write("key.pem", leaf.key().pem());
  const std::string chain = pki_.write("chain.pem", pem_concat({evil.pem(), pki_.root().pem()}));
  auto imported = ck({"import", "web", "--cert", cert, "--key", key, "--chain", chain});
  ASSERT_EQ(imported.exit_code, 0) << text::printable(imported.err);
  EXPECT_TRUE(PrintableLines(imported.out));
  EXPECT_TRUE(PrintableLines(imported.err));

  auto list = ck({"list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_TRUE(PrintableLines(list.out));
  EXPECT_EQ(lines(list.out), 2u) << list.out;

  auto table = ck({"report"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_TRUE(PrintableLines(table.out));
  EXPECT_EQ(lines(table.out), 3u) << "header, one row, summary; no forged row:\n" << table.out;
  EXPECT_NE(table.out.find("Evil\\x1B[2J CA\\x0Aforged,row"), std::string::npos) << table.out;

  auto csv = ck({"report", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_TRUE(PrintableLines(csv.out));
  EXPECT_EQ(lines(csv.out), 2u) << csv.out;

  auto json = ck({"report", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_TRUE(PrintableLines(json.out)) << "JSON escapes what it carries";
  EXPECT_EQ(nlohmann::json::parse(json.out)["certificates"][0]["issuer"], kHostileIssuer);

  for (const char* format : {"html", "prometheus"}) {
    auto r = ck({"report", "--format", format});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(PrintableLines(r.out)) << format;
  }
  auto prometheus = ck({"report", "--format", "prometheus"});
  EXPECT_NE(prometheus.out.find("issuer=\"Evil\\\\x1B[2J CA\\nforged,row"), std::string::npos)
      << "the line feed is the format's own escape: " << prometheus.out;

  for (const char* view : {"show", "history"}) {
    auto r = ck({view, "web"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(PrintableLines(r.out)) << view;
    EXPECT_TRUE(PrintableLines(r.err)) << view;
  }
  for (const char* view : {"show", "history"}) {
    auto r = ck({"--json", view, "web"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(nlohmann::json::accept(r.out)) << view << ": " << r.out;
  }
}

// Arguments end up in the inventory and in JSON documents, which hold UTF-8
// only: one that is not UTF-8 used to abort `target add` (exit 134).
TEST_F(HostileFieldsTest, AnArgumentThatIsNotUtf8IsAUsageError) {
  const Files f = write_set(pki_.leaf());
  ASSERT_EQ(ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
  const std::string before = db_snapshot();
  auto r = ck({"target", "add", "web", "--dir", pki_.path("live"), "--reload", "/usr/bin/true \xFF"});
  EXPECT_EQ(r.exit_code, 2) << text::printable(r.err);
  EXPECT_NE(r.err.find("(after --reload) is not UTF-8"), std::string::npos) << r.err;
  EXPECT_TRUE(PrintableLines(r.err));
  EXPECT_EQ(db_snapshot(), before);
  // The message says where the argument is, never what it holds: it may be
  // a secret.
  for (std::vector<std::string> args : {std::vector<std::string>{"account", "register", "--eab-kid", "kid",
                                                                 "--eab-hmac-key", "s3cr3t\xFF"},
                                        {"account", "register", "--eab-kid", "kid", "--eab-hmac-key=s3cr3t\xFF"}}) {
    auto secret = ck(args);
    EXPECT_EQ(secret.exit_code, 2) << text::printable(secret.err);
    EXPECT_EQ(secret.err.find("s3cr3t"), std::string::npos) << secret.err;
    EXPECT_NE(secret.err.find("--eab-hmac-key) is not UTF-8"), std::string::npos) << secret.err;
  }
}

// A certbot tree is outside input too (import --from-certbot): a lineage
// whose file name, authenticator and hooks hold ESC, BEL and bytes that are
// not UTF-8, and a global hook script named the same way. The dry run
// reports all of it, escaped, and stores nothing.
TEST_F(HostileFieldsTest, ACertbotTreeWithHostileNamesAndHooksIsShownEscaped) {
  const std::string tree = pki_.path("certbot");
  const std::string lineage = "evil\x1B[2J\x07\xFF";
  std::filesystem::create_directories(tree + "/renewal");
  std::filesystem::create_directories(tree + "/renewal-hooks/deploy");
  write_file(tree + "/renewal/" + lineage + ".conf",
             "version = 2.1.0\n"
             "[renewalparams]\n"
             "authenticator = webroot\n"
             "account = 0123\n"
             "renew_hook = systemctl reload \x1B[31mnginx\xFE\n");
  write_file(tree + "/renewal/mail.conf",
             "version = 2.1.0\n"
             "[renewalparams]\n"
             "authenticator = manual\x1B]0;owned\x07\n"
             "account = 0123\n");
  const std::string script = tree + "/renewal-hooks/deploy/reload\x1B[1m\xFF.sh";
  write_file(script, "#!/bin/sh\n");
  ::chmod(script.c_str(), 0755);
  const std::string before = db_snapshot();

  auto text_run = ck({"import", "--from-certbot", tree, "--dry-run"});
  EXPECT_EQ(text_run.exit_code, 3) << text::printable(text_run.out + text_run.err);
  EXPECT_TRUE(PrintableLines(text_run.out));
  EXPECT_TRUE(PrintableLines(text_run.err));
  const std::string all = text_run.out + text_run.err;
  EXPECT_NE(all.find("evil\\x1B[2J\\x07\\xFF: not imported"), std::string::npos) << all;  // a lineage's name
  EXPECT_NE(all.find("authenticator 'manual\\x1B]0;owned\\x07'"), std::string::npos) << all;
  EXPECT_NE(all.find("reload \\x1B[31mnginx\\xFE"), std::string::npos) << all;  // its hook
  EXPECT_NE(all.find("reload\\x1B[1m\\xFF.sh"), std::string::npos) << all;     // the global hook

  auto json_run = ck({"--json", "import", "--from-certbot", tree, "--dry-run"});
  EXPECT_EQ(json_run.exit_code, 3);
  const auto doc = nlohmann::json::parse(json_run.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << text::printable(json_run.out);
  EXPECT_EQ(db_snapshot(), before);
}

class HostileEndpointTest : public HostileFieldsTest {
 protected:
  void SetUp() override {
    HostileFieldsTest::SetUp();
    const Cert leaf = leaf_with({kNotUtf8, kEscape, kNul}, kHostileCn);
    TlsEndpointOptions o;
    o.chain_pem = leaf.pem() + pki_.intermediate().pem();
    o.key_pem = leaf.key().pem();
    endpoint_ = std::make_unique<TlsEndpoint>(o);
    root_ = pki_.write("root.pem", pki_.root().pem());
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(endpoint_->port()); }

  std::unique_ptr<TlsEndpoint> endpoint_;
  std::string root_;
};

TEST_F(HostileEndpointTest, ProbeShowsTheServedNamesEscaped) {
  auto json = ck({"--json", "probe", address(), "--servername", "www.example.test", "--ca-file", root_});
  ASSERT_EQ(json.exit_code, 0) << "exit " << json.exit_code << ": " << text::printable(json.err);
  const auto doc = nlohmann::json::parse(json.out);
  const auto& names = doc["chain"][0]["names"];
  EXPECT_TRUE(contains(names, "bad\\xFF\\xFE.example.test")) << names.dump();
  EXPECT_TRUE(contains(names, kEscape)) << "JSON carries the control characters, escaped as JSON: " << names.dump();

  auto text = ck({"probe", address(), "--servername", "www.example.test", "--ca-file", root_});
  ASSERT_EQ(text.exit_code, 0) << text::printable(text.err);
  EXPECT_TRUE(PrintableLines(text.out));
  EXPECT_NE(text.out.find("www.example.test\\x00.evil.test"), std::string::npos) << text.out;
}

TEST_F(HostileEndpointTest, WatchStoresTheCertificateAndEveryViewEscapesIt) {
  auto added = ck({"watch", "add", address(), "--name", "edge", "--servername", "www.example.test", "--ca-file", root_});
  ASSERT_EQ(added.exit_code, 0) << text::printable(added.err);
  EXPECT_TRUE(PrintableLines(added.out));
  EXPECT_TRUE(PrintableLines(added.err));
  EXPECT_NE(added.out.find("bad\\xFF\\xFE.example.test"), std::string::npos) << added.out;

  auto checked = ck({"--json", "watch", "check", "edge"});
  ASSERT_EQ(checked.exit_code, 0) << "exit " << checked.exit_code << ": " << text::printable(checked.err);
  EXPECT_TRUE(nlohmann::json::accept(checked.out)) << checked.out;

  auto list = ck({"--json", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const auto rows = nlohmann::json::parse(list.out)["certificates"];
  ASSERT_EQ(rows.size(), 1u) << "the served certificate was stored";
  EXPECT_EQ(rows[0]["version"], 1);
  EXPECT_TRUE(contains(rows[0]["names"], "bad\\xFF\\xFE.example.test")) << rows[0].dump();

  for (std::vector<std::string> args : {std::vector<std::string>{"list"}, {"report"}, {"show", "edge"},
                                        {"history", "edge"}, {"watch", "list"}, {"report", "--format", "csv"}}) {
    auto r = ck(args);
    ASSERT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    EXPECT_TRUE(PrintableLines(r.out)) << args[0];
  }
}

}  // namespace
}  // namespace certkeeper::testing
