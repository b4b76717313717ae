// Server strings (see server_strings.h): UTF-8 and control-character checks, and the table of
// which field has which limit.
#include "hubrpc/server_strings.h"

#include <cstdint>
#include <cstdio>

#include "base/utf8.h"
#include "outpost/types.h"

namespace outpost::hubrpc {

namespace {

std::string field(const char* name, const std::string& why) {
  return why.empty() ? "" : std::string(name) + ": " + why;
}

}  // namespace

std::string checkServerString(std::string_view value, size_t buffer_bytes) {
  if (value.size() >= buffer_bytes)
    return std::to_string(value.size()) + " bytes is over the limit of " + std::to_string(buffer_bytes - 1) +
           " (a buffer of " + std::to_string(buffer_bytes) + " with its NUL)";
  for (size_t i = 0; i < value.size();) {
    uint32_t cp = 0;
    size_t n = base::utf8::sequence(value, i, &cp);
    if (n == 0) return "not valid UTF-8 at byte " + std::to_string(i);
    if (base::utf8::isControl(cp)) {
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
  if (l.token().size() >= kMaxTokenBuffer)
    return "token: longer than " + std::to_string(kMaxTokenBuffer - 1) + " bytes";
  if (!(why = field("version", checkServerString(l.version(), kMaxVersionBuffer))).empty()) return why;
  if (!(why = field("product", checkServerString(l.product(), kMaxProductBuffer))).empty()) return why;
  if (!(why = field("mod_dir", checkServerString(l.mod_dir(), MAX_GAME_SERVER_GAME_DIR))).empty()) return why;
  if (!(why = field("description", checkServerString(l.description(), MAX_GAME_SERVER_GAME_DESCRIPTION))).empty())
    return why;
  if (l.server_mode() < SERVER_MODE_NO_AUTHENTICATION || l.server_mode() > SERVER_MODE_AUTHENTICATION_AND_SECURE)
    return "server_mode: " + std::to_string(l.server_mode()) + " is not 1, 2 or 3";
  if (l.game_port() == 0 || l.game_port() > 0xFFFF)
    return "game_port: " + std::to_string(l.game_port()) + " is not 1-65535";
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
  } counts[] = {{"max_players", l.max_players()},
                {"players", l.players()},
                {"bots", l.bots()},
                {"spectator_port", l.spectator_port()}};
  for (const auto& c : counts)
    if (c.value > kMaxListedCount) return std::string(c.name) + ": " + std::to_string(c.value) + " is over 65535";
  return "";
}

}  // namespace outpost::hubrpc
