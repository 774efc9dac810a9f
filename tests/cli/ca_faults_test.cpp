// A CA that misbehaves, seen by the operator (issue 14): the real binary
// against the scripted ACME stub (faults pebble cannot produce), judged by
// what every command then shows: exit codes, --json, list, show, report
// (all formats), history, the mail, and a run stopped while it polls.
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <ctime>

#include "certkeeper/util/text.h"
#include "cli/cli_fixture.h"
#include "support/acme_stub.h"
#include "support/smtp_sink.h"
#include "support/spawn.h"

namespace certkeeper::testing {
namespace {

class CaFaultsCli : public CliTest {
 protected:
  CaFaultsCli() : stub_(AcmeStubOptions{}) {}

  void SetUp() override {
    auto r = ck({"init", "--acme-server", stub_.directory_url(), "--acme-ca-file", stub_.ca_file(), "--email",
                 "ops@example.test"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    add("web");
  }

  void add(const std::string& name) {
    auto r = ck({"add", name, "--domain", name + ".example.test", "--webroot", pki_.make_dir("webroot-" + name)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  nlohmann::json listed(const std::string& name = "web") {
    auto r = ck({"--json", "list"});
    const auto doc = json(r);
    for (const auto& c : doc["certificates"]) {
      if (c["name"] == name) return c;
    }
    ADD_FAILURE() << name << " is not listed: " << r.out << r.err;
    return nullptr;
  }

  std::vector<nlohmann::json> events(const std::string& kind, const std::string& name = "web") {
    std::vector<nlohmann::json> out;
    const auto doc = json(ck({"--json", "history", name}));
    for (const auto& e : doc["events"]) {
      if (e["kind"] == kind) out.push_back(e);
    }
    return out;
  }

  static UnixTime wall() { return static_cast<UnixTime>(std::time(nullptr)); }

  AcmeStub stub_;
};

// ---------------------------------------------------------------- point 2

TEST_F(CaFaultsCli, IssueJsonWithADetailCutInsideACharacterStaysValidAndIsRecorded) {
  std::string euros;
  for (int i = 0; i < 200; ++i) euros += "\xE2\x82\xAC";
  stub_.respond_next("/order", StubResponse::problem(400, "malformed", euros));
  auto r = ck({"--json", "issue", "web"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  ASSERT_TRUE(text::is_utf8(r.out));
  auto doc = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  EXPECT_EQ(doc["certificates"][0]["error"]["cause"]["type"], "malformed") << r.out;

  auto c = listed();
  EXPECT_EQ(c["failures"], 1);
  EXPECT_NE(c["last_error"].get<std::string>().find("malformed"), std::string::npos);
  EXPECT_EQ(events("issue-failed").size(), 1u);

  auto dry = ck({"renew", "--dry-run", "web"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(dry.out.find("never issued"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("web: halted"), std::string::npos) << "malformed is permanent: " << dry.out;
}

// ---------------------------------------------------------------- point 5

TEST_F(CaFaultsCli, ARunStoppedWhileTheCaProcessesStillShowsItsAttempt) {
  // The order stays "processing" for as long as the run polls it; at the
  // first poll the stub sends the run SIGTERM (a timer's time limit).
  std::atomic<pid_t> pid{0};
  std::atomic<bool> stopped{false};
  stub_.set_override([&](const StubRequest& r) -> std::optional<StubResponse> {
    if (r.path.rfind("/order/", 0) != 0 || !r.post_as_get) return std::nullopt;
    if (!stopped.exchange(true) && pid > 0) ::kill(pid, SIGTERM);
    StubResponse processing;
    processing.body = nlohmann::json{{"status", "processing"},
                                     {"identifiers", nlohmann::json::array()},
                                     {"authorizations", nlohmann::json::array()},
                                     {"finalize", r.url + "/finalize"}}
                          .dump();
    return processing;
  });
  SpawnOptions options;
  options.on_start = [&](pid_t p) { pid = p; };
  options.timeout = std::chrono::seconds(60);
  const UnixTime before = wall();
  auto run = spawn_certkeeper({"--db", db(), "issue", "web"}, options);
  ASSERT_EQ(run.signal, SIGTERM) << run.describe();
  ASSERT_TRUE(stopped);

  auto c = listed();
  ASSERT_FALSE(c["last_attempt"].is_null()) << c.dump();
  auto report = json(ck({"--json", "report"}))["certificates"][0];
  EXPECT_EQ(report["last_attempt"], c["last_attempt"]);
  auto table = ck({"report"});
  EXPECT_NE(table.out.find("has no outcome yet (still running, or stopped)"), std::string::npos) << table.out;
  auto show = ck({"show", "web"});
  EXPECT_NE(show.out.find("last attempt:"), std::string::npos) << show.out;
  auto attempts = events("issue-attempt");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0]["detail"]["resumed"], false);
  EXPECT_GE(attempts[0]["at"].get<std::string>(), format_utc(before));

  // The next run resumes the same order.
  stub_.set_override({});
  auto again = ck({"--json", "issue", "web"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(json(again)["certificates"][0]["resumed"], true);
  EXPECT_EQ(stub_.issued().size(), 1u) << "finalized once";
  EXPECT_EQ(ck({"report"}).out.find("no outcome"), std::string::npos);
}

// ---------------------------------------------------------------- point 7

TEST_F(CaFaultsCli, UserActionRequiredShowsItsUrlsInTheMessageTheEventTheReportAndTheMail) {
  const std::string instance = stub_.base_url() + "/agree?account=1";
  const std::string terms = stub_.base_url() + "/terms/v2";
  stub_.user_action_required_next("/order", instance, terms);
  auto r = ck({"--json", "issue", "web"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  auto cause = json(r)["certificates"][0]["error"]["cause"];
  EXPECT_EQ(cause["type"], "userActionRequired");
  EXPECT_EQ(cause["instance"], instance);
  EXPECT_EQ(cause["terms_of_service"], terms);
  EXPECT_EQ(cause["transient"], false);

  auto failed = events("issue-failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0]["detail"]["instance"], instance);
  EXPECT_EQ(failed[0]["detail"]["terms_of_service"], terms);

  for (const char* format : {"table", "json", "csv", "html"}) {
    auto report = ck({"report", "--format", format});
    EXPECT_NE(report.out.find(instance.substr(instance.find("/agree"))), std::string::npos) << format;
    EXPECT_NE(report.out.find(terms), std::string::npos) << format;
  }

  // The halted certificate's reminder mail carries both.
  SmtpSink sink(pki_.make_dir("sink"));
  const std::string settings = pki_.write("mail.conf", "server = 127.0.0.1\nport = " + std::to_string(sink.port()) +
                                                           "\ntls = none\nfrom = certkeeper@example.test\n"
                                                           "to = ops@example.test\n");
  ::chmod(settings.c_str(), 0600);
  auto pass = ck({"renew", "web", "--email", "--mail-config", settings});
  EXPECT_EQ(pass.exit_code, 0) << pass.out << pass.err;
  const auto got = sink.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  const std::string mail = mime_part(got[0].data, "text/plain");
  EXPECT_NE(mail.find(instance), std::string::npos) << mail;
  EXPECT_NE(mail.find(terms), std::string::npos) << mail;
}

// ---------------------------------------------------------------- point 8

TEST_F(CaFaultsCli, A503WithRetryAfterShowsItsNextCheckInListShowAndEveryReport) {
  stub_.unavailable_next("/order", "120");
  const UnixTime before = wall();
  auto r = ck({"issue", "web"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  const UnixTime after = wall();

  auto c = listed();
  ASSERT_TRUE(c["next_check"].is_string()) << c.dump();
  const std::string next = c["next_check"];
  EXPECT_GE(next, format_utc(before + 120));
  EXPECT_LE(next, format_utc(after + 120));

  EXPECT_NE(ck({"list"}).out.find(next), std::string::npos);
  EXPECT_NE(ck({"show", "web"}).out.find("next check:   " + next), std::string::npos);
  EXPECT_EQ(json(ck({"--json", "show", "web"}))["certificate"]["next_check"], next);
  for (const char* format : {"table", "json", "csv", "html"}) {
    EXPECT_NE(ck({"report", "--format", format}).out.find(next), std::string::npos) << format;
  }
  auto prometheus = ck({"report", "--format", "prometheus"});
  EXPECT_NE(prometheus.out.find("certkeeper_certificate_next_check_timestamp_seconds{"), std::string::npos)
      << prometheus.out;
}

// ---------------------------------------------------------------- point 10

TEST_F(CaFaultsCli, ADryRunSaysPerCertificateWhatThePassWouldDoAndWhy) {
  add("other");
  ASSERT_EQ(ck({"issue", "web"}).exit_code, 0);
  stub_.unavailable_next("/order", "600");
  ASSERT_EQ(ck({"issue", "other"}).exit_code, 4);

  // web was never scheduled (issued by hand): the pass would look at it;
  // other waits for the CA's time, and the next check says so.
  auto plan = ck({"renew", "--dry-run"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("web: would set the next check at"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("the pass first asks the CA for its ARI renewal window"), std::string::npos) << plan.out;
  EXPECT_EQ(plan.out.find("\nother:"), std::string::npos) << "not due: " << plan.out;
  EXPECT_NE(plan.out.rfind("web:", 0), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("(other: back off after 1 failure until"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("the CA's Retry-After"), std::string::npos) << plan.out;
  auto plan_json = json(ck({"--json", "renew", "--dry-run"}));
  EXPECT_EQ(plan_json["next"]["name"], "other") << plan_json.dump();
  EXPECT_TRUE(plan_json["next"]["at"].is_string()) << plan_json.dump();
  EXPECT_NE(plan_json["next"]["reason"].get<std::string>().find("the CA's Retry-After"), std::string::npos);

  // Named: decided now, and it says that its stored next check is not waited for.
  auto named = ck({"renew", "--dry-run", "web", "other"});
  ASSERT_EQ(named.exit_code, 0) << named.err;
  EXPECT_NE(named.out.find("web: would set the next check at"), std::string::npos) << named.out;
  EXPECT_NE(named.out.find("a third of the 90-day lifetime"), std::string::npos) << named.out;
  EXPECT_NE(named.out.find("other: would back off until"), std::string::npos) << named.out;
  EXPECT_NE(named.out.find("named, so its stored next check"), std::string::npos) << named.out;
  auto named_json = json(ck({"--json", "renew", "--dry-run", "other"}))["certificates"][0];
  EXPECT_EQ(named_json["decision"], "back-off");
  EXPECT_EQ(named_json["stored_next_check"], named_json["at"]) << named_json.dump();
}

}  // namespace
}  // namespace certkeeper::testing
