#include "certkeeper/store/inventory_watch.h"

#include <unistd.h>

#include <fmt/format.h>

#include "certkeeper/store/location.h"
#include "impl.h"
#include "sql/pq_loader.h"

namespace certkeeper::store {

struct InventoryWatch::Held {
  std::string uri;
  std::optional<sql::Database> server;
};

InventoryWatch::InventoryWatch(std::unique_ptr<Held> held) : held_(std::move(held)) {}
InventoryWatch::InventoryWatch(InventoryWatch&&) noexcept = default;
InventoryWatch& InventoryWatch::operator=(InventoryWatch&&) noexcept = default;
InventoryWatch::~InventoryWatch() = default;

Result<InventoryWatch> InventoryWatch::open(const std::string& location, const char* channel) {
  if (!is_postgresql_location(location)) {
    return make_error(Errc::usage, "is a SQLite inventory, which one host uses: there are no other nodes to hear",
                      location);
  }
  sql::pq::ConnectOptions options;
  options.uri = location.c_str();
  const std::string application = fmt::format("certkeeper pid {} listening", ::getpid());
  options.application_name = application.c_str();
  sql::Failure failure;
  auto driver = sql::connect_postgresql(options, failure);
  if (!driver) return detail::database_error(location, sql::DbError(failure));
  auto held = std::make_unique<Held>();
  held->uri = location;
  held->server.emplace(std::move(driver));
  auto listening = detail::guarded(location, [&]() -> Status {
    held->server->exec(std::string("LISTEN ") + channel);
    return {};
  });
  if (!listening) return std::move(listening).error();
  return InventoryWatch(std::move(held));
}

int InventoryWatch::fd() const { return held_->server->driver().socket(); }

Result<std::vector<std::string>> InventoryWatch::take() {
  return detail::guarded(held_->uri, [&]() -> Result<std::vector<std::string>> {
    return held_->server->notifications();
  });
}

}  // namespace certkeeper::store
