#include "pem_reader.h"

#include <openssl/pem.h>

#include <cstring>

#include "openssl_error.h"
#include "openssl_io.h"

namespace certkeeper::crypto {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kDashes = "-----";

// OpenSSL's passphrase callback: the passphrase given, never a prompt.
int passphrase_cb(char* buf, int size, int /*rwflag*/, void* u) {
  if (!u) return -1;
  const auto* pass = static_cast<const std::string*>(u);
  if (pass->size() > static_cast<std::size_t>(size)) return -1;
  std::memcpy(buf, pass->data(), pass->size());
  return static_cast<int>(pass->size());
}

std::string normalize_line_ends(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r') {
      out += '\n';
      if (i + 1 < in.size() && in[i + 1] == '\n') ++i;
    } else {
      out += in[i];
    }
  }
  return out;
}

bool is_cert_type(const std::string& type) {
  return type == "CERTIFICATE" || type == "X509 CERTIFICATE" || type == "TRUSTED CERTIFICATE";
}

bool is_key_type(const std::string& type) {
  return type == "PRIVATE KEY" || type == "ENCRYPTED PRIVATE KEY" || type == "RSA PRIVATE KEY" ||
         type == "EC PRIVATE KEY" || type == "DSA PRIVATE KEY";
}

void read_key_block(const std::string& type, const std::string& block, const std::string* passphrase,
                    ParsedInput& out) {
  const bool encrypted = type == "ENCRYPTED PRIVATE KEY" ||
                         (block.find("Proc-Type:") != std::string::npos &&
                          block.find("ENCRYPTED") != std::string::npos);
  if (encrypted && !passphrase) {
    ++out.encrypted_keys;
    return;
  }
  BioPtr bio = memory_bio(block);
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, passphrase_cb,
                                         const_cast<std::string*>(passphrase)));
  clear_openssl_errors();
  if (key) {
    out.keys.push_back(std::move(key));
  } else if (encrypted) {
    ++out.encrypted_keys;  // the passphrase is wrong
  } else {
    out.error = "a " + type + " block is damaged";
  }
}

void read_block(const std::string& type, const std::string& block, const std::string* passphrase,
                ParsedInput& out) {
  if (is_cert_type(type)) {
    BioPtr bio = memory_bio(block);
    X509Ptr cert(type == "TRUSTED CERTIFICATE" ? PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr)
                                               : PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    clear_openssl_errors();
    if (cert) {
      out.certs.push_back(std::move(cert));
    } else {
      out.error = "a " + type + " block is damaged";
    }
  } else if (is_key_type(type)) {
    read_key_block(type, block, passphrase, out);
  } else {
    ++out.other_blocks;
  }
}

void parse_pem(const std::string& text, const std::string* passphrase, ParsedInput& out) {
  std::size_t pos = 0;
  while ((pos = text.find(kBegin, pos)) != std::string::npos) {
    const std::size_t type_start = pos + kBegin.size();
    const std::size_t line_end = text.find('\n', type_start);
    const std::size_t type_end = text.find(kDashes, type_start);
    if (type_end == std::string::npos || (line_end != std::string::npos && type_end > line_end)) {
      out.error = "a PEM BEGIN line is damaged";
      return;
    }
    const std::string type = text.substr(type_start, type_end - type_start);
    const std::string end_line = "-----END " + type + "-----";
    const std::size_t end = text.find(end_line, type_end);
    if (end == std::string::npos) {
      // The type is only repeated when it is one we know: the rest of the
      // line is the user's bytes.
      const bool known = is_cert_type(type) || is_key_type(type);
      out.error = (known ? "a " + type + " block" : std::string("a PEM block")) + " is cut off (no END line)";
      return;
    }
    const std::size_t block_end = end + end_line.size();
    read_block(type, text.substr(pos, block_end - pos) + "\n", passphrase, out);
    if (!out.error.empty()) return;
    pos = block_end;
  }
}

EvpPkeyPtr decrypt_der_key(X509_SIG* sig, const std::string& passphrase) {
  Pkcs8InfoPtr info(PKCS8_decrypt(sig, passphrase.data(), static_cast<int>(passphrase.size())));
  if (!info) {
    clear_openssl_errors();
    return EvpPkeyPtr();
  }
  EvpPkeyPtr key(EVP_PKCS82PKEY(info.get()));
  clear_openssl_errors();
  return key;
}

// Every DER private key starts SEQUENCE { INTEGER version, ... }: PKCS#8
// (RFC 5958 §2), RSA (RFC 8017 A.1.2), EC (RFC 5915 §3) and DSA alike, and
// the SEQUENCE is the whole input. Anything else is told apart here, in
// microseconds: OpenSSL 3's d2i_AutoPrivateKey builds its decoder chain on
// every call (about 7 ms) just to say no.
bool shaped_like_a_key(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* const end = p + der.size();
  long len = 0;
  int tag = 0, cls = 0;
  int rc = ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(der.size()));
  bool shaped = rc == V_ASN1_CONSTRUCTED && tag == V_ASN1_SEQUENCE && cls == V_ASN1_UNIVERSAL && p + len == end;
  if (shaped) {
    long inner = 0;
    rc = ASN1_get_object(&p, &inner, &tag, &cls, len);
    shaped = rc == 0 && tag == V_ASN1_INTEGER && cls == V_ASN1_UNIVERSAL;
  }
  clear_openssl_errors();
  return shaped;
}

void parse_der(std::string_view bytes, const std::string* passphrase, ParsedInput& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const unsigned char* const end = p + bytes.size();
  const long len = static_cast<long>(bytes.size());

  const unsigned char* q = p;
  if (X509Ptr cert(d2i_X509(nullptr, &q, len)); cert && q == end) {
    out.certs.push_back(std::move(cert));
    return;
  }
  q = p;
  if (X509SigPtr sig(d2i_X509_SIG(nullptr, &q, len)); sig && q == end) {
    EvpPkeyPtr key = passphrase ? decrypt_der_key(sig.get(), *passphrase) : EvpPkeyPtr();
    if (key) {
      out.keys.push_back(std::move(key));
    } else {
      ++out.encrypted_keys;
    }
    clear_openssl_errors();
    return;
  }
  q = p;
  if (!shaped_like_a_key(bytes)) {
    out.error = "is neither PEM nor a DER certificate or private key";
    return;
  }
  if (EvpPkeyPtr key(d2i_AutoPrivateKey(nullptr, &q, len)); key && q == end) {
    out.keys.push_back(std::move(key));
    clear_openssl_errors();
    return;
  }
  clear_openssl_errors();
  out.error = "is neither PEM nor a DER certificate or private key";
}

}  // namespace

ParsedInput parse_certs_and_keys(std::string_view bytes, const std::string* passphrase) {
  ParsedInput out;
  if (bytes.substr(0, kBom.size()) == kBom) bytes.remove_prefix(kBom.size());
  if (bytes.empty()) {
    out.error = "is empty";
  } else if (bytes.find(kBegin) != std::string_view::npos) {
    parse_pem(normalize_line_ends(bytes), passphrase, out);
  } else {
    parse_der(bytes, passphrase, out);
  }
  return out;
}

}  // namespace certkeeper::crypto
