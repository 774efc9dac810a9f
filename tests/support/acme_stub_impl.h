// AcmeStub's state, shared by acme_stub.cpp (serving, faults) and
// acme_stub_flow.cpp (the ACME resources). Internal: tests use acme_stub.h.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "support/acme_stub.h"

namespace certkeeper::testing {

struct AcmeStub::Impl {
  struct Fault {
    std::string prefix;
    int remaining = 1;
    std::optional<StubResponse> replacement;  // else the default answer, changed as below
    bool omit_nonce = false;
    bool truncate = false;
    std::size_t oversize = 0;
    std::chrono::milliseconds delay{0};
  };
  struct Authz {
    nlohmann::json identifier;  // {"type","value"} without a "*." prefix
    bool wildcard = false;
    std::string status = "pending";
    std::string challenge_type;
    std::string token;
    std::string validated;  // RFC 3339, once valid
  };
  struct Order {
    int account = 0;
    nlohmann::json identifiers;
    std::vector<int> authzs;
    std::string status = "pending";
    std::string profile;
    std::string replaces;
    std::string expires;
    int polls_left = 0;
    std::string chain_pem;  // once finalized
    nlohmann::json error;
  };

  explicit Impl(const AcmeStubOptions& o) : options(o), rng(std::random_device{}()) {}
  ~Impl() { stop(); }

  void start();
  void stop();
  void handle(const httplib::Request& req, httplib::Response& res);
  void send(const StubResponse& out, httplib::Response& res);
  void add(Fault f);
  std::optional<Fault> take_fault(const std::string& path);
  std::string new_nonce();  // under mu

  // acme_stub_flow.cpp; all under mu.
  StubResponse route(const StubRequest& r);
  std::optional<StubResponse> check_jws(const StubRequest& r, bool new_account, int& account);
  StubResponse directory();
  StubResponse new_account(const StubRequest& r);
  StubResponse new_order(const StubRequest& r, int account);
  StubResponse get_order(int id);
  StubResponse authorization(const StubRequest& r, int id);
  StubResponse challenge(const StubRequest& r, int id);
  StubResponse finalize(const StubRequest& r, int id);
  StubResponse certificate(int id);
  StubResponse renewal_info();
  void add_order_retry_after(StubResponse& out) const;
  nlohmann::json order_json(int id) const;
  nlohmann::json authz_json(int id) const;
  nlohmann::json challenge_json(int id) const;
  UnixTime now() const;

  const AcmeStubOptions options;
  // The wall clock here: the listener must be valid when clients connect.
  TestPki pki{static_cast<UnixTime>(std::time(nullptr))};
  std::optional<Cert> listener;
  std::string ca_file;
  std::unique_ptr<httplib::SSLServer> server;
  std::thread thread;
  int port = 0;
  std::string base;

  mutable std::mutex mu;
  std::condition_variable wake;  // ends delays when stopping
  bool stopping = false;
  std::mt19937_64 rng;
  std::vector<StubRequest> log;
  std::deque<Fault> faults;
  StubHook hook;
  std::set<std::string> nonces;
  std::map<std::string, int> accounts;  // JWK (dumped) -> account id
  int next_account = 1;                 // ids are never reused, so a forgotten kid stays unknown
  std::optional<std::string> order_retry_after;  // set_order_retry_after, else options.order_retry_after
  std::map<int, Order> orders;
  std::map<int, Authz> authzs;          // the challenge of authz N is /chall/N
  std::vector<StubIssued> issued;
  bool wrong_certificate = false;
  std::optional<nlohmann::json> renewal_body;
  int renewal_retry_after = 21600;
  std::set<std::string> already_replaced;
};

}  // namespace certkeeper::testing
