// The plain target values and the command-line forms they are parsed from:
// --layout, --probe, --reload (split into argv, nothing expanded), --mode.
#include "certkeeper/deploy/target.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace certkeeper::deploy {
namespace {

using Words = std::vector<std::string>;

// ---- layouts and STARTTLS names ----

TEST(TargetLayout, ParsesBothLayoutsAndNamesThemBack) {
  auto s = parse_layout("separate");
  ASSERT_TRUE(s) << s.error().what();
  EXPECT_EQ(*s, Layout::separate);
  auto c = parse_layout("combined");
  ASSERT_TRUE(c) << c.error().what();
  EXPECT_EQ(*c, Layout::combined);
  EXPECT_STREQ(layout_name(Layout::separate), "separate");
  EXPECT_STREQ(layout_name(Layout::combined), "combined");
}

TEST(TargetLayout, UnknownLayoutIsAUsageErrorNamingIt) {
  for (const std::string bad : {"", "Separate", "single", "combined ", "pem"}) {
    auto r = parse_layout(bad);
    ASSERT_FALSE(r) << "accepted '" << bad << "'";
    EXPECT_EQ(r.error().code, Errc::usage) << bad;
    EXPECT_NE(r.error().message.find("'" + bad + "'"), std::string::npos) << r.error().message;
  }
}

TEST(TargetStarttls, ParsesEachProtocolAndNamesThemBack) {
  const std::pair<const char*, Starttls> cases[] = {
      {"smtp", Starttls::smtp}, {"imap", Starttls::imap}, {"pop3", Starttls::pop3}, {"none", Starttls::none}};
  for (const auto& [text, value] : cases) {
    auto r = parse_starttls(text);
    ASSERT_TRUE(r) << text;
    EXPECT_EQ(*r, value) << text;
    EXPECT_STREQ(starttls_name(value), text);
  }
}

TEST(TargetStarttls, UnknownProtocolIsAUsageError) {
  for (const std::string bad : {"ftp", "SMTP", "smtps", "ldap", "xmpp"}) {
    auto r = parse_starttls(bad);
    ASSERT_FALSE(r) << "accepted '" << bad << "'";
    EXPECT_EQ(r.error().code, Errc::usage) << bad;
  }
}

// ---- probes ----

TEST(ParseProbe, HostAndPort) {
  auto p = parse_probe("127.0.0.1:8443");
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_EQ(p->host, "127.0.0.1");
  EXPECT_EQ(p->port, 8443);
  EXPECT_EQ(p->starttls, Starttls::none);
  EXPECT_EQ(p->servername, "");

  auto named = parse_probe("mail.example.test:1");
  ASSERT_TRUE(named) << named.error().what();
  EXPECT_EQ(named->host, "mail.example.test");
  EXPECT_EQ(named->port, 1);

  auto top = parse_probe("h:65535");
  ASSERT_TRUE(top) << top.error().what();
  EXPECT_EQ(top->port, 65535);
}

TEST(ParseProbe, BracketedIpv6HostLosesItsBrackets) {
  auto p = parse_probe("[::1]:993");
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_EQ(p->host, "::1");
  EXPECT_EQ(p->port, 993);

  auto full = parse_probe("[2001:db8::25]:25,starttls=smtp");
  ASSERT_TRUE(full) << full.error().what();
  EXPECT_EQ(full->host, "2001:db8::25");
  EXPECT_EQ(full->port, 25);
  EXPECT_EQ(full->starttls, Starttls::smtp);
}

TEST(ParseProbe, StarttlsAndServernameInEitherOrder) {
  auto a = parse_probe("127.0.0.1:25,starttls=smtp,servername=mail.example.test");
  ASSERT_TRUE(a) << a.error().what();
  EXPECT_EQ(a->starttls, Starttls::smtp);
  EXPECT_EQ(a->servername, "mail.example.test");

  auto b = parse_probe("mx:143,servername=imap.example.test,starttls=imap");
  ASSERT_TRUE(b) << b.error().what();
  EXPECT_EQ(b->host, "mx");
  EXPECT_EQ(b->port, 143);
  EXPECT_EQ(b->starttls, Starttls::imap);
  EXPECT_EQ(b->servername, "imap.example.test");

  auto c = parse_probe("mx:110,starttls=pop3");
  ASSERT_TRUE(c) << c.error().what();
  EXPECT_EQ(c->starttls, Starttls::pop3);

  auto d = parse_probe("mx:443,servername=www.example.test");
  ASSERT_TRUE(d) << d.error().what();
  EXPECT_EQ(d->starttls, Starttls::none);
  EXPECT_EQ(d->servername, "www.example.test");
}

TEST(ParseProbe, EveryMalformedFormIsAUsageError) {
  const std::string bad[] = {
      "",                                // nothing
      "mail.example.test",               // no port
      "mail.example.test:",              // empty port
      ":443",                            // empty host
      "host:0",                          // port out of range
      "host:65536",                      //
      "host:-1",                         //
      "host:+443",                       //
      "host:443x",                       // trailing garbage
      "host: 443",                       //
      "host:https",                      // a service name, not a port
      "::1:443",                         // bare IPv6
      "::1",                             //
      "[::1]",                           // bracketed without port
      "[::1]:",                          //
      "[::1]443",                        // no colon after the bracket
      "[::1:443",                        // unclosed bracket
      "[]:443",                          // empty host in brackets
      "[[x]:1",                          // a bracket inside the host: stored as "[x:1", which
      "a[b:1",                           // did not read back (tests/fuzz/probe_spec_fuzz)
      "a]b:1",                           //
      "host:443,",                       // empty option
      "host:443,starttls",               // option without a value
      "host:443,starttls=",              //
      "host:443,starttls=none",          // none is not a protocol to speak
      "host:443,starttls=ftp",           //
      "host:443,servername=",            // empty server name
      "host:443,sni=example.test",       // unknown option
      "host:443,,starttls=smtp",         //
      "host:443;starttls=smtp",          // wrong separator
  };
  for (const auto& text : bad) {
    auto r = parse_probe(text);
    ASSERT_FALSE(r) << "accepted '" << text << "' as " << r->host << " port " << r->port;
    EXPECT_EQ(r.error().code, Errc::usage) << text;
    EXPECT_FALSE(r.error().message.empty()) << text;
  }
}

TEST(ParseProbe, TheMessageQuotesTheWholeProbe) {
  auto r = parse_probe("mail.example.test:99999,starttls=smtp");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("mail.example.test:99999,starttls=smtp"), std::string::npos) << r.error().message;
  auto o = parse_probe("mx:25,colour=blue");
  ASSERT_FALSE(o);
  EXPECT_NE(o.error().message.find("colour=blue"), std::string::npos) << o.error().message;
}

