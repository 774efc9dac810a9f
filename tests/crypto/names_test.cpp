// RFC 6125 / RFC 9525 name matching and reference-name handling (names.h):
// pure functions, no PKI.
#include "certkeeper/crypto/names.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace certkeeper::crypto {
namespace {

using Names = std::vector<std::string>;

NameMatch dns(const Names& presented, const std::string& reference) {
  return match_name(presented, {}, "", reference);
}

MatchKind dns_kind(const Names& presented, const std::string& reference) {
  return dns(presented, reference).kind;
}

std::string host(const std::string& url) {
  auto r = host_from_url(url);
  EXPECT_TRUE(r.has_value()) << url << ": " << (r ? "" : r.error().message);
  return r ? *r : std::string("<error>");
}

// ---------------------------------------------------------------- exact names

TEST(MatchName, AWildcardReferenceNeedsTheSameWildcard) {
  EXPECT_EQ(dns_kind({"*.example.com"}, "*.example.com"), MatchKind::wildcard);
  EXPECT_EQ(dns_kind({"*.Example.COM."}, "*.example.com"), MatchKind::wildcard);
  EXPECT_EQ(dns_kind({"a.example.com", "example.com"}, "*.example.com"), MatchKind::none);
  EXPECT_EQ(dns_kind({"*.other.com"}, "*.example.com"), MatchKind::none);
  EXPECT_NE(dns({"a.example.com"}, "*.example.com").explanation.find("'*.example.com'"), std::string::npos);
}

TEST(MatchName, ExactName) {
  const NameMatch m = dns({"www.example.com"}, "www.example.com");
  EXPECT_EQ(m.kind, MatchKind::exact);
  EXPECT_EQ(m.presented, "www.example.com");
  EXPECT_TRUE(m.explanation.empty());
}

TEST(MatchName, FindsTheEntryAmongSeveral) {
  const NameMatch m = dns({"a.example.com", "mail.example.com", "b.example.com"}, "mail.example.com");
  EXPECT_EQ(m.kind, MatchKind::exact);
  EXPECT_EQ(m.presented, "mail.example.com");
}

TEST(MatchName, OtherNameDoesNotMatchAndListsTheNames) {
  const NameMatch m = dns({"www.example.com", "smtp.example.com"}, "mail.example.com");
  EXPECT_EQ(m.kind, MatchKind::none);
  EXPECT_TRUE(m.presented.empty());
  EXPECT_NE(m.explanation.find("www.example.com"), std::string::npos) << m.explanation;
  EXPECT_NE(m.explanation.find("smtp.example.com"), std::string::npos) << m.explanation;
}

TEST(MatchName, SuffixIsNotAMatch) {
  EXPECT_EQ(dns_kind({"example.com"}, "www.example.com"), MatchKind::none);
  EXPECT_EQ(dns_kind({"ample.com"}, "example.com"), MatchKind::none);
  EXPECT_EQ(dns_kind({"www.example.com"}, "example.com"), MatchKind::none);
}

TEST(MatchName, CaseInsensitiveOnBothSides) {
  EXPECT_EQ(dns_kind({"WWW.Example.COM"}, "www.example.com"), MatchKind::exact);
  EXPECT_EQ(dns_kind({"www.example.com"}, "Www.EXAMPLE.com"), MatchKind::exact);
  const NameMatch m = dns({"Mail.Example.com"}, "MAIL.example.COM");
  EXPECT_EQ(m.kind, MatchKind::exact);
  EXPECT_EQ(m.presented, "Mail.Example.com") << "presented is the entry as written";
}

TEST(MatchName, OneTrailingDotIgnoredOnEitherSide) {
  EXPECT_EQ(dns_kind({"www.example.com."}, "www.example.com"), MatchKind::exact);
  EXPECT_EQ(dns_kind({"www.example.com"}, "www.example.com."), MatchKind::exact);
  EXPECT_EQ(dns_kind({"www.example.com."}, "www.example.com."), MatchKind::exact);
  EXPECT_EQ(dns_kind({"www.example.com"}, "www.example.com.."), MatchKind::none);
}

// ---------------------------------------------------------------- wildcards

TEST(MatchName, WildcardCoversOneLeftMostLabel) {
  const NameMatch m = dns({"*.example.com"}, "mail.example.com");
  EXPECT_EQ(m.kind, MatchKind::wildcard);
  EXPECT_EQ(m.presented, "*.example.com");
  EXPECT_EQ(dns_kind({"*.Example.COM"}, "A.example.com"), MatchKind::wildcard);
  EXPECT_EQ(dns_kind({"*.example.com."}, "a.example.com"), MatchKind::wildcard);
}

TEST(MatchName, ExactBeatsWildcard) {
  EXPECT_EQ(dns_kind({"*.example.com", "www.example.com"}, "www.example.com"), MatchKind::exact);
}

TEST(MatchName, WildcardDoesNotCoverTheApex) {
  const NameMatch m = dns({"*.example.com"}, "example.com");
  EXPECT_EQ(m.kind, MatchKind::none);
  EXPECT_NE(m.explanation.find("*.example.com"), std::string::npos) << m.explanation;
}

TEST(MatchName, WildcardDoesNotCoverTwoLabels) {
  const NameMatch m = dns({"*.example.com"}, "a.b.example.com");
  EXPECT_EQ(m.kind, MatchKind::none);
  EXPECT_NE(m.explanation.find("one label"), std::string::npos) << m.explanation;
}

TEST(MatchName, PartialWildcardsNeverMatch) {
  for (const char* presented : {"f*.example.com", "*oo.example.com", "f*o.example.com", "**.example.com"}) {
    const NameMatch m = dns({presented}, "foo.example.com");
    EXPECT_EQ(m.kind, MatchKind::none) << presented;
    EXPECT_NE(m.explanation.find("partial"), std::string::npos) << presented << ": " << m.explanation;
  }
}

TEST(MatchName, WildcardOnlyInTheLeftMostLabel) {
  EXPECT_EQ(dns_kind({"www.*.example.com"}, "www.a.example.com"), MatchKind::none);
  EXPECT_EQ(dns_kind({"*.*.example.com"}, "a.b.example.com"), MatchKind::none);
  EXPECT_EQ(dns_kind({"www.example.*"}, "www.example.com"), MatchKind::none);
}

TEST(MatchName, WildcardOverATopLevelDomainNeverMatches) {
  EXPECT_EQ(dns_kind({"*.com"}, "example.com"), MatchKind::none);
  EXPECT_EQ(dns_kind({"*"}, "example"), MatchKind::none);
  EXPECT_EQ(dns_kind({"*."}, "example"), MatchKind::none);
}

// The Public Suffix List (libpsl), not a table of our own: a wildcard right
// above any ICANN public suffix is as broad as "*.com".
TEST(MatchName, WildcardOverAPublicSuffixNeverMatches) {
  for (const auto& [presented, reference] : std::vector<std::pair<std::string, std::string>>{
           {"*.co.uk", "foo.co.uk"}, {"*.com.au", "shop.com.au"}, {"*.gov.uk", "www.gov.uk"},
           {"*.CO.UK.", "foo.co.uk"}, {"*.xn--fiqs8s", "a.xn--fiqs8s"}}) {
    const NameMatch m = match_name({presented}, {}, "", reference);
    EXPECT_EQ(m.kind, MatchKind::none) << presented << " matched " << reference;
    EXPECT_NE(m.explanation.find("public suffix"), std::string::npos) << presented << ": " << m.explanation;
  }
  EXPECT_TRUE(is_public_suffix("co.uk"));
  EXPECT_TRUE(is_public_suffix("com"));
  EXPECT_FALSE(is_public_suffix("example.co.uk"));
  EXPECT_FALSE(is_public_suffix("example.test")) << "no implicit '*' rule for unknown top-level domains";
}

TEST(MatchName, WildcardsBelowAPublicSuffixStillMatch) {
  EXPECT_EQ(dns_kind({"*.example.co.uk"}, "www.example.co.uk"), MatchKind::wildcard);
  EXPECT_EQ(dns_kind({"*.example.com"}, "www.example.com"), MatchKind::wildcard);
  // The PSL's private section (hosting providers) is not a registry: GitHub
  // holds a certificate for *.github.io.
  EXPECT_EQ(dns_kind({"*.github.io"}, "someone.github.io"), MatchKind::wildcard);
}

// ---------------------------------------------------------------- IP addresses

TEST(MatchName, Ipv4MatchesAnIpAddressEntry) {
  const NameMatch m = match_name({"www.example.com"}, {"192.0.2.7"}, "", "192.0.2.7");
  EXPECT_EQ(m.kind, MatchKind::ip);
  EXPECT_EQ(m.presented, "192.0.2.7");
}

TEST(MatchName, Ipv4IsNotCoveredByADnsEntry) {
  const NameMatch m = match_name({"192.0.2.7"}, {}, "", "192.0.2.7");
  EXPECT_EQ(m.kind, MatchKind::none);
  EXPECT_NE(m.explanation.find("iPAddress"), std::string::npos) << m.explanation;
}

TEST(MatchName, OtherIpDoesNotMatch) {
  EXPECT_EQ(match_name({}, {"192.0.2.7"}, "", "192.0.2.8").kind, MatchKind::none);
  EXPECT_EQ(match_name({}, {"::1"}, "", "127.0.0.1").kind, MatchKind::none);
  EXPECT_EQ(match_name({}, {"127.0.0.1"}, "", "::1").kind, MatchKind::none);
}

TEST(MatchName, IpEntryDoesNotCoverADnsName) {
  EXPECT_EQ(match_name({}, {"192.0.2.7"}, "", "www.example.com").kind, MatchKind::none);
}

TEST(MatchName, Ipv6ComparesInCanonicalForm) {
  EXPECT_EQ(match_name({}, {"2001:db8::1"}, "", "2001:0DB8:0000:0000:0000:0000:0000:0001").kind, MatchKind::ip);
  EXPECT_EQ(match_name({}, {"2001:0db8::0001"}, "", "2001:db8::1").kind, MatchKind::ip);
  EXPECT_EQ(match_name({}, {"::1"}, "", "[::1]").kind, MatchKind::ip);
  EXPECT_EQ(match_name({}, {"2001:db8::1"}, "", "2001:db8::2").kind, MatchKind::none);
}

TEST(MatchName, WildcardNeverCoversAnIp) {
  EXPECT_EQ(match_name({"*.0.2.7"}, {}, "", "192.0.2.7").kind, MatchKind::none);
}

// ---------------------------------------------------------------- IDN

TEST(MatchName, ULabelReferenceMatchesAnALabelEntry) {
  const NameMatch m = dns({"xn--bcher-kva.example"}, "bücher.example");
  EXPECT_EQ(m.kind, MatchKind::exact);
  EXPECT_EQ(m.presented, "xn--bcher-kva.example");
}

TEST(MatchName, ALabelReferenceMatchesAnALabelEntry) {
  EXPECT_EQ(dns_kind({"xn--bcher-kva.example"}, "XN--BCHER-KVA.example"), MatchKind::exact);
}

TEST(MatchName, UpperCaseULabelIsMappedFirst) {
  EXPECT_EQ(dns_kind({"xn--bcher-kva.example"}, "BÜCHER.example"), MatchKind::exact);
}

TEST(MatchName, WildcardCoversAnIdnLabel) {
  EXPECT_EQ(dns_kind({"*.shop.example"}, "bücher.shop.example"), MatchKind::wildcard);
}

TEST(MatchName, DifferentIdnDoesNotMatch) {
  EXPECT_EQ(dns_kind({"xn--bcher-kva.example"}, "bucher.example"), MatchKind::none);
}

// ---------------------------------------------------------------- the CN is never a name

TEST(MatchName, CnOnlyCertificateIsExplained) {
  const NameMatch m = match_name({}, {}, "www.example.com", "www.example.com");
  EXPECT_EQ(m.kind, MatchKind::none);
  EXPECT_NE(m.explanation.find("CN"), std::string::npos) << m.explanation;
  EXPECT_NE(m.explanation.find("subjectAltName"), std::string::npos) << m.explanation;
}

TEST(MatchName, CnOnlyWithAnotherNameIsExplainedToo) {
  const NameMatch m = match_name({}, {}, "other.example.com", "www.example.com");
  EXPECT_EQ(m.kind, MatchKind::none);
  EXPECT_NE(m.explanation.find("subjectAltName"), std::string::npos) << m.explanation;
}

TEST(MatchName, CnIsIgnoredWhenThereIsASan) {
  EXPECT_EQ(match_name({"mail.example.com"}, {}, "www.example.com", "www.example.com").kind, MatchKind::none);
}

TEST(MatchName, InvalidReferenceMatchesNothing) {
  const NameMatch m = dns({"www.example.com"}, "not a host");
  EXPECT_EQ(m.kind, MatchKind::none);
  EXPECT_FALSE(m.explanation.empty());
}

// ---------------------------------------------------------------- normalize_host / is_ip_address

TEST(NormalizeHost, LowerCaseAndOneTrailingDot) {
  EXPECT_EQ(*normalize_host("Mail.Example.COM"), "mail.example.com");
  EXPECT_EQ(*normalize_host("mail.example.com."), "mail.example.com");
  EXPECT_EQ(*normalize_host("localhost"), "localhost");
}

TEST(NormalizeHost, ULabelsBecomeALabels) {
  EXPECT_EQ(*normalize_host("bücher.example"), "xn--bcher-kva.example");
  EXPECT_EQ(*normalize_host("BÜCHER.example."), "xn--bcher-kva.example");
  EXPECT_EQ(*normalize_host("xn--bcher-kva.example"), "xn--bcher-kva.example");
}

TEST(NormalizeHost, IpLiteralsInCanonicalForm) {
  EXPECT_EQ(*normalize_host("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(*normalize_host("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
  EXPECT_EQ(*normalize_host("[::1]"), "::1");
  EXPECT_EQ(*normalize_host("0:0:0:0:0:0:0:1"), "::1");
}

TEST(NormalizeHost, InvalidNamesAreUsageErrors) {
  for (const char* bad : {"", ".", "a..b", "exa mple.com", "*.example.com", "host/path", "[example.com]",
                          "example.com..", "a@b"}) {
    auto r = normalize_host(bad);
    ASSERT_FALSE(r.has_value()) << "'" << bad << "' accepted as " << *r;
    EXPECT_EQ(r.error().code, Errc::usage) << bad;
  }
}

TEST(NormalizeHost, LabelAndNameLengthLimits) {
  EXPECT_TRUE(normalize_host(std::string(63, 'a') + ".example").has_value());
  EXPECT_FALSE(normalize_host(std::string(64, 'a') + ".example").has_value());
  std::string long_name;
  while (long_name.size() < 260) long_name += "abcdefgh.";
  long_name += "example";
  EXPECT_FALSE(normalize_host(long_name).has_value());
}

TEST(IsIpAddress, RecognisesLiteralsOnly) {
  EXPECT_TRUE(is_ip_address("127.0.0.1"));
  EXPECT_TRUE(is_ip_address("::1"));
  EXPECT_TRUE(is_ip_address("[2001:db8::1]"));
  EXPECT_FALSE(is_ip_address("example.com"));
  EXPECT_FALSE(is_ip_address("256.0.0.1"));
  EXPECT_FALSE(is_ip_address("1.2.3"));
  EXPECT_FALSE(is_ip_address(""));
}

// ---------------------------------------------------------------- host_from_url

TEST(HostFromUrl, SchemePortAndPathAreIgnored) {
  EXPECT_EQ(host("https://Mail.Example.com:8443/owa"), "mail.example.com");
  EXPECT_EQ(host("https://mail.example.com/"), "mail.example.com");
  EXPECT_EQ(host("https://mail.example.com"), "mail.example.com");
  EXPECT_EQ(host("http://mail.example.com?q=1"), "mail.example.com");
  EXPECT_EQ(host("http://mail.example.com#top"), "mail.example.com");
  EXPECT_EQ(host("smtp://mail.example.com:25"), "mail.example.com");
  EXPECT_EQ(host("HTTPS://mail.example.com./x"), "mail.example.com");
}

TEST(HostFromUrl, UserinfoIsIgnored) {
  EXPECT_EQ(host("https://admin@mail.example.com/"), "mail.example.com");
  EXPECT_EQ(host("https://admin:s3cret@mail.example.com:8443/owa"), "mail.example.com");
}

TEST(HostFromUrl, Ipv6InBrackets) {
  EXPECT_EQ(host("https://[2001:DB8::1]:8443/owa"), "2001:db8::1");
  EXPECT_EQ(host("https://[::1]/"), "::1");
  EXPECT_EQ(host("[::1]"), "::1");
  EXPECT_EQ(host("::1"), "::1");
  EXPECT_EQ(host("https://192.0.2.7:443/"), "192.0.2.7");
}

TEST(HostFromUrl, BareHostAndHostWithPort) {
  EXPECT_EQ(host("Mail.Example.com"), "mail.example.com");
  EXPECT_EQ(host("mail.example.com:8443"), "mail.example.com");
  EXPECT_EQ(host("mail.example.com/owa"), "mail.example.com");
  EXPECT_EQ(host("  mail.example.com  "), "mail.example.com");
}

TEST(HostFromUrl, IdnHostBecomesALabels) {
  EXPECT_EQ(host("https://bücher.example/shop"), "xn--bcher-kva.example");
}

TEST(HostFromUrl, BadUrlsAreUsageErrors) {
  for (const char* bad : {"", "   ", "https://", "https:///owa", "https://:443/", "https://user@/",
                          "https://[::1/", "https://[::1]x/", "https://[example.com]/", "https://mail.example.com:port/",
                          "https://mail.example.com:99999/", "http://2001:db8::1/", "://mail.example.com",
                          "1http://mail.example.com", "https://exa mple.com/"}) {
    auto r = host_from_url(bad);
    ASSERT_FALSE(r.has_value()) << "'" << bad << "' gave " << *r;
    EXPECT_EQ(r.error().code, Errc::usage) << bad;
    EXPECT_FALSE(r.error().message.empty());
  }
}

}  // namespace
}  // namespace certkeeper::crypto
