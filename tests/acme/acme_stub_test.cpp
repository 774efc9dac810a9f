// The scripted ACME stub itself, driven by a plain HTTPS client and
// hand-made JWS-shaped JSON: its flow is real RFC 8555, its log records what
// was sent, and every fault helper changes what goes onto the wire.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <sys/socket.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/acme_stub.h"
#include "support/acme_stub_ca.h"
#include "support/ossl_ptr.h"

namespace certkeeper::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// A stand-in JWK: the stub never verifies signatures.
const json kJwk = {{"kty", "EC"}, {"crv", "P-256"}, {"x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"},
                   {"y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}};

// One response, or status -1 and the transport error: tests never
// dereference a missing response.
struct Reply {
  int status = -1;
  httplib::Error error = httplib::Error::Success;
  httplib::Headers headers;
  std::string body;

  explicit Reply(const httplib::Result& res) : error(res.error()) {
    if (!res) return;
    status = res->status;
    headers = res->headers;
    body = res->body;
  }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  bool has(const std::string& name) const { return headers.find(name) != headers.end(); }
  json body_json() const { return json::parse(body, nullptr, false); }
};

// A client of one stub that makes flattened-JWS-shaped POSTs with real
// nonces and urls.
class Session {
 public:
  explicit Session(AcmeStub& stub) : stub_(stub), client_("127.0.0.1", stub.port()) {
    client_.set_ca_cert_path(stub.ca_file().c_str());
    client_.enable_server_certificate_verification(true);
    client_.set_connection_timeout(2, 0);
    client_.set_read_timeout(10, 0);
  }

  Reply get(const std::string& path) { return Reply(client_.Get(path.c_str())); }
  Reply head(const std::string& path) { return Reply(client_.Head(path.c_str())); }

  std::string nonce() { return head("/nonce").header("Replay-Nonce"); }

  // payload: a JSON value, or nullptr for POST-as-GET.
  Reply post(const std::string& path, const json& payload, std::optional<std::string> nonce = {},
                       std::optional<std::string> url = {}) {
    json header = {{"alg", "ES256"}, {"nonce", nonce ? *nonce : this->nonce()},
                   {"url", url ? *url : stub_.base_url() + path}};
    if (kid_.empty()) {
      header["jwk"] = kJwk;
    } else {
      header["kid"] = kid_;
    }
    const std::string body = json{{"protected", stub::b64url_encode(header.dump())},
                                  {"payload", payload.is_null() ? "" : stub::b64url_encode(payload.dump())},
                                  {"signature", stub::b64url_encode("not a signature")}}
                                 .dump();
    return Reply(client_.Post(path.c_str(), body, "application/jose+json"));
  }

  Reply new_account() {
    Reply res = post("/acct", {{"termsOfServiceAgreed", true}, {"contact", {"mailto:ops@example.test"}}});
    if (res.status == 201) kid_ = res.header("Location");
    return res;
  }

 private:
  AcmeStub& stub_;
  httplib::SSLClient client_;
  std::string kid_;
};

json body_json(const Reply& res) { return res.body_json(); }

std::string path_of(const AcmeStub& stub, const std::string& url) {
  return url.rfind(stub.base_url(), 0) == 0 ? url.substr(stub.base_url().size()) : url;
}

// A DER CSR for `names` signed by `key`.
std::string make_csr(const Key& key, const std::vector<std::string>& names) {
  using namespace ossl;
  std::unique_ptr<X509_REQ, Deleter<X509_REQ, X509_REQ_free>> req(X509_REQ_new());
  X509_NAME* subject = X509_REQ_get_subject_name(req.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(names[0].c_str()),
                             -1, -1, 0);
  X509_REQ_set_pubkey(req.get(), key.get());
  std::string san;
  for (const auto& n : names) san += (san.empty() ? "DNS:" : ",DNS:") + n;
  STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
  sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str()));
  X509_REQ_add_extensions(req.get(), exts);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  X509_REQ_sign(req.get(), key.get(), EVP_sha256());
  unsigned char* der = nullptr;
  int n = i2d_X509_REQ(req.get(), &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  return out;
}

ossl::X509Ptr first_cert(const std::string& pem) {
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return ossl::X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// Walks account -> order -> authz -> challenge -> finalize -> poll; returns
// the certificate response.
Reply order_walk(AcmeStub& stub, Session& s, const Key& key) {
  EXPECT_EQ(s.new_account().status, 201);
  auto order = s.post("/order", {{"identifiers", {{{"type", "dns"}, {"value", "www.example.test"}}}}});
  EXPECT_EQ(order.status, 201);
  const std::string order_path = path_of(stub, order.header("Location"));
  json o = body_json(order);
  EXPECT_EQ(o["status"], "pending");
  auto authz = body_json(s.post(path_of(stub, o["authorizations"][0]), nullptr));
  const json chall = authz["challenges"][0];
  EXPECT_EQ(chall["type"], "http-01");
  EXPECT_EQ(chall["token"].get<std::string>().size(), 43u);
  EXPECT_EQ(body_json(s.post(path_of(stub, chall["url"]), json::object()))["status"], "valid");
  EXPECT_EQ(body_json(s.post(order_path, nullptr))["status"], "ready");
  auto fin = body_json(s.post(path_of(stub, o["finalize"]), {{"csr", stub::b64url_encode(make_csr(key, {"www.example.test"}))}}));
  EXPECT_EQ(fin["status"], "processing");
  json done = body_json(s.post(order_path, nullptr));
  EXPECT_EQ(done["status"], "valid");
  return s.post(path_of(stub, done.value("certificate", "")), nullptr);
}

TEST(AcmeStubTest, DirectoryAndNonces) {
  AcmeStubOptions options;
  options.renewal_info = true;
  options.profiles = {{"classic", "the default"}, {"shortlived", "six days"}};
  AcmeStub stub(options);
  Session s(stub);
  json dir = body_json(s.get("/dir"));
  for (const char* key : {"newNonce", "newAccount", "newOrder", "revokeCert", "keyChange", "renewalInfo"}) {
    EXPECT_EQ(dir.value(key, "").rfind(stub.base_url(), 0), 0u) << key;
  }
  EXPECT_EQ(dir["meta"]["profiles"].size(), 2u);

  auto head = s.head("/nonce");
  ASSERT_EQ(head.error, httplib::Error::Success);
  EXPECT_EQ(head.status, 200);
  auto get = s.get("/nonce");
  EXPECT_EQ(get.status, 204);
  EXPECT_NE(head.header("Replay-Nonce"), get.header("Replay-Nonce"));
  EXPECT_FALSE(head.header("Replay-Nonce").empty());

  auto ari = s.get("/renewal-info/some-cert-id");
  EXPECT_EQ(ari.status, 200);
  EXPECT_TRUE(body_json(ari)["suggestedWindow"].contains("start"));
  EXPECT_EQ(ari.header("Retry-After"), "21600");
}

TEST(AcmeStubTest, PlainDirectoryHasNoAriNorProfiles) {
  AcmeStub stub;
  json dir = body_json(Session(stub).get("/dir"));
  EXPECT_FALSE(dir.contains("renewalInfo"));
  EXPECT_FALSE(dir["meta"].contains("profiles"));
}

TEST(AcmeStubTest, OrderWalkThroughIssuesForTheCsrKeyAndLogsRequests) {
  AcmeStub stub;
  Session s(stub);
  const Key key = Key::generate(KeyType::ec_p256);
  auto cert = order_walk(stub, s, key);
  ASSERT_EQ(cert.status, 200) << httplib::to_string(cert.error);
  EXPECT_EQ(cert.header("Content-Type"), "application/pem-certificate-chain");
  ossl::X509Ptr leaf = first_cert(cert.body);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(leaf.get()), key.get()), 1);
  EXPECT_EQ(X509_check_issued(stub.pki().intermediate().get(), leaf.get()), X509_V_OK);
  EXPECT_EQ(X509_check_host(leaf.get(), "www.example.test", 0, 0, nullptr), 1);
  EXPECT_NE(cert.body.find(stub.pki().intermediate().pem()), std::string::npos);
  ASSERT_EQ(stub.issued().size(), 1u);
  EXPECT_TRUE(stub.issued()[0].for_csr_key);

  const auto accounts = stub.requests_to("/acct");
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].method, "POST");
  EXPECT_TRUE(accounts[0].jws);
  EXPECT_EQ(accounts[0].protected_header["jwk"], kJwk);
  EXPECT_EQ(accounts[0].payload["termsOfServiceAgreed"], true);
  EXPECT_TRUE(accounts[0].nonce_valid);
  const auto orders = stub.requests_to("/order");
  ASSERT_GE(orders.size(), 3u);
  EXPECT_EQ(orders[0].protected_header["kid"], stub.base_url() + "/acct/1");
  EXPECT_TRUE(orders[1].post_as_get);
  for (const auto& r : stub.requests()) EXPECT_TRUE(r.method != "POST" || r.nonce_valid) << r.path;
  stub.clear_log();
  EXPECT_TRUE(stub.requests().empty());
}

