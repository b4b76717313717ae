// A2S wire constants (docs/spec/a2s.md §1–2) and the header checks every A2S datagram starts
// with. Part of the A2S codec (src/a2s/): request.h, reply.h and split.h build and parse the
// packets both ends exchange — the server's responder (src/server/a2s_responder.h) and the player's
// ServerBrowser (src/client/server_browser.cpp). No sockets, no state, no clock.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace outpost::a2s {

// Sizes and limits.
inline constexpr size_t kHeaderBytes = 4;           // FF FF FF FF or FE FF FF FF
inline constexpr size_t kMaxPacketBytes = 1400;     // largest datagram a server sends
inline constexpr size_t kSplitPayloadBytes = 1248;  // payload per split fragment
inline constexpr size_t kSplitHeaderBytes = 12;     // -2, id, total, number, size
inline constexpr size_t kMaxSplitFragments = 64;    // larger replies are refused (~78 KB)
inline constexpr size_t kChallengeReplyBytes = 9;
inline constexpr size_t kInfoRequestBytes = 25;  // FFFFFFFF 'T' "Source Engine Query\0"
inline constexpr size_t kInfoChallengedRequestBytes = 29;
inline constexpr size_t kPlayerRulesRequestBytes = 9;

// Message types (the byte after the header).
inline constexpr uint8_t kInfoRequest = 0x54;          // 'T'
inline constexpr uint8_t kPlayerRequest = 0x55;        // 'U'
inline constexpr uint8_t kRulesRequest = 0x56;         // 'V'
inline constexpr uint8_t kGetChallengeRequest = 0x57;  // 'W' (deprecated; not answered)
inline constexpr uint8_t kPingRequest = 0x69;          // 'i' (deprecated; not answered)
inline constexpr uint8_t kChallengeReply = 0x41;       // 'A'
inline constexpr uint8_t kInfoReply = 0x49;            // 'I'
inline constexpr uint8_t kPlayerReply = 0x44;          // 'D'
inline constexpr uint8_t kRulesReply = 0x45;           // 'E'

inline constexpr uint8_t kSingleHeader[kHeaderBytes] = {0xFF, 0xFF, 0xFF, 0xFF};
inline constexpr uint8_t kSplitHeader[kHeaderBytes] = {0xFE, 0xFF, 0xFF, 0xFF};
// The A2S_INFO request's payload, its NUL included (20 bytes).
inline constexpr char kInfoPayload[] = "Source Engine Query";

// The network protocol version Source games answer with (INFO's first field).
inline constexpr int kSourceProtocolVersion = 17;

// A challenge as it travels (4 bytes, little-endian on the wire; compared as bytes).
using Challenge = std::array<uint8_t, 4>;
// What a client sends in PLAYER/RULES before it has a challenge.
inline constexpr Challenge kNoChallenge = {0xFF, 0xFF, 0xFF, 0xFF};

// Whether `datagram` starts with the single-packet (FF FF FF FF) or split (FE FF FF FF) header.
inline bool hasSingleHeader(std::span<const uint8_t> datagram) {
  return datagram.size() >= kHeaderBytes && std::memcmp(datagram.data(), kSingleHeader, kHeaderBytes) == 0;
}
inline bool hasSplitHeader(std::span<const uint8_t> datagram) {
  return datagram.size() >= kHeaderBytes && std::memcmp(datagram.data(), kSplitHeader, kHeaderBytes) == 0;
}

// 0x00000000 and 0xFFFFFFFF are what clients send when they hold no challenge; a server never
// issues them.
inline bool isPlaceholderChallenge(const Challenge& c) {
  return (c[0] == 0xFF && c[1] == 0xFF && c[2] == 0xFF && c[3] == 0xFF) ||
         (c[0] == 0 && c[1] == 0 && c[2] == 0 && c[3] == 0);
}

}  // namespace outpost::a2s
