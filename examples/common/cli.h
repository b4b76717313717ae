// Command-line helpers shared by the example programs: "--flag value" parsing against a table of
// known flags, number parsing with bounds, the environment as a default, and one timestamped
// line per event on stdout (line-buffered, so a pipe or log collector sees each line at once).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

namespace example {

struct Flag {
  const char* name;        // "--port"
  std::string* value;      // filled when the flag is given
  bool is_switch = false;  // true: takes no value, sets *value to "1"
};

// Fills the flags given on the command line. false (with *error set) for an unknown flag, a
// missing value or a stray argument; "--help" gives false with an empty *error.
bool parseFlags(int argc, char** argv, std::initializer_list<Flag> flags, std::string* error);

// Decimal in [min, max]; false otherwise (empty, trailing characters, out of range).
bool parseInt(const std::string& text, long long min, long long max, long long* out);
bool parsePort(const std::string& text, uint16_t* out);  // 1..65535

// The environment variable's value, or `fallback` when unset or empty.
std::string envOr(const char* name, const std::string& fallback);

// Prints "HH:MM:SS <text>" and a newline to stdout and flushes it. printf-style.
void logLine(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace example
