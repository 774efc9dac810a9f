// export: read the version (with its key only when asked), build the files,
// write them as one set, record the event.
#include "certkeeper/lifecycle/export.h"

#include <sys/stat.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "certkeeper/crypto/pkcs12.h"
#include "certkeeper/store/event_kinds.h"
#include "certkeeper/store/inventory.h"
#include "certkeeper/util/files.h"

namespace certkeeper::lifecycle {
namespace {

constexpr mode_t kKeyMode = 0600;
constexpr mode_t kPublicMode = 0644;

Error usage(const std::string& message, const std::string& subject) {
  return make_error(Errc::usage, message, subject);
}

Status check_request(const ExportRequest& r) {
  if (auto ok = check_certificate_name(r.name); !ok) return ok;
  if (r.format != "pem" && r.format != "p12") return usage("unknown --format; use pem or p12", r.format);
  if (r.format == "pem" && !r.password_file.empty()) {
    return usage("--password-file is for --format p12; PEM files are written unencrypted", r.password_file);
  }
  if (r.format == "pem" && r.legacy) return usage("--legacy is for --format p12", r.name);
  if (r.include_key && r.out.empty()) {
    return usage("the private key is never written to standard output; give --out (the key file is created mode "
                 "0600)",
                 r.name);
  }
  if (r.format == "p12" && r.include_key && r.password_file.empty()) {
    return usage("a PKCS#12 that holds the private key needs a password: give --password-file F (its first line; "
                 "never on the command line), or leave out --include-key for the certificates alone",
                 r.name);
  }
  return {};
}

// The password file's first line (a trailing "\n" or "\r\n" is not part of it).
Result<std::string> read_password(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) == 0 && !ec) {
    return usage("the password file is empty; a PKCS#12 password must not be empty", path);
  }
  auto text = read_input_file(path);
  if (!text) return usage(text.error().message, path);
  std::string password = text->substr(0, text->find('\n'));
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty()) return usage("the password file's first line is empty; put the password there", path);
  return password;
}

// An existing path that is not a regular file (a device such as /dev/stdout,
// a FIFO, a directory) is never renamed over.
Status check_target(const std::string& path, bool force) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return usage("exists and is not a regular file; give the path of a file to create", path);
  }
  if (!force) return make_error(Errc::conflict, "exists; give --force to replace it", path);
  return {};
}

Result<store::VersionRecord> read_version(store::Inventory& inv, const std::string& name, int number, bool with_key) {
  if (with_key) return inv.version_with_key(name, number);
  auto all = inv.versions(name);
  if (!all) return std::move(all).error();
  for (auto& v : *all) {
    if (v.version == number) return std::move(v);
  }
  return make_error(Errc::not_found,
                    "has no version " + std::to_string(number) + "; 'certkeeper history NAME' lists the versions", name);
}

std::string with_newline(std::string pem) {
  if (!pem.empty() && pem.back() != '\n') pem += '\n';
  return pem;
}

