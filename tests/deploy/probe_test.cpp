// The post-install probe against a real TLS (and STARTTLS) endpoint on
// loopback serving certificates from the generated test PKI.
#include "certkeeper/deploy/probe.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <string>
#include <vector>

#include "support/test_pki.h"
#include "support/tls_endpoint.h"

namespace certkeeper::deploy {
namespace {

using namespace std::chrono_literals;
using testing::Cert;
using testing::CertOptions;
using testing::Dialogue;
using testing::EndpointFault;
using testing::TestPki;
using testing::TlsEndpoint;
using testing::TlsEndpointOptions;

CertOptions mail_names() {
  CertOptions o;
  o.cn = "mail.example.test";
  o.dns = {"mail.example.test", "smtp.example.test"};
  o.ips = {"127.0.0.1"};
  return o;
}

// A port on 127.0.0.1 where nothing listens, held (bound, not listening)
// for the life of the object so that nobody else takes it meanwhile.
class ClosedPort {
 public:
  ClosedPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("ClosedPort: cannot bind");
    }
    port_ = ntohs(addr.sin_port);
  }
  ~ClosedPort() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class ProbeTest : public ::testing::Test {
 protected:
  // Valid at the real current time: the probe verifies now, not at kPkiNow.
  TestPki pki{static_cast<UnixTime>(std::time(nullptr))};
  Cert leaf = pki.leaf(mail_names());

  // The endpoint serves `chain` (leaf first) with the first one's key.
  static TlsEndpointOptions serving(const std::vector<Cert>& chain, Dialogue dialogue = Dialogue::none,
                                    EndpointFault fault = EndpointFault::none) {
    TlsEndpointOptions o;
    for (const Cert& c : chain) o.chain_pem += c.pem();
    o.key_pem = chain.front().key().pem();
    o.dialogue = dialogue;
    o.fault = fault;
    return o;
  }
  TlsEndpointOptions full_chain(Dialogue dialogue = Dialogue::none, EndpointFault fault = EndpointFault::none) const {
    return serving({leaf, pki.intermediate()}, dialogue, fault);
  }

  static ProbeSpec at(const TlsEndpoint& endpoint, Starttls starttls = Starttls::none) {
    ProbeSpec spec;
    spec.host = "127.0.0.1";
    spec.port = endpoint.port();
    spec.starttls = starttls;
    return spec;
  }

  // Generous for a sanitizer build; the fault tests set their own.
  ProbeOptions trusting_root() const {
    ProbeOptions o;
    o.timeout = 10s;
    o.trust_pem = pki.root().pem();
    o.default_name = "mail.example.test";
    return o;
  }
};

// ---------------------------------------------------------------- what is served

TEST_F(ProbeTest, PlainTlsReportsTheServedLeafAndChain) {
  TlsEndpoint endpoint(full_chain());
  auto report = probe_endpoint(at(endpoint), trusting_root());
  ASSERT_TRUE(report) << report.error().what();
  EXPECT_EQ(report->endpoint, "127.0.0.1:" + std::to_string(endpoint.port()));
  ASSERT_EQ(report->served.size(), 2u);
  EXPECT_EQ(report->served[0].fingerprint_sha256, leaf.facts().fingerprint_sha256);
  EXPECT_EQ(report->served[0].serial_hex, leaf.facts().serial_hex);
  EXPECT_EQ(report->served[1].fingerprint_sha256, pki.intermediate().facts().fingerprint_sha256);
  EXPECT_EQ(report->leaf_fingerprint_sha256, leaf.facts().fingerprint_sha256);
  EXPECT_EQ(report->tls_version, "TLSv1.3");
}

// ---------------------------------------------------------------- chain verification

TEST_F(ProbeTest, ChainVerifiesWithTheTestRootAsTrustAnchor) {
  TlsEndpoint endpoint(full_chain());
  auto report = probe_endpoint(at(endpoint), trusting_root());
  ASSERT_TRUE(report) << report.error().what();
  EXPECT_TRUE(report->chain_verifies);
  EXPECT_EQ(report->verify_error, "");
}

TEST_F(ProbeTest, ChainDoesNotVerifyWithoutTheTestRoot) {
  TlsEndpoint endpoint(full_chain());
  ProbeOptions options = trusting_root();
  options.trust_pem.clear();
  auto report = probe_endpoint(at(endpoint), options);
  ASSERT_TRUE(report) << report.error().what();  // a finding, not an error
  EXPECT_FALSE(report->chain_verifies);
  EXPECT_EQ(report->verify_error, "unable to get local issuer certificate");
  EXPECT_EQ(report->leaf_fingerprint_sha256, leaf.facts().fingerprint_sha256);
}

TEST_F(ProbeTest, ChainDoesNotVerifyWhenTheServerOmitsTheIntermediate) {
  TlsEndpoint endpoint(serving({leaf}));
  auto report = probe_endpoint(at(endpoint), trusting_root());
  ASSERT_TRUE(report) << report.error().what();
  ASSERT_EQ(report->served.size(), 1u);
  EXPECT_FALSE(report->chain_verifies);
  EXPECT_EQ(report->verify_error, "unable to get local issuer certificate");
}

TEST_F(ProbeTest, PartialChainAcceptsTheIntermediateAsTrustAnchor) {
  TlsEndpoint endpoint(full_chain());
  ProbeOptions options = trusting_root();
  options.trust_pem = pki.intermediate().pem();

  auto strict = probe_endpoint(at(endpoint), options);
  ASSERT_TRUE(strict) << strict.error().what();
  EXPECT_FALSE(strict->chain_verifies) << "an intermediate is no anchor without partial_chain";
  EXPECT_NE(strict->verify_error, "");

  options.partial_chain = true;
  auto partial = probe_endpoint(at(endpoint), options);
  ASSERT_TRUE(partial) << partial.error().what();
  EXPECT_TRUE(partial->chain_verifies) << partial->verify_error;
}

TEST_F(ProbeTest, CaFileIsTrusted) {
  TlsEndpoint endpoint(full_chain());
  ProbeOptions options = trusting_root();
  options.trust_pem.clear();
  options.ca_file = pki.write("ca.pem", pki.root().pem());
  auto report = probe_endpoint(at(endpoint), options);
  ASSERT_TRUE(report) << report.error().what();
  EXPECT_TRUE(report->chain_verifies) << report->verify_error;
}

TEST_F(ProbeTest, UnreadableTrustOptionsFailBeforeConnecting) {
  ClosedPort closed;  // would give a network error if the probe got that far
  ProbeSpec spec;
  spec.host = "127.0.0.1";
  spec.port = closed.port();

  ProbeOptions options = trusting_root();
  options.trust_pem = "not a certificate";
  auto junk = probe_endpoint(spec, options);
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().code, Errc::invalid_input);

