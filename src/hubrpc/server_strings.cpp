// Server strings (see server_strings.h): UTF-8 and control-character checks, and the table of
// which field has which limit.
#include "hubrpc/server_strings.h"

#include <cstdint>
#include <cstdio>

#include "outpost/game_server.h"

namespace outpost::hubrpc {

namespace {

// The length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), and its code point; 0 if it is not one.
size_t utf8Sequence(std::string_view s, size_t i, uint32_t* code_point) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  uint8_t c = b(0);
  if (c < 0x80) {
    *code_point = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF && cont(1)) {
    *code_point = (c & 0x1Fu) << 6 | (b(1) & 0x3Fu);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
    uint32_t cp = (c & 0x0Fu) << 12 | (b(1) & 0x3Fu) << 6 | (b(2) & 0x3Fu);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    *code_point = cp;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    uint32_t cp = (c & 0x07u) << 18 | (b(1) & 0x3Fu) << 12 | (b(2) & 0x3Fu) << 6 | (b(3) & 0x3Fu);
    if (cp < 0x10000 || cp > 0x10FFFF) return 0;
    *code_point = cp;
    return 4;
  }
  return 0;
}

std::string field(const char* name, const std::string& why) { return why.empty() ? "" : std::string(name) + ": " + why; }

}  // namespace

std::string checkServerString(std::string_view value, size_t buffer_bytes) {
  if (value.size() >= buffer_bytes)
    return std::to_string(value.size()) + " bytes is over the limit of " + std::to_string(buffer_bytes - 1) +
           " (a buffer of " + std::to_string(buffer_bytes) + " with its NUL)";
  for (size_t i = 0; i < value.size();) {
    uint32_t cp = 0;
    size_t n = utf8Sequence(value, i, &cp);
    if (n == 0) return "not valid UTF-8 at byte " + std::to_string(i);
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(cp));
      return std::string("control character ") + hex + " at byte " + std::to_string(i);
    }
    i += n;
  }
  return "";
}

std::string checkServerLogOn(const ServerLogOn& l) {
  std::string why;
  if (l.token().size() >= kMaxTokenBuffer) return "token: longer than " + std::to_string(kMaxTokenBuffer - 1) + " bytes";
  if (!(why = field("version", checkServerString(l.version(), kMaxVersionBuffer))).empty()) return why;
  if (!(why = field("product", checkServerString(l.product(), kMaxProductBuffer))).empty()) return why;
  if (!(why = field("mod_dir", checkServerString(l.mod_dir(), MAX_GAME_SERVER_GAME_DIR))).empty()) return why;
  if (!(why = field("description", checkServerString(l.description(), MAX_GAME_SERVER_GAME_DESCRIPTION))).empty())
    return why;
  if (l.server_mode() < SERVER_MODE_NO_AUTHENTICATION || l.server_mode() > SERVER_MODE_AUTHENTICATION_AND_SECURE)
    return "server_mode: " + std::to_string(l.server_mode()) + " is not 1, 2 or 3";
  if (l.game_port() == 0 || l.game_port() > 0xFFFF) return "game_port: " + std::to_string(l.game_port()) + " is not 1-65535";
  if (l.query_port() > 0xFFFF) return "query_port: " + std::to_string(l.query_port()) + " is not 0-65535";
  return "";
}

std::string checkServerListing(const ServerListing& l) {
  std::string why;
  struct Text {
    const char* name;
    const std::string& value;
    size_t buffer;
  } texts[] = {{"name", l.name(), MAX_GAME_SERVER_SERVER_NAME},
               {"map", l.map(), MAX_GAME_SERVER_MAP_NAME},
               {"tags", l.tags(), MAX_GAME_SERVER_TAGS},
               {"gamedata", l.gamedata(), MAX_GAME_SERVER_GAME_DATA},
               {"region", l.region(), kMaxRegionBuffer},
               {"spectator_name", l.spectator_name(), MAX_GAME_SERVER_MAP_NAME}};
  for (const auto& t : texts)
    if (!(why = field(t.name, checkServerString(t.value, t.buffer))).empty()) return why;
  if (!l.os().empty() && l.os() != "l" && l.os() != "w" && l.os() != "m") return "os: not \"l\", \"w\" or \"m\"";
  struct Count {
    const char* name;
    uint32_t value;
  } counts[] = {{"max_players", l.max_players()}, {"players", l.players()}, {"bots", l.bots()},
                {"spectator_port", l.spectator_port()}};
  for (const auto& c : counts)
    if (c.value > kMaxListedCount) return std::string(c.name) + ": " + std::to_string(c.value) + " is over 65535";
  return "";
}

}  // namespace outpost::hubrpc
