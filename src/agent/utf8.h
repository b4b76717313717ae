// UTF-8 checks for strings that reach a client: text from the network (A2S names, debug texts)
// may be any bytes, and both wire encodings need valid UTF-8. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace outpost::agent {

bool isValidUtf8(std::string_view s);
// `s` with each invalid sequence replaced by U+FFFD.
std::string sanitizeUtf8(std::string_view s);

}  // namespace outpost::agent
