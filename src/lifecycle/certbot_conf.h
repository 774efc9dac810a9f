// Private to lifecycle: certbot's renewal configuration (renewal/NAME.conf),
// the subset of ConfigObj syntax certbot writes: "key = value" lines, '#'
// comments, a [renewalparams] section with a nested [[webroot_map]], values
// that are plain, quoted ('...' or "..."), or comma lists ("a, b,").
#pragma once

#include <map>
#include <string>
#include <vector>

#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle::detail {

struct RenewalConf {
  std::map<std::string, std::string> top;          // version, archive_dir, cert, privkey, chain, fullchain, ...
  std::map<std::string, std::string> params;       // [renewalparams]
  std::map<std::string, std::string> webroot_map;  // [[webroot_map]]: domain -> document root
};

// Errc::invalid_input naming `path` and the line for what it cannot read
// (multi-line values, a section it does not know the shape of is kept out).
Result<RenewalConf> parse_renewal_conf(const std::string& text, const std::string& path);

// A ConfigObj list value ("a, b," or "a") as its items, without quotes.
std::vector<std::string> conf_list(const std::string& value);

}  // namespace certkeeper::lifecycle::detail
