// The example game's messages ("Target practice"), carried over outpost::NetworkingSockets
// between the example dedicated server and its players. A target moves around a ring of
// kRingSize positions; the server tells players where it is (State), players shoot at a position
// (Shot), the server judges each shot against where the target really is and keeps the scores.
//
// Every message starts with a one-byte type; integers are little-endian. The first message a
// player sends is Hello (its Steam ID, name and session ticket); nothing else is accepted before
// the hub has vouched for the ticket. Decoders take untrusted bytes: they return std::nullopt for
// anything short, long, of another type or with an out-of-range field, and never throw.
//
// Pure functions, no state: safe on any thread. Encoding lives in game_protocol.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace example {

inline constexpr uint8_t kRingSize = 100;        // target positions 0..99, a ring
inline constexpr size_t kMaxNameBytes = 31;      // printable ASCII, at least one byte
inline constexpr size_t kMaxTicketBytes = 1024;  // the hub's tickets are at most this long
inline constexpr size_t kMaxScoreboardEntries = 64;

// Application close reasons (NetworkingSockets' app range 1000..1999), so a player can tell why
// the server closed its connection.
inline constexpr int kCloseServerShutdown = 1000;
inline constexpr int kCloseAuthFailed = 1001;
inline constexpr int kCloseKicked = 1002;
inline constexpr int kCloseServerFull = 1003;
inline constexpr int kCloseProtocolError = 1004;
inline constexpr int kCloseTimeout = 1005;
inline constexpr int kClosePlayerLeft = 1006;
const char* closeReasonName(int reason);

enum class MessageType : uint8_t {
  kHello = 1,       // player -> server, reliable, first message
  kWelcome = 2,     // server -> player, reliable, once the hub accepted the ticket
  kShot = 3,        // player -> server, reliable
  kState = 4,       // server -> player, unreliable, every game tick
  kShotResult = 5,  // server -> player, reliable, one per judged shot
  kScoreboard = 6,  // server -> player, reliable, every few seconds
};

struct Hello {
  uint64_t steam_id = 0;  // the player's claim; beginAuthSession checks it against the ticket
  std::string name;
  std::vector<uint8_t> ticket;  // from User::getAuthSessionTicket
};

struct Welcome {
  uint64_t server_steam_id = 0;
  std::string server_name;
  std::string map;
};

struct Shot {
  uint8_t aim = 0;  // a ring position, < kRingSize
};

struct State {
  uint32_t tick = 0;
  uint8_t target = 0;   // < kRingSize
  int8_t velocity = 0;  // positions per tick, -3..3
};

struct ShotResult {
  bool hit = false;
  uint8_t target = 0;  // where the target was when the shot was judged
  uint32_t score = 0;  // the shooter's score after this shot
};

struct ScoreEntry {
  std::string name;
  uint32_t score = 0;
};

struct Scoreboard {
  std::vector<ScoreEntry> entries;  // best first, at most kMaxScoreboardEntries
};

// A name the server accepts: 1..kMaxNameBytes bytes of printable ASCII (no control characters,
// so a name cannot forge lines in the server's log).
bool validName(const std::string& name);

// The type byte of a message, or nullopt for an empty one.
std::optional<MessageType> messageType(std::span<const uint8_t> bytes);

std::vector<uint8_t> encode(const Hello& m);
std::vector<uint8_t> encode(const Welcome& m);
std::vector<uint8_t> encode(const Shot& m);
std::vector<uint8_t> encode(const State& m);
std::vector<uint8_t> encode(const ShotResult& m);
std::vector<uint8_t> encode(const Scoreboard& m);

std::optional<Hello> decodeHello(std::span<const uint8_t> bytes);
std::optional<Welcome> decodeWelcome(std::span<const uint8_t> bytes);
std::optional<Shot> decodeShot(std::span<const uint8_t> bytes);
std::optional<State> decodeState(std::span<const uint8_t> bytes);
std::optional<ShotResult> decodeShotResult(std::span<const uint8_t> bytes);
std::optional<Scoreboard> decodeScoreboard(std::span<const uint8_t> bytes);

// "alice 12, bob 9, carol 7" (or "no players").
std::string formatScoreboard(const Scoreboard& board);

}  // namespace example
