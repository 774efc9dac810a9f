// The gate's first step: read every file the user handed in (through
// read_input_file, the one seam for user files) and parse it. Anything that
// cannot be read is an `unreadable` finding naming the file; the bytes are
// never repeated.
#include <filesystem>
#include <optional>

#include "certkeeper/util/files.h"
#include "gate.h"
#include "pem_reader.h"
#include "pkcs12_reader.h"

namespace certkeeper::crypto {
namespace {

void unreadable(Gate& gate, const std::string& label, const std::string& message) {
  gate.add(Severity::error, FindingCode::unreadable, label, message);
}

std::optional<std::string> read_file(Gate& gate, const std::string& path) {
  auto bytes = read_input_file(path);
  if (!bytes) {
    unreadable(gate, path, bytes.error().message);
    return std::nullopt;
  }
  return std::move(bytes).value();
}

// A password or passphrase file: one line, the trailing "\n" or "\r\n" is
// not part of the secret; an empty file is the empty secret.
std::optional<std::string> read_secret(Gate& gate, const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) == 0 && !ec) {
    return std::string();
  }
  auto secret = read_file(gate, path);
  if (!secret) return std::nullopt;
  if (!secret->empty() && secret->back() == '\n') secret->pop_back();
  if (!secret->empty() && secret->back() == '\r') secret->pop_back();
  return secret;
}

std::optional<ParsedInput> parse_file(Gate& gate, const std::string& path, const std::string& bytes,
                                      const std::string* passphrase, const char* expected) {
  ParsedInput parsed = parse_certs_and_keys(bytes, passphrase);
  if (!parsed.error.empty()) {
    unreadable(gate, path, "cannot be read: " + parsed.error + "; give " + expected);
    return std::nullopt;
  }
  return parsed;
}

void take_certs(ParsedInput& parsed, const std::string& label, std::vector<SuppliedCert>& out) {
  for (auto& c : parsed.certs) out.push_back(SuppliedCert{std::move(c), label});
}

void take_keys(ParsedInput& parsed, const std::string& label, GateInput& in) {
  for (auto& k : parsed.keys) in.keys.push_back(SuppliedKey{std::move(k), label});
  for (int i = 0; i < parsed.encrypted_keys; ++i) in.encrypted_key_labels.push_back(label);
}

constexpr const char* kCertExpected =
    "the certificate as PEM (\"-----BEGIN CERTIFICATE-----\") or DER; a PKCS#12 file goes with --p12";
constexpr const char* kKeyExpected = "the private key as PEM (\"-----BEGIN PRIVATE KEY-----\") or DER";
constexpr const char* kChainExpected = "the CA certificates as PEM, the issuing CA first";

void read_key_file(const Sources& sources, const std::string* passphrase, Gate& gate) {
  GateInput& in = gate.in;
  auto bytes = read_file(gate, sources.key_file);
  if (!bytes) return;
  auto parsed = parse_file(gate, sources.key_file, *bytes, passphrase, kKeyExpected);
  if (!parsed) return;
  in.key_file_holds_certs = !parsed->certs.empty();
  if (parsed->keys.empty() && parsed->encrypted_keys == 0 && !in.key_file_holds_certs) {
    unreadable(gate, sources.key_file, std::string("holds no private key; give ") + kKeyExpected);
  }
  take_keys(*parsed, sources.key_file, in);
}

void read_chain_file(const Sources& sources, Gate& gate) {
  auto bytes = read_file(gate, sources.chain_file);
  if (!bytes) return;
  auto parsed = parse_file(gate, sources.chain_file, *bytes, nullptr, kChainExpected);
  if (!parsed) return;
  if (parsed->certs.empty()) {
    unreadable(gate, sources.chain_file, std::string("holds no certificate; give ") + kChainExpected);
  }
  take_certs(*parsed, sources.chain_file, gate.in.chain_certs);
}

