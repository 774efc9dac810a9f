// Lifecycle reaches the inventory and the network only through its Context
// (issue 11's seam): an operation given its own store and HTTP client uses
// those, never a file or a client of its own. Each test would fail if one
// operation opened the database by path or built its own client.
#include <gtest/gtest.h>

#include <ctime>
#include <vector>

#include "certkeeper/lifecycle/acme_ops.h"
#include "certkeeper/lifecycle/init.h"
#include "certkeeper/store/inventory.h"
#include "support/acme_stub.h"
#include "support/temp_dir.h"

namespace certkeeper::lifecycle {
namespace {

using testing::AcmeStub;
using testing::AcmeStubOptions;
using testing::TempDir;

// A client that refuses every request with a message the test recognises.
class RefusingClient final : public net::HttpClient {
 public:
  Result<net::HttpResponse> send(const net::HttpRequest& request) override {
    ++sent_;
    return make_error(Errc::network, "refused by the test's client", request.url);
  }
  std::size_t requests_sent() const override { return sent_; }

 private:
  std::size_t sent_ = 0;
};

// A stub CA and a certificate definition, made through the given context.
class ContextSeam : public ::testing::Test {
 protected:
  ContextSeam() : clock_(std::time(nullptr)), stub_(stub_options(clock_)) {}

  static AcmeStubOptions stub_options(const FixedClock& clock) {
    AcmeStubOptions o;
    o.now = clock.now();
    return o;
  }

  // init and add "web" (http-01 through a webroot) through `ctx`.
  void define_web(const Context& ctx) {
    ASSERT_TRUE(init(ctx, {std::nullopt, stub_.directory_url(), stub_.ca_file(), std::nullopt, {}}));
    AddRequest add;
    add.name = "web";
    add.domains = {"www.example.test"};
    add.webroot = dir_.path();
    auto added = add_certificate(ctx, add);
    ASSERT_TRUE(added) << added.error().what();
  }

  TempDir dir_;
  FixedClock clock_;
  AcmeStub stub_;
};

TEST_F(ContextSeam, EveryOperationOpensTheInventoryThroughTheContext) {
  const std::string real_file = dir_.file("elsewhere.db");
  std::vector<store::OpenMode> opened;
  // db_path names a file in a directory that does not exist: only the
  // injected store can be what the operations use.
  Context ctx{dir_.file("missing-dir/ck.db"), &clock_, "test"};
  ctx.open_inventory = [&](store::OpenMode mode) {
    opened.push_back(mode);
    return store::Inventory::open(real_file, mode);
  };
  define_web(ctx);
  ASSERT_GE(opened.size(), 2u);
  EXPECT_EQ(opened.front(), store::OpenMode::create);

  auto inv = store::Inventory::open(real_file, store::OpenMode::read_only);
  ASSERT_TRUE(inv) << inv.error().what();
  auto definition = inv->find_certificate("web");
  EXPECT_TRUE(definition && *definition) << "the definition is not in the injected store";
}

TEST_F(ContextSeam, AnIssuanceTalksThroughTheContextsClient) {
  Context ctx{dir_.file("ck.db"), &clock_, "test"};
  std::size_t clients = 0;
  ctx.make_http = [&](const net::HttpOptions&) -> std::unique_ptr<net::HttpClient> {
    ++clients;
    return std::make_unique<RefusingClient>();
  };
  define_web(ctx);
  auto out = issue(ctx, {"web"}, 1);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].error.has_value()) << "the issuance reached the CA around the context's client";
  EXPECT_NE(out[0].error->what().find("refused by the test's client"), std::string::npos) << out[0].error->what();
  EXPECT_GE(clients, 1u);
  EXPECT_TRUE(stub_.requests_to("/").empty()) << "the stub CA saw a request";
}

}  // namespace
}  // namespace certkeeper::lifecycle
