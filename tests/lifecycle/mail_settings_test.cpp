// The mail settings file: what it accepts, its defaults, and every way it is
// refused (with the line, never the password, in the message).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "certkeeper/lifecycle/mail.h"
#include "support/temp_dir.h"

namespace certkeeper::lifecycle {
namespace {

using testing::TempDir;

class MailSettingsTest : public ::testing::Test {
 protected:
  TempDir dir;
  std::string write(const std::string& text, mode_t mode = 0600) {
    const std::string path = dir.file("mail.conf");
    testing::write_file(path, text);
    ::chmod(path.c_str(), mode);
    return path;
  }
  Error refused(const std::string& text, mode_t mode = 0600) {
    auto s = load_mail_settings(write(text, mode));
    EXPECT_FALSE(s) << text;
    return s ? Error{} : s.error();
  }
};

TEST_F(MailSettingsTest, AFullFile) {
  auto s = load_mail_settings(write(
      "# certkeeper mail\n"
      "server = smtp.example.test\n"
      "port = 2525\n"
      "tls = implicit\n"
      "username = certkeeper@example.test\n"
      "password = p#ss = word \n"
      "from = certkeeper@example.test\n"
      "to = ops@example.test, oncall@example.test\n"
      "ca_file = /etc/ssl/ca.pem\n"));
  ASSERT_TRUE(s) << s.error().what();
  EXPECT_EQ(s->smtp.host, "smtp.example.test");
  EXPECT_EQ(s->smtp.port, 2525);
  EXPECT_EQ(s->smtp.tls, net::SmtpTls::implicit);
  EXPECT_EQ(s->smtp.username, "certkeeper@example.test");
  EXPECT_EQ(s->smtp.password, "p#ss = word") << "'#' and '=' belong to the password";
  EXPECT_EQ(s->from, "certkeeper@example.test");
  EXPECT_EQ(s->to, (std::vector<std::string>{"ops@example.test", "oncall@example.test"}));
  EXPECT_EQ(s->smtp.ca_file, "/etc/ssl/ca.pem");
}

TEST_F(MailSettingsTest, ThePortFollowsTheTlsMode) {
  for (auto [tls, port] : {std::pair{"starttls", 587}, {"implicit", 465}, {"none", 25}}) {
    auto s = load_mail_settings(write(std::string("server = mx\nfrom = a@b.test\ntls = ") + tls + "\n"));
    ASSERT_TRUE(s) << s.error().what();
    EXPECT_EQ(s->smtp.port, port) << tls;
  }
  auto s = load_mail_settings(write("server = mx\nfrom = a@b.test\n"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->smtp.tls, net::SmtpTls::starttls) << "STARTTLS unless told otherwise";
}

TEST_F(MailSettingsTest, AFileOthersCanReadIsRefused) {
  for (mode_t mode : {0644, 0640, 0604, 0660}) {
    const Error e = refused("server = mx\nfrom = a@b.test\npassword = hunter2\n", mode);
    EXPECT_EQ(e.code, Errc::invalid_input);
    EXPECT_NE(e.message.find("chmod 600"), std::string::npos) << e.message;
    EXPECT_EQ(e.what().find("hunter2"), std::string::npos);
  }
  EXPECT_TRUE(load_mail_settings(write("server = mx\nfrom = a@b.test\n", 0400)));
}

TEST_F(MailSettingsTest, AMissingFileSaysHowToMakeOne) {
  auto s = load_mail_settings(dir.file("absent.conf"));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::io);
  EXPECT_EQ(s.error().subject, dir.file("absent.conf"));
  EXPECT_NE(s.error().message.find("--mail-config"), std::string::npos);
}

TEST_F(MailSettingsTest, BadLinesAreNamed) {
  struct Case {
    const char* text;
    const char* says;
  } cases[] = {
      {"server = mx\nfrom = a@b.test\nsmtp_host = x\n", "line 3: unknown key 'smtp_host'"},
      {"server = mx\nfrom = a@b.test\njust words\n", "line 3: expected 'key = value'"},
      {"server = mx\nport = 99999\nfrom = a@b.test\n", "line 2: port must be 1..65535"},
      {"server = mx\nport = 25x\nfrom = a@b.test\n", "line 2: port must be"},
      {"server = mx\ntls = ssl\nfrom = a@b.test\n", "line 2: tls must be starttls, implicit or none"},
      {"server = smtp://mx:25\nfrom = a@b.test\n", "line 1: server must be a host name"},
      {"server = mx\nfrom = Certkeeper <a@b.test>\n", "line 2: from must be one address"},
      {"server = mx\nfrom = a@b.test\nto = ops@example.test, not an address\n", "line 3: 'not an address'"},
      {"from = a@b.test\n", "no 'server = ...' line"},
      {"server = mx\n", "no 'from = ...' line"},
      {"server = mx\nfrom = a@b.test\ntls = none\nusername = u\npassword = secret-pw\n", "password in clear"},
  };
  for (const auto& c : cases) {
    const Error e = refused(c.text);
    EXPECT_EQ(e.code, Errc::invalid_input) << c.text;
    EXPECT_NE(e.message.find(c.says), std::string::npos) << c.text << " -> " << e.message;
    EXPECT_EQ(e.what().find("secret-pw"), std::string::npos);
  }
}

TEST_F(MailSettingsTest, RecipientsComeFromTheCommandLineElseTheFile) {
  auto s = load_mail_settings(write("server = mx\nfrom = a@b.test\nto = ops@example.test\n"));
  ASSERT_TRUE(s);
  auto defaulted = mail_recipients(*s, {});
  ASSERT_TRUE(defaulted);
  EXPECT_EQ(*defaulted, std::vector<std::string>{"ops@example.test"});
  auto given = mail_recipients(*s, {"boss@example.test"});
  ASSERT_TRUE(given);
  EXPECT_EQ(*given, std::vector<std::string>{"boss@example.test"});
  auto bad = mail_recipients(*s, {"boss"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::usage);
  s->to.clear();
  auto none = mail_recipients(*s, {});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no recipient"), std::string::npos);
}

}  // namespace
}  // namespace certkeeper::lifecycle
