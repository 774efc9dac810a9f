// certkeeper revoke NAME [--reason R]: revoke the current version at the CA.
#include <fmt/format.h>

#include "app.h"
#include "certkeeper/lifecycle/account_ops.h"

namespace certkeeper::cli {

Command add_revoke(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("revoke", "Revoke the current version of an ACME certificate");
  auto request = std::make_shared<lifecycle::RevokeRequest>();
  app->add_option("NAME", request->name, "Certificate name")->required();
  app->add_option("--reason", request->reason,
                  "unspecified (default), keyCompromise, caCompromise, affiliationChanged, superseded or "
                  "cessationOfOperation (RFC 5280)")
      ->type_name("unspecified|keyCompromise|caCompromise|affiliationChanged|superseded|cessationOfOperation");
  return {app, [&g, request] {
            auto r = lifecycle::revoke_certificate(g.context(), *request);
            if (!r) return fail_ca(g, r.error());
            if (g.json) {
              print_json({{"ok", true},
                          {"name", r->name},
                          {"version", r->version},
                          {"serial", r->serial},
                          {"reason", r->reason},
                          {"reason_code", r->reason_code},
                          {"revoked_at", format_utc(r->revoked_at)},
                          {"newly_marked", r->newly_marked}});
            } else if (r->newly_marked) {
              out(g, fmt::format("{}: revoked version {} (serial {}, reason {})", r->name, r->version, r->serial,
                                 r->reason));
            } else {
              out(g, fmt::format("{}: version {} is revoked (since {}, reason {})", r->name, r->version,
                                 format_utc(r->revoked_at), r->reason));
            }
            return int(kOk);
          }};
}

}  // namespace certkeeper::cli
