// Private keys at rest (crypto/key_wrap.h): AES-256-GCM with a random nonce,
// bound to its associated data; every way a sealed value can fail to open
// (wrong key, other associated data, changed tag or body, truncation,
// another format) is the same error, which holds no key byte; the key file
// is 32 bytes, 0600, never overwritten, refused when others may read it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "certkeeper/crypto/key_wrap.h"
#include "support/temp_dir.h"

namespace certkeeper::crypto {
namespace {

using testing::TempDir;

const std::string kPem = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n";
const std::string kAd = "cert_versions.key_pem\nweb\n3";

WrapKey wrap_key() {
  auto k = random_wrap_key();
  EXPECT_TRUE(k);
  return *k;
}

void expect_does_not_open(const Result<std::string>& r, const char* what) {
  ASSERT_FALSE(r) << what;
  EXPECT_EQ(r.error().code, Errc::crypto) << what;
  EXPECT_NE(r.error().message.find("does not open"), std::string::npos) << what << ": " << r.error().message;
  EXPECT_EQ(r.error().what().find("PRIVATE KEY"), std::string::npos) << what;
}

// The decoded bytes of a sealed value, changed at `index` (from the end when negative).
std::string flipped(const std::string& sealed, long index) {
  std::string body = sealed.substr(kSealedPrefix.size());
  // Flip one base64 character to another valid one, away from the last
  // group (whose padding bits a decoder may ignore).
  const std::size_t at = index >= 0 ? static_cast<std::size_t>(index) : body.size() - 5 - static_cast<std::size_t>(-index - 1);
  body[at] = body[at] == 'A' ? 'B' : 'A';
  return std::string(kSealedPrefix) + body;
}

TEST(KeyWrap, SealsAndOpensWithTheSameKeyAndAssociatedData) {
  const WrapKey key = wrap_key();
  auto sealed = seal(key, kPem, kAd);
  ASSERT_TRUE(sealed) << sealed.error().what();
  EXPECT_TRUE(is_sealed(*sealed));
  EXPECT_FALSE(is_sealed(kPem));
  EXPECT_EQ(sealed->rfind("ck-aesgcm-v1:", 0), 0u);
  EXPECT_EQ(sealed->find("PRIVATE"), std::string::npos);
  auto opened = open_sealed(key, *sealed, kAd);
  ASSERT_TRUE(opened) << opened.error().what();
  EXPECT_EQ(*opened, kPem);
  // base64(12 + n + 16)
  EXPECT_EQ(sealed->size() - kSealedPrefix.size(), 4 * ((12 + kPem.size() + 16 + 2) / 3));
  auto empty = seal(key, "", kAd);
  ASSERT_TRUE(empty);
  EXPECT_EQ(*open_sealed(key, *empty, kAd), "");
}

TEST(KeyWrap, EveryWriteHasItsOwnNonce) {
  const WrapKey key = wrap_key();
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto s = seal(key, kPem, kAd);
    ASSERT_TRUE(s);
    EXPECT_TRUE(seen.insert(s->substr(0, kSealedPrefix.size() + 16)).second) << "nonce repeated";
  }
}

TEST(KeyWrap, AnotherRowOrColumnDoesNotOpen) {
  const WrapKey key = wrap_key();
  const std::string sealed = *seal(key, kPem, kAd);
  expect_does_not_open(open_sealed(key, sealed, "cert_versions.key_pem\nweb\n4"), "other version");
  expect_does_not_open(open_sealed(key, sealed, "cert_versions.key_pem\nmail\n3"), "other certificate");
  expect_does_not_open(open_sealed(key, sealed, "orders.key_pem\nweb\n3"), "other column");
  expect_does_not_open(open_sealed(key, sealed, ""), "no associated data");
}

TEST(KeyWrap, AWrongKeyDoesNotOpen) {
  const std::string sealed = *seal(wrap_key(), kPem, kAd);
  expect_does_not_open(open_sealed(wrap_key(), sealed, kAd), "wrong key");
}

TEST(KeyWrap, ChangedOrTruncatedValuesDoNotOpen) {
  const WrapKey key = wrap_key();
  const std::string sealed = *seal(key, kPem, kAd);
  expect_does_not_open(open_sealed(key, flipped(sealed, 0), kAd), "nonce changed");
  expect_does_not_open(open_sealed(key, flipped(sealed, 30), kAd), "ciphertext changed");
  expect_does_not_open(open_sealed(key, flipped(sealed, -1), kAd), "tag changed");
  // Truncated: by whole base64 groups (still valid base64), down to nothing.
  for (std::size_t cut = 4; cut < sealed.size() - kSealedPrefix.size(); cut += 4) {
    expect_does_not_open(open_sealed(key, sealed.substr(0, sealed.size() - cut), kAd), "truncated");
  }
  expect_does_not_open(open_sealed(key, sealed.substr(0, sealed.size() - 1), kAd), "not base64 any more");
  expect_does_not_open(open_sealed(key, "ck-aesgcm-v1:", kAd), "empty");
  expect_does_not_open(open_sealed(key, "ck-aesgcm-v1:!!!!", kAd), "not base64");
  expect_does_not_open(open_sealed(key, "ck-aesgcm-v2:" + sealed.substr(kSealedPrefix.size()), kAd), "format 2");
  expect_does_not_open(open_sealed(key, kPem, kAd), "plaintext");
}

TEST(KeyFile, IsWrittenOnceWithMode0600And32Bytes) {
  TempDir dir;
  const std::string path = dir.file("inventory.key");
  ASSERT_TRUE(write_new_key_file(path));
  EXPECT_EQ(testing::file_mode(path), 0600);
  EXPECT_EQ(testing::read_file(path).size(), kWrapKeyBytes);
  const std::string before = testing::read_file(path);
  auto again = write_new_key_file(path);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::conflict);
  EXPECT_EQ(again.error().subject, path);
  EXPECT_EQ(testing::read_file(path), before) << "a key file was overwritten";
  // A symlink there is not followed either.
  const std::string link = dir.file("link.key");
  ASSERT_EQ(::symlink(dir.file("elsewhere.key").c_str(), link.c_str()), 0);
  EXPECT_FALSE(write_new_key_file(link));
  EXPECT_EQ(testing::file_mode(dir.file("elsewhere.key")), -1);
  // What it wrote opens what it sealed.
  auto key = read_key_file(path);
  ASSERT_TRUE(key) << key.error().what();
  auto sealed = seal(*key, kPem, kAd);
  auto key2 = read_key_file(path);
  ASSERT_TRUE(key2);
  EXPECT_EQ(*open_sealed(*key2, *sealed, kAd), kPem);
}

TEST(KeyFile, ReadableByOthersMissingOrWrongSizeIsRefusedByName) {
  TempDir dir;
  const std::string path = dir.file("inventory.key");
  ASSERT_TRUE(write_new_key_file(path));
  const std::string bytes = testing::read_file(path);
  for (mode_t mode : {0640, 0604, 0660, 0644}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    auto k = read_key_file(path);
    ASSERT_FALSE(k) << std::oct << mode;
    EXPECT_EQ(k.error().code, Errc::io);
    EXPECT_EQ(k.error().subject, path);
    EXPECT_NE(k.error().message.find("chmod 600 " + path), std::string::npos) << k.error().message;
  }
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(read_key_file(path));
  auto missing = read_key_file(dir.file("none.key"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
  EXPECT_EQ(missing.error().subject, dir.file("none.key"));
  const std::string short_file = dir.file("short.key");
  testing::write_file(short_file, bytes.substr(0, 31));
  ASSERT_EQ(::chmod(short_file.c_str(), 0600), 0);
  auto wrong = read_key_file(short_file);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("31 bytes"), std::string::npos) << wrong.error().message;
}

}  // namespace
}  // namespace certkeeper::crypto
