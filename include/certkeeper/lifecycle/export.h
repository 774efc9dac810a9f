// `export`: a stored version out again as PEM files or one PKCS#12 file, for
// an appliance or another tool (the admin page's conversion in reverse).
//
// Contracts:
// - The private key goes only into a file this creates, mode 0600; never to
//   standard output (Errc::usage), never into a message or the event log.
// - No existing file is replaced without `force`; the files of one export
//   appear together or not at all (util/files.h write_files_atomic).
// - A watched (remote) certificate has no key: asking for it is Errc::usage.
// - A written export is recorded as the event "exported" (which version,
//   which files, whether the key left); nothing else changes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "certkeeper/lifecycle/context.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

struct ExportRequest {
  std::string name;
  std::optional<int> version;  // default: the current one
  std::string format = "pem";  // "pem" | "p12"
  // pem: a directory (created if missing) that receives cert.pem, chain.pem,
  // fullchain.pem and, with the key, privkey.pem; p12: the file.
  // "" = standard output: the fullchain (pem) or the DER (p12), never a key.
  std::string out;
  bool include_key = false;
  std::string password_file;  // p12: its first line is the password
  bool legacy = false;        // p12: 3DES/RC2-40/SHA-1 instead of AES-256/PBKDF2/SHA-256
  bool force = false;         // replace existing files
};

struct ExportedFile {
  std::string path;
  std::string content;  // "certificate", "chain", "fullchain", "private key", "pkcs12"
  mode_t mode = 0644;
};

struct ExportOutcome {
  std::string name;
  std::string source;  // "manual" | "acme" | "remote"
  int version = 0;
  std::string fingerprint_sha256;
  std::string format;
  bool key_included = false;
  std::string encryption;  // p12: crypto::pkcs12_encryption_summary; "" for pem
  std::vector<ExportedFile> files;  // empty when written to standard output
  std::string stdout_data;          // what goes to standard output when `out` is ""
};

// Errc::usage for a contradictory request (a key to standard output, a
// PKCS#12 key without --password-file, --password-file or --legacy with
// pem, a key of a remote certificate, an --out of the wrong kind),
// Errc::conflict for an existing file without `force`, Errc::not_found for
// an unknown certificate or version.
Result<ExportOutcome> export_certificate(const Context& ctx, const ExportRequest& request);

}  // namespace certkeeper::lifecycle