TEST(ParseProbe, ProbeTextWritesTheSameFormBack) {
  ProbeSpec p;
  p.host = "127.0.0.1";
  p.port = 8443;
  p.starttls = Starttls::smtp;
  EXPECT_EQ(probe_text(p), "127.0.0.1:8443,starttls=smtp");

  ProbeSpec v6;
  v6.host = "::1";
  v6.port = 993;
  EXPECT_EQ(probe_text(v6), "[::1]:993");

  ProbeSpec named;
  named.host = "mx.example.test";
  named.port = 143;
  named.starttls = Starttls::imap;
  named.servername = "imap.example.test";
  EXPECT_EQ(probe_text(named), "mx.example.test:143,starttls=imap,servername=imap.example.test");
}

TEST(ParseProbe, RoundTripsThroughProbeText) {
  for (const std::string text : {"127.0.0.1:8443", "[::1]:993", "[2001:db8::1]:25,starttls=smtp",
                                 "mx.example.test:110,starttls=pop3,servername=pop.example.test",
                                 "host:443,servername=www.example.test", "h:1,starttls=imap"}) {
    auto p = parse_probe(text);
    ASSERT_TRUE(p) << text << ": " << p.error().what();
    EXPECT_EQ(probe_text(*p), text);
    auto again = parse_probe(probe_text(*p));
    ASSERT_TRUE(again) << text;
    EXPECT_EQ(again->host, p->host);
    EXPECT_EQ(again->port, p->port);
    EXPECT_EQ(again->starttls, p->starttls);
    EXPECT_EQ(again->servername, p->servername);
  }
}

// ---- reload command lines ----

Words split_ok(const std::string& line) {
  auto r = split_command(line);
  EXPECT_TRUE(r) << "refused [" << line << "]: " << (r ? "" : r.error().what());
  return r ? *r : Words{"<error>"};
}

TEST(SplitCommand, WhitespaceSeparatesWords) {
  EXPECT_EQ(split_ok("nginx -s reload"), (Words{"nginx", "-s", "reload"}));
  EXPECT_EQ(split_ok("  systemctl\treload \n nginx.service  "), (Words{"systemctl", "reload", "nginx.service"}));
  EXPECT_EQ(split_ok("true"), (Words{"true"}));
}

