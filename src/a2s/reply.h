// A2S replies, both ways (docs/spec/a2s.md §3): the server's responder encodes S2C_CHALLENGE and
// the INFO, PLAYER and RULES replies from the public A2S record (outpost/server_info.h); the
// player side's ServerBrowser parses them back into it. Split framing is in split.h.
//
// Encoders return the single-packet message (starting FF FF FF FF); every string is cut at its
// first NUL. Parsers read what any server on the internet sends: every read is bounds checked
// and anything malformed is refused whole (nullopt), never half-parsed; tests/fuzz/
// fuzz_a2s_reply.cpp holds them to that. Pure functions, safe on any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "a2s/wire.h"
#include "outpost/server_info.h"

namespace outpost::a2s {

// Limits of a rule (the reference's k_cbMaxGameServerRuleName/Value are 128/256 with the NUL).
inline constexpr size_t kMaxRuleKeyBytes = 127;
inline constexpr size_t kMaxRuleValueBytes = 255;

// Whether setKeyValue(key, value) may store the pair: false for an empty key, a key longer than
// kMaxRuleKeyBytes, a value longer than kMaxRuleValueBytes, or a NUL in either (it would end
// the string on the wire).
bool isValidRule(std::string_view key, std::string_view value);

// The GameID of a plain (non-mod) Steam game: the AppID in the low 24 bits, type 0.
inline uint64_t gameIdForApp(uint32_t app_id) { return app_id & 0xFFFFFFu; }

// ---- S2C_CHALLENGE: FF FF FF FF 'A' + 4 challenge bytes ----
std::vector<uint8_t> encodeChallengeReply(const Challenge& challenge);
// The challenge, if `datagram` is exactly a challenge reply.
std::optional<Challenge> parseChallengeReply(std::span<const uint8_t> datagram);

// ---- Data replies ----
std::vector<uint8_t> encodeInfoReply(const ServerInfoResult& info);  // address and ping_ms unused
std::vector<uint8_t> encodePlayerReply(std::span<const ServerPlayer> players);
std::vector<uint8_t> encodeRulesReply(const ServerRules& rules);

// What follows the FF FF FF FF header of a single-packet message (a whole datagram, or a split
// reply reassembled by split.h), starting at the type byte; nullopt without that header.
std::optional<std::span<const uint8_t>> messageBody(std::span<const uint8_t> message);

// Parsers of a message body (starting at the type byte: 'I' 0x49, 'D' 0x44, 'E' 0x45). Bytes
// after the last field are ignored. parseInfoReply leaves address and ping_ms for the caller.
std::optional<ServerInfoResult> parseInfoReply(std::span<const uint8_t> body);
std::optional<std::vector<ServerPlayer>> parsePlayerReply(std::span<const uint8_t> body);
std::optional<ServerRules> parseRulesReply(std::span<const uint8_t> body);

}  // namespace outpost::a2s
