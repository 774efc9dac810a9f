// Certificate revocation lists (RFC 5280 §5) as the revocation watch reads
// them from a CA's distribution point: parse (DER or PEM), every accessor,
// a serial looked up, and the check against the leaf's issuer.
//
// Input parts: the CRL, a serial (hex), the leaf PEM, the chain PEM.
#include "certkeeper/crypto/crl.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace certkeeper;
  auto p = fuzz::parts(fuzz::as_text(data, size), 4);
  auto crl = crypto::Crl::parse(p[0]);
  if (!crl) return 0;
  (void)crl->issuer();
  (void)crl->this_update();
  (void)crl->next_update();
  (void)crl->entries();
  if (auto entry = crl->find(p[1])) (void)entry->reason;
  (void)crypto::crl_reason_name(static_cast<int>(data[0]) - 128);
  (void)crl->verify_for(p[2], p[3]);
  // What is stored is the DER: it must read back as the same CRL.
  auto again = crypto::Crl::parse(crl->der());
  if (!again || again->der() != crl->der()) fuzz::property_failed("a CRL's DER does not read back to itself");
  return 0;
}
