// Connectivity-check probes of P2P attempts (docs/spec/signaling.md §7.1): 35-byte requests and
// responses between the two peers' P2P sockets, MAC'd with the receiver's check key so that only
// the two peers (and the hub that carried the keys) can make a P2P socket answer. A response is
// exactly as long as its request. A pure codec: transport/p2p_manager.cpp sends and receives them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "p2p/signal.h"

namespace outpost::p2p {

inline constexpr uint8_t kProbeRequest = 0x20;
inline constexpr uint8_t kProbeResponse = 0x21;
inline constexpr uint8_t kProbeVersion = 1;
inline constexpr size_t kProbeBytes = 35;
inline constexpr size_t kProbeWithCookieBytes = 55;  // a listener's response carrying a cookie
inline constexpr uint8_t kProbeFromInitiator = 0x01;
inline constexpr uint8_t kProbeHasCookie = 0x02;

struct Probe {
  bool response = false;
  uint64_t connect_id = 0;
  uint32_t transaction = 0;
  uint32_t client_connection_id = 0;
  bool from_initiator = false;
  // Listener's responses only: a transport cookie for (the request's source, client_connection_id)
  // so the initiator's first handshake packet can be its Connect (transport.md §6).
  bool has_cookie = false;
  uint32_t cookie_window = 0;
  std::array<uint8_t, 16> cookie_mac{};
};

enum class ProbeDrop : uint8_t {
  kNone = 0,
  kBadLength,
  kBadVersion,
  kUnknownAttempt,
  kBadMac,
  kBadRole,
  kStale,
  kCount
};
const char* probeDropName(ProbeDrop d);

// True for a datagram whose first byte is a probe type (the caller then parses it).
inline bool isProbe(std::span<const uint8_t> d) {
  return !d.empty() && (d[0] == kProbeRequest || d[0] == kProbeResponse);
}

// Writes a probe MAC'd with `receiver_key`; returns kProbeBytes (kProbeWithCookieBytes with a cookie).
size_t writeProbe(const Probe& p, const CheckKey& receiver_key, uint8_t* out);
// Reads the header (length, version) without checking the MAC: the caller finds the attempt by
// connect_id, then calls verifyProbe with its own key.
std::optional<Probe> readProbe(std::span<const uint8_t> d, ProbeDrop* why);
bool verifyProbe(std::span<const uint8_t> d, const CheckKey& own_key);

}  // namespace outpost::p2p
