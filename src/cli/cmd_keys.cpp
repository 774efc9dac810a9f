// certkeeper keys new --out F | rotate --new-key-file F: key files for
// private keys encrypted at rest.
#include <memory>
#include <string>

#include <fmt/format.h>

#include "app.h"
#include "certkeeper/lifecycle/keys.h"

namespace certkeeper::cli {

Command add_keys(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("keys", "Key files for private keys encrypted at rest (new, rotate)");
  app->require_subcommand(1, 1);
  auto out_path = std::make_shared<std::string>();
  auto new_key_file = std::make_shared<std::string>();
  auto* make = app->add_subcommand("new", "Write a fresh random key file (mode 0600; never overwrites a file)");
  make->add_option("--out", *out_path, "The key file to create")->type_name("F")->required();
  auto* rotate = app->add_subcommand("rotate", "Re-encrypt every private key under a new key file, in one "
                                                "transaction; afterwards only the new file opens them");
  rotate->add_option("--new-key-file", *new_key_file, "The new key file (from 'certkeeper keys new')")
      ->type_name("F")
      ->required();
  return {app, [&g, make, rotate, out_path, new_key_file]() -> int {
            if (rotate->parsed()) {
              auto rotated = lifecycle::rotate_keys(g.context(), *new_key_file);
              if (!rotated) return fail(g, rotated.error());
              if (g.json) {
                print_json({{"ok", true}, {"keys", rotated->keys}, {"key_file", rotated->key_file}});
                return int(kOk);
              }
              out(g, fmt::format("re-encrypted {} under {} (recorded as the setting key_file); the old key file "
                                 "no longer opens them",
                                 plural(static_cast<std::size_t>(rotated->keys), "private key"), rotated->key_file));
              return int(kOk);
            }
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