TEST(AcmeStubTest, StrictChecksRejectReusedNoncesAndWrongUrls) {
  AcmeStub stub;
  Session s(stub);
  const std::string nonce = s.nonce();
  EXPECT_EQ(s.post("/acct", json::object(), nonce).status, 201);
  auto reused = s.post("/acct", json::object(), nonce);
  EXPECT_EQ(reused.status, 400);
  EXPECT_EQ(body_json(reused)["type"], "urn:ietf:params:acme:error:badNonce");
  EXPECT_FALSE(reused.header("Replay-Nonce").empty());
  EXPECT_EQ(s.post("/acct", json::object(), std::nullopt, "https://elsewhere.test/acct").status, 401);
  EXPECT_EQ(body_json(s.post("/order", {{"identifiers", json::array()}}))["type"],
            "urn:ietf:params:acme:error:malformed");  // jwk where a kid is needed
}

TEST(AcmeStubTest, FailNextAnswersOnceThenTheDefaultResumes) {
  AcmeStub stub;
  Session s(stub);
  stub.fail_next("/dir", 503, "<html><body>Service Unavailable</body></html>", {{"X-Test", "1"}});
  auto failed = s.get("/dir");
  EXPECT_EQ(failed.status, 503);
  EXPECT_EQ(failed.header("Content-Type"), "text/html");
  EXPECT_EQ(failed.header("X-Test"), "1");
  EXPECT_EQ(s.get("/dir").status, 200);

  stub.bad_nonce_next("/acct");
  auto bad = s.post("/acct", json::object());
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(body_json(bad)["type"], "urn:ietf:params:acme:error:badNonce");
  EXPECT_EQ(bad.header("Content-Type"), "application/problem+json");

  stub.rate_limited_next("/acct", 7);
  auto limited = s.post("/acct", json::object());
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("Retry-After"), "7");
  EXPECT_EQ(s.post("/acct", json::object()).status, 201);
}

