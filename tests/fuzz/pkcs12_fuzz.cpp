// PKCS#12 (.p12/.pfx) files as `import --p12` and `check --p12` read them:
// MAC first, then the bags (with the legacy provider for old encryptions).
//
// Input: the password part, then the file; with a single part the password
// is "" (which also tries no password at all, as writers differ).
#include "crypto/pkcs12_reader.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace certkeeper;
  auto parts = fuzz::split_parts(fuzz::as_text(data, size), 2);
  const std::string password = parts.size() == 2 ? parts[0] : "";
  crypto::P12Contents p12 = crypto::read_pkcs12(parts.back(), password);
  if (p12.status != crypto::P12Status::ok && (!p12.certs.empty() || !p12.keys.empty())) {
    fuzz::property_failed("an unreadable PKCS#12 file also gave certificates or keys");
  }
  if (p12.keys.size() > 1) fuzz::property_failed("more than one key out of a PKCS#12 file");
  return 0;
}
