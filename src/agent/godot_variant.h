// Godot 3's binary Variant serialization (var2bytes / bytes2var, StreamPeer.put_var / get_var),
// both ways, for the subset of types the agent protocol carries (docs/spec/agent.md §3.2): null,
// bool, int (32/64-bit), float (32/64-bit), String, Dictionary, Array, PoolByteArray, and on input
// also PoolIntArray, PoolRealArray and PoolStringArray. Every other type (vectors, objects, ...)
// is refused with a reason. Decoding reads untrusted bytes: every length is checked against what
// is left before anything is allocated, and nesting is limited (kMaxValueDepth). Pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/value.h"

namespace outpost::agent {

// Decodes exactly one Variant that fills `bytes` (trailing bytes beyond its padding are an
// error). Dictionary keys must be strings or ints; an int key becomes its decimal string (the
// options dictionaries of the reference are keyed by NetworkingConfigValue ints). false with a
// reason in *error ("truncated String at byte 12", "unsupported Godot type 5 (Vector2)", ...).
bool decodeGodotVariant(std::span<const uint8_t> bytes, Value* out, std::string* error);

// Appends the Variant encoding of `value`: integers as int (64-bit when they do not fit 32; a
// uint64 above INT64_MAX keeps its bit pattern, as GDScript ints carry Steam IDs), floats as
// 64-bit, binary as PoolByteArray, objects as Dictionary. Strings are written as given (invalid
// UTF-8 is replaced first, as Godot's decoder would refuse it).
void encodeGodotVariant(const Value& value, std::vector<uint8_t>& out);

// Writes Variants one by one, for replies built without a Value tree (the message hot path:
// docs/spec/agent.md §3.2, the same bytes encodeGodotVariant would write). A container header is
// followed by exactly its count of values (a Dictionary: key, value, key, value ...).
class GodotWriter {
 public:
  explicit GodotWriter(std::vector<uint8_t>& out) : out_(out) {}
  void nil();
  void boolean(bool v);
  void integer(int64_t v);
  void string(std::string_view s);  // valid UTF-8 expected (invalid bytes are replaced)
  void bytes(std::span<const uint8_t> b);
  void arrayHeader(uint32_t count);
  void dictionaryHeader(uint32_t count);

 private:
  std::vector<uint8_t>& out_;
};

}  // namespace outpost::agent
