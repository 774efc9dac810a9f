// tls-alpn-01 (RFC 8737) with a built-in TLS responder: it completes a
// handshake only when the client offers ALPN "acme-tls/1" and names, by SNI,
// an identifier with an active task, presenting that task's self-signed
// certificate; then it closes the connection. One responder per listen
// address serves every order in flight (responder_registry.h), and listens
// only while a task is active.
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "certkeeper/challenge/solver.h"
#include "certkeeper/crypto/jose.h"
#include "responder_registry.h"
#include "tls_responder.h"

namespace certkeeper::challenge {
namespace {

std::string normalized_name(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!name.empty() && name.back() == '.') name.pop_back();
  return name;
}

// The SNI the validation server sends for an identifier: the name itself,
// or for an IP address the reverse-DNS name (RFC 8738 §6).
std::string sni_for(const std::string& identifier) {
  unsigned char v4[4];
  unsigned char v6[16];
  if (::inet_pton(AF_INET, identifier.c_str(), v4) == 1) {
    return fmt::format("{}.{}.{}.{}.in-addr.arpa", v4[3], v4[2], v4[1], v4[0]);
  }
  if (::inet_pton(AF_INET6, identifier.c_str(), v6) == 1) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (int i = 15; i >= 0; --i) {
      out += kHex[v6[i] & 0x0F];
      out += '.';
      out += kHex[v6[i] >> 4];
      out += '.';
    }
    return out + "ip6.arpa";
  }
  return normalized_name(identifier);
}

Result<detail::TlsIdentity> load_identity(const std::string& cert_pem, const std::string& key_pem) {
  detail::TlsIdentity id;
  detail::BioPtr cert_bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  detail::BioPtr key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  if (cert_bio && key_bio) {
    id.cert.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
    id.key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  }
  ERR_clear_error();
  if (!id.cert || !id.key) {
    return make_error(Errc::crypto, "cannot load the tls-alpn-01 certificate just made (a bug; please report)");
  }
  return id;
}

class TlsAlpnSolver final : public Solver {
 public:
  TlsAlpnSolver(std::string listen, std::chrono::seconds port_wait)
      : address_{"tls-alpn-01", std::move(listen), port_wait} {}
  // Names never cleaned up are withdrawn here, so the port is free again.
  ~TlsAlpnSolver() override {
    for (const auto& [token, mine] : mine_) detail::unregister_answer(address_, mine.sni, mine.identity.get());
  }
  TlsAlpnSolver(const TlsAlpnSolver&) = delete;
  TlsAlpnSolver& operator=(const TlsAlpnSolver&) = delete;

  std::string type() const override { return "tls-alpn-01"; }

  // The task's certificate goes into the registry of the listen address
  // under the SNI the validation server sends; a later task for the same
  // name replaces it (one certificate per name can be presented).
  Status present(const Task& task) override {
    const std::string sni = sni_for(task.identifier);
    if (sni.empty()) return make_error(Errc::invalid_input, "a tls-alpn-01 task needs an identifier");
    auto made = crypto::make_tls_alpn_certificate(task.identifier, task.key_authorization);
    if (!made) return std::move(made).error();
    auto identity = load_identity(made->first, made->second);
    if (!identity) return std::move(identity).error();
    auto shared = std::make_shared<const detail::TlsIdentity>(std::move(*identity));
    if (auto ok = detail::register_answer(address_, sni, shared, detail::TlsResponder::start); !ok) return ok;
    std::lock_guard<std::mutex> lock(mutex_);
    mine_[task.token] = Mine{sni, shared};
    return {};
  }

  void cleanup(const Task& task) override {
    Mine mine;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = mine_.find(task.token);
      if (it == mine_.end()) return;  // never presented, or its present() failed
      mine = std::move(it->second);
      mine_.erase(it);
    }
    detail::unregister_answer(address_, mine.sni, mine.identity.get());
  }

 private:
  struct Mine {
    std::string sni;
    std::shared_ptr<const detail::TlsIdentity> identity;
  };

  const detail::ResponderAddress address_;
  std::mutex mutex_;  // mine_
  std::map<std::string, Mine> mine_;  // what this solver registered, by token
};

}  // namespace

std::unique_ptr<Solver> make_tls_alpn_solver(std::string listen, std::chrono::seconds port_wait) {
  return std::make_unique<TlsAlpnSolver>(std::move(listen), port_wait);
}

}  // namespace certkeeper::challenge
