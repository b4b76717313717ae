// Tests for the crypto wrappers (src/crypto/crypto.h): AEAD seal/open round trips for
// AES-256-GCM (when the CPU has it) and ChaCha20-Poly1305, and rejection of any flipped bit in
// ciphertext, tag or associated data, a wrong packet number or a wrong key; Ed25519 signatures;
// X25519 session keys that match across client and server; cipher negotiation; cookie MACs.
// Keys are generated at test time; nothing secret is committed.
#include "crypto/crypto.h"

#include <gtest/gtest.h>

#include <vector>

namespace outpost::crypto {
namespace {

class AeadTest : public ::testing::TestWithParam<Cipher> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(init());
    if (GetParam() == Cipher::kAes256Gcm && !aesGcmAvailable())
      GTEST_SKIP() << "AES-256-GCM is not available on this CPU";
    randomBytes(key_.data(), key_.size());
    sealer_.init(GetParam(), key_);
    opener_.init(GetParam(), key_);
    plaintext_.resize(1200);
    for (size_t i = 0; i < plaintext_.size(); ++i) plaintext_[i] = static_cast<uint8_t>(i * 11);
    ad_ = {0x10, 1, 2, 3, 4, 5, 6, 7, 8};  // a data header
  }

  std::vector<uint8_t> seal(uint64_t pn) {
    std::vector<uint8_t> out(plaintext_.size() + sealer_.overhead());
    size_t n = sealer_.seal(pn, ad_, plaintext_, out.data());
    EXPECT_EQ(n, out.size());
    return out;
  }

  bool open(uint64_t pn, const std::vector<uint8_t>& ad, const std::vector<uint8_t>& ct,
            std::vector<uint8_t>* pt = nullptr) {
    std::vector<uint8_t> out(ct.size());
    size_t len = 0;
    bool ok = opener_.open(pn, ad, ct, out.data(), &len);
    if (ok) {
      out.resize(len);
      if (pt) *pt = out;
    }
    return ok;
  }

  std::array<uint8_t, kSessionKeyBytes> key_{};
  Aead sealer_, opener_;
  std::vector<uint8_t> plaintext_;
  std::vector<uint8_t> ad_;
};

TEST_P(AeadTest, SealOpenRoundTrip) {
  EXPECT_EQ(sealer_.cipher(), GetParam());
  EXPECT_EQ(sealer_.overhead(), kAeadTagBytes);
  auto ct = seal(42);
  // Ciphertext is not the plaintext.
  EXPECT_NE(std::vector<uint8_t>(ct.begin(), ct.begin() + 64),
            std::vector<uint8_t>(plaintext_.begin(), plaintext_.begin() + 64));
  std::vector<uint8_t> pt;
  ASSERT_TRUE(open(42, ad_, ct, &pt));
  EXPECT_EQ(pt, plaintext_);
}

TEST_P(AeadTest, EmptyPlaintextStillAuthenticates) {
  plaintext_.clear();
  auto ct = seal(1);
  EXPECT_EQ(ct.size(), kAeadTagBytes);
  EXPECT_TRUE(open(1, ad_, ct));
  ad_[0] ^= 1;
  EXPECT_FALSE(open(1, ad_, ct));
}

TEST_P(AeadTest, AnyFlippedCiphertextOrTagBitFails) {
  auto ct = seal(7);
  // Every bit of the first and last 24 bytes (covering the start of the ciphertext and the
  // whole tag) and a sample across the middle.
  for (size_t byte = 0; byte < ct.size(); byte += (byte < 24 || byte + 24 >= ct.size()) ? 1 : 97) {
    for (int bit = 0; bit < 8; ++bit) {
      auto bad = ct;
      bad[byte] ^= static_cast<uint8_t>(1u << bit);
      ASSERT_FALSE(open(7, ad_, bad)) << "byte " << byte << " bit " << bit;
    }
  }
  EXPECT_TRUE(open(7, ad_, ct));
}

TEST_P(AeadTest, AnyFlippedAdBitFails) {
  auto ct = seal(7);
  for (size_t byte = 0; byte < ad_.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      auto bad = ad_;
      bad[byte] ^= static_cast<uint8_t>(1u << bit);
      ASSERT_FALSE(open(7, bad, ct)) << "byte " << byte << " bit " << bit;
    }
  }
  auto shorter = ad_;
  shorter.pop_back();
  EXPECT_FALSE(open(7, shorter, ct));
}

TEST_P(AeadTest, WrongPacketNumberFails) {
  auto ct = seal(1000);
  EXPECT_FALSE(open(999, ad_, ct));
  EXPECT_FALSE(open(1001, ad_, ct));
  EXPECT_FALSE(open(1000 + (uint64_t{1} << 32), ad_, ct));  // same low 32 bits
  EXPECT_TRUE(open(1000, ad_, ct));
}