Result<std::vector<FileToWrite>> pem_files(const ExportRequest& r, const store::VersionRecord& v,
                                           std::vector<ExportedFile>& shown) {
  struct stat st {};
  if (::stat(r.out.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
    return usage("is not a directory; with --format pem, --out names a directory that receives cert.pem, chain.pem, "
                 "fullchain.pem (and privkey.pem)",
                 r.out);
  }
  const std::string leaf = with_newline(v.leaf_pem);
  const std::string chain = with_newline(v.chain_pem);
  std::vector<FileToWrite> files = {{r.out + "/cert.pem", leaf, kPublicMode},
                                    {r.out + "/chain.pem", chain, kPublicMode},
                                    {r.out + "/fullchain.pem", leaf + chain, kPublicMode}};
  shown = {{files[0].path, "certificate", kPublicMode},
           {files[1].path, "chain", kPublicMode},
           {files[2].path, "fullchain", kPublicMode}};
  if (r.include_key) {
    files.push_back({r.out + "/privkey.pem", with_newline(v.key_pem), kKeyMode});
    shown.push_back({files.back().path, "private key", kKeyMode});
  }
  return files;
}

Result<std::string> p12_bytes(const ExportRequest& r, const store::VersionRecord& v, std::string& encryption) {
  crypto::Pkcs12Request p;
  p.leaf_pem = v.leaf_pem;
  p.chain_pem = v.chain_pem;
  if (r.include_key) p.key_pem = v.key_pem;
  p.friendly_name = r.name;
  p.encryption = r.legacy ? crypto::Pkcs12Encryption::legacy : crypto::Pkcs12Encryption::modern;
  if (!r.password_file.empty()) {
    auto password = read_password(r.password_file);
    if (!password) return std::move(password).error();
    p.password = std::move(*password);
  }
  encryption = p.password.empty() ? "none (certificates only, no password)"
                                  : crypto::pkcs12_encryption_summary(p.encryption);
  auto der = crypto::make_pkcs12(p);
  if (!der) return make_error(der.error().code, der.error().message, r.name);
  return der;
}

Status write_out(const ExportRequest& r, std::vector<FileToWrite>& files) {
  for (const auto& f : files) {
    if (auto ok = check_target(f.path, r.force); !ok) return ok;
  }
  if (r.format == "pem" && !file_exists(r.out)) {
    if (auto made = make_directories(r.out, r.include_key ? 0700 : 0755); !made) return made;
  }
  return write_files_atomic(files, r.force);
}

}  // namespace

Result<ExportOutcome> export_certificate(const Context& ctx, const ExportRequest& r) {
  if (auto ok = check_request(r); !ok) return std::move(ok).error();
  auto inv = ctx.inventory(store::OpenMode::existing);
  if (!inv) return std::move(inv).error();
  auto def = inv->find_certificate(r.name);
  if (!def) return std::move(def).error();
  if (!*def) return make_error(Errc::not_found, "no such certificate; 'certkeeper list' shows the names", r.name);
  if ((*def)->source == "remote" && r.include_key) {
    return usage("is a watched endpoint: certkeeper has only the certificate it serves, never its private key; "
                 "export it without --include-key",
                 r.name);
  }
  const int number = r.version ? *r.version : (*def)->current_version.value_or(0);
  if (number == 0) return make_error(Errc::not_found, "has no version yet; nothing to export", r.name);
  auto version = read_version(*inv, r.name, number, r.include_key);
  if (!version) return std::move(version).error();
  if (r.include_key && version->key_pem.empty()) {
    return usage("version " + std::to_string(number) + " has no private key; export it without --include-key", r.name);
  }

  ExportOutcome out{r.name, (*def)->source, number, version->fingerprint_sha256, r.format, r.include_key, "", {}, ""};
  std::vector<FileToWrite> files;
  if (r.format == "pem") {
    if (r.out.empty()) {
      out.stdout_data = with_newline(version->leaf_pem) + with_newline(version->chain_pem);
      return out;
    }
    auto planned = pem_files(r, *version, out.files);
    if (!planned) return std::move(planned).error();
    files = std::move(*planned);
  } else {
    auto der = p12_bytes(r, *version, out.encryption);
    if (!der) return std::move(der).error();
    if (r.out.empty()) {
      out.stdout_data = std::move(*der);
      return out;
    }
    std::error_code ec;
    if (std::filesystem::is_directory(r.out, ec)) return usage("is a directory; --out names the PKCS#12 file", r.out);
    const mode_t mode = r.include_key ? kKeyMode : kPublicMode;
    files.push_back({r.out, std::move(*der), mode});
    out.files.push_back({r.out, "pkcs12", mode});
  }
  if (auto written = write_out(r, files); !written) return std::move(written).error();

  nlohmann::json paths = nlohmann::json::array();
  for (const auto& f : out.files) paths.push_back(f.path);
  nlohmann::json detail = {{"version", number}, {"format", r.format}, {"files", paths}, {"key", r.include_key}};
  if (!out.encryption.empty()) detail["encryption"] = out.encryption;
  if (auto recorded = inv->record_event(r.name, store::event::exported, detail.dump(), ctx.actor, ctx.now()); !recorded) {
    return make_error(recorded.error().code,
                      "the files were written, but the event could not be recorded: " + recorded.error().message,
                      r.name);
  }
  return out;
}

}  // namespace certkeeper::lifecycle
