// Parsers of server replies for ServerBrowser (see a2s_reply.h).
#include "client/a2s_reply.h"

#include <cstring>

#include "base/bytes.h"

namespace outpost::a2sreply {

namespace {

// A NUL-terminated string; a missing terminator fails the reader.
std::string cstring(ByteReader& r) {
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

std::optional<ServerInfoResult> parseInfo(std::span<const uint8_t> p) {
  if (p.empty() || p[0] != 0x49) return std::nullopt;
  ByteReader r(p.data() + 1, p.size() - 1);
  ServerInfoResult s;
  s.protocol = r.u8();
  s.name = cstring(r);
  s.map = cstring(r);
  s.folder = cstring(r);
  s.game = cstring(r);
  s.app_id = r.u16();
  s.players = r.u8();
  s.max_players = r.u8();
  s.bots = r.u8();
  s.server_type = static_cast<char>(r.u8());
  s.environment = static_cast<char>(r.u8());
  s.password = r.u8() != 0;
  s.secure = r.u8() != 0;
  s.version = cstring(r);
  if (!r.ok()) return std::nullopt;
  if (r.remaining() > 0) {  // extra data, each field present when its flag is
    uint8_t edf = r.u8();
    if (edf & 0x80) s.game_port = r.u16();
    if (edf & 0x10) s.steam_id = r.u64();
    if (edf & 0x40) {
      s.spectator_port = r.u16();
      s.spectator_name = cstring(r);
    }
    if (edf & 0x20) s.keywords = cstring(r);
    if (edf & 0x01) {
      s.game_id = r.u64();
      s.app_id = static_cast<uint32_t>(s.game_id & 0xFFFFFF);
    }
    if (!r.ok()) return std::nullopt;
  }
  return s;
}

std::optional<std::vector<ServerPlayer>> parsePlayers(std::span<const uint8_t> p) {
  if (p.size() < 2 || p[0] != 0x44) return std::nullopt;
  ByteReader r(p.data() + 1, p.size() - 1);
  int count = r.u8();
  std::vector<ServerPlayer> out;
  for (int i = 0; i < count && r.ok(); ++i) {
    r.u8();  // index
    ServerPlayer pl;
    pl.name = cstring(r);
    pl.score = static_cast<int32_t>(r.u32());
    uint32_t bits = r.u32();
    std::memcpy(&pl.duration_s, &bits, 4);
    out.push_back(pl);
  }
  if (!r.ok()) return std::nullopt;
  return out;
}

std::optional<std::map<std::string, std::string>> parseRules(std::span<const uint8_t> p) {
  if (p.size() < 3 || p[0] != 0x45) return std::nullopt;
  ByteReader r(p.data() + 1, p.size() - 1);
  int count = r.u16();
  std::map<std::string, std::string> out;
  for (int i = 0; i < count && r.ok(); ++i) {
    std::string k = cstring(r);
    out[k] = cstring(r);
  }
  if (!r.ok()) return std::nullopt;
  return out;
}

bool parseMasterPage(std::span<const uint8_t> d, std::vector<std::string>* out, bool* last) {
  *last = false;
  if (d.size() < 6 || d[0] != 0xFF || d[1] != 0xFF || d[2] != 0xFF || d[3] != 0xFF || d[4] != 0x66 || d[5] != 0x0A)
    return false;
  for (size_t i = 6; i + 6 <= d.size(); i += 6) {
    if (!d[i] && !d[i + 1] && !d[i + 2] && !d[i + 3] && !d[i + 4] && !d[i + 5]) {
      *last = true;
      break;
    }
    out->push_back(std::to_string(d[i]) + "." + std::to_string(d[i + 1]) + "." + std::to_string(d[i + 2]) + "." +
                   std::to_string(d[i + 3]) + ":" + std::to_string(d[i + 4] << 8 | d[i + 5]));
  }
  return true;
}

}  // namespace outpost::a2sreply