TEST_P(AeadTest, WrongKeyFails) {
  auto ct = seal(5);
  std::array<uint8_t, kSessionKeyBytes> other = key_;
  other[0] ^= 1;
  opener_.init(GetParam(), other);
  EXPECT_FALSE(open(5, ad_, ct));
}

TEST_P(AeadTest, TruncatedCiphertextFails) {
  auto ct = seal(5);
  for (size_t len : {size_t{0}, size_t{1}, kAeadTagBytes - 1, kAeadTagBytes, ct.size() - 1}) {
    std::vector<uint8_t> cut(ct.begin(), ct.begin() + static_cast<long>(len));
    EXPECT_FALSE(open(5, ad_, cut)) << len;
  }
}

TEST_P(AeadTest, SealsInPlace) {
  // The engine encrypts the payload where it lies; seal and open must allow out == in.
  std::vector<uint8_t> buf(plaintext_.size() + kAeadTagBytes);
  std::copy(plaintext_.begin(), plaintext_.end(), buf.begin());
  size_t n = sealer_.seal(9, ad_, {buf.data(), plaintext_.size()}, buf.data());
  ASSERT_EQ(n, buf.size());
  size_t len = 0;
  ASSERT_TRUE(opener_.open(9, ad_, buf, buf.data(), &len));
  EXPECT_EQ(std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<long>(len)), plaintext_);
}

INSTANTIATE_TEST_SUITE_P(Ciphers, AeadTest, ::testing::Values(Cipher::kAes256Gcm, Cipher::kChaCha20Poly1305),
                         [](const ::testing::TestParamInfo<Cipher>& info) {
                           return info.param == Cipher::kAes256Gcm ? "Aes256Gcm" : "ChaCha20";
                         });

TEST(AeadNone, PassesBytesThroughWithoutOverhead) {
  Aead a;
  std::array<uint8_t, kSessionKeyBytes> key{};
  a.init(Cipher::kNone, key);
  EXPECT_EQ(a.overhead(), 0u);
  std::vector<uint8_t> pt = {1, 2, 3};
  std::vector<uint8_t> out(3);
  ASSERT_EQ(a.seal(1, {}, pt, out.data()), 3u);
  EXPECT_EQ(out, pt);
}

TEST(AeadCiphers, DifferentCiphersDoNotInteroperate) {
  if (!aesGcmAvailable()) GTEST_SKIP() << "AES-256-GCM is not available on this CPU";
  std::array<uint8_t, kSessionKeyBytes> key{};
  randomBytes(key.data(), key.size());
  Aead aes, chacha;
  aes.init(Cipher::kAes256Gcm, key);
  chacha.init(Cipher::kChaCha20Poly1305, key);
  std::vector<uint8_t> pt(100, 0x42), ct(100 + kAeadTagBytes), back(100);
  aes.seal(3, {}, pt, ct.data());
  size_t len = 0;
  EXPECT_FALSE(chacha.open(3, {}, ct, back.data(), &len));
}

TEST(CipherChoice, PrefersAesThenChaChaAndNoneOnlyIfBothAllowIt) {
  const uint8_t none = 1u << static_cast<int>(Cipher::kNone);
  const uint8_t aes = 1u << static_cast<int>(Cipher::kAes256Gcm);
  const uint8_t chacha = 1u << static_cast<int>(Cipher::kChaCha20Poly1305);
  EXPECT_EQ(chooseCipher(aes | chacha, aes | chacha), Cipher::kAes256Gcm);
  EXPECT_EQ(chooseCipher(aes | chacha, chacha), Cipher::kChaCha20Poly1305);
  EXPECT_EQ(chooseCipher(aes, chacha), Cipher::kNone);  // no common cipher
  EXPECT_EQ(chooseCipher(none | aes, none), Cipher::kNone);
  uint8_t mask = supportedCipherMask();
  EXPECT_TRUE(mask & chacha);  // always available
  EXPECT_EQ(static_cast<bool>(mask & aes), aesGcmAvailable());
  EXPECT_FALSE(mask & none);  // plaintext is never offered by default
}

