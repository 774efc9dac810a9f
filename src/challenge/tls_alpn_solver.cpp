// tls-alpn-01 (RFC 8737) with a built-in TLS responder: it completes a
// handshake only when the client offers ALPN "acme-tls/1" and names, by SNI,
// an identifier with an active task, presenting that task's self-signed
// certificate; then it closes the connection. It listens only while a task
// is active.
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
#include "tls_responder.h"

namespace certkeeper::challenge {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string normalized_name(const std::string& name) {
  std::string out = lower(name);
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
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
  explicit TlsAlpnSolver(std::string listen) : listen_(std::move(listen)) {}
  ~TlsAlpnSolver() override {
    std::lock_guard<std::mutex> lock(lifecycle_);
    responder_.reset();
  }
  TlsAlpnSolver(const TlsAlpnSolver&) = delete;
  TlsAlpnSolver& operator=(const TlsAlpnSolver&) = delete;

  std::string type() const override { return "tls-alpn-01"; }

  Status present(const Task& task) override {
    const std::string sni = sni_for(task.identifier);
    if (sni.empty()) return make_error(Errc::invalid_input, "a tls-alpn-01 task needs an identifier");
    auto made = crypto::make_tls_alpn_certificate(task.identifier, task.key_authorization);
    if (!made) return std::move(made).error();
    auto identity = load_identity(made->first, made->second);
    if (!identity) return std::move(identity).error();
    auto entry = std::make_shared<Entry>(Entry{std::move(*identity), task.token});

    std::lock_guard<std::mutex> lock(lifecycle_);
    {
      std::lock_guard<std::mutex> entries_lock(entries_mutex_);
      entries_[sni] = entry;
    }
    if (responder_) return {};
    auto responder = detail::TlsResponder::start(listen_, [this](const std::string& name) { return find(name); });
    if (!responder) {
      std::lock_guard<std::mutex> entries_lock(entries_mutex_);
      entries_.erase(sni);
      return std::move(responder).error();
    }
    responder_ = std::move(*responder);
    return {};
  }

  void cleanup(const Task& task) override {
    const std::string sni = sni_for(task.identifier);
    std::lock_guard<std::mutex> lock(lifecycle_);
    bool last = false;
    {
      std::lock_guard<std::mutex> entries_lock(entries_mutex_);
      auto it = entries_.find(sni);
      // Only this task's entry: a later present() for the same name wins.
      if (it != entries_.end() && it->second->token == task.token) entries_.erase(it);
      last = entries_.empty();
    }
    if (last) responder_.reset();  // stops and joins; the responder thread never takes lifecycle_
  }

 private:
  struct Entry {
    detail::TlsIdentity identity;
    std::string token;
  };

  // Called on the responder thread during a handshake.
  std::shared_ptr<const detail::TlsIdentity> find(const std::string& sni) {
    std::lock_guard<std::mutex> entries_lock(entries_mutex_);
    auto it = entries_.find(normalized_name(sni));
    if (it == entries_.end()) return nullptr;
    return std::shared_ptr<const detail::TlsIdentity>(it->second, &it->second->identity);
  }

  const std::string listen_;
  std::mutex lifecycle_;      // responder_ start/stop
  std::mutex entries_mutex_;  // entries_, also taken by the responder thread
  std::map<std::string, std::shared_ptr<Entry>> entries_;
  std::unique_ptr<detail::TlsResponder> responder_;
};

}  // namespace

std::unique_ptr<Solver> make_tls_alpn_solver(std::string listen) {
  return std::make_unique<TlsAlpnSolver>(std::move(listen));
}

}  // namespace certkeeper::challenge
