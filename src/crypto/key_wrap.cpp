// AES-256-GCM sealing of private keys at rest (include/certkeeper/crypto/key_wrap.h).
#include "certkeeper/crypto/key_wrap.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "certkeeper/util/files.h"
#include "openssl_error.h"

namespace certkeeper::crypto {
namespace {

constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

// Holds secret bytes and wipes them when it goes.
struct SecretBytes {
  std::vector<unsigned char> bytes;
  explicit SecretBytes(std::size_t n) : bytes(n) {}
  ~SecretBytes() {
    if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
  }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
};

Error sealing_failed(const char* what) {
  const std::string detail = drain_openssl_errors();
  return make_error(Errc::crypto, fmt::format("encrypting a private key failed ({}{}{})", what,
                                              detail.empty() ? "" : ": ", detail));
}

Error does_not_open() {
  clear_openssl_errors();
  return make_error(Errc::crypto,
                    "does not open this encrypted private key: the key file is not the one it was encrypted with, "
                    "or the stored value was changed or moved to another row");
}

std::string base64(const std::vector<unsigned char>& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                static_cast<int>(bytes.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

// Standard base64 with padding; false for anything else.
bool unbase64(std::string_view text, std::vector<unsigned char>& out) {
  if (text.empty() || text.size() % 4 != 0) return false;
  for (char c : text) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=')) return false;
  }
  std::size_t padding = 0;
  while (padding < 2 && text[text.size() - 1 - padding] == '=') ++padding;
  out.assign(text.size() / 4 * 3, 0);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) != out.size()) return false;
  out.resize(out.size() - padding);
  return true;
}

}  // namespace

WrapKey::~WrapKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

bool is_sealed(std::string_view stored) { return stored.substr(0, kSealedPrefix.size()) == kSealedPrefix; }

Result<std::string> seal(const WrapKey& key, std::string_view plaintext, std::string_view associated_data) {
  std::vector<unsigned char> out(kNonceBytes + plaintext.size() + kTagBytes);
  if (RAND_bytes(out.data(), static_cast<int>(kNonceBytes)) != 1) return sealing_failed("random nonce");
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return sealing_failed("context");
  int n = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceBytes), nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), out.data()) != 1) {
    return sealing_failed("set-up");
  }
  if (!associated_data.empty() &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(associated_data.data()),
                        static_cast<int>(associated_data.size())) != 1) {
    return sealing_failed("associated data");
  }
  unsigned char* body = out.data() + kNonceBytes;
  if (EVP_EncryptUpdate(ctx.get(), body, &n, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1) {
    return sealing_failed("encryption");
  }
  int tail = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), body + n, &tail) != 1 || static_cast<std::size_t>(n + tail) != plaintext.size()) {
    return sealing_failed("final block");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          body + plaintext.size()) != 1) {
    return sealing_failed("tag");
  }
  return std::string(kSealedPrefix) + base64(out);
}

Result<std::string> open_sealed(const WrapKey& key, std::string_view sealed, std::string_view associated_data) {
  if (!is_sealed(sealed)) return does_not_open();
  std::vector<unsigned char> in;
  if (!unbase64(sealed.substr(kSealedPrefix.size()), in) || in.size() < kNonceBytes + kTagBytes) {
    return does_not_open();
  }
  const std::size_t body_size = in.size() - kNonceBytes - kTagBytes;
  SecretBytes plain(body_size + 1);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return does_not_open();
  int n = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceBytes), nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), in.data()) != 1) {
    return does_not_open();
  }
  if (!associated_data.empty() &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(associated_data.data()),
                        static_cast<int>(associated_data.size())) != 1) {
    return does_not_open();
  }
  if (EVP_DecryptUpdate(ctx.get(), plain.bytes.data(), &n, in.data() + kNonceBytes, static_cast<int>(body_size)) !=
      1) {
    return does_not_open();
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                          in.data() + kNonceBytes + body_size) != 1) {
    return does_not_open();
  }
  int tail = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), plain.bytes.data() + n, &tail) != 1) return does_not_open();
  return std::string(reinterpret_cast<const char*>(plain.bytes.data()), static_cast<std::size_t>(n + tail));
}

Result<WrapKey> random_wrap_key() {
  std::array<unsigned char, kWrapKeyBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return make_error(Errc::crypto, "the system's random source failed (" + drain_openssl_errors() + ")");
  }
  WrapKey key(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return key;
}

Result<WrapKey> read_key_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return make_error(Errc::not_found,
                        "key file not found; give the key file the private keys were encrypted with "
                        "(--key-file or CERTKEEPER_KEY_FILE), or make one with 'certkeeper keys new --out F'",
                        path);
    }
    return make_error(Errc::io, fmt::format("cannot read the key file: {}", std::strerror(errno)), path);
  }
  if (S_ISREG(st.st_mode) && (st.st_mode & 077) != 0) {
    return make_error(Errc::io,
                      fmt::format("the key file is readable or writable by its group or others (mode {:04o}); "
                                  "run 'chmod 600 {}' (and check who has read it)",
                                  st.st_mode & 07777, path),
                      path);
  }
  auto bytes = read_input_file(path, 4096);
  if (!bytes) {
    Error e = std::move(bytes).error();
    e.code = Errc::io;
    return e;
  }
  if (bytes->size() != kWrapKeyBytes) {
    const std::size_t size = bytes->size();
    OPENSSL_cleanse(bytes->data(), bytes->size());
    return make_error(Errc::io,
                      fmt::format("is not a certkeeper key file ({} bytes; one holds exactly {} bytes, as "
                                  "'certkeeper keys new' writes it)",
                                  size, kWrapKeyBytes),
                      path);
  }
  std::array<unsigned char, kWrapKeyBytes> raw{};
  std::memcpy(raw.data(), bytes->data(), raw.size());
  OPENSSL_cleanse(bytes->data(), bytes->size());
  WrapKey key(raw);
  OPENSSL_cleanse(raw.data(), raw.size());
  return key;
}

Status write_new_key_file(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    return make_error(Errc::conflict,
                      "exists already; a key file is never overwritten (the keys encrypted with it would be lost): "
                      "choose another path",
                      path);
  }
  auto key = random_wrap_key();
  if (!key) return std::move(key).error();
  std::string bytes(reinterpret_cast<const char*>(key->data()), kWrapKeyBytes);
  Status written = write_new_file(path, bytes, 0600, static_cast<uid_t>(-1), static_cast<gid_t>(-1));
  OPENSSL_cleanse(bytes.data(), bytes.size());
  if (!written) return written;
  std::string dir = std::filesystem::path(path).parent_path().string();
  return sync_directory(dir.empty() ? "." : dir);
}

}  // namespace certkeeper::crypto