TEST(Signatures, VerifyAndRejectAnyFlippedBit) {
  auto id = IdentityKeyPair::generate();
  std::vector<uint8_t> msg(100);
  for (size_t i = 0; i < msg.size(); ++i) msg[i] = static_cast<uint8_t>(i);
  auto sig = id.sign(msg);
  EXPECT_TRUE(verifySignature(id.public_key, msg, sig));

  for (size_t byte = 0; byte < sig.size(); ++byte) {
    auto bad = sig;
    bad[byte] ^= 0x01;
    EXPECT_FALSE(verifySignature(id.public_key, msg, bad)) << "signature byte " << byte;
  }
  for (size_t byte = 0; byte < msg.size(); byte += 7) {
    auto bad = msg;
    bad[byte] ^= 0x80;
    EXPECT_FALSE(verifySignature(id.public_key, bad, sig)) << "message byte " << byte;
  }
  auto other = IdentityKeyPair::generate();
  EXPECT_FALSE(verifySignature(other.public_key, msg, sig));
  auto bad_key = id.public_key;
  bad_key[3] ^= 0x10;
  EXPECT_FALSE(verifySignature(bad_key, msg, sig));
}

TEST(KeyExchange, ClientAndServerKeysMatch) {
  auto client = KxKeyPair::generate();
  auto server = KxKeyPair::generate();
  SessionKeys ck, sk;
  ASSERT_TRUE(deriveClientKeys(client, server.public_key, ck));
  ASSERT_TRUE(deriveServerKeys(server, client.public_key, sk));
  EXPECT_EQ(ck.tx, sk.rx);
  EXPECT_EQ(ck.rx, sk.tx);
  EXPECT_NE(ck.tx, ck.rx);  // one key per direction

  // Keys from a different handshake differ.
  auto client2 = KxKeyPair::generate();
  SessionKeys ck2;
  ASSERT_TRUE(deriveClientKeys(client2, server.public_key, ck2));
  EXPECT_NE(ck2.tx, ck.tx);

  // The derived keys actually carry traffic: client seals, server opens.
  Aead tx, rx;
  tx.init(Cipher::kChaCha20Poly1305, ck.tx);
  rx.init(Cipher::kChaCha20Poly1305, sk.rx);
  std::vector<uint8_t> pt = {9, 9, 9}, ct(3 + kAeadTagBytes), back(3);
  tx.seal(1, {}, pt, ct.data());
  size_t len = 0;
  ASSERT_TRUE(rx.open(1, {}, ct, back.data(), &len));
  EXPECT_EQ(back, pt);
}

TEST(KeyExchange, DegeneratePeerKeyIsRefused) {
  // The all-zero point yields an all-zero shared secret; libsodium refuses it.
  auto client = KxKeyPair::generate();
  std::array<uint8_t, kKxPublicKeyBytes> zero{};
  SessionKeys k;
  EXPECT_FALSE(deriveClientKeys(client, zero, k));
  EXPECT_FALSE(deriveServerKeys(client, zero, k));
}

TEST(CookieMac, KeyedAndConstantTimeCompare) {
  std::array<uint8_t, 32> k1{}, k2{};
  randomBytes(k1.data(), k1.size());
  k2 = k1;
  k2[31] ^= 1;
  std::vector<uint8_t> data = {1, 2, 3, 4};
  uint8_t a[16], b[16], c[16];
  mac16(k1, data, a);
  mac16(k1, data, b);
  mac16(k2, data, c);
  EXPECT_TRUE(equal16(a, b));
  EXPECT_FALSE(equal16(a, c));
  data[0] ^= 1;
  mac16(k1, data, c);
  EXPECT_FALSE(equal16(a, c));
}

TEST(Random, ProducesDifferentValues) {
  // Not a statistical test: catches an RNG that is not seeded or returns constants.
  EXPECT_NE(randomU64(), randomU64());
  uint8_t a[32] = {}, b[32] = {};
  randomBytes(a, sizeof a);
  randomBytes(b, sizeof b);
  EXPECT_NE(std::vector<uint8_t>(a, a + 32), std::vector<uint8_t>(b, b + 32));
}

}  // namespace
}  // namespace outpost::crypto

namespace outpost::crypto {
namespace {

// SipHash-2-4 against the first vectors of its paper (key 00..0f, messages 00..len-1).
TEST(ShortMac, MatchesSipHashReferenceVectors) {
  std::array<uint8_t, 16> key;
  for (int i = 0; i < 16; ++i) key[i] = static_cast<uint8_t>(i);
  std::array<uint8_t, 15> msg;
  for (int i = 0; i < 15; ++i) msg[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(shortMac(key, std::span<const uint8_t>(msg.data(), 0)), 0x726fdb47dd0e0e31ull);
  EXPECT_EQ(shortMac(key, std::span<const uint8_t>(msg.data(), 1)), 0x74f839c593dc67fdull);
  EXPECT_EQ(shortMac(key, std::span<const uint8_t>(msg.data(), 15)), 0xa129ca6149be45e5ull);
}

}  // namespace
}  // namespace outpost::crypto
