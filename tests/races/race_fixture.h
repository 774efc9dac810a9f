// The race layer (README "Development"): mutating commands that can meet on
// one inventory, run as real certkeeper processes at the same time. Each test
// ends with the same judgement: the inventory and the target directories
// agree, and no version is duplicated or lost.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "cli/cli_fixture.h"
#include "cli/pebble_cli_fixture.h"
#include "support/race.h"

namespace certkeeper::testing {

// The checks, over either CLI fixture (plain, or with a pebble).
template <class Base>
class RaceFixture : public Base {
 protected:
  using Base::ck;
  using Base::db;
  using Base::json;

  // The certkeeper arguments of `args` against this test's inventory (on
  // PostgreSQL with its key file, and --encrypt-keys for init).
  std::vector<std::string> with_db(std::vector<std::string> args) const {
    args = this->backend_args(std::move(args));
    args.insert(args.begin(), {"--db", db()});
    return args;
  }

  nlohmann::json history(const std::string& name) {
    auto r = ck({"--json", "history", name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json(r) : nlohmann::json::object();
  }

  std::vector<nlohmann::json> events_of_kind(const std::string& name, const std::string& kind) {
    std::vector<nlohmann::json> out;
    const auto h = history(name);
    for (const auto& e : h["events"]) {
      if (e["kind"] == kind) out.push_back(e);
    }
    return out;
  }

  nlohmann::json targets(const std::string& name) {
    auto r = ck({"--json", "target", "list", name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json(r)["targets"] : nlohmann::json::array();
  }

  // The version whose set is live in a target directory (from the name of
  // the set `.certkeeper/live` points at, "N-vV"), or -1 when none is.
  static int live_version(const std::string& dir) {
    std::error_code ec;
    auto set = std::filesystem::read_symlink(dir + "/.certkeeper/live", ec).string();
    auto v = set.rfind("-v");
    return ec || v == std::string::npos ? -1 : std::stoi(set.substr(v + 2));
  }

  // The inventory and the disk agree for `name`:
  // - versions are numbered 1..N and no two hold the same certificate;
  // - no target has a journal entry left pending;
  // - each target's installed version is the set that is live on disk, and
  //   the certificate in that set (cert.pem, or combined.pem) is that
  //   version's; a target with nothing installed has no live set.
  // Returns the number of versions.
  std::size_t expect_consistent(const std::string& name) {
    auto h = history(name);
    std::set<std::string> fingerprints;
    std::vector<std::string> by_number = {""};
    int expected = 1;
    for (const auto& v : h["versions"]) {
      EXPECT_EQ(v["version"], expected) << name << ": versions are numbered without gaps";
      ++expected;
      std::string fp = v["fingerprint_sha256"];
      EXPECT_TRUE(fingerprints.insert(fp).second) << name << ": version " << v["version"] << " duplicates another";
      by_number.push_back(fp);
    }
    const auto all_targets = targets(name);
    for (const auto& t : all_targets) {
      const std::string dir = t["dir"];
      EXPECT_TRUE(t["pending_version"].is_null()) << dir << ": a journal entry was left pending";
      if (t["installed_version"].is_null()) {
        EXPECT_EQ(live_version(dir), -1) << dir << ": files are live that the inventory does not know";
        continue;
      }
      int installed = t["installed_version"];
      EXPECT_EQ(live_version(dir), installed) << dir << ": the live set is not the installed version";
      // The live set as written (a layout changed since applies at the next install).
      std::string file = "/.certkeeper/live/cert.pem";
      if (!std::filesystem::exists(dir + file)) file = "/.certkeeper/live/combined.pem";
      if (installed < 1 || static_cast<std::size_t>(installed) >= by_number.size()) {
        ADD_FAILURE() << dir << ": installed version " << installed << " does not exist";
        continue;
      }
      EXPECT_EQ(pem_fingerprint_sha256(read_file(dir + file)), by_number[installed])
          << dir << file << " does not hold version " << installed;
    }
    return by_number.size() - 1;
  }
};

// A dns-01 hook, written into `pki`'s folder, that sets and clears the TXT
// record at `pebble`'s challtestsrv and, once it presented, waits at `gate`:
// an order held open with its challenge presented and not yet answered.
// Its path.
inline std::string gated_dns01_hook(const TestPki& pki, const Pebble& pebble, const Gate& gate) {
  const std::string mgmt = pebble.challtestsrv_management_url();
  const std::string port = mgmt.substr(mgmt.rfind(':') + 1);
  std::string hook = pki.write(
      "gated-dns-hook.sh",
      "#!/bin/bash\nset -eu\n"
      "case $1 in present) path=/set-txt; body=\"{\\\"host\\\":\\\"$2\\\",\\\"value\\\":\\\"$3\\\"}\";;\n"
      "cleanup) path=/clear-txt; body=\"{\\\"host\\\":\\\"$2\\\"}\";; esac\n"
      "exec 3<>/dev/tcp/127.0.0.1/" + port + "\n"
      "printf 'POST %s HTTP/1.0\\r\\nContent-Length: %d\\r\\n\\r\\n%s' \"$path\" \"${#body}\" \"$body\" >&3\n"
      "head -1 <&3 | grep -q ' 200 '\n"
      "if [ \"$1\" = present ]; then exec " + gate.program() + "; fi\n");
  ::chmod(hook.c_str(), 0755);
  return hook;
}

using RaceTest = RaceFixture<CliTest>;
using PebbleRaceTest = RaceFixture<PebbleCliTest<>>;

}  // namespace certkeeper::testing
