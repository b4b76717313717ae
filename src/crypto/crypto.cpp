// libsodium wrappers (see crypto.h). Runs on any thread; keeps no mutable global state after
// init().
#include "crypto/crypto.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace outpost::crypto {

bool init() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

void randomBytes(void* out, size_t n) {
  init();
  randombytes_buf(out, n);
}

uint32_t randomU32() {
  init();
  return randombytes_random();
}

uint64_t randomU64() {
  uint64_t v;
  randomBytes(&v, sizeof v);
  return v;
}

IdentityKeyPair IdentityKeyPair::generate() {
  init();
  IdentityKeyPair k;
  crypto_sign_ed25519_keypair(k.public_key.data(), k.secret_key.data());
  return k;
}

std::array<uint8_t, kSignatureBytes> IdentityKeyPair::sign(std::span<const uint8_t> message) const {
  std::array<uint8_t, kSignatureBytes> sig{};
  crypto_sign_ed25519_detached(sig.data(), nullptr, message.data(), message.size(), secret_key.data());
  return sig;
}

bool verifySignature(std::span<const uint8_t, kSignPublicKeyBytes> public_key, std::span<const uint8_t> message,
                     std::span<const uint8_t, kSignatureBytes> signature) {
  init();
  return crypto_sign_ed25519_verify_detached(signature.data(), message.data(), message.size(), public_key.data()) == 0;
}

KxKeyPair KxKeyPair::generate() {
  init();
  KxKeyPair k;
  crypto_kx_keypair(k.public_key.data(), k.secret_key.data());
  return k;
}

bool deriveClientKeys(const KxKeyPair& client, std::span<const uint8_t, kKxPublicKeyBytes> server_pk,
                      SessionKeys& out) {
  return crypto_kx_client_session_keys(out.rx.data(), out.tx.data(), client.public_key.data(), client.secret_key.data(),
                                       server_pk.data()) == 0;
}

bool deriveServerKeys(const KxKeyPair& server, std::span<const uint8_t, kKxPublicKeyBytes> client_pk,
                      SessionKeys& out) {
  return crypto_kx_server_session_keys(out.rx.data(), out.tx.data(), server.public_key.data(), server.secret_key.data(),
                                       client_pk.data()) == 0;
}

bool aesGcmAvailable() {
  init();
  static const bool available = crypto_aead_aes256gcm_is_available() == 1;
  return available;
}

uint8_t supportedCipherMask() {
  uint8_t mask = 1u << static_cast<int>(Cipher::kChaCha20Poly1305);
  if (aesGcmAvailable()) mask |= 1u << static_cast<int>(Cipher::kAes256Gcm);
  return mask;
}

Cipher chooseCipher(uint8_t local_mask, uint8_t remote_mask) {
  uint8_t both = local_mask & remote_mask;
  if (both & (1u << static_cast<int>(Cipher::kAes256Gcm))) return Cipher::kAes256Gcm;
  if (both & (1u << static_cast<int>(Cipher::kChaCha20Poly1305))) return Cipher::kChaCha20Poly1305;
  return Cipher::kNone;
}

namespace {
void makeNonce(uint64_t pn, uint8_t nonce[12]) {
  for (int i = 0; i < 8; ++i) nonce[i] = static_cast<uint8_t>(pn >> (8 * i));
  nonce[8] = nonce[9] = nonce[10] = nonce[11] = 0;
}
}  // namespace

Aead::Aead() = default;

size_t Aead::allocatedBytes() const { return aes_state_ ? sizeof(crypto_aead_aes256gcm_state) : 0; }

Aead::~Aead() {
  if (aes_state_) {
    sodium_memzero(aes_state_, sizeof(crypto_aead_aes256gcm_state));
    std::free(aes_state_);
  }
  sodium_memzero(key_.data(), key_.size());
}

void Aead::init(Cipher cipher, std::span<const uint8_t, kSessionKeyBytes> key) {
  cipher_ = cipher;
  std::memcpy(key_.data(), key.data(), key_.size());
  if (cipher == Cipher::kAes256Gcm) {
    if (!aes_state_) aes_state_ = std::aligned_alloc(16, sizeof(crypto_aead_aes256gcm_state));
    crypto_aead_aes256gcm_beforenm(static_cast<crypto_aead_aes256gcm_state*>(aes_state_), key_.data());
  }
}

