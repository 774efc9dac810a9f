#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "certkeeper/challenge/solver.h"
#include "challenge/challenge_fixture.h"
#include "support/temp_dir.h"

namespace certkeeper::challenge {
namespace {

using certkeeper::testing::file_mode;
using certkeeper::testing::read_file;
using certkeeper::testing::TempDir;
using testing::task_of;
using testing::token_of;

// Sets the umask for one test and restores it.
class Umask {
 public:
  explicit Umask(mode_t mask) : old_(::umask(mask)) {}
  ~Umask() { ::umask(old_); }

 private:
  mode_t old_;
};

TEST(WebrootSolver, WritesExactlyTheKeyAuthorizationWithMode0644) {
  TempDir root;
  Umask strict(077);  // the file and directories must be readable by the web server anyway
  auto solver = make_webroot_solver(root.path());
  EXPECT_EQ(solver->type(), "http-01");
  Task task = task_of("http-01", "www.example.test", token_of('a'));
  ASSERT_TRUE(solver->present(task));

  const std::string file = root.path() + "/.well-known/acme-challenge/" + task.token;
  EXPECT_EQ(read_file(file), task.key_authorization);  // no newline, nothing else
  EXPECT_EQ(file_mode(file), 0644);
  EXPECT_EQ(file_mode(root.path() + "/.well-known"), 0755);
  EXPECT_EQ(file_mode(root.path() + "/.well-known/acme-challenge"), 0755);
  // No temp file left next to it.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(root.path() + "/.well-known/acme-challenge")) {
    ++entries;
  }
  EXPECT_EQ(entries, 1);

  solver->cleanup(task);
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_TRUE(std::filesystem::is_directory(root.path() + "/.well-known/acme-challenge"));
  solver->cleanup(task);  // twice is fine
}

TEST(WebrootSolver, LeavesExistingDirectoriesAsTheyAre) {
  TempDir root;
  ASSERT_EQ(::mkdir((root.path() + "/.well-known").c_str(), 0750), 0);
  ASSERT_EQ(::chmod((root.path() + "/.well-known").c_str(), 0750), 0);
  auto solver = make_webroot_solver(root.path() + "/");  // a trailing slash is fine
  Task task = task_of("http-01", "www.example.test", token_of('b'));
  ASSERT_TRUE(solver->present(task));
  EXPECT_EQ(file_mode(root.path() + "/.well-known"), 0750);
  EXPECT_EQ(read_file(root.path() + "/.well-known/acme-challenge/" + task.token), task.key_authorization);
  solver->cleanup(task);
}

TEST(WebrootSolver, ReplacesAFileLeftByAnEarlierRun) {
  TempDir root;
  auto solver = make_webroot_solver(root.path());
  Task task = task_of("http-01", "www.example.test", token_of('c'));
  ASSERT_TRUE(solver->present(task));
  task.key_authorization = task.token + ".another-account";
  ASSERT_TRUE(solver->present(task));
  EXPECT_EQ(read_file(root.path() + "/.well-known/acme-challenge/" + task.token), task.key_authorization);
  solver->cleanup(task);
}

TEST(WebrootSolver, RefusesUnsafeTokensAndWritesNothing) {
  TempDir root;
  TempDir elsewhere;
  auto solver = make_webroot_solver(root.path());
  for (const std::string& token : {std::string("../../etc/passwd"), std::string("short_token"),
                                  "../" + token_of('d'), token_of('e') + "/x", token_of('f') + ".", std::string()}) {
    Task task = task_of("http-01", "www.example.test", token);
    auto s = solver->present(task);
    ASSERT_FALSE(s) << token;
    EXPECT_EQ(s.error().code, Errc::ca_failed) << token;
    EXPECT_NE(s.error().message.find("unsafe"), std::string::npos) << s.error().message;
    solver->cleanup(task);  // safe after a failed present()
  }
  EXPECT_FALSE(std::filesystem::exists(root.path() + "/.well-known"));
}

TEST(WebrootSolver, AMissingWebrootIsAnErrorNamingIt) {
  TempDir root;
  auto solver = make_webroot_solver(root.file("no-such-dir"));
  auto s = solver->present(task_of("http-01", "www.example.test", token_of('g')));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::io);
  EXPECT_EQ(s.error().subject, root.file("no-such-dir"));
  EXPECT_FALSE(std::filesystem::exists(root.file("no-such-dir")));
}

TEST(WebrootSolver, AFileWhereTheChallengeDirectoryGoesIsAnError) {
  TempDir root;
  ASSERT_EQ(::mkdir((root.path() + "/.well-known").c_str(), 0755), 0);
  certkeeper::testing::write_file(root.path() + "/.well-known/acme-challenge", "not a directory");
  auto solver = make_webroot_solver(root.path());
  auto s = solver->present(task_of("http-01", "www.example.test", token_of('h')));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::io);
  EXPECT_NE(s.error().message.find("not a directory"), std::string::npos);
}

}  // namespace
}  // namespace certkeeper::challenge

namespace certkeeper::challenge {
namespace {

TEST(WebrootMapSolver, WritesEachNameUnderItsOwnRoot) {
  certkeeper::testing::TempDir dir;
  const std::string a = dir.file("a"), b = dir.file("b");
  std::filesystem::create_directories(a);
  std::filesystem::create_directories(b);
  auto solver = make_webroot_map_solver({{"www.example.test", a}, {"Mail.Example.Test", b}});
  Task www = testing::task_of("http-01", "www.example.test", testing::token_of('a'));
  Task mail = testing::task_of("http-01", "mail.example.test", testing::token_of('b'));
  ASSERT_TRUE(solver->present(www));
  ASSERT_TRUE(solver->present(mail));
  EXPECT_EQ(certkeeper::testing::read_file(a + "/.well-known/acme-challenge/" + www.token), www.key_authorization);
  EXPECT_EQ(certkeeper::testing::read_file(b + "/.well-known/acme-challenge/" + mail.token), mail.key_authorization);
  EXPECT_FALSE(std::filesystem::exists(a + "/.well-known/acme-challenge/" + mail.token));
  solver->cleanup(www);
  solver->cleanup(mail);
  EXPECT_FALSE(std::filesystem::exists(a + "/.well-known/acme-challenge/" + www.token));
  EXPECT_FALSE(std::filesystem::exists(b + "/.well-known/acme-challenge/" + mail.token));

  auto other = solver->present(testing::task_of("http-01", "other.example.test", testing::token_of('c')));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().subject, "other.example.test");
}

}  // namespace
}  // namespace certkeeper::challenge
