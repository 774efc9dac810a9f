// The whole validation gate (crypto::validate), as `check` and `import` run
// it on the user's files, and validate_pem as `issue` runs it on a CA's
// download: reading, picking the leaf and key, chain building against the
// given CA file, dates, usage, strength, names.
//
// Input parts: options, certificate file, key file, chain file, CA file,
// passphrase. The options are words: "p12" = the certificate part is a
// PKCS#12 file (and the passphrase part its password); every other word is
// a name the leaf must cover. Empty parts are files not given.
// The files are written to a private directory (TMPDIR, else /tmp) once per
// input: validate() reads paths, as the CLI does.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "certkeeper/crypto/validation.h"
#include "fuzz_input.h"

namespace {

using namespace certkeeper;

constexpr UnixTime kNow = 1'800'000'000;  // 2027-01-15: the seeds are valid then

// Removed when the fuzzer exits normally; a crash leaves it for a look.
struct WorkDir {
  WorkDir() {
    const char* tmp = std::getenv("TMPDIR");
    path = std::filesystem::path(tmp && *tmp ? tmp : "/tmp") /
           ("certkeeper-fuzz-validate-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path / "empty-trust-store");
  }
  ~WorkDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::filesystem::path path;
};

const std::filesystem::path& work_dir() {
  static const WorkDir dir;
  return dir.path;
}

// Writes `bytes` to work_dir()/name and gives its path; "" when empty.
std::string file(const std::string& name, const std::string& bytes) {
  if (bytes.empty()) return "";
  const auto path = work_dir() / name;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path.string();
}

void check_verdict(const crypto::Verdict& v) {
  if (v.accepted() && !v.bundle) fuzz::property_failed("accepted without a bundle");
  for (const auto& f : v.findings) {
    if (f.code.empty()) fuzz::property_failed("a finding without a code");
    if (f.code == "internal-error") fuzz::property_failed("the gate stopped on an internal error");
  }
  if (v.bundle) {
    (void)v.bundle->leaf_pem();
    (void)v.bundle->chain_pem();
    (void)v.bundle->root_pem();
    if (v.bundle->has_key() && v.bundle->key_pem().empty()) fuzz::property_failed("a key that is not there");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto p = fuzz::parts(fuzz::as_text(data, size), 6);
  crypto::Policy policy;
  policy.now = kNow;
  policy.use_system_store = false;
  policy.system_ca_dir = (work_dir() / "empty-trust-store").string();
  bool p12 = false;
  std::istringstream words(p[0]);
  for (std::string word; words >> word;) {
    if (word == "p12") {
      p12 = true;
    } else {
      policy.names.push_back(word);
    }
  }
  policy.require_key = !p[2].empty() || p12;
  policy.ca_file = file("ca.pem", p[4]);

  crypto::Sources sources;
  if (p12) {
    sources.p12_file = file("bundle.p12", p[1]);
    sources.p12_password_file = file("password", p[5]);
  } else {
    sources.cert_file = file("cert.pem", p[1]);
    sources.key_file = file("key.pem", p[2]);
    sources.chain_file = file("chain.pem", p[3]);
    sources.key_passphrase_file = file("passphrase", p[5]);
  }
  if (!sources.cert_file.empty() || !sources.p12_file.empty()) check_verdict(crypto::validate(sources, policy));
  // What a CA's download goes through: the chain as served and the order's key.
  check_verdict(crypto::validate_pem("www.example.test", p[1] + p[3], p[2], policy));
  return 0;
}
