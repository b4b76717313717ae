// UTF-8 for text that crosses a trust boundary: decoding one well-formed sequence (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), what counts as a control character
// (C0, DEL, C1), and escaping text for a terminal or a log line so that it can neither forge a
// line nor send an escape sequence. Header-only; no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace outpost::base::utf8 {

// The length (1-4) of the well-formed sequence at s[i], with its code point; 0 if there is none.
inline size_t sequence(std::string_view s, size_t i, uint32_t* code_point) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  if (i >= s.size()) return 0;
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

inline bool isControl(uint32_t code_point) {
  return code_point < 0x20 || code_point == 0x7F || (code_point >= 0x80 && code_point <= 0x9F);
}

// `s` with `"` and `\` escaped, control characters as \n, \r, \t or \xHH, and bytes that are
// not UTF-8 as \xHH; other characters (printable UTF-8) as they are.
inline std::string escapeForTerminal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = 0;
    size_t n = sequence(s, i, &cp);
    if (n == 0 || isControl(cp)) {
      size_t bytes = n == 0 ? 1 : n;  // a C1 character is two bytes: escape both
      for (size_t k = 0; k < bytes; ++k) {
        uint8_t c = static_cast<uint8_t>(s[i + k]);
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        }
      }
      i += bytes;
      continue;
    }
    if (cp == '"' || cp == '\\') out += '\\';
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace outpost::base::utf8
