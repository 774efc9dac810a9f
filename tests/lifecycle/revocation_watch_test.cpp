// The revocation watch of a scheduler pass (issue 6), end to end: imported
// certificates from the test PKI name a CRL served by a cpp-httplib server
// on 127.0.0.1 in the test; the pass fetches it, verifies it against the
// stored chain, caches it, marks revoked versions and fires the hook once.
// The ARI signal ("revocation-expected") runs against the scripted ACME stub.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <sys/stat.h>
#include <thread>

#include "certkeeper/lifecycle/check.h"
#include "certkeeper/lifecycle/init.h"
#include "certkeeper/lifecycle/renew.h"
#include "certkeeper/store/inventory.h"
#include "lifecycle/renew_pass_fixture.h"
#include "support/test_pki.h"

namespace certkeeper::lifecycle {
namespace {

using namespace certkeeper::testing;
using namespace std::chrono_literals;

// Serves one CRL at /int.crl on 127.0.0.1 and counts the requests.
class CrlServer {
 public:
  CrlServer() {
    server_.Get("/int.crl", [this](const httplib::Request&, httplib::Response& res) {
      ++requests_;
      std::lock_guard<std::mutex> guard(mutex_);
      res.set_content(body_, "application/pkix-crl");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 200 && !server_.is_running(); ++i) std::this_thread::sleep_for(5ms);
  }
  ~CrlServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/int.crl"; }
  void serve(std::string body) {
    std::lock_guard<std::mutex> guard(mutex_);
    body_ = std::move(body);
  }
  int requests() const { return requests_.load(); }

 private:
  httplib::Server server_;
  std::thread thread_;
  std::mutex mutex_;
  std::string body_;
  std::atomic<int> requests_{0};
  int port_ = 0;
};

// A loopback port nobody listens on: bound, then closed.
int unused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// An --on-event program that appends "EVENT NAME" to a file.
std::string hook_script(const TestPki& pki, const std::string& log) {
  std::string path = pki.write("hook.sh", "#!/bin/sh\necho \"$1 $2\" >> '" + log + "'\n");
  ::chmod(path.c_str(), 0700);
  return path;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class RevocationWatchTest : public ::testing::Test {
 protected:
  RevocationWatchTest() : clock_(pki_.now()) {
    ctx_.db_path = pki_.path("ck.db");
    ctx_.clock = &clock_;
    ctx_.actor = "scheduler";
    hook_log_ = pki_.path("hook.log");
    request_.on_event = hook_script(pki_, hook_log_);
    request_.parallel = 1;
  }
  void SetUp() override { ASSERT_TRUE(init(ctx_, {})); }

  Cert leaf_naming(const std::string& url) {
    CertOptions o;
    o.crl_urls = {url};
    return pki_.leaf(o);
  }
  void import(const std::string& name, const Cert& leaf) {
    crypto::Sources s;
    s.cert_file = pki_.write(name + "-cert.pem", leaf.pem());
    s.key_file = pki_.write(name + "-key.pem", leaf.key().pem());
    s.chain_file = pki_.write(name + "-ca.pem", pem_concat({pki_.intermediate().pem(), pki_.root().pem()}));
    auto out = import_certificate(ctx_, {name, s, ""});
    ASSERT_TRUE(out) << out.error().what();
    ASSERT_TRUE(out->stored);
  }
  // A CRL of the intermediate listing these serials (keyCompromise, two
  // hours ago), next update in a day.
  std::string crl_listing(const std::vector<std::string>& serials, const Key* signer = nullptr) {
    CrlOptions o;
    for (const auto& s : serials) o.revoked.push_back({s, pki_.now() - 7200, 1});
    o.this_update = clock_.now() - 60;
    o.next_update = clock_.now() + days(1);
    return pki_.crl(o, pki_.intermediate(), signer);
  }
  RenewOutcome pass(RenewRequest request) {
    auto out = renew(ctx_, request, [](std::int64_t lo, std::int64_t) { return lo; });
    EXPECT_TRUE(out) << out.error().what();
    return out ? *out : RenewOutcome{};
  }
  RenewOutcome pass() { return pass(request_); }
  store::Inventory inventory() {
    return std::move(store::Inventory::open(ctx_.db_path, store::OpenMode::existing).value());
  }
  store::VersionRecord version_of(const std::string& name, int version = 1) {
    auto v = inventory().versions(name);
    EXPECT_TRUE(v && static_cast<int>(v->size()) >= version);
    return v && static_cast<int>(v->size()) >= version ? (*v)[static_cast<std::size_t>(version - 1)]
                                                       : store::VersionRecord{};
  }
  int events_of(const std::string& name, const std::string& kind) {
    auto events = inventory().events(name);
    EXPECT_TRUE(events);
    int n = 0;
    if (events) {
      for (const auto& e : *events) n += e.kind == kind;
    }
    return n;
  }

  TestPki pki_;
  FixedClock clock_;
  Context ctx_;
  std::string hook_log_;
  RenewRequest request_;
  CrlServer server_;
};

TEST_F(RevocationWatchTest, ARevokedSerialIsMarkedAndAnnouncedOnce) {
  auto leaf = leaf_naming(server_.url());
  import("web", leaf);
  server_.serve(crl_listing({leaf.facts().serial_hex}));

  auto out = pass();

  ASSERT_EQ(out.revocation.crls.size(), 1u);
  EXPECT_EQ(out.revocation.crls[0].status, "fetched") << out.revocation.crls[0].error;
  EXPECT_EQ(out.revocation.crls[0].entries, 1u);
  ASSERT_EQ(out.revocation.events.size(), 1u);
  EXPECT_EQ(out.revocation.events[0].event, "revoked");
  EXPECT_EQ(out.revocation.events[0].name, "web");
  EXPECT_EQ(out.revocation.events[0].reason, "keyCompromise");
  EXPECT_EQ(out.revocation.events[0].hook_error, "");
  auto v = version_of("web");
  ASSERT_TRUE(v.revoked_at);
  EXPECT_EQ(*v.revoked_at, pki_.now() - 7200) << "the CRL's revocation date, not the pass's time";
  EXPECT_EQ(v.revoke_reason, "keyCompromise");
  EXPECT_EQ(events_of("web", "revoked"), 1);
  EXPECT_EQ(lines_of(hook_log_), std::vector<std::string>{"revoked web"});

  // After nextUpdate the CRL is fetched again and still lists it: nothing
  // is announced a second time.
  clock_.advance(days(1) + 1);
  server_.serve(crl_listing({leaf.facts().serial_hex}));
  auto again = pass();
  EXPECT_EQ(server_.requests(), 1) << "a revoked version is no longer looked up: nobody names the URL";
  EXPECT_TRUE(again.revocation.events.empty());
  EXPECT_EQ(events_of("web", "revoked"), 1);
  EXPECT_EQ(lines_of(hook_log_).size(), 1u);
}

TEST_F(RevocationWatchTest, ASerialNotOnTheCrlIsLeftAlone) {
  auto leaf = leaf_naming(server_.url());
  auto other = pki_.leaf();
  import("web", leaf);
  server_.serve(crl_listing({other.facts().serial_hex}));

  auto out = pass();

  ASSERT_EQ(out.revocation.crls.size(), 1u);
  EXPECT_EQ(out.revocation.crls[0].status, "fetched");
  EXPECT_TRUE(out.revocation.events.empty());
  EXPECT_FALSE(version_of("web").revoked_at);
  EXPECT_EQ(events_of("web", "revoked"), 0);
  EXPECT_TRUE(lines_of(hook_log_).empty());
  auto cached = inventory().crl(server_.url());
  ASSERT_TRUE(cached && *cached);
  EXPECT_FALSE((*cached)->der.empty());
  EXPECT_EQ((*cached)->issuer, "CN=Certkeeper Test Intermediate");
  EXPECT_EQ((*cached)->next_fetch, clock_.now() + days(1)) << "refetched at nextUpdate";
}

TEST_F(RevocationWatchTest, ACrlSignedByAnotherKeyIsRejectedAndNothingIsMarked) {
  auto leaf = leaf_naming(server_.url());
  import("web", leaf);
  Key forger = Key::generate(KeyType::ec_p256);
  server_.serve(crl_listing({leaf.facts().serial_hex}, &forger));

  auto out = pass();

  ASSERT_EQ(out.revocation.crls.size(), 1u);
  EXPECT_EQ(out.revocation.crls[0].status, "rejected");
  EXPECT_NE(out.revocation.crls[0].error.find("signature does not verify"), std::string::npos)
      << out.revocation.crls[0].error;
  EXPECT_TRUE(out.revocation.events.empty());
  EXPECT_FALSE(version_of("web").revoked_at);
  EXPECT_TRUE(lines_of(hook_log_).empty());
  auto cached = inventory().crl(server_.url());
  ASSERT_TRUE(cached && *cached);
  EXPECT_TRUE((*cached)->der.empty()) << "not cached";
  EXPECT_FALSE((*cached)->fetched_at);
  EXPECT_NE((*cached)->last_error.find("not trusted"), std::string::npos) << (*cached)->last_error;
}

TEST_F(RevocationWatchTest, AnUnreachableCrlIsReportedAndThePassGoesOn) {
  const std::string dead = "http://127.0.0.1:" + std::to_string(unused_port()) + "/int.crl";
  import("web", leaf_naming(dead));
  auto revoked = leaf_naming(server_.url());
  import("mail", revoked);
  server_.serve(crl_listing({revoked.facts().serial_hex}));

  auto out = pass();

  ASSERT_EQ(out.revocation.crls.size(), 2u);
  const CrlCheck* unreachable = nullptr;
  for (const auto& c : out.revocation.crls) {
    if (c.url == dead) unreachable = &c;
  }
  ASSERT_NE(unreachable, nullptr);
  EXPECT_EQ(unreachable->status, "unreachable");
  EXPECT_FALSE(unreachable->error.empty());
  EXPECT_EQ(unreachable->next_fetch, clock_.now() + 3600);
  auto row = inventory().crl(dead);
  ASSERT_TRUE(row && *row);
  EXPECT_FALSE((*row)->last_error.empty()) << "kept for the report";
  ASSERT_EQ(out.revocation.events.size(), 1u) << "the other CRL was still checked";
  EXPECT_EQ(out.revocation.events[0].name, "mail");
  EXPECT_TRUE(version_of("mail").revoked_at);
  EXPECT_FALSE(version_of("web").revoked_at);
  EXPECT_EQ(out.items.size(), 2u) << "both certificates were decided";
}

TEST_F(RevocationWatchTest, ACachedCrlIsNotFetchedBeforeNextUpdateButChecksNewVersions) {
  auto first = leaf_naming(server_.url());
  auto second = leaf_naming(server_.url());
  import("web", first);
  server_.serve(crl_listing({second.facts().serial_hex}));
  pass();
  EXPECT_EQ(server_.requests(), 1);

  clock_.advance(3600);
  auto cached = pass();
  EXPECT_EQ(server_.requests(), 1) << "the cache is fresh until nextUpdate";
  EXPECT_TRUE(cached.revocation.crls.empty());

  // A certificate imported now names the same URL: it is looked up in the
  // cached CRL, without a fetch.
  import("mail", second);
  auto out = pass();
  EXPECT_EQ(server_.requests(), 1);
  ASSERT_EQ(out.revocation.events.size(), 1u);
  EXPECT_EQ(out.revocation.events[0].name, "mail");
  EXPECT_TRUE(version_of("mail").revoked_at);

  clock_.set(pki_.now() + days(1));
  pass();
  EXPECT_EQ(server_.requests(), 2) << "fetched again at nextUpdate";
}

TEST_F(RevocationWatchTest, ADryRunContactsNobodyAndSaysWhatItWouldFetch) {
  auto leaf = leaf_naming(server_.url());
  import("web", leaf);
  RenewRequest dry = request_;
  dry.dry_run = true;
  auto before = pass(dry);
  EXPECT_EQ(before.revocation.unread_versions, 1) << "a dry run does not read new versions";
  EXPECT_EQ(server_.requests(), 0);

  server_.serve(crl_listing({}));
  pass();
  ASSERT_EQ(server_.requests(), 1);
  clock_.advance(days(2));
  auto out = pass(dry);
  EXPECT_EQ(server_.requests(), 1);
  ASSERT_EQ(out.revocation.crls.size(), 1u);
  EXPECT_EQ(out.revocation.crls[0].status, "would-fetch");
  EXPECT_EQ(out.revocation.crls[0].url, server_.url());
  EXPECT_EQ(out.revocation.crls[0].certificates, 1u);
  EXPECT_EQ(out.revocation.unread_versions, 0);
}

// ---------------------------------------------------------------- ARI

using renew_pass::ari_window;
using renew_pass::RenewPassFixture;

class RevocationExpected : public RenewPassFixture {
 protected:
  void SetUp() override {
    RenewPassFixture::SetUp();
    if (HasFatalFailure()) return;
    define();
    issue_first();
    hook_log_ = dir_.file("hook.log");
    std::string hook = dir_.file("hook.sh");
    std::ofstream(hook) << "#!/bin/sh\necho \"$1 $2\" >> '" << hook_log_ << "'\n";
    ::chmod(hook.c_str(), 0700);
    request_.on_event = hook;
  }
  int expected_events() {
    auto events = inventory().events("web");
    int n = 0;
    for (const auto& e : *events) n += e.kind == "revocation-expected";
    return n;
  }
  std::string hook_log_;
  RenewRequest request_;
};

TEST_F(RevocationExpected, AWindowInThePastIsAnnouncedOncePerVersion) {
  clock_.advance(renew_pass::kHour);
  const UnixTime now = clock_.now();
  stub_.set_renewal_info(ari_window(now - days(2), now - days(1)), 21600);
  stub_.fail_next("/order", 503, problem_body("serverInternal", "busy"), {}, 2, "application/problem+json");

  auto out = pass(renew_pass::lower_bound_random(), request_);

  ASSERT_EQ(out.revocation.events.size(), 1u);
  EXPECT_EQ(out.revocation.events[0].event, "revocation-expected");
  EXPECT_EQ(out.revocation.events[0].version, 1);
  EXPECT_NE(out.revocation.events[0].reason.find("expected to revoke"), std::string::npos);
  EXPECT_EQ(expected_events(), 1);

  // The retry after the back-off still sees the window in the past (and
  // fails again): the version was announced already.
  clock_.advance(renew_pass::kHour);
  auto again = pass(renew_pass::lower_bound_random(), request_);
  ASSERT_NE(renew_pass::item_named(again), nullptr);
  EXPECT_TRUE(renew_pass::item_named(again)->attempted);
  EXPECT_TRUE(again.revocation.events.empty());
  EXPECT_EQ(expected_events(), 1);
  auto hooks = lines_of(hook_log_);
  EXPECT_EQ(std::count(hooks.begin(), hooks.end(), "revocation-expected web"), 1);
  EXPECT_EQ(std::count(hooks.begin(), hooks.end(), "renewal-failed web"), 2);
}

TEST_F(RevocationExpected, AFutureWindowIsNoSignal) {
  clock_.advance(renew_pass::kHour);
  stub_.set_renewal_info(ari_window(clock_.now() + days(30), clock_.now() + days(32)), 21600);
  auto out = pass(renew_pass::lower_bound_random(), request_);
  ASSERT_NE(renew_pass::item_named(out), nullptr);
  EXPECT_TRUE(out.revocation.events.empty());
  EXPECT_EQ(expected_events(), 0);
}

}  // namespace
}  // namespace certkeeper::lifecycle
