// The agent's value model: one tree type for requests, replies and events, whatever the
// encoding on the wire (JSON text or Godot's Variant bytes, docs/spec/agent.md §3). It is
// nlohmann::json: null, bool, int64 / uint64, double, UTF-8 string, binary (byte strings: tickets,
// messages, packets), array and object with string keys. Codecs map it to and from the wire;
// the dispatcher validates it against the API table. Pure data: no thread affinity.
#pragma once

#include <nlohmann/json.hpp>

namespace outpost::agent {

using Value = nlohmann::json;
using Bytes = Value::binary_t::container_type;  // std::vector<uint8_t>

// A byte-string value (binary): travels as raw bytes in the Godot encoding and as base64 in JSON.
inline Value bytesValue(Bytes bytes) { return Value::binary(std::move(bytes)); }

// Nesting limit of every decoded value (arrays and objects), checked before anything deeper is
// allocated: a request needs at most 4 levels; 32 leaves room and bounds recursion.
inline constexpr int kMaxValueDepth = 32;

}  // namespace outpost::agent
