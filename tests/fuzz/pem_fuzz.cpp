// The readers of user files and CA downloads: PEM (any blocks, any order,
// CRLF, BOM, text around them) or DER certificates and keys, encrypted keys
// with a passphrase, and what is read out of a certificate afterwards (its
// facts, DER, CRL distribution points, ARI identifier) and out of a key
// (an ACME account signer).
//
// Input: a passphrase part, then the file's bytes; with a single part, no
// passphrase is given.
#include "certkeeper/crypto/ari_id.h"
#include "certkeeper/crypto/certificate_der.h"
#include "certkeeper/crypto/crl.h"
#include "certkeeper/crypto/facts.h"
#include "certkeeper/crypto/jose.h"
#include "crypto/pem_reader.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace certkeeper;
  auto parts = fuzz::split_parts(fuzz::as_text(data, size), 2);
  const std::string* passphrase = parts.size() == 2 ? &parts[0] : nullptr;
  const std::string& bytes = parts.back();

  // An error may come after some blocks were read: every caller then treats
  // the whole file as unreadable.
  crypto::ParsedInput parsed = crypto::parse_certs_and_keys(bytes, passphrase);
  // The helpers below parse again (as their callers do); they only have
  // more to do when there was something to read. Keys cost OpenSSL 3's
  // decoder chain every time, so each read is worth a run only then.
  if (!parsed.certs.empty()) {
    if (auto facts = crypto::read_facts(bytes)) (void)facts->names();
    (void)crypto::certificate_der(bytes);
    (void)crypto::crl_distribution_points(bytes);
    (void)crypto::ari_cert_id(bytes);
  }
  if (!parsed.keys.empty() || parsed.encrypted_keys > 0) {
    if (auto signer = crypto::make_signer(bytes)) {
      (void)(*signer)->jwk_json();
      (void)(*signer)->thumbprint();
    }
  }
  return 0;
}
