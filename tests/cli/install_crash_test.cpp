// Crash safety of install (issue, point 5): certkeeper is killed with SIGKILL
// at every step of the install and 20 times at random moments. After each
// kill the files a service reads are one whole version (old or new: the
// certificate matches the key and the head of the full chain), and the next
// run reconciles: no temporaries left, the database says what the disk shows,
// an interrupted journal entry is recorded. A full disk (RLIMIT_FSIZE, and a
// tiny tmpfs when mounting is permitted) stops the install with exit 1 and
// one line naming the file, the old files and the database untouched.
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "cli/cli_fixture.h"
#include "support/ossl_ptr.h"
#include "support/spawn.h"
#include "support/temp_dir.h"

namespace certkeeper::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::microseconds;

// Every step certkeeper can be killed at (util/crash_point.h), in order.
const std::vector<std::string> kSteps = {"stage-file", "staged", "journaled", "switched",
                                         "reloaded",   "probed", "committed"};

// Killed at these, the journal entry (targets.pending_version) is left open.
bool journal_open_after(const std::string& step) {
  return step == "journaled" || step == "switched" || step == "reloaded" || step == "probed";
}
// From this step on the new set is live.
bool switched_after(const std::string& step) { return step != "stage-file" && step != "staged" && step != "journaled"; }

// The DER of every certificate in a PEM file, in order (other blocks skipped).
std::vector<std::string> certificates_in(const std::string& pem) {
  std::vector<std::string> out;
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  while (true) {
    ossl::X509Ptr x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!x) break;
    unsigned char* der = nullptr;
    int n = i2d_X509(x.get(), &der);
    if (n > 0) out.emplace_back(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
  }
  ERR_clear_error();
  return out;
}

// Whether the first private key in `pem` belongs to `cert`.
bool key_matches(const std::string& pem, X509* cert) {
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  ossl::Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  bool ok = key && X509_check_private_key(cert, key.get()) == 1;
  ERR_clear_error();
  return ok;
}

int version_of_set(const std::string& name) {
  auto dash = name.find("-v");
  return dash == std::string::npos ? -1 : std::atoi(name.c_str() + dash + 2);
}

// host-0042.example.test: names to make a certificate large.
std::string fmt_host(int i) {
  char name[64];
  std::snprintf(name, sizeof name, "host-%04d.example.test", i);
  return name;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += (s.empty() ? "" : ", ") + e;
  return s;
}

class InstallCrashTest : public CliTest {
 protected:
  struct Target {
    std::string dir;
    bool combined = false;
  };

  // What one target directory shows a service right now.
  struct DiskView {
    int version = 0;      // 1 or 2 when the files are one whole version
    int live = -1;        // the version DIR/.certkeeper/live points at (-1: none)
    std::string problem;  // why the files are not one whole version
  };

