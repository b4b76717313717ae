// The agent's API table: every function and signal the agent serves, with the reference's names,
// argument names and order, argument types and limits, return types and failure values, and the
// constants (enum values) of the singletons. It is the one source for
//   - the agent's request validation and dispatch (dispatcher.cpp),
//   - the Godot addon's singletons, generated from it (godot_codegen.cpp; a test keeps the
//     committed godot/addons/outpost files equal to the generator's output),
//   - `outpost-agent --print-api` (the table as JSON, for other languages).
// Two objects hold functions: "SteamServer" (GodotSteam Server's singleton: the Godot 3 Game Server
// page, its main-server functions, Networking Sockets and Networking Utils) and "Steam" (the
// player's side, with GodotSteam client names where they exist). Sockets functions belong to both
// objects, each with its own NetworkingSockets instance, as SteamGameServerNetworkingSockets()
// and SteamNetworkingSockets() are distinct in the reference. Immutable after start; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/value.h"

namespace outpost::agent {

class Host;

enum class ParamType : uint8_t {
  kBool,
  kInt32,
  kUInt32,  // handles, app ids
  kUInt16,  // ports
  kInt64,
  kSteamId,  // uint64; a negative GDScript int is taken as its bit pattern
  kFloat,
  kString,      // UTF-8, at most max_bytes
  kBytes,       // PoolByteArray (Godot) or base64 string (JSON), at most max_bytes
  kOptions,     // Dictionary {NetworkingConfigValue: int | float | String}
  kIntArray,    // Array / PoolIntArray of int32, at most max_bytes elements
  kArray,       // Array (elements checked by the handler), at most max_bytes elements
  kBytesArray,  // Array of PoolByteArray (base64 Strings in JSON), at most max elements of at most
                // MAX_STEAM_PACKET_SIZE bytes each
};

// kEvents: void in the reference; the reply is the list of events, which the addon emits as signals
// before returning (run_callbacks, runNetworkingCallbacks).
enum class ReturnType : uint8_t { kVoid, kBool, kInt, kSteamId, kFloat, kString, kBytes, kDictionary, kArray, kEvents };

// Where a name comes from (docs/api-map.md, Godot column).
enum class Origin : uint8_t {
  kGodot3Page,    // reference/game-server-godot3.txt (the Game Server page the addon must match)
  kGodot3Module,  // bound by GodotSteam Server 3.5 but not on that page (main-server, aliases)
  kSockets,       // reference/networking-sockets.txt, generation C (godotsteam-api.md §3.1)
  kUtils,         // Networking Utils configuration (godotsteam-api.md §3.7)
  kClient,        // GodotSteam's client singleton `Steam`
  kOutpost,       // Outpost extension
};

struct ParamSpec {
  const char* name;
  ParamType type;
  const char* default_json = nullptr;  // JSON literal of the default; nullptr = required
  size_t max = 0;                      // kString/kBytes: bytes; kIntArray/kArray: elements; 0 = type default
};

// What a handler gets: the arguments, checked and normalised (integers as int64/uint64, byte
// strings as binary, options as an object with integer-string keys, defaults filled in).
struct Call {
  Host& host;
  bool client_side;  // "Steam" (true) or "SteamServer" (false)
  const std::vector<Value>& args;
  std::string error;  // a handler that refuses the call sets this (becomes an error reply)
  // The message hot path: when not null (a Godot-encoded session), a handler may write its result
  // here as Godot Variant bytes (GodotWriter) instead of returning a Value, and set raw_written.
  std::vector<uint8_t>* raw = nullptr;
  bool raw_written = false;

  int64_t i64(size_t k) const;
  uint64_t u64(size_t k) const;
  uint32_t u32(size_t k) const { return static_cast<uint32_t>(u64(k)); }
  int32_t i32(size_t k) const { return static_cast<int32_t>(i64(k)); }
  bool boolean(size_t k) const { return args[k].get<bool>(); }
  double f64(size_t k) const { return args[k].get<double>(); }
  const std::string& str(size_t k) const { return args[k].get_ref<const std::string&>(); }
  const Bytes& bytes(size_t k) const { return args[k].get_binary(); }
  bool isNull(size_t k) const { return args[k].is_null(); }
};
using Handler = Value (*)(Call& call);

struct FunctionSpec {
  const char* name;
  std::vector<ParamSpec> params;
  ReturnType returns;
  Origin origin;
  Handler handler;
  bool server = true;   // served on "SteamServer"
  bool client = false;  // served on "Steam"
  // The addon's return value when the call cannot be made (agent missing, error reply); empty =
  // the return type's zero ({}, [], "", 0, false, null).
  const char* fail_json = "";
};

struct SignalSpec {
  const char* name;
  std::vector<const char*> params;
  Origin origin;
  bool server = true;
  bool client = false;
};

struct ConstantSpec {
  const char* name;
  int64_t value;
};

const std::vector<FunctionSpec>& functionTable();
const std::vector<SignalSpec>& signalTable();
const std::vector<ConstantSpec>& constantTable();

// The function `object`.`name` ("SteamServer", "Steam"), or nullptr.
const FunctionSpec* findFunction(std::string_view object, std::string_view name);
// Call numbers (docs/spec/agent.md §4.1, the compact request): a short stand-in for
// "<object>.<name>", 2 * (the function's index in functionTable()) + 1 for "Steam" (0 for
// "SteamServer"). They are this agent's own: a client learns them from the hello reply
// ("calls"), never from a table of its own. The function of `number`, or nullptr (unknown number,
// or the object does not serve that function); *client_side says which object.
const FunctionSpec* functionByCallNumber(int64_t number, bool* client_side);
// {"SteamServer.<name>": number, "Steam.<name>": number, ...} for every function served.
Value callNumbers();
const char* originName(Origin o);
const char* paramTypeName(ParamType t);
const char* returnTypeName(ReturnType t);
// The value the addon returns when a call fails (fail_json, or the return type's zero).
Value failValue(const FunctionSpec& f);
// The whole table as one JSON document (outpost-agent --print-api).
Value apiDocument();

// Default limits of strings, byte strings and arrays whose ParamSpec leaves max at 0.
inline constexpr size_t kDefaultMaxStringBytes = 4096;
inline constexpr size_t kDefaultMaxBytes = 65536;
inline constexpr size_t kDefaultMaxArrayElements = 256;
inline constexpr size_t kMaxOptions = 64;

}  // namespace outpost::agent
