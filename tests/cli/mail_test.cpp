// report --email and renew --email against a real SMTP server on loopback
// (python3-aiosmtpd): what arrives, and what happens when mail cannot go.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "cli/cli_fixture.h"
#include "support/smtp_sink.h"

namespace certkeeper::testing {
namespace {

class MailCliTest : public CliTest {
 protected:
  std::string settings(const SmtpSink& sink, mode_t mode = 0600) const {
    const std::string path = pki_.write("mail.conf", "server = 127.0.0.1\nport = " + std::to_string(sink.port()) +
                                                         "\ntls = none\nfrom = certkeeper@example.test\n"
                                                         "to = ops@example.test\n");
    ::chmod(path.c_str(), mode);
    return path;
  }
  void import_web() {
    init();
    const Files f = write_set(pki_.leaf());
    auto r = ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
};

TEST_F(MailCliTest, ReportEmailSendsTheTableAndTheHtmlPage) {
  import_web();
  SmtpSink sink(pki_.make_dir("sink"));
  auto r = ck({"report", "--email", "boss@example.test", "--mail-config", settings(sink)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("web"), std::string::npos) << "the report is still printed";
  const auto got = sink.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].to, std::vector<std::string>{"boss@example.test"});
  EXPECT_EQ(got[0].from, "certkeeper@example.test");
  const std::string subject = mail_header(got[0].data, "Subject");
  EXPECT_EQ(subject.rfind("certkeeper report on ", 0), 0u) << subject;
  EXPECT_NE(subject.find("1 certificate, 0 expired, 0 expiring"), std::string::npos) << subject;
  const std::string text = mime_part(got[0].data, "text/plain");
  EXPECT_NE(text.find("web"), std::string::npos) << text;
  EXPECT_EQ(text.find("\x1b["), std::string::npos) << "no terminal colours in mail";
  const std::string html = mime_part(got[0].data, "text/html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("web"), std::string::npos);
}

TEST_F(MailCliTest, BareEmailUsesTheSettingsRecipientsAndTheEnvironmentPath) {
  import_web();
  SmtpSink sink(pki_.make_dir("sink"));
  auto r = run_certkeeper({"--db", db(), "report", "--email"}, {{"CERTKEEPER_MAIL_CONFIG", settings(sink)}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto got = sink.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].to, std::vector<std::string>{"ops@example.test"});
}

TEST_F(MailCliTest, SettingsOthersCanReadAreRefusedBeforeAnything) {
  import_web();
  SmtpSink sink(pki_.make_dir("sink"));
  const std::string path = settings(sink, 0644);
  auto r = ck({"report", "--email", "boss@example.test", "--mail-config", path});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("chmod 600"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(r.out.empty()) << "nothing printed, nothing sent";
  EXPECT_TRUE(sink.messages().empty());
}

TEST_F(MailCliTest, AnUnreachableMailServerIsExitOneNamingIt) {
  import_web();
  std::string path;
  int port = 0;
  {
    SmtpSink gone(pki_.make_dir("gone"));
    path = settings(gone);
    port = gone.port();
  }
  auto r = ck({"report", "--email", "boss@example.test", "--mail-config", path});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cannot connect to the mail server"), std::string::npos) << r.err;
}

TEST_F(MailCliTest, RenewMailsARenewalFailure) {
  init();
  ASSERT_EQ(ck({"add", "web", "--domain", "www.example.test", "--acme-server", "https://127.0.0.1:9/dir"}).exit_code, 0);
  SmtpSink sink(pki_.make_dir("sink"));
  auto r = ck({"renew", "--email", "oncall@example.test", "--mail-config", settings(sink)});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  const auto got = sink.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].to, std::vector<std::string>{"oncall@example.test"});
  const std::string subject = mail_header(got[0].data, "Subject");
  EXPECT_EQ(subject.rfind("certkeeper: renewal-failed web on ", 0), 0u) << subject;
  const std::string text = mime_part(got[0].data, "text/plain");
  EXPECT_NE(text.find("certificate:  web"), std::string::npos) << text;
  EXPECT_NE(text.find("cannot reach the ACME server"), std::string::npos) << text;
}

TEST_F(MailCliTest, RenewWithBrokenSettingsStopsBeforeThePass) {
  init();
  ASSERT_EQ(ck({"add", "web", "--domain", "www.example.test", "--acme-server", "https://127.0.0.1:9/dir"}).exit_code, 0);
  auto r = ck({"renew", "--email", "oncall@example.test", "--mail-config", pki_.path("absent.conf")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("absent.conf"), std::string::npos) << r.err;
  auto history = ck({"--json", "history", "web"});
  ASSERT_EQ(history.exit_code, 0);
  EXPECT_EQ(history.out.find("renewal-failed"), std::string::npos) << "no pass ran";
}

}  // namespace
}  // namespace certkeeper::testing
