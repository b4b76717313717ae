// Outpost identity certificates: the hub-signed binding of a Steam ID to the Ed25519 identity key
// of a NetworkingSockets instance (docs/spec/cert.md is the normative description; its byte tables
// and the constants below must agree), and the certificate request a holder makes.
//
// Who calls what:
//  - the hub (src/hub/certificates.cpp): parseRequest() on what a session or the admin sends,
//    issue() to sign;
//  - the transport (src/transport/authentication.cpp): makeRequest() for getCertificateRequest,
//    parse() for setCertificate, and the Verifier (verifier.h) in every handshake;
//  - tools, tests and the fuzz target: parse() / encode round trips.
//
// Pure: no sockets, no clocks (callers pass unix seconds), no global state. Every function is safe
// to call from any thread at once. Parsing never reads outside its input, never asserts on it and
// allocates only the app and address vectors.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/crypto.h"

namespace outpost::cert {

// ---- Format constants (docs/spec/cert.md §3, §4, §14) ----------------------------------------

inline constexpr uint8_t kFormatVersion = 1;
inline constexpr std::array<uint8_t, 4> kMagic = {'O', 'P', 'C', 'T'};
inline constexpr std::array<uint8_t, 4> kRequestMagic = {'O', 'P', 'C', 'R'};
inline constexpr size_t kFixedBytes = 80;  // before the app ids
inline constexpr size_t kAppBytes = 4;
inline constexpr size_t kAddressBytes = 18;
inline constexpr size_t kSignatureBytes = crypto::kSignatureBytes;  // 64
inline constexpr size_t kMaxApps = 8;
inline constexpr size_t kMaxAddresses = 4;
inline constexpr size_t kMinCertBytes = kFixedBytes + kAppBytes + kSignatureBytes;  // 148
inline constexpr size_t kMaxCertBytes =
    kFixedBytes + kMaxApps * kAppBytes + kMaxAddresses * kAddressBytes + kSignatureBytes;  // 248
inline constexpr size_t kRequestBytes = 116;

// Byte offsets of the fixed fields (spec §3).
inline constexpr size_t kOffsetMagic = 0;
inline constexpr size_t kOffsetVersion = 4;
inline constexpr size_t kOffsetAppCount = 5;
inline constexpr size_t kOffsetAddressCount = 6;
inline constexpr size_t kOffsetReserved = 7;
inline constexpr size_t kOffsetCaKeyId = 8;
inline constexpr size_t kOffsetSerial = 16;
inline constexpr size_t kOffsetSteamId = 24;
inline constexpr size_t kOffsetPublicKey = 32;
inline constexpr size_t kOffsetIssuedAt = 64;
inline constexpr size_t kOffsetExpiresAt = 72;
inline constexpr size_t kOffsetApps = 80;

// Prefixes of the signed messages: the hub key also signs tickets, and the holder's key signs
// handshakes; these strings keep a signature made for one worthless as another.
inline constexpr std::string_view kSignatureDomain = "outpost/identity-certificate/v1";
inline constexpr std::string_view kRequestSignatureDomain = "outpost/certificate-request/v1";

inline constexpr int64_t kSessionLifetimeSeconds = 3600;          // certificates over a hub session
inline constexpr int64_t kOfflineDefaultLifetimeSeconds = 86400;  // outpost admin cert sign
inline constexpr int64_t kMaxLifetimeSeconds = 30LL * 24 * 3600;  // any certificate
inline constexpr int64_t kMaxClockSkewSeconds = 300;              // issued_at may be this far ahead

// ---- Errors ----------------------------------------------------------------------------------

// Why a certificate (or a request) was refused. The order of the structural ones is the order of
// the checks in docs/spec/cert.md §5.
enum class CertError : uint8_t {
  kNone = 0,
  // Structure (parse).
  kTooLong,
  kTooShort,
  kBadMagic,
  kUnknownVersion,
  kBadCounts,
  kLengthMismatch,
  kReservedNotZero,
  kZeroSerial,
  kBadIdentity,
  kBadPublicKey,
  kBadLifetime,
  kBadApps,
  kBadAddress,
  // Trust and use (Verifier::check).
  kUnknownCa,
  kWrongKey,
  kWrongIdentity,
  kExpired,
  kNotYetValid,
  kWrongApp,
  kWrongAddress,
  kRevoked,
  // Authenticity.
  kBadSignature,
  // Issuing and requests only.
  kBadCaKey,             // the CA key pair's halves do not belong together
  kBadRequestSignature,  // a request's proof of possession does not verify
  kCount
};

// A short stable name ("expired", "unknown_ca" …) for logs, debug texts and counters.
const char* toString(CertError e);

// ---- Claims ----------------------------------------------------------------------------------

// One address restriction: the holder may use the certificate only from addresses in this prefix.
struct AddressPrefix {
  uint8_t family = 4;                 // 4 or 6
  uint8_t prefix_bits = 32;           // 1..32 (IPv4), 1..128 (IPv6)
  std::array<uint8_t, 16> address{};  // network order; IPv4 in bytes 0..3, the rest zero

