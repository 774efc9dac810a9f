#include "bundle_impl.h"
#include "facts_internal.h"
#include "gate.h"
#include "openssl_io.h"

namespace certkeeper::crypto {

Bundle::Bundle(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

const CertificateFacts& Bundle::leaf() const { return impl_->leaf_facts; }
const std::vector<CertificateFacts>& Bundle::chain() const { return impl_->chain_facts; }
const std::optional<CertificateFacts>& Bundle::root() const { return impl_->root_facts; }
bool Bundle::root_from_input() const { return impl_->root_from_input; }

std::string Bundle::leaf_pem() const { return x509_pem(impl_->leaf.get()); }

std::string Bundle::chain_pem() const {
  std::string out;
  for (const X509Ptr& c : impl_->chain) out += x509_pem(c.get());
  return out;
}

std::string Bundle::root_pem() const { return impl_->root ? x509_pem(impl_->root.get()) : std::string(); }
bool Bundle::has_key() const { return impl_->key != nullptr; }
std::string Bundle::key_pem() const { return impl_->key ? pkcs8_pem(impl_->key.get()) : std::string(); }

Bundle make_bundle(const Gate& gate) {
  auto impl = std::make_shared<Bundle::Impl>();
  impl->leaf = share(gate.leaf);
  impl->leaf_facts = gate.leaf_facts;
  impl->key = share(gate.key);
  if (gate.path_built) {
    const auto& path = gate.path.path;
    const bool anchored = gate.path.complete && path.size() >= 2;
    const std::size_t end = anchored ? path.size() - 1 : path.size();
    for (std::size_t i = 1; i < end; ++i) {
      if (X509_self_signed(path[i].get(), 0) == 1) continue;  // never a root in the chain
      impl->chain.push_back(share(path[i].get()));
      impl->chain_facts.push_back(facts_of(path[i].get()));
    }
    if (anchored) {
      impl->root = share(path.back().get());
      impl->root_facts = facts_of(impl->root.get());
      impl->root_from_input = gate.path.anchor_in_input;
    }
  }
  return Bundle(std::move(impl));
}

}  // namespace certkeeper::crypto
