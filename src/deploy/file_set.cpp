// The layouts: which file holds what.
#include "certkeeper/deploy/file_set.h"

namespace certkeeper::deploy {

namespace {

// PEM blocks concatenated with exactly one newline between them.
std::string join(std::initializer_list<const std::string*> parts) {
  std::string out;
  for (const auto* p : parts) {
    if (p->empty()) continue;
    out += *p;
    if (out.back() != '\n') out += '\n';
  }
  return out;
}

}  // namespace

std::vector<std::string> layout_files(Layout layout) {
  if (layout == Layout::combined) return {"combined.pem"};
  return {"cert.pem", "chain.pem", "fullchain.pem", "privkey.pem"};
}

std::vector<FileSpec> render_files(const TargetSpec& target, const Material& m) {
  static const std::string none;
  const std::string& root = target.include_root ? m.root_pem : none;
  if (target.layout == Layout::combined) {
    return {{"combined.pem", join({&m.key_pem, &m.leaf_pem, &m.chain_pem, &root}), target.key_mode, true}};
  }
  return {
      {"cert.pem", join({&m.leaf_pem}), 0644, false},
      {"chain.pem", join({&m.chain_pem, &root}), 0644, false},
      {"fullchain.pem", join({&m.leaf_pem, &m.chain_pem, &root}), 0644, false},
      {"privkey.pem", join({&m.key_pem}), target.key_mode, true},
  };
}

}  // namespace certkeeper::deploy