  // init, two imported versions with different keys, the targets, and a
  // normal install of version 1.
  void prepare(std::vector<Target> targets, const std::string& reload = "true", const CertOptions& v2 = {}) {
    targets_ = std::move(targets);
    init();
    for (int v = 1; v <= 2; ++v) {
      auto leaf = v == 1 ? pki_.leaf() : pki_.leaf(v2);
      auto f = write_set(leaf, "v" + std::to_string(v) + "-");
      auto r = ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      leaves_.emplace(v, leaf);
    }
    ASSERT_NE(leaves_.at(1).der(), leaves_.at(2).der());
    ASSERT_FALSE(leaves_.at(1).key().same_as_pem(leaves_.at(2).key().pem())) << "the versions need different keys";
    for (const auto& t : targets_) {
      std::vector<std::string> args = {"target", "add", "web", "--dir", t.dir, "--reload", reload};
      if (t.combined) args.insert(args.end(), {"--layout", "combined"});
      auto r = ck(args);
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    auto r = ck({"install", "web", "--version", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& t : targets_) {
      auto view = look(t);
      ASSERT_EQ(view.problem, "") << t.dir;
      ASSERT_EQ(view.version, 1) << t.dir;
    }
  }

  // Reads the layout's files through the symlinks, as a service would.
  DiskView look(const Target& t) const {
    DiskView view;
    std::error_code ec;
    auto link = fs::read_symlink(t.dir + "/.certkeeper/live", ec);
    if (!ec) view.live = version_of_set(link.string());
    auto fail = [&](const std::string& why) {
      view.version = 0;
      view.problem = why;
      return view;
    };
    std::string leaf_pem, key_pem, full_pem, chain_pem;
    if (t.combined) {
      leaf_pem = key_pem = full_pem = read_file(t.dir + "/combined.pem");
      if (leaf_pem.empty()) return fail("combined.pem cannot be read");
    } else {
      leaf_pem = read_file(t.dir + "/cert.pem");
      key_pem = read_file(t.dir + "/privkey.pem");
      full_pem = read_file(t.dir + "/fullchain.pem");
      chain_pem = read_file(t.dir + "/chain.pem");
      for (const auto& [name, data] : {std::pair<const char*, const std::string&>{"cert.pem", leaf_pem},
                                       {"privkey.pem", key_pem},
                                       {"fullchain.pem", full_pem},
                                       {"chain.pem", chain_pem}}) {
        if (data.empty()) return fail(std::string(name) + " cannot be read");
      }
    }
    auto leaf = certificates_in(leaf_pem);
    if (leaf.empty()) return fail("no certificate in the leaf file");
    for (const auto& [v, cert] : leaves_) {
      if (cert.der() == leaf.front()) view.version = v;
    }
    if (view.version == 0) return fail("the certificate is neither version 1 nor version 2");
    const Cert& cert = leaves_.at(view.version);
    if (!key_matches(key_pem, cert.get())) return fail("the private key does not match the certificate");
    if (!cert.key().same_as_pem(key_pem)) return fail("the private key is not the one imported with the certificate");
    auto full = certificates_in(full_pem);
    if (full.size() < 2 || full[0] != cert.der() || full[1] != pki_.intermediate().der()) {
      return fail("the full chain does not start with this certificate and its issuer");
    }
    if (!t.combined) {
      auto chain = certificates_in(chain_pem);
      if (chain.empty() || chain[0] != pki_.intermediate().der()) return fail("chain.pem does not hold the issuer");
    }
    if (view.live != view.version) return fail("live points at version " + std::to_string(view.live));
    return view;
  }

  static std::vector<std::string> temporaries(const Target& t) {
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(t.dir + "/.certkeeper", ec)) {
      if (e.path().filename().string().rfind("tmp-", 0) == 0) found.push_back(e.path().string());
    }
    for (const auto& e : fs::directory_iterator(t.dir, ec)) {
      if (e.path().filename().string().rfind(".certkeeper-tmp-", 0) == 0) found.push_back(e.path().string());
    }
    return found;
  }

  static std::set<std::string> sets(const Target& t) {
    std::set<std::string> found;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(t.dir + "/.certkeeper", ec)) {
      auto name = e.path().filename().string();
      if (e.is_directory() && !e.is_symlink() && name.rfind("tmp-", 0) != 0) found.insert(name);
    }
    return found;
  }