  // Parses "1.2.3.4", "10.0.0.0/8", "::1", "fd00::/64" (host bits past the prefix must be zero).
  // An IPv4-mapped IPv6 address is refused (write it as IPv4). nullopt if malformed.
  static std::optional<AddressPrefix> parse(std::string_view text);
  std::string toString() const;
  // Whether the IP, in 16-byte IPv6 form (IPv4 as ::ffff:a.b.c.d, as SocketAddress::ip16 writes
  // it), lies in this prefix.
  bool contains(const std::array<uint8_t, 16>& ip16) const;
  bool operator==(const AddressPrefix&) const = default;
};

struct Claims {
  uint64_t serial = 0;                   // non-zero; issue() draws one when 0
  uint64_t steam_id = 0;                 // the identity
  std::array<uint8_t, 32> public_key{};  // the holder's Ed25519 identity key
  std::vector<uint32_t> app_ids;         // 1..8, sorted and unique after issue()
  std::vector<AddressPrefix> addresses;  // 0..4, sorted after issue()
  int64_t issued_at = 0;                 // unix seconds
  int64_t expires_at = 0;                // unix seconds; refused from this second on
  bool operator==(const Claims&) const = default;
};

using KeyId = std::array<uint8_t, 8>;

struct Certificate {
  KeyId ca_key_id{};
  Claims claims;
  std::array<uint8_t, kSignatureBytes> signature{};
  size_t signed_length = 0;  // bytes of the certificate covered by the signature
};

// Whether the claims list `app_id` (binary search; apps are sorted).
bool listsApp(const Claims& claims, uint32_t app_id);

// ---- Issuing (the hub) -----------------------------------------------------------------------

struct IssueResult {
  CertError error = CertError::kNone;
  std::vector<uint8_t> bytes;  // 148..248 bytes when error == kNone
  uint64_t serial = 0;
};

// Encodes and signs `claims` with the CA key. Apps and addresses are sorted and de-duplicated
// first; a serial of 0 is replaced by a random non-zero one. Fails (never truncates) with the
// structural error a parser would report for these claims, or kBadCaKey. Thread-safe.
IssueResult issue(const Claims& claims, const crypto::IdentityKeyPair& ca_key);

// ---- Reading ---------------------------------------------------------------------------------

// Decodes a certificate without checking its signature: nullopt for anything but a well-formed
// version-1 certificate, with the reason in *why (spec §5 checks 1-12c, in order).
std::optional<Certificate> parse(std::span<const uint8_t> bytes, CertError* why = nullptr);

// The bytes `parsed` was encoded from (the encoding is canonical, so this is the certificate).
std::vector<uint8_t> encode(const Certificate& parsed);

// kUnknownCa if the certificate names another key than `ca_public_key`, kBadSignature if the
// signature does not verify over `bytes` (the certificate the parse came from), else kNone.
CertError verifySignature(const Certificate& parsed, std::span<const uint8_t> bytes,
                          std::span<const uint8_t, crypto::kSignPublicKeyBytes> ca_public_key);

// ---- Requests (getCertificateRequest / the hub) ----------------------------------------------

struct Request {
  uint32_t app_id = 0;                   // 0: not known
  uint64_t steam_id = 0;                 // the identity the requester believes it has; a hint
  std::array<uint8_t, 32> public_key{};  // the key to certify
};

// A request for `holder`'s public key, signed by it (proof of possession). kRequestBytes bytes.
std::vector<uint8_t> makeRequest(const crypto::IdentityKeyPair& holder, uint64_t steam_id, uint32_t app_id);

// Decodes a request and checks its proof of possession. nullopt (and *why: a structural error or
// kBadRequestSignature) when malformed or not signed by the key it names.
std::optional<Request> parseRequest(std::span<const uint8_t> bytes, CertError* why = nullptr);

}  // namespace outpost::cert
