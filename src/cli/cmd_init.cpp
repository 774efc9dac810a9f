// certkeeper init [--external-url URL] [--acme-server URL] [--acme-ca-file F] [--email ADDR]
#include <fmt/format.h>

#include "app.h"
#include "certkeeper/lifecycle/init.h"

namespace certkeeper::cli {
namespace {

struct InitArgs {
  std::string external_url, acme_server, acme_ca_file, email;
  int keep_versions = 0;
  int node_down_after = 0;
  int lease_seconds = 0;
  int drift_after = 0;
  int challenge_wait = 0;
  bool encrypt_keys = false;
};

std::optional<std::string> given(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace

Command add_init(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("init", "Create the inventory (or update its settings)");
  auto args = std::make_shared<InitArgs>();
  app->add_option("--external-url", args->external_url,
                  "URL clients use to reach this server; imported certificates must cover its host")
      ->type_name("URL");
  app->add_option("--acme-server", args->acme_server, "ACME directory URL (default: pebble on loopback)")->type_name("URL");
  app->add_option("--acme-ca-file", args->acme_ca_file, "CA file to trust for the ACME server's TLS")->type_name("F");
  app->add_option("--email", args->email, "Contact address for the ACME account")->type_name("ADDR");
  auto* keep = app->add_option("--keep-versions", args->keep_versions,
                  "Installed versions kept on disk in each target directory (default 5; the database keeps all)")
                   ->type_name("N");
  auto* down = app->add_option("--node-down-after", args->node_down_after,
                               "Seconds without a heartbeat after which a node of a fleet is reported down "
                               "(default 600)")
                   ->type_name("SECONDS");
  auto* lease = app->add_option("--lease-seconds", args->lease_seconds,
                                 "Seconds a lease to talk to the CA lasts unless renewed (default 120; a holder that "
                                 "died is replaced after it)")
                    ->type_name("SECONDS");
  auto* drift = app->add_option("--drift-after", args->drift_after,
                                 "Seconds the nodes of a fleet may serve different versions (or not the desired one) "
                                 "before reports say drift (default 900)")
                    ->type_name("SECONDS");
  auto* wait = app->add_option("--challenge-wait", args->challenge_wait,
                                "Seconds the node that talks to the CA waits for every answering node of a fleet to "
                                "serve its http-01 or tls-alpn-01 answers (default 120)")
                   ->type_name("SECONDS");
  app->add_flag("--encrypt-keys", args->encrypt_keys,
                "Store every private key encrypted with the key file (--key-file); converts an existing inventory "
                "in one transaction");
  return {app, [&g, args, keep, down, lease, drift, wait] {
            lifecycle::InitRequest req{given(args->external_url), given(args->acme_server),
                                       given(args->acme_ca_file), given(args->email),
                                       keep->count() ? std::optional<int>(args->keep_versions) : std::nullopt,
                                       down->count() ? std::optional<int>(args->node_down_after) : std::nullopt,
                                       args->encrypt_keys,
                                       lease->count() ? std::optional<int>(args->lease_seconds) : std::nullopt,
                                       drift->count() ? std::optional<int>(args->drift_after) : std::nullopt,
                                       wait->count() ? std::optional<int>(args->challenge_wait) : std::nullopt};
            auto done = lifecycle::init(g.context(), req);
            if (!done) return fail(g, done.error());
            if (g.json) {
              nlohmann::json doc = {{"ok", true},
                                    {"database", g.db},
                                    {"created", done->created},
                                    {"schema_version", done->schema_version},
                                    {"settings", done->settings}};
              doc["keys_encrypted"] =
                  or_null(done->keys_encrypted);
              print_json(doc);
              return int(kOk);
            }
            std::string text = fmt::format("{} {} (schema version {})\n",
                                           done->created ? "created" : "updated", g.db,
                                           done->schema_version);
            for (const auto& [k, v] : done->settings) text += fmt::format("  {} = {}\n", k, v);
            if (done->keys_encrypted) {
              text += fmt::format("private keys encrypted: {} now, every key written from now on\n",
                                  *done->keys_encrypted);
            }
            out(g, text);
            return int(kOk);
          }};
}

}  // namespace certkeeper::cli