TEST(AcmeStubTest, OverrideHookReplacesTheDefaultAnswer) {
  AcmeStub stub;
  Session s(stub);
  stub.set_override([](const StubRequest& r) -> std::optional<StubResponse> {
    if (r.path != "/dir") return std::nullopt;
    StubResponse out;
    out.status = 500;
    out.body = "oops";
    out.content_type = "text/plain";
    out.omit_nonce = true;
    return out;
  });
  auto res = s.get("/dir");
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body, "oops");
  EXPECT_FALSE(res.has("Replay-Nonce"));
  EXPECT_EQ(s.head("/nonce").status, 200);  // other paths fall through
  stub.set_override(nullptr);
  EXPECT_EQ(s.get("/dir").status, 200);
}

// Reads a whole response on a raw TLS connection: the declared
// Content-Length and the body bytes that actually arrived before EOF.
std::pair<std::size_t, std::size_t> raw_get(const AcmeStub& stub, const std::string& path) {
  std::unique_ptr<SSL_CTX, ossl::Deleter<SSL_CTX, SSL_CTX_free>> ctx(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_load_verify_locations(ctx.get(), stub.ca_file().c_str(), nullptr);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  ossl::Bio bio(BIO_new_ssl_connect(ctx.get()));
  BIO_set_conn_hostname(bio.get(), ("127.0.0.1:" + std::to_string(stub.port())).c_str());
  if (BIO_do_connect(bio.get()) != 1) return {0, 0};
  int fd = -1;
  BIO_get_fd(bio.get(), &fd);
  timeval tv{10, 0};  // bounded: the stub closes the connection itself
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  BIO_write(bio.get(), request.data(), static_cast<int>(request.size()));
  std::string response;
  char buf[16384];
  int n = 0;
  while ((n = BIO_read(bio.get(), buf, sizeof buf)) > 0) response.append(buf, static_cast<std::size_t>(n));
  const std::size_t end = response.find("\r\n\r\n");
  const std::size_t cl = response.find("Content-Length: ");
  if (end == std::string::npos || cl == std::string::npos || cl > end) return {0, 0};
  return {std::stoul(response.substr(cl + 16)), response.size() - end - 4};
}

TEST(AcmeStubTest, TruncatedBodyStopsShortOfContentLength) {
  AcmeStub stub;
  Session s(stub);
  stub.truncate_next("/dir");
  auto res = s.get("/dir");
  EXPECT_EQ(res.status, -1) << "a truncated body must fail the read";
  EXPECT_EQ(res.error, httplib::Error::Read);
  EXPECT_EQ(s.get("/dir").status, 200);

  const auto [whole_declared, whole_sent] = raw_get(stub, "/dir");
  EXPECT_GT(whole_declared, 0u);
  EXPECT_EQ(whole_sent, whole_declared);
  stub.truncate_next("/dir");
  const auto [declared, sent] = raw_get(stub, "/dir");
  EXPECT_EQ(declared, whole_declared);
  EXPECT_EQ(sent, declared / 2);
}

TEST(AcmeStubTest, OversizedBodyIsStillJson) {
  AcmeStub stub;
  Session s(stub);
  stub.oversize_next("/dir");
  auto res = s.get("/dir");
  ASSERT_EQ(res.status, 200) << httplib::to_string(res.error);
  EXPECT_GE(res.body.size(), 2u * 1024 * 1024);
  EXPECT_FALSE(res.has("Content-Encoding"));
  EXPECT_TRUE(body_json(res).contains("newNonce"));
}

TEST(AcmeStubTest, SlowResponseAndOmittedNonce) {
  AcmeStub stub;
  Session s(stub);
  stub.delay_next("/dir", 300ms);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(s.get("/dir").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);

  stub.omit_nonce_next("/nonce");
  auto res = s.head("/nonce");
  EXPECT_EQ(res.status, 200);
  EXPECT_FALSE(res.has("Replay-Nonce"));
  EXPECT_TRUE(s.head("/nonce").has("Replay-Nonce"));
}

TEST(AcmeStubTest, StopsPromptlyWhileAnswerIsDelayed) {
  std::future<bool> answered;
  std::chrono::steady_clock::duration took{};
  {
    auto stub = std::make_unique<AcmeStub>();
    stub->delay_next("/dir", 60s);
    answered = std::async(std::launch::async, [port = stub->port(), ca = stub->ca_file()] {
      httplib::SSLClient client("127.0.0.1", port);
      client.set_ca_cert_path(ca.c_str());
      client.set_read_timeout(30, 0);
      return static_cast<bool>(client.Get("/dir"));
    });
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (stub->requests().empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    ASSERT_EQ(stub->requests().size(), 1u);
    const auto start = std::chrono::steady_clock::now();
    stub.reset();
    took = std::chrono::steady_clock::now() - start;
  }
  EXPECT_LT(took, 5s);
  answered.wait();
}

TEST(AcmeStubTest, WrongCertificateModeIssuesForAnotherKey) {
  AcmeStub stub;
  stub.set_wrong_certificate(true);
  Session s(stub);
  const Key key = Key::generate(KeyType::ec_p256);
  auto cert = order_walk(stub, s, key);
  ASSERT_EQ(cert.status, 200) << httplib::to_string(cert.error);
  ossl::X509Ptr leaf = first_cert(cert.body);
  ASSERT_TRUE(leaf);
  EXPECT_NE(EVP_PKEY_eq(X509_get0_pubkey(leaf.get()), key.get()), 1);
  EXPECT_EQ(X509_check_host(leaf.get(), "www.example.test", 0, 0, nullptr), 1);
  ASSERT_EQ(stub.issued().size(), 1u);
  EXPECT_FALSE(stub.issued()[0].for_csr_key);
}

}  // namespace
}  // namespace certkeeper::testing
