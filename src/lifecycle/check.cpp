#include "certkeeper/lifecycle/check.h"

#include "certkeeper/crypto/names.h"
#include "certkeeper/lifecycle/init.h"
#include "certkeeper/store/inventory.h"
#include "certkeeper/store/location.h"
#include "certkeeper/util/files.h"
#include "certkeeper/util/log.h"

namespace certkeeper::lifecycle {
namespace {

// The external_url setting, read without creating or changing anything; ""
// when there is no usable database.
std::string external_url_setting(const Context& ctx) {
  const bool on_server = store::is_postgresql_location(ctx.db_path);
  if (!ctx.open_inventory && !on_server && !file_exists(ctx.db_path)) return {};
  auto inv = ctx.inventory(store::OpenMode::read_only);
  if (!inv) return {};
  auto value = inv->setting(kExternalUrl);
  if (!value || !*value) return {};
  return **value;
}

}  // namespace

Result<CheckOutcome> check(const Context& ctx, const CheckRequest& request) {
  CheckOutcome out;
  if (!request.host.empty()) {
    auto host = crypto::normalize_host(request.host);
    if (!host) return make_error(Errc::usage, "--host is not a valid host name or IP address", request.host);
    out.names_checked.push_back(*host);
    out.names_from = "--host";
  } else if (!request.external_url.empty()) {
    auto host = crypto::host_from_url(request.external_url);
    if (!host) return make_error(Errc::usage, "--external-url has no host name", request.external_url);
    out.names_checked.push_back(*host);
    out.names_from = "--external-url";
  } else if (auto url = external_url_setting(ctx); !url.empty()) {
    if (auto host = crypto::host_from_url(url)) {
      out.names_checked.push_back(*host);
      out.names_from = "external_url setting";
    }
  }
  log::debug("check: names from " + (out.names_from.empty() ? std::string("nowhere (unchecked)") : out.names_from));
  crypto::Policy policy;
  policy.now = ctx.now();
  policy.names = out.names_checked;
  policy.ca_file = request.ca_file;
  policy.require_key = request.require_key;
  out.verdict = crypto::validate(request.sources, policy);
  return out;
}

}  // namespace certkeeper::lifecycle
