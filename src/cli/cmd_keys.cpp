// certkeeper keys new --out F: a key file for private keys encrypted at rest.
#include <fmt/format.h>

#include "app.h"
#include "certkeeper/lifecycle/keys.h"

namespace certkeeper::cli {

Command add_keys(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("keys", "Key files for private keys encrypted at rest (new)");
  app->require_subcommand(1, 1);
  auto out_path = std::make_shared<std::string>();
  auto* make = app->add_subcommand("new", "Write a fresh random key file (mode 0600; never overwrites a file)");
  make->add_option("--out", *out_path, "The key file to create")->type_name("F")->required();
  return {app, [&g, make, out_path]() -> int {
            if (!make->parsed()) return int(kUsage);
            if (auto made = lifecycle::new_key_file(*out_path); !made) return fail(g, made.error());
            if (g.json) {
              print_json({{"ok", true}, {"key_file", *out_path}, {"mode", "0600"}});
              return int(kOk);
            }
            out(g, fmt::format("wrote a new key file {} (32 random bytes, mode 0600); keep a copy apart from the "
                               "inventory's backups: without it the encrypted private keys cannot be read",
                               *out_path));
            return int(kOk);
          }};
}

}  // namespace certkeeper::cli
