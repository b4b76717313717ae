// Signal messages of P2P rendezvous (docs/spec/signaling.md §4): what an instance and the hub tell
// each other through the hub session (Envelope.p2p_signal). One flat layout for every type, so the
// codec is one function each way. A pure codec: the SDK (transport/p2p_manager.cpp) and the hub
// (hub/signaling.cpp) both use it. Never throws, never reads past its input.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "p2p/candidate.h"

namespace outpost::p2p {

inline constexpr uint8_t kSignalVersion = 1;
inline constexpr size_t kCheckKeyBytes = 32;
inline constexpr size_t kMaxDebugBytes = 128;
inline constexpr size_t kMaxFakePorts = 8;
inline constexpr size_t kMinSignalBytes = 34;

enum class SignalType : uint8_t {
  kPresent = 1,
  kListen = 2,
  kUnlisten = 3,
  kListenResult = 4,
  kConnect = 5,
  kOffer = 6,
  kAnswer = 7,
  kCancel = 8,
  kConnectFailed = 9,
  kFakeIPRequest = 10,
  kFakeIPResult = 11,
};
const char* signalName(SignalType t);

enum class PortKind : uint8_t { kVirtual = 0, kFakeIP = 1 };

using CheckKey = std::array<uint8_t, kCheckKeyBytes>;

struct Signal {
  SignalType type = SignalType::kPresent;
  uint64_t connect_id = 0;
  uint64_t peer_steam_id = 0;
  PortKind port_kind = PortKind::kVirtual;
  int32_t port = 0;
  uint32_t fake_ip = 0;  // host order
  uint16_t fake_port = 0;
  int32_t result = 0;
  std::string debug;
  std::optional<CheckKey> key;
  std::vector<Candidate> candidates;
  std::vector<uint16_t> fake_ports;
};

// Why a message was dropped (counted by the receiver).
enum class SignalDrop : uint8_t {
  kNone = 0,
  kTooShort,
  kBadVersion,
  kBadType,
  kBadDebug,
  kBadKey,
  kBadCandidate,
  kBadFakePorts,
  kTrailingBytes,
  kCount
};
const char* signalDropName(SignalDrop d);

// Encodes; debug is cut to kMaxDebugBytes, candidates to kMaxCandidates, fake ports to 8.
std::vector<uint8_t> encodeSignal(const Signal& s);
std::optional<Signal> decodeSignal(std::span<const uint8_t> bytes, SignalDrop* why);

}  // namespace outpost::p2p
