// A Channel (net/connection.h) whose peer is a script: what the server says
// is fixed in advance and handed out in reads of at most `chunk` bytes,
// then 0 (the server closed). What the client sends is kept. Header-only:
// the fuzz harnesses use it without the rest of the test support.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

#include "certkeeper/net/connection.h"

namespace certkeeper::testing {

class ScriptedChannel final : public net::Channel {
 public:
  ScriptedChannel(std::string_view said, std::size_t chunk) : said_(said), chunk_(std::max<std::size_t>(chunk, 1)) {}

  Status send_all(std::string_view data, std::string_view) override {
    sent_.append(data);
    return {};
  }
  Result<std::size_t> receive(char* buffer, std::size_t size, std::string_view) override {
    const std::size_t n = std::min({size, chunk_, said_.size()});
    std::copy_n(said_.data(), n, buffer);
    said_.remove_prefix(n);
    return n;
  }
  Error fail(Errc code, std::string message) const override {
    return make_error(code, std::move(message), "server.example.test:443");
  }

  const std::string& sent() const { return sent_; }
  std::size_t unread() const { return said_.size(); }

 private:
  std::string_view said_;
  std::size_t chunk_;
  std::string sent_;
};

}  // namespace certkeeper::testing
