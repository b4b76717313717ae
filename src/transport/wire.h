// Outpost transport wire format, outer layer: the five handshake packets and the data packet
// header (docs/spec/transport.md). Every parser takes untrusted bytes and returns nullopt for
// anything malformed, with a reason for the drop counters. None allocates on the data path
// (parseAccept copies a rejection's debug text, which only a refused client ever sees).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "crypto/crypto.h"

namespace outpost::transport::wire {

inline constexpr uint8_t kProtocolVersion = 1;

enum class PacketType : uint8_t {
  kHello = 0x01,            // C->S, ask for a cookie
  kChallenge = 0x02,        // S->C, the stateless cookie
  kConnect = 0x03,          // C->S, cookie + keys + identity + signature
  kAccept = 0x04,           // S->C, keys + identity + signature (or a signed rejection)
  kVersionMismatch = 0x05,  // S->C, answer to a Hello of another protocol version
  kData = 0x10,             // both ways after the handshake, AEAD-protected
};

inline constexpr size_t kHelloSize = 64;  // padded, so the challenge is never larger
inline constexpr size_t kChallengeSize = 25;
inline constexpr size_t kVersionMismatchSize = 6;
inline constexpr size_t kDataHeaderSize = 9;  // type u8 + connection id u32 + packet number u32
inline constexpr size_t kMaxCertBytes = 512;
inline constexpr size_t kMaxRejectDebug = 128;

struct Cookie {
  uint32_t window = 0;  // coarse time (seconds / 4) the cookie was minted in
  std::array<uint8_t, 16> mac{};
};

struct Hello {
  uint8_t version = kProtocolVersion;
  uint32_t client_connection_id = 0;
};

struct Challenge {
  uint32_t client_connection_id = 0;
  Cookie cookie;
};

struct Connect {
  uint8_t version = kProtocolVersion;
  uint8_t cipher_mask = 0;       // 1 << crypto::Cipher the client accepts
  uint8_t unencrypted_mode = 0;  // the client's UNENCRYPTED setting (0..3)
  uint32_t client_connection_id = 0;
  Cookie cookie;
  std::array<uint8_t, 32> kx_public{};
  std::array<uint8_t, 32> identity_public{};
  uint64_t claimed_steam_id = 0;
  std::span<const uint8_t> certificate;  // optional hub certificate (empty for now)
  std::array<uint8_t, 64> signature{};   // by identity_public over everything before it
  size_t signed_length = 0;              // parse only: bytes covered by the signature
};

struct Accept {
  uint8_t version = kProtocolVersion;
  uint8_t flags = 0;  // kAcceptRejected
  uint8_t cipher = 0;
  uint32_t client_connection_id = 0;
  uint32_t server_connection_id = 0;
  std::array<uint8_t, 32> kx_public{};
  std::array<uint8_t, 32> identity_public{};
  uint64_t claimed_steam_id = 0;
  uint32_t reject_reason = 0;
  std::string reject_debug;  // <= kMaxRejectDebug
  std::span<const uint8_t> certificate;
  std::array<uint8_t, 64> signature{};  // over client kx_public || everything before it
  size_t signed_length = 0;
};
inline constexpr uint8_t kAcceptRejected = 0x01;

struct DataHeader {
  uint32_t connection_id = 0;  // the receiver's id
  uint32_t packet_number_low = 0;
};

enum class DropReason : uint8_t {
  kNone = 0,
  kTooShort,
  kUnknownType,
  kBadVersion,
  kMalformed,
  kTrailingBytes,
  kBadCookie,
  kBadSignature,
  kUnknownConnection,
  kWrongAddress,
  kDecryptFailed,
  kDuplicate,
  kTooOld,
  kBadFrame,
  kNoListener,
  kNotReady,
  kConnectionLimit,
  kOverBudget,
  kCount
};
const char* dropReasonName(DropReason r);

size_t writeHello(const Hello& h, uint8_t* out);  // kHelloSize bytes
std::optional<Hello> parseHello(std::span<const uint8_t> in, DropReason* why);

struct VersionMismatch {
  uint8_t server_version = kProtocolVersion;
  uint32_t client_connection_id = 0;
};
// Builds the reply to a Hello of another version (the Hello's client id echoed).
size_t writeVersionMismatch(std::span<const uint8_t> hello, uint8_t* out);
std::optional<VersionMismatch> parseVersionMismatch(std::span<const uint8_t> in, DropReason* why);

size_t writeChallenge(const Challenge& c, uint8_t* out);
std::optional<Challenge> parseChallenge(std::span<const uint8_t> in, DropReason* why);

// Writes everything up to the signature and returns its length; the caller signs
// out[0..len) and calls appendSignature.
size_t writeConnectUnsigned(const Connect& c, uint8_t* out, size_t capacity);
std::optional<Connect> parseConnect(std::span<const uint8_t> in, DropReason* why);

size_t writeAcceptUnsigned(const Accept& a, uint8_t* out, size_t capacity);
std::optional<Accept> parseAccept(std::span<const uint8_t> in, DropReason* why);

// Bytes the server signs in Accept: a domain string, the client's kx key (binds the reply to
// this handshake) and the unsigned Accept.
size_t acceptSignedMessage(std::span<const uint8_t, 32> client_kx_public, std::span<const uint8_t> accept_unsigned,
                           uint8_t* out, size_t capacity);
// Bytes the client signs in Connect: a domain string and the unsigned Connect.
size_t connectSignedMessage(std::span<const uint8_t> connect_unsigned, uint8_t* out, size_t capacity);

void writeDataHeader(const DataHeader& h, uint8_t* out);  // kDataHeaderSize bytes
std::optional<DataHeader> parseDataHeader(std::span<const uint8_t> in, DropReason* why);

// The full packet number closest to `expected` whose low 32 bits are `low`.
uint64_t reconstructPacketNumber(uint64_t expected, uint32_t low);

}  // namespace outpost::transport::wire
