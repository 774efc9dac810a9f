// Rows of the ACME tables: accounts and orders in flight.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "certkeeper/util/clock.h"

namespace certkeeper::store {

// One account per (directory URL, contact).
struct AccountRecord {
  std::int64_t id = 0;
  std::string directory_url;
  std::string contact;      // "" when registered without one
  std::string account_url;  // the kid; "" until registered
  std::string key_pem;      // secret
  std::string pending_key_pem;  // secret: a rollover's new key until the CA confirms it, else ""
  std::string status = "valid";
  UnixTime created_at = 0;
};

struct OrderRecord {
  std::int64_t id = 0;
  std::string certificate_name;
  std::int64_t account_id = 0;
  std::string account_url;  // the account that made it ("" for orders stored before schema 7)
  std::string order_url;
  std::string key_pem;  // secret: the certificate key generated for this order
  std::string status;   // "open", "done", "failed"
  UnixTime created_at = 0;
};

}  // namespace certkeeper::store
