// A real TLS client (OpenSSL, independent of certkeeper's crypto module)
// against the tls-alpn-01 responder (RFC 8737).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <optional>

#include "certkeeper/challenge/solver.h"
#include "challenge/challenge_fixture.h"

namespace certkeeper::challenge {
namespace {

using testing::free_port;
using testing::loopback;
using testing::PortHolder;
using testing::task_of;
using testing::token_of;

struct SslCtxFree {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const { SSL_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct ObjFree {
  void operator()(ASN1_OBJECT* p) const { ASN1_OBJECT_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

struct Handshake {
  bool connected = false;  // TCP
  bool ok = false;         // TLS
  std::string alpn;
  X509Ptr peer;
};

struct ClientOptions {
  std::string sni;
  std::optional<std::string> alpn = "acme-tls/1";
  int max_version = 0;  // 0: the highest
};

Handshake handshake(int port, const ClientOptions& options) {
  Handshake out;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{2, 0};  // bounded: a stuck server fails the test, not hangs it
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return out;
  }
  out.connected = true;
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);  // self-signed by design
  if (options.max_version != 0) SSL_CTX_set_max_proto_version(ctx.get(), options.max_version);
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
  SSL_set_fd(ssl.get(), fd);
  if (!options.sni.empty()) SSL_set_tlsext_host_name(ssl.get(), options.sni.c_str());
  if (options.alpn) {
    std::string wire = std::string(1, static_cast<char>(options.alpn->size())) + *options.alpn;
    SSL_set_alpn_protos(ssl.get(), reinterpret_cast<const unsigned char*>(wire.data()),
                        static_cast<unsigned>(wire.size()));
  }
  out.ok = SSL_connect(ssl.get()) == 1;
  if (out.ok) {
    const unsigned char* proto = nullptr;
    unsigned len = 0;
    SSL_get0_alpn_selected(ssl.get(), &proto, &len);
    out.alpn.assign(reinterpret_cast<const char*>(proto), len);
    out.peer.reset(SSL_get1_peer_certificate(ssl.get()));
    SSL_shutdown(ssl.get());
  }
  ERR_clear_error();
  ssl.reset();
  ::close(fd);
  return out;
}

std::string sha256(const std::string& data) {
  unsigned char digest[32];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), len);
}

// RFC 8737 §3: the acmeIdentifier extension (id-pe-acmeIdentifier,
// 1.3.6.1.5.5.7.1.31) is critical and its value is the DER of an OCTET
// STRING holding SHA-256(key authorization).
void expect_acme_identifier(X509* cert, const std::string& key_authorization) {
  std::unique_ptr<ASN1_OBJECT, ObjFree> oid(OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1));
  int index = X509_get_ext_by_OBJ(cert, oid.get(), -1);
  ASSERT_GE(index, 0) << "no acmeIdentifier extension";
  X509_EXTENSION* ext = X509_get_ext(cert, index);
  EXPECT_EQ(X509_EXTENSION_get_critical(ext), 1);
  ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
  std::string der(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                  static_cast<std::size_t>(ASN1_STRING_length(data)));
  EXPECT_EQ(der, std::string("\x04\x20", 2) + sha256(key_authorization));
}

TEST(TlsAlpnSolver, PresentsTheAcmeCertificateForTheNameAndAcmeTls) {
  int port = free_port();
  auto solver = make_tls_alpn_solver(loopback(port));
  EXPECT_EQ(solver->type(), "tls-alpn-01");
  Task task = task_of("tls-alpn-01", "www.example.test", token_of('a'));

  EXPECT_FALSE(handshake(port, {"www.example.test"}).connected);  // not listening yet
  ASSERT_TRUE(solver->present(task));

  Handshake h = handshake(port, {"WWW.Example.Test"});  // SNI compares without case
  ASSERT_TRUE(h.ok);
  EXPECT_EQ(h.alpn, "acme-tls/1");
  ASSERT_TRUE(h.peer);
  EXPECT_EQ(X509_check_host(h.peer.get(), "www.example.test", 0, 0, nullptr), 1);
  expect_acme_identifier(h.peer.get(), task.key_authorization);

  solver->cleanup(task);
  EXPECT_FALSE(handshake(port, {"www.example.test"}).connected);  // closed after the last task
  EXPECT_TRUE(testing::can_listen_on(port));
}

TEST(TlsAlpnSolver, WorksOverTls12Too) {
  int port = free_port();
  auto solver = make_tls_alpn_solver(loopback(port));
  Task task = task_of("tls-alpn-01", "www.example.test", token_of('b'));
  ASSERT_TRUE(solver->present(task));
  Handshake h = handshake(port, {"www.example.test", "acme-tls/1", TLS1_2_VERSION});
  ASSERT_TRUE(h.ok);
  EXPECT_EQ(h.alpn, "acme-tls/1");
  expect_acme_identifier(h.peer.get(), task.key_authorization);
  solver->cleanup(task);
}

TEST(TlsAlpnSolver, RefusesHandshakesWithoutAcmeTlsOrForOtherNames) {
  int port = free_port();
  auto solver = make_tls_alpn_solver(loopback(port));
  Task task = task_of("tls-alpn-01", "www.example.test", token_of('c'));
  ASSERT_TRUE(solver->present(task));

  Handshake no_alpn = handshake(port, {"www.example.test", std::nullopt});
  EXPECT_TRUE(no_alpn.connected);
  EXPECT_FALSE(no_alpn.ok);
  EXPECT_FALSE(handshake(port, {"www.example.test", "http/1.1"}).ok);
  EXPECT_FALSE(handshake(port, {"www.example.test", "h2"}).ok);
  EXPECT_FALSE(handshake(port, {"other.example.test"}).ok);
  EXPECT_FALSE(handshake(port, {""}).ok);  // no SNI
  // And the responder still answers properly afterwards.
  EXPECT_TRUE(handshake(port, {"www.example.test"}).ok);
  solver->cleanup(task);
}

TEST(TlsAlpnSolver, AnswersSeveralNamesEachWithItsOwnCertificate) {
  int port = free_port();
  auto solver = make_tls_alpn_solver(loopback(port));
  Task a = task_of("tls-alpn-01", "a.example.test", token_of('a'));
  Task b = task_of("tls-alpn-01", "b.example.test", token_of('b'));
  ASSERT_TRUE(solver->present(a));
  ASSERT_TRUE(solver->present(b));
  Handshake ha = handshake(port, {"a.example.test"});
  Handshake hb = handshake(port, {"b.example.test"});
  ASSERT_TRUE(ha.ok && hb.ok);
  expect_acme_identifier(ha.peer.get(), a.key_authorization);
  expect_acme_identifier(hb.peer.get(), b.key_authorization);

  solver->cleanup(a);
  EXPECT_FALSE(handshake(port, {"a.example.test"}).ok);
  EXPECT_TRUE(handshake(port, {"b.example.test"}).ok);
  solver->cleanup(b);
  EXPECT_FALSE(handshake(port, {"b.example.test"}).connected);
}

TEST(TlsAlpnSolver, AnswersAnIpIdentifierByItsReverseName) {
  // RFC 8738 §6: the SNI is the in-addr.arpa name, the SAN the address.
  int port = free_port();
  auto solver = make_tls_alpn_solver(loopback(port));
  Task task = task_of("tls-alpn-01", "127.0.0.1", token_of('i'));
  ASSERT_TRUE(solver->present(task));
  Handshake h = handshake(port, {"1.0.0.127.in-addr.arpa"});
  ASSERT_TRUE(h.ok);
  EXPECT_EQ(X509_check_ip_asc(h.peer.get(), "127.0.0.1", 0), 1);
  expect_acme_identifier(h.peer.get(), task.key_authorization);
  solver->cleanup(task);
}

TEST(TlsAlpnSolver, TwoSolversOnOneAddressShareItsListener) {
  // renew's workers each make their own solver for the same --listen: the
  // second must not fail with "Address already in use".
  int port = free_port();
  auto first = make_tls_alpn_solver(loopback(port), std::chrono::seconds(0));
  auto second = make_tls_alpn_solver(loopback(port), std::chrono::seconds(0));
  Task a = task_of("tls-alpn-01", "a.example.test", token_of('a'));
  Task b = task_of("tls-alpn-01", "b.example.test", token_of('b'));
  ASSERT_TRUE(first->present(a));
  auto shown = second->present(b);
  ASSERT_TRUE(shown) << shown.error().what();
  Handshake ha = handshake(port, {"a.example.test"});
  Handshake hb = handshake(port, {"b.example.test"});
  ASSERT_TRUE(ha.ok);
  ASSERT_TRUE(hb.ok);
  expect_acme_identifier(ha.peer.get(), a.key_authorization);
  expect_acme_identifier(hb.peer.get(), b.key_authorization);
  first->cleanup(a);
  EXPECT_FALSE(handshake(port, {"a.example.test"}).ok);
  EXPECT_TRUE(handshake(port, {"b.example.test"}).ok) << "still listening for the other solver's task";
  second->cleanup(b);
  EXPECT_TRUE(testing::can_listen_on(port));
}

TEST(TlsAlpnSolver, APortInUseIsAClearError) {
  PortHolder taken;
  auto solver = make_tls_alpn_solver(loopback(taken.port()), std::chrono::seconds(0));
  Task task = task_of("tls-alpn-01", "www.example.test", token_of('d'));
  auto s = solver->present(task);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::io);
  EXPECT_NE(s.error().message.find(loopback(taken.port())), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("in use"), std::string::npos) << s.error().message;
  solver->cleanup(task);
}

TEST(TlsAlpnSolver, ASilentClientDoesNotBlockOthersOrShutdown) {
  int port = free_port();
  auto solver = make_tls_alpn_solver(loopback(port));
  Task task = task_of("tls-alpn-01", "www.example.test", token_of('e'));
  ASSERT_TRUE(solver->present(task));
  // A client that connects and says nothing.
  int idle = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(idle, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_TRUE(handshake(port, {"www.example.test"}).ok);
  auto start = std::chrono::steady_clock::now();
  solver->cleanup(task);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  ::close(idle);
}

}  // namespace
}  // namespace certkeeper::challenge
