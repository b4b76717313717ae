// JSON encoding of agent frames (docs/spec/agent.md §3.1), on nlohmann::json in its
// non-throwing forms, and base64 on libsodium. The nesting pre-scan exists because the parser
// would otherwise build a tree as deep as the input (a 4 MiB frame of '[' is 4 M nested arrays).
#include "agent/json_codec.h"

#include <sodium.h>

namespace outpost::agent {
namespace {

// Deepest nesting of arrays/objects in `text`, stopping once it passes `limit` (strings and their
// escapes skipped). Malformed text is left for the parser to report.
int maxNesting(std::span<const uint8_t> text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (uint8_t c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

// Records the parser's complaint; every other event is accepted and dropped.
struct ErrorOnlySax : nlohmann::json_sax<Value> {
  std::string message;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
    message = ex.what();
    return false;
  }
};

// A copy of `v` that nlohmann can print: binary becomes base64 text.
Value printable(const Value& v) {
  switch (v.type()) {
    case Value::value_t::binary: return encodeBase64(v.get_binary());
    case Value::value_t::array: {
      Value out = Value::array();
      for (const auto& item : v) out.push_back(printable(item));
      return out;
    }
    case Value::value_t::object: {
      Value out = Value::object();
      for (const auto& [k, item] : v.items()) out[k] = printable(item);
      return out;
    }
    default: return v;
  }
}

bool containsBinary(const Value& v) {
  if (v.is_binary()) return true;
  if (v.is_array() || v.is_object())
    for (const auto& item : v)
      if (containsBinary(item)) return true;
  return false;
}

}  // namespace

bool decodeJson(std::span<const uint8_t> text, Value* out, std::string* error) {
  if (maxNesting(text, kMaxValueDepth) > kMaxValueDepth) {
    *error = "JSON nested deeper than " + std::to_string(kMaxValueDepth);
    return false;
  }
  const char* begin = reinterpret_cast<const char*>(text.data());
  Value v = Value::parse(begin, begin + text.size(), nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded()) {
    ErrorOnlySax sax;
    Value::sax_parse(begin, begin + text.size(), &sax, nlohmann::detail::input_format_t::json, /*strict=*/true);
    *error = sax.message.empty() ? "not valid JSON" : sax.message;
    return false;
  }
  *out = std::move(v);
  return true;
}

void encodeJson(const Value& value, std::vector<uint8_t>& out) {
  std::string text = containsBinary(value) ? printable(value).dump(-1, ' ', false, Value::error_handler_t::replace)
                                           : value.dump(-1, ' ', false, Value::error_handler_t::replace);
  out.insert(out.end(), text.begin(), text.end());
}

std::string encodeBase64(std::span<const uint8_t> bytes) {
  const int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

bool decodeBase64(const std::string& text, Bytes* out) {
  out->resize(text.size() / 4 * 3 + 3);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out->data(), out->size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    out->clear();
    return false;
  }
  out->resize(len);
  return true;
}

}  // namespace outpost::agent
