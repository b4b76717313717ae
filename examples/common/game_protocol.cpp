// Encoding and bounds-checked decoding of the example game's messages (game_protocol.h). A Reader
// never reads past its span; a decoder accepts a message only when every field is in range and
// no byte is left over, so a hostile player cannot smuggle anything past the type byte.
#include "game_protocol.h"

#include <algorithm>

namespace example {

namespace {

class Writer {
 public:
  explicit Writer(MessageType type) { out_.push_back(static_cast<uint8_t>(type)); }
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) {
    for (int i = 0; i < 2; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  // Strings carry a one-byte length; callers pass at most 255 bytes.
  void str(const std::string& s) {
    u8(static_cast<uint8_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void bytes(const std::vector<uint8_t>& b) { out_.insert(out_.end(), b.begin(), b.end()); }
  std::vector<uint8_t> take() { return std::move(out_); }

 private:
  std::vector<uint8_t> out_;
};

class Reader {
 public:
  // Starts after the type byte, which must be `type`; otherwise the reader is failed.
  Reader(std::span<const uint8_t> b, MessageType type) : b_(b) {
    ok_ = !b_.empty() && b_[0] == static_cast<uint8_t>(type);
    pos_ = 1;
  }
  bool need(size_t n) {
    if (!ok_ || b_.size() - pos_ < n) ok_ = false;
    return ok_;
  }
  uint8_t u8() { return need(1) ? b_[pos_++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>(le(2)); }
  uint32_t u32() { return static_cast<uint32_t>(le(4)); }
  uint64_t u64() { return le(8); }
  std::string str(size_t max) {
    size_t n = u8();
    if (n > max || !need(n)) {
      ok_ = false;
      return {};
    }
    std::string s(reinterpret_cast<const char*>(b_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  std::vector<uint8_t> bytes(size_t n) {
    if (!need(n)) return {};
    std::vector<uint8_t> v(b_.begin() + static_cast<long>(pos_), b_.begin() + static_cast<long>(pos_ + n));
    pos_ += n;
    return v;
  }
  // True when every read succeeded and nothing is left over.
  bool done() const { return ok_ && pos_ == b_.size(); }
  void fail() { ok_ = false; }

 private:
  uint64_t le(int n) {
    if (!need(static_cast<size_t>(n))) return 0;
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t{b_[pos_ + static_cast<size_t>(i)]} << (8 * i);
    pos_ += static_cast<size_t>(n);
    return v;
  }
  std::span<const uint8_t> b_;
  size_t pos_ = 0;
  bool ok_ = false;
};

}  // namespace

const char* closeReasonName(int reason) {
  switch (reason) {
    case kCloseServerShutdown: return "server shutting down";
    case kCloseAuthFailed: return "authentication failed";
    case kCloseKicked: return "kicked";
    case kCloseServerFull: return "server full";
    case kCloseProtocolError: return "protocol error";
    case kCloseTimeout: return "timed out";
    case kClosePlayerLeft: return "player left";
    default: return "connection ended";
  }
}

bool validName(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameBytes) return false;
  for (char c : name)
    if (c < 0x20 || c > 0x7E) return false;
  return true;
}

std::optional<MessageType> messageType(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return std::nullopt;
  return static_cast<MessageType>(bytes[0]);
}

std::vector<uint8_t> encode(const Hello& m) {
  Writer w(MessageType::kHello);
  w.u64(m.steam_id);
  w.str(m.name.substr(0, kMaxNameBytes));
  w.u16(static_cast<uint16_t>(m.ticket.size()));
  w.bytes(m.ticket);
  return w.take();
}

std::vector<uint8_t> encode(const Welcome& m) {
  Writer w(MessageType::kWelcome);
  w.u64(m.server_steam_id);
  w.str(m.server_name.substr(0, 255));
  w.str(m.map.substr(0, 255));
  return w.take();
}

std::vector<uint8_t> encode(const Shot& m) {
  Writer w(MessageType::kShot);
  w.u8(m.aim);
  return w.take();
}

std::vector<uint8_t> encode(const State& m) {
  Writer w(MessageType::kState);
  w.u32(m.tick);
  w.u8(m.target);
  w.u8(static_cast<uint8_t>(m.velocity));
  return w.take();
}

std::vector<uint8_t> encode(const ShotResult& m) {
  Writer w(MessageType::kShotResult);
  w.u8(m.hit ? 1 : 0);
  w.u8(m.target);
  w.u32(m.score);
  return w.take();
}

std::vector<uint8_t> encode(const Scoreboard& m) {
  Writer w(MessageType::kScoreboard);
  size_t n = std::min(m.entries.size(), kMaxScoreboardEntries);
  w.u8(static_cast<uint8_t>(n));
  for (size_t i = 0; i < n; ++i) {
    w.str(m.entries[i].name.substr(0, kMaxNameBytes));
    w.u32(m.entries[i].score);
  }
  return w.take();
}

std::optional<Hello> decodeHello(std::span<const uint8_t> bytes) {
  Reader r(bytes, MessageType::kHello);
  Hello m;
  m.steam_id = r.u64();
  m.name = r.str(kMaxNameBytes);
  size_t ticket_bytes = r.u16();
  if (ticket_bytes == 0 || ticket_bytes > kMaxTicketBytes) r.fail();  // no ticket, or a flood of bytes
  m.ticket = r.bytes(ticket_bytes);
  if (!r.done() || !validName(m.name)) return std::nullopt;
  return m;
}

std::optional<Welcome> decodeWelcome(std::span<const uint8_t> bytes) {
  Reader r(bytes, MessageType::kWelcome);
  Welcome m;
  m.server_steam_id = r.u64();
  m.server_name = r.str(255);
  m.map = r.str(255);
  if (!r.done()) return std::nullopt;
  return m;
}

std::optional<Shot> decodeShot(std::span<const uint8_t> bytes) {
  Reader r(bytes, MessageType::kShot);
  Shot m;
  m.aim = r.u8();
  if (!r.done() || m.aim >= kRingSize) return std::nullopt;
  return m;
}

std::optional<State> decodeState(std::span<const uint8_t> bytes) {
  Reader r(bytes, MessageType::kState);
  State m;
  m.tick = r.u32();
  m.target = r.u8();
  m.velocity = static_cast<int8_t>(r.u8());
  if (!r.done() || m.target >= kRingSize || m.velocity < -3 || m.velocity > 3) return std::nullopt;
  return m;
}

std::optional<ShotResult> decodeShotResult(std::span<const uint8_t> bytes) {
  Reader r(bytes, MessageType::kShotResult);
  ShotResult m;
  uint8_t hit = r.u8();
  m.target = r.u8();
  m.score = r.u32();
  if (!r.done() || hit > 1 || m.target >= kRingSize) return std::nullopt;
  m.hit = hit == 1;
  return m;
}

std::optional<Scoreboard> decodeScoreboard(std::span<const uint8_t> bytes) {
  Reader r(bytes, MessageType::kScoreboard);
  Scoreboard m;
  size_t n = r.u8();
  if (n > kMaxScoreboardEntries) r.fail();
  for (size_t i = 0; i < n && r.need(1); ++i) {
    ScoreEntry e;
    e.name = r.str(kMaxNameBytes);
    e.score = r.u32();
    m.entries.push_back(std::move(e));
  }
  if (!r.done()) return std::nullopt;
  for (const auto& e : m.entries)
    if (!validName(e.name)) return std::nullopt;
  return m;
}

std::string formatScoreboard(const Scoreboard& board) {
  if (board.entries.empty()) return "no players";
  std::string s;
  for (const auto& e : board.entries) {
    if (!s.empty()) s += ", ";
    s += e.name + " " + std::to_string(e.score);
  }
  return s;
}

}  // namespace example
