// No output of any command, in any mode, ever contains private key material.
#include "cli/cli_fixture.h"

namespace certkeeper::testing {
namespace {

// The base64 body lines of a PEM key: any one of them in the output is a leak.
std::vector<std::string> secret_lines(const std::string& pem) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < pem.size()) {
    auto end = pem.find('\n', pos);
    std::string line = pem.substr(pos, end - pos);
    if (line.find("-----") == std::string::npos && line.size() >= 16) lines.push_back(line);
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return lines;
}

void expect_no_secret(const ProcessResult& r, const std::vector<std::string>& secrets, const std::string& what) {
  for (const auto* stream : {&r.out, &r.err}) {
    EXPECT_EQ(stream->find("PRIVATE KEY"), std::string::npos) << what;
    for (const auto& s : secrets) EXPECT_EQ(stream->find(s), std::string::npos) << what << " leaks a key line";
  }
}

TEST_F(CliTest, NoCommandEverPrintsKeyMaterial) {
  init();
  auto leaf = pki_.leaf();
  auto f = write_set(leaf);
  auto secrets = secret_lines(leaf.key().pem());
  auto other = Key::generate(KeyType::ec_p256);
  auto other_key = pki_.write("other.key", other.pem());
  for (auto& s : secret_lines(other.pem())) secrets.push_back(s);
  auto encrypted = pki_.write("enc.key", leaf.key().encrypted_pkcs8_pem("pw"));
  auto combined = pki_.write("combined.pem", pem_concat({leaf.key().pem(), leaf.pem()}));
  auto swapped_cert = pki_.write("swapped-cert.pem", leaf.key().pem());

  std::vector<std::vector<std::string>> commands = {
      {"check", "--cert", f.cert, "--key", f.key, "--chain", f.chain},
      {"check", "--cert", f.cert, "--key", other_key, "--chain", f.chain},
      {"check", "--cert", f.cert, "--key", encrypted, "--chain", f.chain},
      {"check", "--cert", combined, "--chain", f.chain},
      {"check", "--cert", swapped_cert, "--key", f.cert},
      {"check", "--cert", f.key},
      {"import", "web", "--cert", f.cert, "--key", other_key, "--chain", f.chain},
      {"import", "web", "--cert", combined, "--chain", f.chain},
      {"import", "web2", "--cert", f.cert, "--key", f.key, "--chain", f.chain},
      {"list"}, {"show", "web"}, {"history", "web"}, {"report"},
      {"report", "--format", "csv"}, {"report", "--format", "json"}, {"init"}};
  for (const auto& args : commands) {
    for (bool as_json : {false, true}) {
      auto full = args;
      if (as_json) full.insert(full.begin(), "--json");
      auto r = ck(full);
      expect_no_secret(r, secrets, full[as_json ? 1 : 0] + (as_json ? " --json" : ""));
    }
  }
}

}  // namespace
}  // namespace certkeeper::testing
