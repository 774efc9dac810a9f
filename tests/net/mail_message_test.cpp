// compose_mail: a message no SMTP server or mail reader can misread.
#include <gtest/gtest.h>

#include <string>

#include "certkeeper/net/mailer.h"
#include "support/smtp_sink.h"

namespace certkeeper::net {
namespace {

using testing::mail_header;
using testing::mime_part;

MailContent sample() {
  MailContent c;
  c.from = "certkeeper@example.test";
  c.to = {"ops@example.test", "oncall@example.test"};
  c.subject = "certkeeper report";
  c.text = "web  2027-01-01  expired\n.a line that starts with a dot\n" + std::string(5000, 'x') + "\n";
  c.date = 1795737600;  // 2026-11-27T00:00:00Z, a Friday
  c.message_id = "<id.1@example.test>";
  return c;
}

TEST(ComposeMail, HeadersAreThereInOrderWithCrlfOnly) {
  const std::string m = compose_mail(sample());
  EXPECT_EQ(mail_header(m, "Date"), "Fri, 27 Nov 2026 00:00:00 +0000");
  EXPECT_EQ(mail_header(m, "From"), "certkeeper@example.test");
  EXPECT_EQ(mail_header(m, "To"), "ops@example.test, oncall@example.test");
  EXPECT_EQ(mail_header(m, "Subject"), "certkeeper report");
  EXPECT_EQ(mail_header(m, "Message-ID"), "<id.1@example.test>");
  EXPECT_EQ(mail_header(m, "MIME-Version"), "1.0");
  EXPECT_EQ(mail_header(m, "Auto-Submitted"), "auto-generated");
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i] == '\n') {
      ASSERT_TRUE(i > 0 && m[i - 1] == '\r') << "bare LF at " << i;
    }
    if (m[i] == '\r') {
      ASSERT_TRUE(i + 1 < m.size() && m[i + 1] == '\n') << "bare CR at " << i;
    }
  }
}

TEST(ComposeMail, NoLineIsLongOrStartsWithADot) {
  MailContent c = sample();
  c.html = "<p>" + std::string(20000, 'y') + "</p>\n.<br>";
  const std::string m = compose_mail(c);
  std::size_t start = 0;
  while (start < m.size()) {
    const std::size_t end = m.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 78u) << m.substr(start, 80);
    EXPECT_NE(m[start], '.') << "line at " << start;
    start = end + 2;
  }
}

TEST(ComposeMail, PlainTextOnlyIsOneBase64Part) {
  const std::string m = compose_mail(sample());
  EXPECT_EQ(mail_header(m, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(mail_header(m, "Content-Transfer-Encoding"), "base64");
  EXPECT_EQ(mime_part(m, "text/plain"), sample().text);
  EXPECT_EQ(m.find("multipart"), std::string::npos);
}

TEST(ComposeMail, HtmlComesAsAnAlternativeAfterTheText) {
  MailContent c = sample();
  c.html = "<!doctype html><h1>Report</h1>";
  const std::string m = compose_mail(c);
  const std::string type = mail_header(m, "Content-Type");
  ASSERT_EQ(type.rfind("multipart/alternative; boundary=\"", 0), 0u) << type;
  const std::string boundary = type.substr(type.find('"') + 1, type.rfind('"') - type.find('"') - 1);
  EXPECT_NE(m.find("\r\n--" + boundary + "\r\nContent-Type: text/plain"), std::string::npos);
  EXPECT_NE(m.find("\r\n--" + boundary + "--\r\n"), std::string::npos);
  EXPECT_LT(m.find("text/plain;"), m.find("text/html;")) << "the preferred (richest) part comes last";
  EXPECT_EQ(mime_part(m, "text/plain"), c.text);
  EXPECT_EQ(mime_part(m, "text/html"), c.html);
}

TEST(ComposeMail, ANonAsciiSubjectIsEncodedWords) {
  MailContent c = sample();
  c.subject = "Zertifikat läuft ab: café.example — " + std::string(60, 'z');
  const std::string m = compose_mail(c);
  const std::string subject = mail_header(m, "Subject");
  EXPECT_EQ(subject.rfind("=?UTF-8?B?", 0), 0u) << subject;
  for (unsigned char ch : m.substr(0, m.find("\r\n\r\n"))) EXPECT_LT(ch, 0x80) << "headers are ASCII";
}

TEST(ComposeMail, AnInjectedSubjectLineBreakDoesNotAddAHeader) {
  MailContent c = sample();
  c.subject = "report\r\nBcc: evil@example.test";
  const std::string m = compose_mail(c);
  EXPECT_EQ(mail_header(m, "Bcc"), "");
}

TEST(MailAddress, PlainAddressesOnly) {
  EXPECT_TRUE(valid_mail_address("ops@example.test"));
  EXPECT_TRUE(valid_mail_address("first.last+certs@sub.example.test"));
  for (const char* bad : {"", "ops", "@example.test", "ops@", "ops @example.test", "<ops@example.test>",
                          "a@b.test, c@d.test", "ops@example.test\r\nRCPT TO:<x@y>", "\"q\"@example.test"}) {
    EXPECT_FALSE(valid_mail_address(bad)) << bad;
  }
}

}  // namespace
}  // namespace certkeeper::net