TEST(SplitCommand, ShDashCWithASingleQuotedScriptIsThreeWords) {
  EXPECT_EQ(split_ok("sh -c 'a b'"), (Words{"sh", "-c", "a b"}));
  EXPECT_EQ(split_ok("sh -c 'postfix reload && dovecot reload'"),
            (Words{"sh", "-c", "postfix reload && dovecot reload"}));
}

TEST(SplitCommand, SingleQuotesKeepEverythingLiterally) {
  EXPECT_EQ(split_ok(R"('a\"b\\c $HOME')"), (Words{R"(a\"b\\c $HOME)"}));
  EXPECT_EQ(split_ok(R"(x 'say "hi"')"), (Words{"x", R"(say "hi")"}));
  // Quoted parts join the word they touch; '' is an empty word.
  EXPECT_EQ(split_ok("a'b c'd"), (Words{"ab cd"}));
  EXPECT_EQ(split_ok("a '' b"), (Words{"a", "", "b"}));
}

TEST(SplitCommand, DoubleQuotesUnescapeOnlyQuoteAndBackslash) {
  EXPECT_EQ(split_ok(R"(echo "a b")"), (Words{"echo", "a b"}));
  EXPECT_EQ(split_ok(R"(echo "say \"hi\"")"), (Words{"echo", R"(say "hi")"}));
  EXPECT_EQ(split_ok(R"(echo "back\\slash")"), (Words{"echo", R"(back\slash)"}));
  // Any other backslash stays, with the character after it.
  EXPECT_EQ(split_ok(R"(echo "a\nb\$c")"), (Words{"echo", R"(a\nb\$c)"}));
  EXPECT_EQ(split_ok(R"(echo "it's")"), (Words{"echo", "it's"}));
  EXPECT_EQ(split_ok(R"(x"y z"w)"), (Words{"xy zw"}));
  EXPECT_EQ(split_ok(R"("" a)"), (Words{"", "a"}));
}

TEST(SplitCommand, BackslashOutsideQuotesEscapesTheNextCharacter) {
  EXPECT_EQ(split_ok(R"(a\ b c)"), (Words{"a b", "c"}));
  EXPECT_EQ(split_ok(R"(\'x\" \\)"), (Words{R"('x")", R"(\)"}));
  EXPECT_EQ(split_ok(R"(\$HOME)"), (Words{"$HOME"}));
}

TEST(SplitCommand, NothingIsExpanded) {
  EXPECT_EQ(split_ok("echo $HOME * ~ ~/x ${PATH} $(id) `id` a;b c|d e>f &"),
            (Words{"echo", "$HOME", "*", "~", "~/x", "${PATH}", "$(id)", "`id`", "a;b", "c|d", "e>f", "&"}));
  EXPECT_EQ(split_ok(R"("$HOME" "*")"), (Words{"$HOME", "*"}));
}

TEST(SplitCommand, EmptyOrUnterminatedIsAUsageError) {
  for (const std::string bad : {"", "   ", "\t\n", "'abc", "echo 'a b", "\"abc", R"(echo "a\")", R"(echo a\)",
                                "sh -c 'x", R"(a "b\\" "c)"}) {
    auto r = split_command(bad);
    ASSERT_FALSE(r) << "accepted [" << bad << "] as " << r->size() << " words";
    EXPECT_EQ(r.error().code, Errc::usage) << bad;
    EXPECT_FALSE(r.error().message.empty());
  }
}

// ---- key modes ----

TEST(KeyMode, OwnerReadOptionallyGroupReadIsAllowed) {
  for (mode_t mode : {0600, 0640, 0400, 0440}) {
    auto st = check_key_mode(mode);
    EXPECT_TRUE(st) << std::oct << mode << ": " << (st ? "" : st.error().what());
  }
}

TEST(KeyMode, AnythingElseIsRefusedNamingTheMode) {
  for (mode_t mode : {0644, 0666, 0604, 0660, 0700, 04600, 02640, 01600, 0620, 0200, 0000, 0641, 0460, 0777}) {
    auto st = check_key_mode(mode);
    ASSERT_FALSE(st) << "allowed " << std::oct << mode;
    EXPECT_EQ(st.error().code, Errc::usage) << std::oct << mode;
  }
  auto st = check_key_mode(0644);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("0644"), std::string::npos) << st.error().message;
  auto suid = check_key_mode(04600);
  ASSERT_FALSE(suid);
  EXPECT_NE(suid.error().message.find("4600"), std::string::npos) << suid.error().message;
}

}  // namespace
}  // namespace certkeeper::deploy
