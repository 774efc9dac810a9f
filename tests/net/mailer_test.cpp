// The libcurl mailer against a real SMTP server on loopback (Debian's
// python3-aiosmtpd, tests/support/smtp_sink.py), with TLS certificates from
// the generated test PKI.
#include <gtest/gtest.h>

#include <ctime>
#include <string>

#include "certkeeper/net/mailer.h"
#include "support/smtp_sink.h"
#include "support/test_pki.h"

namespace certkeeper::net {
namespace {

using testing::CertOptions;
using testing::SmtpSink;
using testing::SmtpSinkOptions;
using testing::TestPki;

class MailerTest : public ::testing::Test {
 protected:
  TestPki pki{static_cast<UnixTime>(std::time(nullptr))};
  std::string server_cert, server_key, ca_file;

  void SetUp() override {
    CertOptions o;
    o.cn = "localhost";
    o.dns = {"localhost"};
    o.ips = {"127.0.0.1"};
    const auto leaf = pki.leaf(o);
    server_cert = pki.write("smtp-cert.pem", leaf.pem() + pki.intermediate().pem());
    server_key = pki.write("smtp-key.pem", leaf.key().pem());
    ca_file = pki.write("ca.pem", pki.root().pem());
  }

  SmtpOptions options(const SmtpSink& sink, SmtpTls tls) const {
    SmtpOptions o;
    o.host = "127.0.0.1";
    o.port = sink.port();
    o.tls = tls;
    o.ca_file = ca_file;
    o.timeout = std::chrono::seconds(20);
    return o;
  }

  static MailEnvelope envelope(const std::string& subject = "hello") {
    MailContent c;
    c.from = "certkeeper@example.test";
    c.to = {"ops@example.test"};
    c.subject = subject;
    c.text = "body\n.dot line\n";
    c.date = 1795651200;
    return {c.from, c.to, compose_mail(c)};
  }
};

TEST_F(MailerTest, PlainSmtpDeliversTheMessageAsComposed) {
  SmtpSink sink(pki.make_dir("sink"));
  const MailEnvelope mail = envelope();
  auto sent = make_curl_mailer(options(sink, SmtpTls::none))->send(mail);
  ASSERT_TRUE(sent) << sent.error().what();
  const auto got = sink.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].from, "certkeeper@example.test");
  EXPECT_EQ(got[0].to, std::vector<std::string>{"ops@example.test"});
  EXPECT_FALSE(got[0].tls);
  EXPECT_EQ(testing::mime_part(got[0].data, "text/plain"), "body\n.dot line\n");
  EXPECT_EQ(testing::mail_header(got[0].data, "Subject"), "hello");
}

TEST_F(MailerTest, StarttlsWithLoginAndSeveralRecipients) {
  SmtpSinkOptions so;
  so.starttls_cert = server_cert;
  so.starttls_key = server_key;
  so.user = "mailer";
  so.password = "s3cret#pw";
  SmtpSink sink(pki.make_dir("sink"), so);
  SmtpOptions o = options(sink, SmtpTls::starttls);
  o.username = "mailer";
  o.password = "s3cret#pw";
  MailEnvelope mail = envelope();
  mail.to = {"ops@example.test", "oncall@example.test"};
  auto sent = make_curl_mailer(o)->send(mail);
  ASSERT_TRUE(sent) << sent.error().what();
  const auto got = sink.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].tls);
  EXPECT_EQ(got[0].user, "mailer");
  EXPECT_EQ(got[0].to, (std::vector<std::string>{"ops@example.test", "oncall@example.test"}));
}

TEST_F(MailerTest, ImplicitTls) {
  SmtpSinkOptions so;
  so.implicit_cert = server_cert;
  so.implicit_key = server_key;
  SmtpSink sink(pki.make_dir("sink"), so);
  auto sent = make_curl_mailer(options(sink, SmtpTls::implicit))->send(envelope());
  ASSERT_TRUE(sent) << sent.error().what();
  const auto got = sink.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].tls);
}

TEST_F(MailerTest, StarttlsDemandedButNotOfferedSendsNothing) {
  SmtpSink sink(pki.make_dir("sink"));  // no TLS at all
  auto sent = make_curl_mailer(options(sink, SmtpTls::starttls))->send(envelope());
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, Errc::network);
  EXPECT_NE(sent.error().message.find("STARTTLS"), std::string::npos) << sent.error().message;
  EXPECT_EQ(sent.error().subject, "127.0.0.1:" + std::to_string(sink.port()));
  EXPECT_TRUE(sink.messages().empty());
}

TEST_F(MailerTest, AServerCertificateFromAnotherCaIsRefused) {
  SmtpSinkOptions so;
  so.starttls_cert = server_cert;
  so.starttls_key = server_key;
  SmtpSink sink(pki.make_dir("sink"), so);
  TestPki other{static_cast<UnixTime>(std::time(nullptr))};
  SmtpOptions o = options(sink, SmtpTls::starttls);
  o.ca_file = pki.write("other-ca.pem", other.root().pem());
  auto sent = make_curl_mailer(o)->send(envelope());
  ASSERT_FALSE(sent);
  EXPECT_NE(sent.error().message.find("not trusted"), std::string::npos) << sent.error().message;
  EXPECT_TRUE(sink.messages().empty());
}

TEST_F(MailerTest, AWrongPasswordIsALoginErrorThatDoesNotShowThePassword) {
  SmtpSinkOptions so;
  so.starttls_cert = server_cert;
  so.starttls_key = server_key;
  so.user = "mailer";
  so.password = "right-password";
  SmtpSink sink(pki.make_dir("sink"), so);
  SmtpOptions o = options(sink, SmtpTls::starttls);
  o.username = "mailer";
  o.password = "wrong-password-123";
  auto sent = make_curl_mailer(o)->send(envelope());
  ASSERT_FALSE(sent);
  EXPECT_NE(sent.error().message.find("refused the login"), std::string::npos) << sent.error().message;
  EXPECT_EQ(sent.error().what().find("wrong-password-123"), std::string::npos);
  EXPECT_TRUE(sink.messages().empty());
}

TEST_F(MailerTest, ARefusedRecipientFailsTheSend) {
  SmtpSinkOptions so;
  so.reject_rcpt = "nobody@example.test";
  SmtpSink sink(pki.make_dir("sink"), so);
  MailEnvelope mail = envelope();
  mail.to = {"nobody@example.test"};
  auto sent = make_curl_mailer(options(sink, SmtpTls::none))->send(mail);
  ASSERT_FALSE(sent);
  EXPECT_NE(sent.error().message.find("refused"), std::string::npos) << sent.error().message;
  EXPECT_TRUE(sink.messages().empty());
}

TEST_F(MailerTest, NothingListeningIsAConnectError) {
  int port = 0;
  {
    SmtpSink sink(pki.make_dir("gone"));
    port = sink.port();
  }
  SmtpOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.tls = SmtpTls::none;
  auto sent = make_curl_mailer(o)->send(envelope());
  ASSERT_FALSE(sent);
  EXPECT_NE(sent.error().message.find("cannot connect"), std::string::npos) << sent.error().message;
}

}  // namespace
}  // namespace certkeeper::net