  options = trusting_root();
  options.ca_file = pki.path("missing.pem");
  auto missing = probe_endpoint(spec, options);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::io);
  EXPECT_EQ(missing.error().subject, options.ca_file);
}

// ---------------------------------------------------------------- names and SNI

TEST_F(ProbeTest, NameCoveredByTheLeaf) {
  TlsEndpoint endpoint(full_chain());
  ProbeOptions options = trusting_root();
  options.default_name = "smtp.example.test";
  auto report = probe_endpoint(at(endpoint), options);
  ASSERT_TRUE(report) << report.error().what();
  EXPECT_EQ(report->servername, "smtp.example.test");
  EXPECT_TRUE(report->name_covered);
}

TEST_F(ProbeTest, NameNotCoveredByTheLeaf) {
  TlsEndpoint endpoint(full_chain());
  ProbeOptions options = trusting_root();
  options.default_name = "imap.example.test";
  auto report = probe_endpoint(at(endpoint), options);
  ASSERT_TRUE(report) << report.error().what();  // a finding, not an error
  EXPECT_EQ(report->servername, "imap.example.test");
  EXPECT_FALSE(report->name_covered);
  EXPECT_TRUE(report->chain_verifies);
}

TEST_F(ProbeTest, DefaultNameIsSentAsSni) {
  TlsEndpoint endpoint(full_chain());
  auto report = probe_endpoint(at(endpoint), trusting_root());
  ASSERT_TRUE(report) << report.error().what();
  auto hellos = endpoint.hellos();
  ASSERT_EQ(hellos.size(), 1u);
  EXPECT_EQ(hellos[0].sni, "mail.example.test");
}

TEST_F(ProbeTest, ServernameOverrideIsSentAsSniAndChecked) {
  TlsEndpoint endpoint(full_chain());
  ProbeSpec spec = at(endpoint);
  spec.servername = "smtp.example.test";
  ProbeOptions options = trusting_root();
  options.default_name = "imap.example.test";  // not covered: must not be the one used
  auto report = probe_endpoint(spec, options);
  ASSERT_TRUE(report) << report.error().what();
  auto hellos = endpoint.hellos();
  ASSERT_EQ(hellos.size(), 1u);
  EXPECT_EQ(hellos[0].sni, "smtp.example.test");
  EXPECT_EQ(report->servername, "smtp.example.test");
  EXPECT_TRUE(report->name_covered);
}

