// Plain rows of the revocation watch (db/sqlite/0006_crl_cache.sql). The store keeps
// CRLs as bytes; fetching and verifying them is lifecycle's and crypto's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "certkeeper/util/clock.h"

namespace certkeeper::store {

// One CRL URL: the last CRL that verified, and the fetch schedule.
struct CrlRecord {
  std::string url;
  std::string issuer;                    // one-line DN of the cached CRL
  std::optional<UnixTime> this_update;
  std::optional<UnixTime> next_update;   // as the CRL says; nullopt when it has none
  std::optional<UnixTime> fetched_at;    // of the cached CRL; nullopt: never fetched
  std::string der;                       // "" when nothing is cached (or not loaded)
  UnixTime next_fetch = 0;               // when the cache is stale
  std::optional<UnixTime> last_attempt;
  std::string last_error;                // of the last attempt, "" when it succeeded
};

// A version the watch checks: enough to verify a CRL and look up the serial.
struct CrlSubject {
  std::int64_t version_id = 0;
  std::string certificate_name;
  int version = 0;
  std::string serial;  // upper-case hex
  std::string leaf_pem;
  std::string chain_pem;
  std::string root_pem;
  UnixTime not_after = 0;
};

// The current versions stored since the watch last looked, and the mark to
// move to once their URLs are recorded.
struct CrlScan {
  std::vector<CrlSubject> versions;
  std::int64_t upto = 0;
};

}  // namespace certkeeper::store
