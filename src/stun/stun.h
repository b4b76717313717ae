// STUN (RFC 8489), the subset ICE needs: Binding requests and their success responses with
// XOR-MAPPED-ADDRESS, FINGERPRINT, and the RFC 3489 form (no magic cookie, MAPPED-ADDRESS) for
// old clients. A pure two-way codec: the hub's transport port answers requests with it
// (transport/engine.cpp, answerStun) and the SDK's P2P socket asks the hub for its mapping with it
// (transport/p2p_manager.cpp). docs/spec/signaling.md §3 has the byte tables and the ordered drop
// checks. Owns no socket; never allocates; never reads past its input.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/address.h"

namespace outpost::stun {

inline constexpr uint32_t kMagicCookie = 0x2112A442;
inline constexpr size_t kHeaderBytes = 20;
inline constexpr uint16_t kBindingRequest = 0x0001;
inline constexpr uint16_t kBindingSuccess = 0x0101;
inline constexpr uint16_t kAttrMappedAddress = 0x0001;
inline constexpr uint16_t kAttrXorMappedAddress = 0x0020;
inline constexpr uint16_t kAttrSoftware = 0x8022;
inline constexpr uint16_t kAttrFingerprint = 0x8028;
inline constexpr uint32_t kFingerprintXor = 0x5354554E;
// The largest message this codec reads or writes (a datagram of the transport's MTU range).
inline constexpr size_t kMaxMessageBytes = 1500;
// The largest answer: header, XOR-MAPPED-ADDRESS of an IPv6 address, FINGERPRINT.
inline constexpr size_t kMaxResponseBytes = kHeaderBytes + 24 + 8;

// Why a datagram was not taken as a STUN message (counted by the caller).
enum class Drop : uint8_t {
  kNone = 0,
  kTooShort,           // < 20 bytes
  kNotStun,            // top two bits set, or length field not the datagram's length
  kBadLength,          // length not a multiple of 4, or over kMaxMessageBytes
  kBadAttribute,       // an attribute runs past the end
  kBadFingerprint,     // FINGERPRINT present and wrong, or not the last attribute
  kNotBindingRequest,  // a request or indication of another method, or a response where a request was expected
  kCount
};
const char* dropName(Drop d);

struct Message {
  uint16_t type = 0;
  bool rfc3489 = false;                   // no magic cookie: bytes 4-19 are the transaction id
  std::array<uint8_t, 16> transaction{};  // RFC 8489: bytes 4-7 are the cookie, 8-19 the id
  bool has_fingerprint = false;
  std::optional<base::SocketAddress> mapped;  // XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS (responses)
};

// Cheap test used to route a datagram to this codec: top two bits zero, length field equal to the
// datagram's length minus 20 and a multiple of 4, and (for RFC 8489) the magic cookie. An RFC 3489
// message has no cookie and is recognised by the first two checks only.
bool looksLikeStun(std::span<const uint8_t> datagram);

// Parses a message, checking (in order) the drop reasons above. Attributes other than
// (XOR-)MAPPED-ADDRESS and FINGERPRINT are skipped (comprehension-required ones too: see
// docs/spec/signaling.md §3.3).
std::optional<Message> parse(std::span<const uint8_t> datagram, Drop* why);

// A Binding success response to `request` telling `observed`. RFC 8489 requests get
// XOR-MAPPED-ADDRESS (and FINGERPRINT when the request carried one); RFC 3489 requests get
// MAPPED-ADDRESS. Returns the length written into `out` (at least kMaxResponseBytes long).
size_t writeBindingResponse(const Message& request, const base::SocketAddress& observed, uint8_t* out);

// A Binding request with a fresh transaction id (returned in *transaction) and a FINGERPRINT.
// Returns the length (28 bytes) written into `out`.
size_t writeBindingRequest(const std::array<uint8_t, 12>& transaction, uint8_t* out);

}  // namespace outpost::stun
