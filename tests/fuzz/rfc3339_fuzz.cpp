// RFC 3339 times as ACME servers send them (order expiry, renewalInfo
// windows). Whatever parses must be the instant format_utc writes back.
#include "certkeeper/acme/rfc3339.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace certkeeper;
  auto t = acme::parse_rfc3339(fuzz::as_text(data, size));
  // format_utc writes years 0000-9999; a time-zone offset can move a parsed
  // time just outside them.
  if (t && *t >= -62167219200 && *t <= 253402300799) {
    auto again = acme::parse_rfc3339(format_utc(*t));
    if (!again || *again != *t) fuzz::property_failed("format_utc of a parsed time does not parse back to it");
  }
  return 0;
}
