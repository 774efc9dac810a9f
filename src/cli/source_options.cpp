#include "source_options.h"

#include <fmt/format.h>

#include "app.h"

namespace certkeeper::cli {

void add_source_options(CLI::App& app, SourceOptions& o, CLI::Option* instead) {
  auto* cert = app.add_option("--cert", o.sources.cert_file,
                              "Certificate file, PEM or DER (may also hold the chain and key)")
                   ->type_name("F");
  auto* key = app.add_option("--key", o.sources.key_file, "Private key file, PEM or DER, unencrypted")->type_name("F");
  auto* chain = app.add_option("--chain", o.sources.chain_file,
                               "CA file: the issuing CA, with the root appended")
                    ->type_name("F");
  auto* p12 = app.add_option("--p12", o.sources.p12_file, "PKCS#12 (.p12/.pfx) file instead of PEM files")
                  ->type_name("F");
  auto* password = app.add_option("--password-file", o.sources.p12_password_file,
                                  "File holding the PKCS#12 password (default: empty password)")
                       ->type_name("F");
  auto* passphrase = app.add_option("--key-passphrase-file", o.sources.key_passphrase_file,
                                    "File holding the passphrase of an encrypted key")
                         ->type_name("F");
  app.add_option("--ca-file", o.ca_file, "Extra trusted CA certificates (PEM), e.g. a private root")
      ->type_name("F");
  cert->excludes(p12);
  key->excludes(p12);
  chain->excludes(p12);
  password->needs(p12);
  if (instead) {
    for (CLI::Option* files : {cert, key, chain, p12, password, passphrase}) {
      instead->excludes(files);
    }
  }
  // Exactly one of --cert and --p12.
  app.callback([&app, cert, p12, instead] {
    if (instead && instead->count() > 0) return;
    if (cert->count() == 0 && p12->count() == 0) {
      throw CLI::RequiredError(app.get_name() + ": give --cert FILE (with --key and --chain) or --p12 FILE");
    }
  });
}

std::string verdict_summary(const crypto::Verdict& v) {
  std::size_t errors = v.count(crypto::Severity::error);
  std::size_t warnings = v.count(crypto::Severity::warning);
  if (errors) return fmt::format("rejected ({}, {})", plural(errors, "error"), plural(warnings, "warning"));
  if (warnings) return fmt::format("accepted ({})", plural(warnings, "warning"));
  return "accepted";
}

}  // namespace certkeeper::cli
