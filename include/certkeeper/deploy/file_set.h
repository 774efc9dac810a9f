// The files one install writes into a target, by layout. Pure: no I/O.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "certkeeper/deploy/target.h"

namespace certkeeper::deploy {

// What a stored version holds, as PEM text.
struct Material {
  std::string leaf_pem;
  std::string chain_pem;  // intermediates, leaf's issuer first
  std::string root_pem;   // "" when the version has none
  std::string key_pem;    // secret
};

struct FileSpec {
  std::string name;  // a bare file name ("fullchain.pem")
  std::string data;
  mode_t mode = 0644;
  bool secret = false;  // holds the private key: never print `data`
  // The owner of this file; (uid_t)-1 / (gid_t)-1: the target's owner and
  // group (adopted files keep their own).
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
};

// The file names of a layout, in the order they are written.
std::vector<std::string> layout_files(Layout layout);

// separate: cert.pem (leaf), chain.pem (intermediates), fullchain.pem (leaf +
// intermediates), privkey.pem (key, `key_mode`); with include_root the root
// ends chain.pem and fullchain.pem. combined: combined.pem (key + leaf +
// intermediates [+ root]), `key_mode`. Certificates are 0644.
std::vector<FileSpec> render_files(const TargetSpec& target, const Material& material);

}  // namespace certkeeper::deploy