size_t Aead::seal(uint64_t pn, std::span<const uint8_t> ad, std::span<const uint8_t> plaintext, uint8_t* out) const {
  uint8_t nonce[12];
  makeNonce(pn, nonce);
  unsigned long long clen = 0;
  switch (cipher_) {
    case Cipher::kNone:
      if (!plaintext.empty()) std::memmove(out, plaintext.data(), plaintext.size());
      return plaintext.size();
    case Cipher::kAes256Gcm:
      crypto_aead_aes256gcm_encrypt_afternm(out, &clen, plaintext.data(), plaintext.size(), ad.data(), ad.size(),
                                            nullptr, nonce,
                                            static_cast<const crypto_aead_aes256gcm_state*>(aes_state_));
      return static_cast<size_t>(clen);
    case Cipher::kChaCha20Poly1305:
      crypto_aead_chacha20poly1305_ietf_encrypt(out, &clen, plaintext.data(), plaintext.size(), ad.data(), ad.size(),
                                                nullptr, nonce, key_.data());
      return static_cast<size_t>(clen);
  }
  return 0;
}

bool Aead::open(uint64_t pn, std::span<const uint8_t> ad, std::span<const uint8_t> ciphertext, uint8_t* out,
                size_t* out_len) const {
  uint8_t nonce[12];
  makeNonce(pn, nonce);
  unsigned long long mlen = 0;
  int rc = -1;
  switch (cipher_) {
    case Cipher::kNone:
      if (!ciphertext.empty()) std::memmove(out, ciphertext.data(), ciphertext.size());
      *out_len = ciphertext.size();
      return true;
    case Cipher::kAes256Gcm:
      if (ciphertext.size() < kAeadTagBytes) return false;
      rc = crypto_aead_aes256gcm_decrypt_afternm(out, &mlen, nullptr, ciphertext.data(), ciphertext.size(), ad.data(),
                                                 ad.size(), nonce,
                                                 static_cast<const crypto_aead_aes256gcm_state*>(aes_state_));
      break;
    case Cipher::kChaCha20Poly1305:
      if (ciphertext.size() < kAeadTagBytes) return false;
      rc = crypto_aead_chacha20poly1305_ietf_decrypt(out, &mlen, nullptr, ciphertext.data(), ciphertext.size(),
                                                     ad.data(), ad.size(), nonce, key_.data());
      break;
  }
  if (rc != 0) return false;
  *out_len = static_cast<size_t>(mlen);
  return true;
}

std::string toHex(std::span<const uint8_t> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

bool fromHex(const std::string& hex, std::span<uint8_t> out) {
  if (hex.size() != out.size() * 2) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

bool identityFromSecretKey(std::span<const uint8_t> secret_key, IdentityKeyPair& out) {
  init();
  if (secret_key.size() != kSignSecretKeyBytes) return false;
  std::memcpy(out.secret_key.data(), secret_key.data(), kSignSecretKeyBytes);
  crypto_sign_ed25519_sk_to_pk(out.public_key.data(), out.secret_key.data());
  // A libsodium secret key ends with its public key: a mismatch means a corrupt key file.
  return std::memcmp(out.public_key.data(), secret_key.data() + 32, 32) == 0;
}

std::array<uint8_t, 8> publicKeyId(std::span<const uint8_t, kSignPublicKeyBytes> public_key) {
  init();
  uint8_t hash[32];  // BLAKE2b-256
  crypto_generichash(hash, sizeof hash, public_key.data(), public_key.size(), nullptr, 0);
  std::array<uint8_t, 8> id{};
  std::memcpy(id.data(), hash, id.size());
  return id;
}

std::string hashHex(std::span<const uint8_t> data) {
  init();
  uint8_t out[32];
  crypto_generichash(out, sizeof out, data.data(), data.size(), nullptr, 0);
  return toHex(out);
}

std::string hashPassword(const std::string& password) {
  init();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return "";
  return out;
}

bool verifyPassword(const std::string& hash, const std::string& password) {
  init();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void mac16(std::span<const uint8_t, 32> key, std::span<const uint8_t> data, uint8_t out[16]) {
  init();
  crypto_generichash(out, 16, data.data(), data.size(), key.data(), key.size());
}

uint64_t shortMac(std::span<const uint8_t, 16> key, std::span<const uint8_t> data) {
  init();
  static_assert(crypto_shorthash_BYTES == 8 && crypto_shorthash_KEYBYTES == 16);
  uint8_t out[crypto_shorthash_BYTES];
  crypto_shorthash(out, data.data(), data.size(), key.data());
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | out[i];
  return v;
}

bool equal16(const uint8_t a[16], const uint8_t b[16]) { return sodium_memcmp(a, b, 16) == 0; }

}  // namespace outpost::crypto
