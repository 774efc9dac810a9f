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

TEST(ContextSeam, EveryOperationOpensTheInventoryThroughTheContext) {
  TempDir dir;
  FixedClock clock(std::time(nullptr));
  AcmeStubOptions o;
  o.now = clock.now();
  AcmeStub stub(o);
  const std::string real_file = dir.file("elsewhere.db");
  std::vector<store::OpenMode> opened;
  // db_path names a file in a directory that does not exist: only the
  // injected store can be what the operations use.
  Context ctx{dir.file("missing-dir/ck.db"), &clock, "test"};
  ctx.open_inventory = [&](store::OpenMode mode) {
    opened.push_back(mode);
    return store::Inventory::open(real_file, mode);
  };
  ASSERT_TRUE(init(ctx, {std::nullopt, stub.directory_url(), stub.ca_file(), std::nullopt, {}}));
  AddRequest add;
  add.name = "web";
  add.domains = {"www.example.test"};
  add.webroot = dir.path();
  auto added = add_certificate(ctx, add);
  ASSERT_TRUE(added) << added.error().what();
  ASSERT_GE(opened.size(), 2u);
  EXPECT_EQ(opened.front(), store::OpenMode::create);

  auto inv = store::Inventory::open(real_file, store::OpenMode::read_only);
  ASSERT_TRUE(inv) << inv.error().what();
  auto definition = inv->find_certificate("web");
  EXPECT_TRUE(definition && *definition) << "the definition is not in the injected store";
}

TEST(ContextSeam, AnIssuanceTalksThroughTheContextsClient) {
  TempDir dir;
  FixedClock clock(std::time(nullptr));
  AcmeStubOptions o;
  o.now = clock.now();
  AcmeStub stub(o);
  Context ctx{dir.file("ck.db"), &clock, "test"};
  std::size_t clients = 0;
  ctx.make_http = [&](const net::HttpOptions&) -> std::unique_ptr<net::HttpClient> {
    ++clients;
    return std::make_unique<RefusingClient>();
  };
  ASSERT_TRUE(init(ctx, {std::nullopt, stub.directory_url(), stub.ca_file(), std::nullopt, {}}));
  AddRequest add;
  add.name = "web";
  add.domains = {"www.example.test"};
  add.webroot = dir.path();
  ASSERT_TRUE(add_certificate(ctx, add));
  auto out = issue(ctx, {"web"}, 1);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].error.has_value()) << "the issuance reached the CA around the context's client";
  EXPECT_NE(out[0].error->what().find("refused by the test's client"), std::string::npos) << out[0].error->what();
  EXPECT_GE(clients, 1u);
  EXPECT_TRUE(stub.requests_to("/").empty()) << "the stub CA saw a request";
}

}  // namespace
}  // namespace certkeeper::lifecycle
