#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <vector>

#include "certkeeper/challenge/solver.h"
#include "challenge/challenge_fixture.h"
#include "support/temp_dir.h"

namespace certkeeper::challenge {
namespace {

using testing::task_of;
using testing::token_of;

TEST(ValidToken, AcceptsBase64urlOfAtLeast128Bits) {
  EXPECT_TRUE(valid_token(std::string(22, 'A')));
  EXPECT_TRUE(valid_token(token_of('z')));
  EXPECT_FALSE(valid_token(std::string(21, 'A')));
  EXPECT_FALSE(valid_token(""));
  EXPECT_FALSE(valid_token("../../etc/passwd"));
  EXPECT_FALSE(valid_token(std::string(30, 'A') + "="));
  EXPECT_FALSE(valid_token(std::string(30, 'A') + "+/"));
  EXPECT_FALSE(valid_token(std::string(30, 'A') + " "));
  EXPECT_FALSE(valid_token(std::string(30, 'A') + std::string(1, '\0')));
}

// base64url(SHA-256(x)) computed here with OpenSSL directly.
std::string expected_dns01(const std::string& key_authorization) {
  unsigned char digest[32];
  unsigned int len = 0;
  EVP_Digest(key_authorization.data(), key_authorization.size(), digest, &len, EVP_sha256(), nullptr);
  unsigned char b64[64] = {};
  int n = EVP_EncodeBlock(b64, digest, static_cast<int>(len));
  std::string out(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n));
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

TEST(Dns01Value, IsBase64urlOfTheSha256OfTheKeyAuthorization) {
  const std::string ka = token_of('q') + ".thumb";
  EXPECT_EQ(dns01_value(ka), expected_dns01(ka));
  EXPECT_EQ(dns01_value(ka).size(), 43u);
}

class RecordingSolver final : public Solver {
 public:
  std::string type() const override { return "http-01"; }
  Status present(const Task& task) override {
    presented.push_back(task.token);
    return {};
  }
  void cleanup(const Task& task) override { cleaned.push_back(task.token); }
  std::vector<std::string> presented;
  std::vector<std::string> cleaned;
};

// An order that fails half way: every task handed to the guard is cleaned
// up, the last one first, whichever way the function returns.
Status present_all_then_fail(Solver& solver, CleanupGuard& guard, const std::vector<Task>& tasks) {
  for (const Task& t : tasks) {
    guard.add(t);
    if (Status s = solver.present(t); !s) return s;
  }
  return make_error(Errc::ca_failed, "the CA said no");
}

TEST(CleanupGuard, CleansUpEveryTaskOnEarlyReturn) {
  RecordingSolver solver;
  std::vector<Task> tasks = {task_of("http-01", "a.test", token_of('a')), task_of("http-01", "b.test", token_of('b'))};
  {
    CleanupGuard guard(solver);
    EXPECT_FALSE(present_all_then_fail(solver, guard, tasks));
    EXPECT_TRUE(solver.cleaned.empty());
  }
  EXPECT_EQ(solver.cleaned, (std::vector<std::string>{token_of('b'), token_of('a')}));
}

TEST(CleanupGuard, RemovesWebrootFilesWhenAnOrderFails) {
  certkeeper::testing::TempDir root;
  auto solver = make_webroot_solver(root.path());
  Task task = task_of("http-01", "a.test", token_of('w'));
  const std::string file = root.path() + "/.well-known/acme-challenge/" + task.token;
  {
    CleanupGuard guard(*solver);
    EXPECT_FALSE(present_all_then_fail(*solver, guard, {task}));
    EXPECT_EQ(certkeeper::testing::read_file(file), task.key_authorization);
  }
  EXPECT_EQ(certkeeper::testing::file_mode(file), -1);
}

}  // namespace
}  // namespace certkeeper::challenge
