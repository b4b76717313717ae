// The player side's parsers of what servers send back — A2S_INFO, A2S_PLAYER and A2S_RULES
// payloads (after the FF FF FF FF header and any split reassembly) and master-server list pages —
// for ServerBrowser. The bytes come from any server on the internet, so every read is bounds
// checked (ByteReader) and anything malformed is refused whole (nullopt), never half-parsed.
// tests/fuzz/fuzz_a2s_reply.cpp holds them to that.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "outpost/server_browser.h"

namespace outpost::a2sreply {

// payload starts at the type byte ('I' 0x49). address and ping_ms are left for the caller.
std::optional<ServerInfoResult> parseInfo(std::span<const uint8_t> payload);
// 'D' 0x44.
std::optional<std::vector<ServerPlayer>> parsePlayers(std::span<const uint8_t> payload);
// 'E' 0x45.
std::optional<std::map<std::string, std::string>> parseRules(std::span<const uint8_t> payload);

// One master reply datagram (FF FF FF FF 66 0A, then 6-byte ip:port entries). Appends the
// addresses to *out; *last is set when the 0.0.0.0:0 terminator was seen. false if it is not a
// master reply.
bool parseMasterPage(std::span<const uint8_t> datagram, std::vector<std::string>* out, bool* last);

}  // namespace outpost::a2sreply
