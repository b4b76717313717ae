// A2S reply encoders and parsers (see reply.h; byte tables in docs/spec/a2s.md §3). Encoders run
// on whoever publishes a server's record (GameServer's thread, once per change, never per
// request); parsers on the ServerBrowser caller's thread.
#include "a2s/reply.h"

#include <algorithm>
#include <cstring>

#include "base/bytes.h"

namespace outpost::a2s {

namespace {

// Extra-data flags of the INFO reply, and the order they are written in (not bit order).
constexpr uint8_t kEdfGamePort = 0x80;
constexpr uint8_t kEdfSteamId = 0x10;
constexpr uint8_t kEdfSpectator = 0x40;
constexpr uint8_t kEdfKeywords = 0x20;
constexpr uint8_t kEdfGameId = 0x01;

// Appends `s` up to its first NUL, then a NUL.
void putString(std::vector<uint8_t>& out, const std::string& s) {
  size_t n = std::min(s.size(), std::strlen(s.c_str()));
  out.insert(out.end(), s.data(), s.data() + n);
  out.push_back(0);
}
void putU8(std::vector<uint8_t>& out, uint8_t v) { out.push_back(v); }
void putByteCount(std::vector<uint8_t>& out, int v) { out.push_back(static_cast<uint8_t>(std::clamp(v, 0, 255))); }
void putLe(std::vector<uint8_t>& out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void putF32(std::vector<uint8_t>& out, float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  putLe(out, bits, 4);
}
std::vector<uint8_t> startMessage(uint8_t type) {
  std::vector<uint8_t> out(kSingleHeader, kSingleHeader + kHeaderBytes);
  out.push_back(type);
  return out;
}

// A NUL-terminated string; a missing terminator fails the reader.
std::string getString(base::ByteReader& r) {
  std::string s;
  while (r.remaining() > 0) {
    uint8_t c = r.u8();
    if (c == 0) return s;
    s.push_back(static_cast<char>(c));
  }
  r.fail();
  return s;
}

}  // namespace

bool isValidRule(std::string_view key, std::string_view value) {
  if (key.empty() || key.size() > kMaxRuleKeyBytes || value.size() > kMaxRuleValueBytes) return false;
  return key.find('\0') == std::string_view::npos && value.find('\0') == std::string_view::npos;
}

// ---- Challenge -----------------------------------------------------------------------------------

std::vector<uint8_t> encodeChallengeReply(const Challenge& c) {
  std::vector<uint8_t> out = startMessage(kChallengeReply);
  out.insert(out.end(), c.begin(), c.end());
  return out;
}

std::optional<Challenge> parseChallengeReply(std::span<const uint8_t> d) {
  if (d.size() != kChallengeReplyBytes || !hasSingleHeader(d) || d[kHeaderBytes] != kChallengeReply)
    return std::nullopt;
  Challenge c;
  std::memcpy(c.data(), d.data() + kHeaderBytes + 1, c.size());
  return c;
}

// ---- Encoding ------------------------------------------------------------------------------------

std::vector<uint8_t> encodeInfoReply(const ServerInfoResult& info) {
  std::vector<uint8_t> out = startMessage(kInfoReply);
  putByteCount(out, info.protocol);
  putString(out, info.name);
  putString(out, info.map);
  putString(out, info.folder);
  putString(out, info.game);
  putLe(out, info.app_id & 0xFFFFu, 2);
  putByteCount(out, info.players);
  putByteCount(out, info.max_players);
  putByteCount(out, info.bots);
  putU8(out, static_cast<uint8_t>(info.server_type));
  putU8(out, static_cast<uint8_t>(info.environment));
  putU8(out, info.password ? 1 : 0);
  putU8(out, info.secure ? 1 : 0);
  putString(out, info.version);
  uint8_t edf = 0;
  if (info.game_port != 0) edf |= kEdfGamePort;
  if (info.steam_id != 0) edf |= kEdfSteamId;
  if (info.spectator_port != 0) edf |= kEdfSpectator;
  if (!info.keywords.empty()) edf |= kEdfKeywords;
  if (info.game_id != 0) edf |= kEdfGameId;
  if (edf == 0) return out;
  putU8(out, edf);
  if (edf & kEdfGamePort) putLe(out, info.game_port, 2);
  if (edf & kEdfSteamId) putLe(out, info.steam_id, 8);
  if (edf & kEdfSpectator) {
    putLe(out, info.spectator_port, 2);
    putString(out, info.spectator_name);
  }
  if (edf & kEdfKeywords) putString(out, info.keywords);
  if (edf & kEdfGameId) putLe(out, info.game_id, 8);
  return out;
}

std::vector<uint8_t> encodePlayerReply(std::span<const ServerPlayer> players) {
  std::vector<uint8_t> out = startMessage(kPlayerReply);
  size_t n = std::min<size_t>(players.size(), 255);
  putU8(out, static_cast<uint8_t>(n));
  for (size_t i = 0; i < n; ++i) {
    const ServerPlayer& p = players[i];
    putU8(out, static_cast<uint8_t>(i));  // index: clients ignore it
    putString(out, p.name);
    putLe(out, static_cast<uint32_t>(p.score), 4);
    putF32(out, p.duration_s);
  }
  return out;
}

std::vector<uint8_t> encodeRulesReply(const ServerRules& rules) {
  std::vector<uint8_t> out = startMessage(kRulesReply);
  size_t n = std::min<size_t>(rules.size(), 0xFFFF);
  putLe(out, n, 2);
  size_t i = 0;
  for (const auto& [key, value] : rules) {
    if (i++ == n) break;
    putString(out, key);
    putString(out, value);
  }
  return out;
}

// ---- Parsing -------------------------------------------------------------------------------------

std::optional<std::span<const uint8_t>> messageBody(std::span<const uint8_t> message) {
  if (!hasSingleHeader(message)) return std::nullopt;
  return message.subspan(kHeaderBytes);
}

std::optional<ServerInfoResult> parseInfoReply(std::span<const uint8_t> p) {
  if (p.empty() || p[0] != kInfoReply) return std::nullopt;
  base::ByteReader r(p.subspan(1));
  ServerInfoResult s;
  s.protocol = r.u8();
  s.name = getString(r);
  s.map = getString(r);
  s.folder = getString(r);
  s.game = getString(r);
  s.app_id = r.u16();
  s.players = r.u8();
  s.max_players = r.u8();
  s.bots = r.u8();
  s.server_type = static_cast<char>(r.u8());
  s.environment = static_cast<char>(r.u8());
  s.password = r.u8() != 0;
  s.secure = r.u8() != 0;
  s.version = getString(r);
  if (!r.ok()) return std::nullopt;
  if (r.remaining() > 0) {  // extra data, each field present when its flag is
    uint8_t edf = r.u8();
    if (edf & kEdfGamePort) s.game_port = r.u16();
    if (edf & kEdfSteamId) s.steam_id = r.u64();
    if (edf & kEdfSpectator) {
      s.spectator_port = r.u16();
      s.spectator_name = getString(r);
    }
    if (edf & kEdfKeywords) s.keywords = getString(r);
    if (edf & kEdfGameId) {
      s.game_id = r.u64();
      s.app_id = static_cast<uint32_t>(s.game_id & 0xFFFFFF);
    }
    if (!r.ok()) return std::nullopt;
  }
  return s;
}

std::optional<std::vector<ServerPlayer>> parsePlayerReply(std::span<const uint8_t> p) {
  if (p.size() < 2 || p[0] != kPlayerReply) return std::nullopt;
  base::ByteReader r(p.subspan(1));
  int count = r.u8();
  std::vector<ServerPlayer> out;
  for (int i = 0; i < count && r.ok(); ++i) {
    r.u8();  // index
    ServerPlayer pl;
    pl.name = getString(r);
    pl.score = static_cast<int32_t>(r.u32());
    uint32_t bits = r.u32();
    std::memcpy(&pl.duration_s, &bits, 4);
    out.push_back(pl);
  }
  if (!r.ok()) return std::nullopt;
  return out;
}

std::optional<ServerRules> parseRulesReply(std::span<const uint8_t> p) {
  if (p.size() < 3 || p[0] != kRulesReply) return std::nullopt;
  base::ByteReader r(p.subspan(1));
  int count = r.u16();
  ServerRules out;
  for (int i = 0; i < count && r.ok(); ++i) {
    std::string k = getString(r);
    out[k] = getString(r);
  }
  if (!r.ok()) return std::nullopt;
  return out;
}

}  // namespace outpost::a2s