  // The targets as the database has them (target list does not reconcile).
  nlohmann::json target_rows() const {
    auto r = ck({"--json", "target", "list", "web"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json(r)["targets"];
  }

  std::vector<nlohmann::json> events(const std::string& kind) const {
    auto r = ck({"--json", "history", "web"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<nlohmann::json> found;
    const auto doc = json(r);  // kept alive: a range-for over json(r)["events"] would dangle
    for (const auto& e : doc["events"]) {
      if (e["kind"] == kind) found.push_back(e);
    }
    return found;
  }

  SpawnResult install(int version, SpawnOptions options = {}) const {
    return spawn_certkeeper({"--db", db(), "--json", "install", "web", "--version", std::to_string(version)}, options);
  }

  // The run after a kill installs `version`: exit 0, every target shows it,
  // the database agrees with the disk, nothing temporary is left. Returns
  // the install's `reconciled` notes.
  std::vector<std::string> next_run_repairs(int version, const std::string& context) {
    auto r = install(version);
    EXPECT_TRUE(r.exited(0)) << context << ": the next install: " << r.describe() << r.out;
    if (!r.exited(0)) return {};
    auto doc = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << context << ": " << r.out;
    std::vector<std::string> notes;
    if (!doc.is_discarded()) notes = doc["reconciled"].get<std::vector<std::string>>();
    auto rows = target_rows();
    EXPECT_EQ(rows.size(), targets_.size()) << context;
    for (std::size_t i = 0; i < targets_.size() && i < rows.size(); ++i) {
      const auto& t = targets_[i];
      auto view = look(t);
      EXPECT_EQ(view.problem, "") << context << ": " << t.dir;
      EXPECT_EQ(view.version, version) << context << ": " << t.dir;
      EXPECT_EQ(rows[i]["dir"], t.dir) << context;
      EXPECT_EQ(rows[i]["installed_version"], view.live) << context << ": the database and the disk disagree";
      EXPECT_TRUE(rows[i]["pending_version"].is_null()) << context << ": " << rows[i].dump();
      EXPECT_EQ(join(temporaries(t)), "") << context << ": temporaries left";
    }
    return notes;
  }

  // Kills an install of version 2 at every step, for the targets prepared.
  void kill_at_every_step() {
    for (const auto& step : kSteps) {
      SCOPED_TRACE("killed at " + step);
      std::size_t reconciled_before = events("install-reconciled").size();
      SpawnOptions options;
      options.env = {{"CERTKEEPER_CRASH_AT", step}};
      auto killed = install(2, options);
      ASSERT_EQ(killed.signal, SIGKILL) << killed.describe();

      // Before any other run: each target is one whole version, all the
      // same: the old one up to the switch, the new one from it on.
      int expected = switched_after(step) ? 2 : 1;
      for (const auto& t : targets_) {
        auto view = look(t);
        EXPECT_EQ(view.problem, "") << t.dir;
        EXPECT_EQ(view.version, expected) << t.dir;
      }
      // The killed run got as far as its step: the database holds the
      // journal entry exactly in the window it exists for.
      auto rows = target_rows();
      for (const auto& row : rows) {
        EXPECT_EQ(row["installed_version"], step == "committed" ? 2 : 1) << row.dump();
        if (journal_open_after(step)) {
          EXPECT_EQ(row["pending_version"], 2) << row.dump();
        } else {
          EXPECT_TRUE(row["pending_version"].is_null()) << row.dump();
        }
      }
      if (step == "stage-file") {
        EXPECT_FALSE(temporaries(targets_[0]).empty()) << "a half-written set is left for the next run to remove";
      }

      auto notes = next_run_repairs(2, step);
      if (journal_open_after(step)) {
        for (const auto& t : targets_) {
          bool said = std::any_of(notes.begin(), notes.end(), [&](const std::string& n) {
            return n.find(t.dir) != std::string::npos && n.find("interrupted") != std::string::npos;
          });
          EXPECT_TRUE(said) << t.dir << " not in reconciled: " << join(notes);
        }
      } else if (step == "stage-file") {
        bool said = std::any_of(notes.begin(), notes.end(), [&](const std::string& n) {
          return n.find("removed " + targets_[0].dir + "/.certkeeper/tmp-") == 0;
        });
        EXPECT_TRUE(said) << "reconciled: " << join(notes);
      } else {
        EXPECT_TRUE(notes.empty()) << "nothing to reconcile, yet: " << join(notes);
      }
      auto reconciled = events("install-reconciled");
      ASSERT_EQ(reconciled.size(), reconciled_before + (journal_open_after(step) ? 1 : 0));
      if (journal_open_after(step)) {
        auto detail = reconciled.back()["detail"];
        ASSERT_EQ(detail["targets"].size(), targets_.size()) << detail.dump();
        for (const auto& d : detail["targets"]) {
          EXPECT_EQ(d["interrupted_version"], 2) << detail.dump();
          EXPECT_EQ(d["restored_version"], 1) << detail.dump();
        }
      }
      // Back to version 1 for the next step.
      auto back = install(1);
      ASSERT_TRUE(back.exited(0)) << back.describe();
    }
  }

  TempDir work_;
  std::vector<Target> targets_;
  std::map<int, Cert> leaves_;
};

TEST_F(InstallCrashTest, KilledAtEveryStepSeparateLayout) {
  prepare({{work_.file("web"), false}});
  kill_at_every_step();
}

TEST_F(InstallCrashTest, KilledAtEveryStepCombinedLayout) {
  prepare({{work_.file("web"), true}});
  kill_at_every_step();
}

// All targets of a certificate switch together, and go back together.
TEST_F(InstallCrashTest, KilledAtEveryStepTwoTargets) {
  prepare({{work_.file("web"), false}, {work_.file("proxy"), true}});
  kill_at_every_step();
}

// 20 SIGKILLs at random moments of installs that alternate between the two
// versions. Even attempts draw the moment uniformly from [0, T] (T: an
// uninterrupted install, measured here); as most of T is the process
// starting, odd attempts first pick one of the phases between the crash
// points (each phase's end measured here too) and then a moment within it,
// so that the short windows around the journal and the switch get kills.
TEST_F(InstallCrashTest, TwentyKillsAtRandomMoments) {
  prepare({{work_.file("web"), false}, {work_.file("proxy"), true}});
  int live = 1;
  // How long an uninterrupted install takes here: the median of 3.
  std::vector<microseconds> spans;
  for (int i = 0; i < 3; ++i) {
    live = live == 1 ? 2 : 1;
    auto r = install(live);
    ASSERT_TRUE(r.exited(0)) << r.describe();
    spans.push_back(r.elapsed);
  }
  std::sort(spans.begin(), spans.end());
  const microseconds span = spans[1];
  // When each crash point is reached: a run killed there dies that long
  // after it started.
  std::vector<long long> bounds = {0};
  for (const auto& step : kSteps) {
    live = live == 1 ? 2 : 1;
    SpawnOptions options;
    options.env = {{"CERTKEEPER_CRASH_AT", step}};
    auto r = install(live, options);
    ASSERT_EQ(r.signal, SIGKILL) << step << ": " << r.describe();
    bounds.push_back(std::max(bounds.back(), static_cast<long long>(r.elapsed.count())));
    auto repair = install(live);
    ASSERT_TRUE(repair.exited(0)) << repair.describe();
  }
  bounds.push_back(std::max(bounds.back(), static_cast<long long>(span.count())));

  unsigned seed = std::random_device{}();
  if (const char* s = std::getenv("CERTKEEPER_CRASH_SEED")) seed = static_cast<unsigned>(std::strtoul(s, nullptr, 10));
  std::string timeline;
  for (std::size_t i = 0; i < kSteps.size(); ++i) timeline += " " + kSteps[i] + "@" + std::to_string(bounds[i + 1]);
  std::printf("[ random   ] seed %u (replay: CERTKEEPER_CRASH_SEED=%u); an install takes %lld us; steps (us):%s\n",
              seed, seed, static_cast<long long>(span.count()), timeline.c_str());
  RecordProperty("seed", std::to_string(seed));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<long long> anywhere(0, span.count());
  std::uniform_int_distribution<std::size_t> phase(0, bounds.size() - 2);

  // Where the kills landed, judged by what they left.
  std::map<std::string, int> landed;
  int kills = 0;
  for (int attempt = 0; kills < 20 && attempt < 80; ++attempt) {
    const int want = live == 1 ? 2 : 1;
    std::vector<std::set<std::string>> sets_before;
    for (const auto& t : targets_) sets_before.push_back(sets(t));
    SpawnOptions options;
    if (attempt % 2 == 0) {
      options.kill_after = microseconds(anywhere(rng));
    } else {
      std::size_t p = phase(rng);
      options.kill_after = microseconds(std::uniform_int_distribution<long long>(bounds[p], bounds[p + 1])(rng));
    }
    auto r = install(want, options);
    const std::string context = "attempt " + std::to_string(attempt) + ": install of version " + std::to_string(want) +
                                " killed after " + std::to_string(options.kill_after->count()) + " us (seed " +
                                std::to_string(seed) + ")";
    SCOPED_TRACE(context);
    if (!r.killed_on_purpose) {
      ASSERT_TRUE(r.exited(0)) << r.describe();
      ++landed["finished before the kill"];
      live = want;
      continue;
    }
    ++kills;

    // One whole version in every target, and a database that can explain
    // the disk: without a journal entry it says what is live; with one, the
    // live set is the old or the new version.
    auto rows = target_rows();
    ASSERT_EQ(rows.size(), targets_.size());
    bool journal = false;
    bool switched = false;
    bool staged = false;
    bool temps = false;
    for (std::size_t i = 0; i < targets_.size(); ++i) {
      auto view = look(targets_[i]);
      ASSERT_EQ(view.problem, "") << targets_[i].dir << ": the files are not one whole version";
      ASSERT_TRUE(view.version == 1 || view.version == 2);
      if (rows[i]["pending_version"].is_null()) {
        EXPECT_EQ(rows[i]["installed_version"], view.version)
            << targets_[i].dir << ": no journal entry explains the disk";
      } else {
        journal = true;
        EXPECT_EQ(rows[i]["pending_version"], want);
        EXPECT_TRUE(rows[i]["installed_version"] == view.version || view.version == want) << rows[i].dump();
      }
      switched = switched || view.version == want;
      temps = temps || !temporaries(targets_[i]).empty();
      for (const auto& s : sets(targets_[i]))
        staged = staged || (!sets_before[i].count(s) && version_of_set(s) == want);
    }
    const bool committed = !journal && rows[0]["installed_version"] == want;
    if (committed) {
      ++landed["after the commit"];
    } else if (journal) {
      ++landed[switched ? "after the switch, before the commit" : "journaled, before the switch"];
    } else if (staged) {
      ++landed["staged, before the journal"];
    } else if (temps) {
      ++landed["while staging"];
    } else {
      ++landed["before staging"];
    }

    auto notes = next_run_repairs(want, context);
    if (journal) {
      EXPECT_TRUE(std::any_of(notes.begin(), notes.end(),
                              [](const std::string& n) { return n.find("interrupted") != std::string::npos; }))
          << "reconciled: " << join(notes);
    }
    if (HasFatalFailure() || HasFailure()) break;  // one broken state is enough to read
    live = want;
  }
  std::string summary;
  for (const auto& [where, n] : landed) summary += "\n[ random   ]   " + std::to_string(n) + " " + where;
  std::printf("[ random   ] %d kills:%s\n", kills, summary.c_str());
  EXPECT_EQ(kills, 20) << "too many installs finished before their kill";
}

// The disk fills while staging: RLIMIT_FSIZE lower than the new certificate
// file. The limit cannot go below 32 KiB: SQLite extends the database's
// -shm file to 32 KiB when it opens it (see the next test), so version 2 is
// a certificate with enough names to be larger than that.
TEST_F(InstallCrashTest, FileSizeLimitStopsTheInstallWithTheOldFilesIntact) {
  Target t{work_.file("web"), false};
  CertOptions big;
  for (int i = 0; i < 1500; ++i) big.dns.push_back(fmt_host(i));
  prepare({t}, "true", big);
  constexpr rlim_t kLimit = 40 * 1024;
  ASSERT_GT(leaves_.at(2).pem().size(), kLimit) << "the limit must stop the certificate file";
  auto rows_before = target_rows();
  auto sets_before = sets(t);

  SpawnOptions options;
  options.file_size_limit = kLimit;
  auto r = spawn_certkeeper({"--db", db(), "install", "web", "--version", "2"}, options);
  EXPECT_TRUE(r.exited(1)) << r.describe();
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  EXPECT_EQ(r.err.rfind("certkeeper: " + t.dir + "/cert.pem: ", 0), 0u)
      << "names the file that could not be written: " << r.err;
  EXPECT_NE(r.err.find("File too large"), std::string::npos) << r.err;

  auto view = look(t);
  EXPECT_EQ(view.problem, "");
  EXPECT_EQ(view.version, 1);
  EXPECT_EQ(join(temporaries(t)), "");
  EXPECT_EQ(sets(t), sets_before) << "no new set";
  EXPECT_EQ(target_rows(), rows_before) << "installed 1, nothing pending";
  EXPECT_EQ(events("install-failed").size(), 1u);
  // And the next run, with room again, installs.
  next_run_repairs(2, "after the full disk");
}

// Below 32 KiB the database cannot even be opened (SQLite writes the last
// byte of each page of its 32 KiB -shm file): the install stops before it
// touches the target, with exit 1 and one line naming the database.
TEST_F(InstallCrashTest, TinyFileSizeLimitStopsAtTheDatabaseWithTheOldFilesIntact) {
  Target t{work_.file("web"), false};
  prepare({t});
  constexpr rlim_t kLimit = 512;
  ASSERT_GT(read_file(t.dir + "/cert.pem").size(), kLimit);
  ASSERT_GT(read_file(t.dir + "/fullchain.pem").size(), kLimit);
  auto rows_before = target_rows();
  auto sets_before = sets(t);

  SpawnOptions options;
  options.file_size_limit = kLimit;
  auto r = spawn_certkeeper({"--db", db(), "install", "web", "--version", "2"}, options);
  EXPECT_TRUE(r.exited(1)) << r.describe();
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  bool names_a_path = r.err.rfind("certkeeper: " + t.dir + "/", 0) == 0 || r.err.rfind("certkeeper: " + db(), 0) == 0;
  EXPECT_TRUE(names_a_path) << r.err;

  auto view = look(t);
  EXPECT_EQ(view.problem, "");
  EXPECT_EQ(view.version, 1);
  EXPECT_EQ(join(temporaries(t)), "");
  EXPECT_EQ(sets(t), sets_before) << "no new set";
  EXPECT_EQ(target_rows(), rows_before) << "installed 1, nothing pending";
}

class InstallTmpfsTest : public InstallCrashTest {
 protected:
  void TearDown() override {
    if (mounted_) ::umount2(mount_.c_str(), MNT_DETACH);
  }
  std::string mount_;
  bool mounted_ = false;
};

// The same with a real full file system: a small tmpfs holding the target,
// filled up to one free block, so the second file of the new set finds no
// space.
TEST_F(InstallTmpfsTest, AFullTmpfsStopsTheInstallWithTheOldFilesIntact) {
  mount_ = work_.file("small");
  fs::create_directories(mount_);
  if (::mount("tmpfs", mount_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=256k,mode=0755") != 0) {
    GTEST_SKIP() << "mounting a tmpfs is not permitted here (" << std::strerror(errno)
                 << "); FileSizeLimitStopsTheInstallWithTheOldFilesIntact covers the write error";
  }
  mounted_ = true;
  Target t{mount_ + "/web", false};
  prepare({t});
  struct statvfs vfs {};
  ASSERT_EQ(::statvfs(mount_.c_str(), &vfs), 0);
  std::size_t free_bytes = vfs.f_bavail * vfs.f_frsize;
  ASSERT_GT(free_bytes, vfs.f_frsize);
  write_file(mount_ + "/filler", std::string(free_bytes - vfs.f_frsize, 'x'));
  ASSERT_EQ(::statvfs(mount_.c_str(), &vfs), 0);
  ASSERT_EQ(vfs.f_bavail, 1u) << "one block left";
  auto rows_before = target_rows();
  auto sets_before = sets(t);

  auto r = spawn_certkeeper({"--db", db(), "install", "web", "--version", "2"});
  EXPECT_TRUE(r.exited(1)) << r.describe();
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  EXPECT_EQ(r.err.rfind("certkeeper: " + t.dir + "/", 0), 0u) << "names the file that could not be written: " << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;

  auto view = look(t);
  EXPECT_EQ(view.problem, "");
  EXPECT_EQ(view.version, 1);
  EXPECT_EQ(join(temporaries(t)), "");
  EXPECT_EQ(sets(t), sets_before) << "no new set";
  EXPECT_EQ(target_rows(), rows_before) << "installed 1, nothing pending";
  EXPECT_EQ(events("install-failed").size(), 1u) << "the database is elsewhere: the failure is recorded";

  fs::remove(mount_ + "/filler");
  next_run_repairs(2, "after freeing space");
}

}  // namespace
}  // namespace certkeeper::testing