void read_pem_sources(const Sources& sources, Gate& gate) {
  GateInput& in = gate.in;
  in.cert_label = sources.cert_file;
  in.key_label = sources.key_file;
  in.chain_label = sources.chain_file;
  in.passphrase_label = sources.key_passphrase_file;
  std::optional<std::string> passphrase;
  if (!sources.key_passphrase_file.empty()) passphrase = read_secret(gate, sources.key_passphrase_file);
  const std::string* pass = passphrase ? &*passphrase : nullptr;

  std::optional<ParsedInput> cert_parsed;
  if (sources.cert_file.empty()) {
    unreadable(gate, sources.cert_file, "no certificate file was given; pass it with --cert");
  } else if (auto bytes = read_file(gate, sources.cert_file)) {
    cert_parsed = parse_file(gate, sources.cert_file, *bytes, pass, kCertExpected);
  }
  if (!sources.key_file.empty()) read_key_file(sources, pass, gate);
  if (cert_parsed) {
    in.cert_file_holds_keys = !cert_parsed->keys.empty() || cert_parsed->encrypted_keys > 0;
    take_certs(*cert_parsed, sources.cert_file, in.cert_file_certs);
    take_keys(*cert_parsed, sources.cert_file, in);
  }
  if (!sources.chain_file.empty()) read_chain_file(sources, gate);
}

void read_p12_sources(const Sources& sources, Gate& gate) {
  GateInput& in = gate.in;
  in.p12 = true;
  in.cert_label = sources.p12_file;
  std::string password;
  if (!sources.p12_password_file.empty()) {
    auto secret = read_secret(gate, sources.p12_password_file);
    if (!secret) return;
    password = *secret;
  }
  auto bytes = read_file(gate, sources.p12_file);
  if (!bytes) return;
  P12Contents p12 = read_pkcs12(*bytes, password);
  if (p12.status == P12Status::bad_password) {
    gate.add(Severity::error, FindingCode::p12_bad_password, sources.p12_file,
             sources.p12_password_file.empty()
                 ? "the PKCS#12 file is password protected; pass its password with --password-file"
                 : "the password in " + sources.p12_password_file +
                       " does not open the PKCS#12 file; put the export password in that file");
    return;
  }
  if (p12.status == P12Status::unreadable) {
    unreadable(gate, sources.p12_file,
               p12.detail + "; give a PKCS#12 (.p12/.pfx) file, or the PEM files with --cert, --key and --chain");
    return;
  }
  for (std::size_t i = 0; i < p12.certs.size(); ++i) {
    auto& target = i == 0 ? in.cert_file_certs : in.chain_certs;
    target.push_back(SuppliedCert{std::move(p12.certs[i]), sources.p12_file});
  }
  for (auto& k : p12.keys) in.keys.push_back(SuppliedKey{std::move(k), sources.p12_file});
  in.cert_file_holds_keys = !in.keys.empty();
}

}  // namespace

void read_sources(const Sources& sources, Gate& gate) {
  if (!sources.p12_file.empty()) {
    read_p12_sources(sources, gate);
  } else {
    read_pem_sources(sources, gate);
  }
}

void read_texts(const std::string& label, const std::string& cert_pem, const std::string& key_pem, Gate& gate) {
  gate.in.from_ca = true;
  GateInput& in = gate.in;
  in.cert_label = label;
  if (!key_pem.empty()) {
    in.key_label = label;
    if (auto parsed = parse_file(gate, label, key_pem, nullptr, kKeyExpected)) {
      in.key_file_holds_certs = !parsed->certs.empty();
      take_keys(*parsed, label, in);
    }
  }
  if (auto parsed = parse_file(gate, label, cert_pem, nullptr, kCertExpected)) {
    in.cert_file_holds_keys = !parsed->keys.empty();
    take_certs(*parsed, label, in.cert_file_certs);
    take_keys(*parsed, label, in);
  }
}

void read_ca_file(Gate& gate) {
  const std::string& path = gate.policy.ca_file;
  if (path.empty()) return;
  gate.in.ca_label = path;
  auto bytes = read_file(gate, path);
  if (!bytes) return;
  auto parsed = parse_file(gate, path, *bytes, nullptr, "the trusted CA certificates as PEM");
  if (!parsed) return;
  if (parsed->certs.empty()) {
    unreadable(gate, path, "holds no certificate; give the trusted CA certificates as PEM");
    return;
  }
  for (auto& c : parsed->certs) gate.in.ca_file_certs.push_back(std::move(c));
}

}  // namespace certkeeper::crypto
