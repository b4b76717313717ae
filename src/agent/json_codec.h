// JSON text <-> Value for the agent's JSON encoding (docs/spec/agent.md §3.1). Decoding reads
// untrusted text: nesting is checked by a linear pre-scan before the parser allocates anything,
// and a parse error is reported with its byte position. Byte strings (Value binary) are written
// as base64 strings; which request arguments are byte strings is the API table's business (the
// dispatcher decodes their base64). Pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "agent/value.h"

namespace outpost::agent {

// Parses one JSON text (RFC 8259, UTF-8). false with a reason in *error.
bool decodeJson(std::span<const uint8_t> text, Value* out, std::string* error);
// Appends the JSON text of `value`: binary as base64 (RFC 4648, with padding), invalid UTF-8 in
// strings replaced by U+FFFD.
void encodeJson(const Value& value, std::vector<uint8_t>& out);

// Base64 (RFC 4648 §4, padded), via libsodium. decodeBase64 is strict: false for any character
// outside the alphabet, missing padding or trailing garbage.
std::string encodeBase64(std::span<const uint8_t> bytes);
bool decodeBase64(const std::string& text, Bytes* out);

}  // namespace outpost::agent
