// probe_endpoint: connect, speak STARTTLS when asked, shake hands accepting
// any certificate, then judge what was served (probe.h).
#include "certkeeper/deploy/probe.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include "certkeeper/crypto/names.h"
#include "certkeeper/crypto/openssl_ptr.h"
#include "certkeeper/net/connection.h"
#include "certkeeper/net/tls_session.h"
#include "probe_verify.h"
#include "starttls.h"

namespace certkeeper::deploy {
namespace {

using namespace probe_detail;
using net::Connection;

// The server name to send (RFC 6066 §3): a host name in A-labels, lower
// case, no trailing dot. None for an IP literal (not allowed in SNI) nor
// for a wildcard name (declared for a certificate; no server is called
// that), which are still checked against the leaf.
Result<std::string> sni_for(const std::string& name) {
  if (name.empty() || crypto::is_ip_address(name) || name.starts_with("*.")) return std::string();
  return crypto::normalize_host(name);  // Errc::usage naming it when it is no host name
}

// The facts of a served certificate, and its PEM into `pem`.
Result<crypto::CertificateFacts> facts_of(const Connection& conn, X509* cert, std::string& pem) {
  crypto::BioPtr bio(BIO_new(BIO_s_mem()));
  char* data = nullptr;
  long size = 0;
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1 || (size = BIO_get_mem_data(bio.get(), &data)) <= 0) {
    ERR_clear_error();
    return conn.fail(Errc::crypto, "cannot convert a served certificate to PEM");
  }
  pem.assign(data, static_cast<std::size_t>(size));
  auto facts = crypto::read_facts(pem);
  if (!facts)
    return conn.fail(Errc::network, "the server sent a certificate that cannot be read: " + facts.error().message);
  return facts;
}

// The served chain split as verification needs it: the leaf, and the rest
// (owned references) as untrusted intermediates.
struct Served {
  X509* leaf = nullptr;  // owned by the SSL
  crypto::X509StackPtr intermediates;
};

Result<Served> served_chain(const Connection& conn, SSL* ssl) {
  Served served{SSL_get0_peer_certificate(ssl), crypto::X509StackPtr(sk_X509_new_null())};
  if (!served.leaf) return conn.fail(Errc::network, "the server presented no certificate");
  if (!served.intermediates) return conn.fail(Errc::crypto, "cannot allocate a certificate list");
  // On the client side the peer chain starts with the leaf itself.
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    X509* cert = sk_X509_value(chain, i);
    if (i == 0 && X509_cmp(cert, served.leaf) == 0) continue;
    crypto::X509Ptr ref = crypto::share(cert);
    if (sk_X509_push(served.intermediates.get(), ref.get()) <= 0) {
      return conn.fail(Errc::crypto, "cannot allocate a certificate list");
    }
    ref.release();  // the stack owns it now
  }
  return served;
}

Status check_spec(const ProbeSpec& probe) {
  if (probe.host.empty() || probe.port < 1 || probe.port > 65535) {
    return make_error(Errc::usage, "a probe needs a host and a port from 1 to 65535", probe_text(probe));
  }
  return {};
}

}  // namespace

Result<ProbeReport> probe_endpoint(const ProbeSpec& probe, const ProbeOptions& options) {
  if (auto ok = check_spec(probe); !ok) return std::move(ok).error();
  const std::string name = probe.servername.empty() ? options.default_name : probe.servername;
  auto sni = sni_for(name);
  if (!sni) return std::move(sni).error();
  // The anchors before the network: a bad option fails fast and alone.
  auto store = probe_trust_store(options);
  if (!store) return std::move(store).error();

  auto conn = Connection::open(probe.host, probe.port, net::Deadline::after(options.timeout, "for the whole probe"));
  if (!conn) return std::move(conn).error();
  if (auto agreed = run_starttls(*conn, probe.starttls); !agreed) return std::move(agreed).error();
  // A certificate that does not verify is a finding of the probe, not a
  // failed connection: OpenSSL must not abort the handshake over it.
  auto ctx = net::accepting_client_context();
  if (!ctx) return conn->fail(ctx.error().code, ctx.error().message);
  auto tls = net::TlsChannel::handshake(std::move(*conn), ctx->get(), {*sni, ""});
  if (!tls) return std::move(tls).error();
  SSL* ssl = tls->ssl();
  const Connection& link = tls->connection();

  auto served = served_chain(link, ssl);
  if (!served) return std::move(served).error();
  ProbeReport report;
  report.endpoint = link.endpoint();
  report.servername = name;
  report.tls_version = SSL_get_version(ssl);
  std::string pem;
  auto leaf = facts_of(link, served->leaf, pem);
  if (!leaf) return std::move(leaf).error();
  report.served.push_back(std::move(*leaf));
  report.served_pem.push_back(pem);
  for (int i = 0; i < sk_X509_num(served->intermediates.get()); ++i) {
    auto facts = facts_of(link, sk_X509_value(served->intermediates.get(), i), pem);
    if (!facts) return std::move(facts).error();
    report.served.push_back(std::move(*facts));
    report.served_pem.push_back(pem);
  }
  const crypto::CertificateFacts& leaf_facts = report.served.front();
  report.leaf_fingerprint_sha256 = leaf_facts.fingerprint_sha256;

  auto verdict = verify_served_chain(store->get(), served->leaf, served->intermediates.get());
  if (!verdict) return std::move(verdict).error();
  report.chain_verifies = verdict->verifies;
  report.verify_error = verdict->error;
  if (!name.empty()) {
    auto match = crypto::match_name(leaf_facts.dns_names, leaf_facts.ip_addresses, leaf_facts.subject_cn, name);
    report.name_covered = match.kind != crypto::MatchKind::none;
  }
  tls->goodbye();
  return report;
}

}  // namespace certkeeper::deploy