TEST_F(ProbeTest, IpLiteralSendsNoSniAndIsCheckedAsIp) {
  TlsEndpoint endpoint(full_chain());
  ProbeOptions options = trusting_root();
  options.default_name = "127.0.0.1";
  auto report = probe_endpoint(at(endpoint), options);
  ASSERT_TRUE(report) << report.error().what();
  auto hellos = endpoint.hellos();
  ASSERT_EQ(hellos.size(), 1u);
  EXPECT_EQ(hellos[0].sni, std::nullopt);
  EXPECT_EQ(report->servername, "127.0.0.1");
  EXPECT_TRUE(report->name_covered);
}

TEST_F(ProbeTest, IpLiteralIsNotCoveredByADnsNameEntry) {
  CertOptions names;
  names.cn = "127.0.0.1";
  names.dns = {"127.0.0.1"};  // a dNSName spelled like an address is not an iPAddress entry
  Cert dns_only = pki.leaf(names);
  TlsEndpoint endpoint(serving({dns_only, pki.intermediate()}));
  ProbeOptions options = trusting_root();
  options.default_name = "127.0.0.1";
  auto report = probe_endpoint(at(endpoint), options);
  ASSERT_TRUE(report) << report.error().what();
  EXPECT_FALSE(report->name_covered);
}

TEST_F(ProbeTest, InvalidServernameIsAUsageError) {
  ClosedPort closed;
  ProbeSpec spec;
  spec.host = "127.0.0.1";
  spec.port = closed.port();
  spec.servername = "not a host name!";
  auto report = probe_endpoint(spec, trusting_root());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, Errc::usage);
}

TEST_F(ProbeTest, HostNameIsResolved) {
  TlsEndpoint endpoint(full_chain());
  ProbeSpec spec = at(endpoint);
  spec.host = "localhost";  // may resolve to ::1 first, where nothing listens
  auto report = probe_endpoint(spec, trusting_root());
  ASSERT_TRUE(report) << report.error().what();
  EXPECT_EQ(report->endpoint, "localhost:" + std::to_string(endpoint.port()));
  EXPECT_EQ(report->leaf_fingerprint_sha256, leaf.facts().fingerprint_sha256);
}

// ---------------------------------------------------------------- STARTTLS

TEST_F(ProbeTest, SmtpStarttls) {
  TlsEndpoint endpoint(full_chain(Dialogue::smtp));
  auto report = probe_endpoint(at(endpoint, Starttls::smtp), trusting_root());
  ASSERT_TRUE(report) << report.error().what();
  EXPECT_EQ(report->leaf_fingerprint_sha256, leaf.facts().fingerprint_sha256);
  EXPECT_TRUE(report->chain_verifies) << report->verify_error;
  auto commands = endpoint.commands();
  ASSERT_EQ(commands.size(), 2u);
  EXPECT_TRUE(commands[0].starts_with("EHLO ")) << commands[0];
  EXPECT_GT(commands[0].size(), 5u);
  EXPECT_EQ(commands[1], "STARTTLS");
}

TEST_F(ProbeTest, ImapStarttls) {
  TlsEndpoint endpoint(full_chain(Dialogue::imap));
  auto report = probe_endpoint(at(endpoint, Starttls::imap), trusting_root());
  ASSERT_TRUE(report) << report.error().what();
  EXPECT_EQ(report->leaf_fingerprint_sha256, leaf.facts().fingerprint_sha256);
  EXPECT_EQ(endpoint.commands(), std::vector<std::string>{"a001 STARTTLS"});
}

TEST_F(ProbeTest, Pop3Starttls) {
  TlsEndpoint endpoint(full_chain(Dialogue::pop3));
  auto report = probe_endpoint(at(endpoint, Starttls::pop3), trusting_root());
  ASSERT_TRUE(report) << report.error().what();
  EXPECT_EQ(report->leaf_fingerprint_sha256, leaf.facts().fingerprint_sha256);
  EXPECT_EQ(endpoint.commands(), std::vector<std::string>{"STLS"});
}

