// Shared set-up of the CLI tests: a test PKI dated at the real clock (the
// binary reads the system time), an inventory path, and a helper to run the
// binary against it.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "support/run_binary.h"
#include "support/test_pki.h"

namespace certkeeper::testing {

// A file as the "changes nothing" checks compare it: bytes, mode and
// modification time.
struct FileState {
  std::string bytes;
  mode_t mode = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileState&) const = default;
};

inline FileState file_state(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return {read_file(path), st.st_mode, st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec};
}

inline bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

class CliTest : public ::testing::Test {
 protected:
  CliTest() : pki_(static_cast<UnixTime>(std::time(nullptr))) {}

  std::string db() const { return pki_.path("state/certkeeper.db"); }

  ProcessResult ck(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--db", db()});
    return run_certkeeper(args);
  }

  // init with the external URL that the default leaf covers.
  void init(const std::string& url = "https://www.example.test/") {
    auto r = ck({"init", "--external-url", url});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  struct Files {
    std::string cert, key, chain;
  };
  // The three files of the admin page for `leaf`: cert, key, CA file
  // (intermediate + root).
  Files write_set(const Cert& leaf, const std::string& prefix = "") const {
    return {pki_.write(prefix + "cert.pem", leaf.pem()), pki_.write(prefix + "key.pem", leaf.key().pem()),
            pki_.write(prefix + "ca.pem", pem_concat({pki_.intermediate().pem(), pki_.root().pem()}))};
  }

  // The database file and its side files, byte for byte.
  std::string db_snapshot() const {
    return read_file(db()) + "\n--wal--\n" + read_file(db() + "-wal");
  }

  static nlohmann::json json(const ProcessResult& r) { return nlohmann::json::parse(r.out); }

  TestPki pki_;
};

}  // namespace certkeeper::testing
