// Cryptography for Outpost, all of it from libsodium: Ed25519 identity keys and signatures,
// X25519 key exchange (crypto_kx, which hashes the shared point with both public keys into one
// key per direction), a per-packet AEAD (AES-256-GCM where the CPU has AES-NI, otherwise
// ChaCha20-Poly1305-IETF), keyed BLAKE2b for stateless cookies, and the system CSPRNG.
// Nothing here keeps global state besides libsodium's one-time initialisation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace outpost::crypto {

inline constexpr size_t kSignPublicKeyBytes = 32;
inline constexpr size_t kSignSecretKeyBytes = 64;
inline constexpr size_t kSignatureBytes = 64;
inline constexpr size_t kKxPublicKeyBytes = 32;
inline constexpr size_t kKxSecretKeyBytes = 32;
inline constexpr size_t kSessionKeyBytes = 32;
inline constexpr size_t kAeadTagBytes = 16;

// Initialises libsodium once (thread-safe). Returns false if it cannot be initialised.
bool init();

void randomBytes(void* out, size_t n);
uint32_t randomU32();
uint64_t randomU64();

struct IdentityKeyPair {
  std::array<uint8_t, kSignPublicKeyBytes> public_key{};
  std::array<uint8_t, kSignSecretKeyBytes> secret_key{};
  static IdentityKeyPair generate();
  std::array<uint8_t, kSignatureBytes> sign(std::span<const uint8_t> message) const;
};

bool verifySignature(std::span<const uint8_t, kSignPublicKeyBytes> public_key, std::span<const uint8_t> message,
                     std::span<const uint8_t, kSignatureBytes> signature);

struct KxKeyPair {
  std::array<uint8_t, kKxPublicKeyBytes> public_key{};
  std::array<uint8_t, kKxSecretKeyBytes> secret_key{};
  static KxKeyPair generate();
};

struct SessionKeys {
  std::array<uint8_t, kSessionKeyBytes> rx{};
  std::array<uint8_t, kSessionKeyBytes> tx{};
};

// Derives the two directional keys. The client's tx key is the server's rx key and vice versa.
// Returns false for a degenerate peer key.
bool deriveClientKeys(const KxKeyPair& client, std::span<const uint8_t, kKxPublicKeyBytes> server_pk, SessionKeys& out);
bool deriveServerKeys(const KxKeyPair& server, std::span<const uint8_t, kKxPublicKeyBytes> client_pk, SessionKeys& out);

enum class Cipher : uint8_t { kNone = 0, kAes256Gcm = 1, kChaCha20Poly1305 = 2 };
bool aesGcmAvailable();
// Bitmask of ciphers this machine supports (1 << Cipher).
uint8_t supportedCipherMask();
// Picks the best cipher present in both masks (AES-256-GCM first); kNone if they share none.
// Whether to run without encryption is decided by the UNENCRYPTED settings, not here.
Cipher chooseCipher(uint8_t local_mask, uint8_t remote_mask);

// One direction of packet protection. The nonce is the 64-bit packet number (little-endian,
// zero-padded to 12 bytes); each key is used by one direction only, and packet numbers never
// repeat within a direction, so a nonce is never reused with a key.
class Aead {
 public:
  Aead();
  ~Aead();
  Aead(const Aead&) = delete;
  Aead& operator=(const Aead&) = delete;

  void init(Cipher cipher, std::span<const uint8_t, kSessionKeyBytes> key);
  Cipher cipher() const { return cipher_; }
  // Heap memory this context holds (the AES key schedule, when AES-GCM is used).
  size_t allocatedBytes() const;
  size_t overhead() const { return cipher_ == Cipher::kNone ? 0 : kAeadTagBytes; }
  // out must hold plaintext.size() + overhead(). Returns the bytes written.
  size_t seal(uint64_t packet_number, std::span<const uint8_t> ad, std::span<const uint8_t> plaintext,
              uint8_t* out) const;
  // out must hold ciphertext.size() - overhead(). Returns false if authentication fails.
  bool open(uint64_t packet_number, std::span<const uint8_t> ad, std::span<const uint8_t> ciphertext, uint8_t* out,
            size_t* out_len) const;

 private:
  Cipher cipher_ = Cipher::kNone;
  void* aes_state_ = nullptr;  // crypto_aead_aes256gcm_state, 16-byte aligned
  std::array<uint8_t, kSessionKeyBytes> key_{};
};

// Lowercase hex of bytes, and back (false on bad input or wrong length).
std::string toHex(std::span<const uint8_t> bytes);
bool fromHex(const std::string& hex, std::span<uint8_t> out);
// The Ed25519 key pair for a 64-byte secret key (false if the key is malformed).
bool identityFromSecretKey(std::span<const uint8_t> secret_key, IdentityKeyPair& out);

// Names an Ed25519 public key in 8 bytes: the first 8 bytes of BLAKE2b-256 of the key. Tickets and
// certificates carry it so a verifier that trusts several hub keys (rotation) picks the right one.
std::array<uint8_t, 8> publicKeyId(std::span<const uint8_t, kSignPublicKeyBytes> public_key);

// BLAKE2b-256 of `data`, as lowercase hex (token hashes).
std::string hashHex(std::span<const uint8_t> data);

// Argon2id password hashing (libsodium's crypto_pwhash_str, "interactive" limits). The result
// carries its own salt and parameters. Empty string if hashing failed (out of memory).
std::string hashPassword(const std::string& password);
bool verifyPassword(const std::string& hash, const std::string& password);

// Keyed BLAKE2b-128 over `data` (stateless cookies).
void mac16(std::span<const uint8_t, 32> key, std::span<const uint8_t> data, uint8_t out[16]);
// SipHash-2-4 (libsodium's crypto_shorthash) of `data` under a 16-byte key: a fast PRF for
// short messages (the A2S challenge), as little-endian u64.
uint64_t shortMac(std::span<const uint8_t, 16> key, std::span<const uint8_t> data);
// Constant-time comparison.
bool equal16(const uint8_t a[16], const uint8_t b[16]);

}  // namespace outpost::crypto
