// A2S requests, both ways (docs/spec/a2s.md §2): the player side builds them with encodeRequest,
// the server's responder reads them with parseRequest, which runs the protocol's drop checks of
// docs/spec/a2s.md §5 steps 1–7 in order and names the first that fails. Pure functions: no state,
// no allocation in parseRequest, safe on any thread, never read outside their input.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "a2s/wire.h"

namespace outpost::a2s {

struct Request {
  uint8_t type = kInfoRequest;  // kInfoRequest, kPlayerRequest or kRulesRequest
  // The challenge bytes as sent (a placeholder 00000000 / FFFFFFFF included); absent only in a
  // 25-byte INFO request.
  std::optional<Challenge> challenge;
};

// Why a datagram is not a request we answer, in check order.
enum class RequestError : uint8_t {
  kNone = 0,
  kTooShort,         // fewer than 5 bytes (header + type)
  kSplitRequest,     // FE FF FF FF header: requests are never split
  kBadHeader,        // not FF FF FF FF
  kUnsupportedType,  // 'W' get-challenge or 'i' ping: would amplify, never answered
  kUnknownType,      // any other type that is not INFO, PLAYER or RULES
  kBadLength,        // wrong size for its type (INFO 25 or 29, PLAYER/RULES 9)
  kBadInfoString,    // INFO payload is not "Source Engine Query\0"
};

// Parses one datagram. Returns the request, or nullopt and sets *error (if non-null).
[[nodiscard]] std::optional<Request> parseRequest(std::span<const uint8_t> datagram, RequestError* error);

// The request datagram for `type` (kInfoRequest, kPlayerRequest or kRulesRequest). Without a
// challenge INFO is the 25-byte form and PLAYER/RULES carry the FF FF FF FF placeholder.
std::vector<uint8_t> encodeRequest(uint8_t type, const std::optional<Challenge>& challenge = std::nullopt);

}  // namespace outpost::a2s