TEST_F(ProbeTest, SmtpWithoutStarttlsIsANetworkError) {
  TlsEndpoint endpoint(full_chain(Dialogue::smtp, EndpointFault::no_starttls));
  auto report = probe_endpoint(at(endpoint, Starttls::smtp), trusting_root());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, Errc::network);
  EXPECT_NE(report.error().message.find("does not offer STARTTLS"), std::string::npos) << report.error().what();
  EXPECT_EQ(report.error().what().rfind("127.0.0.1:" + std::to_string(endpoint.port()) + ": ", 0), 0u)
      << report.error().what();
  EXPECT_EQ(endpoint.commands().size(), 1u) << "only EHLO: STARTTLS was not offered, so not sent";
}

TEST_F(ProbeTest, ImapWithoutStarttlsIsANetworkError) {
  TlsEndpoint endpoint(full_chain(Dialogue::imap, EndpointFault::no_starttls));
  auto report = probe_endpoint(at(endpoint, Starttls::imap), trusting_root());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, Errc::network);
  EXPECT_NE(report.error().message.find("does not offer STARTTLS"), std::string::npos) << report.error().what();
}

TEST_F(ProbeTest, StarttlsRefusedIsANetworkError) {
  for (auto [dialogue, starttls] :
       {std::pair{Dialogue::smtp, Starttls::smtp}, std::pair{Dialogue::imap, Starttls::imap},
        std::pair{Dialogue::pop3, Starttls::pop3}}) {
    SCOPED_TRACE(starttls_name(starttls));
    TlsEndpoint endpoint(full_chain(dialogue, EndpointFault::starttls_refused));
    auto report = probe_endpoint(at(endpoint, starttls), trusting_root());
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().code, Errc::network);
    EXPECT_NE(report.error().message.find("refused STARTTLS"), std::string::npos) << report.error().what();
    EXPECT_TRUE(endpoint.hellos().empty()) << "no handshake after a refusal";
  }
}

TEST_F(ProbeTest, PlainTlsAgainstAStarttlsServerIsAHandshakeError) {
  TlsEndpoint endpoint(full_chain(Dialogue::smtp));
  auto report = probe_endpoint(at(endpoint), trusting_root());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, Errc::network);
  EXPECT_NE(report.error().message.find("TLS handshake failed"), std::string::npos) << report.error().what();
}

// ---------------------------------------------------------------- faults

TEST_F(ProbeTest, SilentServerTimesOutInTheGreeting) {
  TlsEndpoint endpoint(full_chain(Dialogue::smtp, EndpointFault::silent));
  ProbeOptions options = trusting_root();
  options.timeout = 300ms;
  auto report = probe_endpoint(at(endpoint, Starttls::smtp), options);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, Errc::timeout) << report.error().what();
  EXPECT_NE(report.error().message.find("SMTP greeting"), std::string::npos) << report.error().what();
}

TEST_F(ProbeTest, SilentServerTimesOutInTheHandshake) {
  TlsEndpoint endpoint(full_chain(Dialogue::none, EndpointFault::silent));
  ProbeOptions options = trusting_root();
  options.timeout = 300ms;
  auto report = probe_endpoint(at(endpoint), options);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, Errc::timeout) << report.error().what();
}

TEST_F(ProbeTest, ClosedPortIsConnectionRefused) {
  ClosedPort closed;
  ProbeSpec spec;
  spec.host = "127.0.0.1";
  spec.port = closed.port();
  auto report = probe_endpoint(spec, trusting_root());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, Errc::network);
  EXPECT_EQ(report.error().what(), "127.0.0.1:" + std::to_string(closed.port()) + ": connection refused");
}

TEST_F(ProbeTest, EndlessGreetingLineIsAnError) {
  for (auto [dialogue, starttls] :
       {std::pair{Dialogue::smtp, Starttls::smtp}, std::pair{Dialogue::imap, Starttls::imap},
        std::pair{Dialogue::pop3, Starttls::pop3}}) {
    SCOPED_TRACE(starttls_name(starttls));
    TlsEndpoint endpoint(full_chain(dialogue, EndpointFault::endless_line));
    auto report = probe_endpoint(at(endpoint, starttls), trusting_root());
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().code, Errc::network);
    EXPECT_NE(report.error().message.find("line longer than"), std::string::npos) << report.error().what();
  }
}

TEST_F(ProbeTest, EndlessGreetingLinesAreAnError) {
  TlsEndpoint endpoint(full_chain(Dialogue::smtp, EndpointFault::endless_lines));
  auto report = probe_endpoint(at(endpoint, Starttls::smtp), trusting_root());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, Errc::network);
  EXPECT_NE(report.error().message.find("more than 100 lines"), std::string::npos) << report.error().what();
}

}  // namespace
}  // namespace certkeeper::deploy
