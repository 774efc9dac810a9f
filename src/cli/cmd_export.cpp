// certkeeper export NAME [--version N] --format pem|p12 [--out PATH] [--include-key]
//                   [--password-file F] [--legacy] [--force]
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "app.h"
#include "certkeeper/lifecycle/export.h"

namespace certkeeper::cli {

namespace {

struct ExportArgs {
  lifecycle::ExportRequest request;
  int version = 0;
};

nlohmann::json outcome_json(const lifecycle::ExportOutcome& o) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : o.files) {
    files.push_back({{"path", f.path}, {"content", f.content}, {"mode", fmt::format("{:04o}", f.mode)}});
  }
  return {{"ok", true},           {"exit_code", 0},       {"name", o.name},
          {"source", o.source},   {"version", o.version}, {"fingerprint_sha256", o.fingerprint_sha256},
          {"format", o.format},   {"key_included", o.key_included},
          {"encryption", o.encryption.empty() ? nlohmann::json() : nlohmann::json(o.encryption)},
          {"files", files}};
}

std::string summary(const lifecycle::ExportOutcome& o) {
  std::string text = fmt::format("{}: exported version {} (sha256 {}...) as {}", o.name, o.version,
                                 o.fingerprint_sha256.substr(0, 16), o.format == "p12" ? "PKCS#12" : "PEM");
  if (!o.encryption.empty()) text += " (" + o.encryption + ")";
  for (const auto& f : o.files) text += fmt::format("\n  {} ({}, mode {:04o})", f.path, f.content, f.mode);
  if (o.key_included) text += "\n  the private key is in the file(s) of mode 0600 above; keep them private";
  return text;
}

int print_to_stdout(const Globals& g, const lifecycle::ExportOutcome& o) {
  if (g.json) {
    if (o.format == "p12") {
      return fail(g, make_error(Errc::usage, "a PKCS#12 is binary and cannot go into the JSON document; give --out FILE",
                                o.name));
    }
    auto doc = outcome_json(o);
    doc["pem"] = o.stdout_data;
    print_json(doc);
    return kOk;
  }
  if (o.format == "p12" && ::isatty(STDOUT_FILENO)) {
    return fail(g, make_error(Errc::usage, "a PKCS#12 is binary; give --out FILE or redirect standard output", o.name));
  }
  std::fwrite(o.stdout_data.data(), 1, o.stdout_data.size(), stdout);
  return std::fflush(stdout) == 0 ? int(kOk) : int(kFailure);
}

}  // namespace

Command add_export(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("export", "Write a stored version as PEM files or one PKCS#12 file");
  auto args = std::make_shared<ExportArgs>();
  auto& r = args->request;
  app->add_option("NAME", r.name, "Certificate name")->required();
  app->add_option("--version", args->version, "Version to export (default: the current one)")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  app->add_option("--format", r.format, "pem: cert.pem, chain.pem, fullchain.pem (+ privkey.pem); p12: one PKCS#12")
      ->type_name("pem|p12")
      ->required()
      ->check(CLI::IsMember({"pem", "p12"}));
  app->add_option("--out", r.out,
                  "pem: the directory to write into; p12: the file (default: standard output, never with the key)")
      ->type_name("PATH");
  app->add_flag("--include-key", r.include_key, "Also export the private key (into a file of mode 0600 only)");
  app->add_option("--password-file", r.password_file,
                  "p12: file whose first line is the password (required with --include-key)")
      ->type_name("F");
  app->add_flag("--legacy", r.legacy, "p12: 3DES/RC2-40 with a SHA-1 MAC, for old appliances (default: AES-256)");
  app->add_flag("--force", r.force, "Replace existing files");
  return {app, [&g, args] {
            if (args->version > 0) args->request.version = args->version;
            auto outcome = lifecycle::export_certificate(g.context(), args->request);
            if (!outcome) return fail(g, outcome.error());
            if (args->request.out.empty()) return print_to_stdout(g, *outcome);
            if (g.json) {
              print_json(outcome_json(*outcome));
            } else {
              out(g, summary(*outcome));
            }
            return int(kOk);
          }};
}

}  // namespace certkeeper::cli
