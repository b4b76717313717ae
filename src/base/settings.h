// Settings: one strict parser for the settings of our programs — outpost-hub's flags and config
// file, the outpost CLI's numeric flags. A program declares each setting once in a Table (name,
// kind, accepted values, unit, default, help, where the value goes); the flag `--name VALUE` (or
// `--name=VALUE`) and the config-file line `name = value` go through the same parse, so both take
// exactly the same values. Integers are decimal digits with an optional '-' and nothing else (no
// spaces, suffixes, "0x" or overflow); a value outside the accepted ranges is refused. Every
// refusal is one sentence naming the setting, the value given and what is accepted, e.g.
//   --token-idle-expiry abc: expected an integer in 1..3153600000 (seconds)
// A "key=value" setting (kKeyValue) holds a sub-table: `--master-limit NAME=VALUE` sets NAME of
// that sub-table under the same rules.
//
// Not thread-safe; used while a program starts. Nothing here throws.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outpost::base::settings {

struct Range {
  int64_t min = 0;
  int64_t max = 0;  // inclusive
};

class Table;

struct Setting {
  enum class Kind { kInteger, kText, kFlag, kKeyValue };
  std::string name;  // flag `--name`, config key `name`
  Kind kind = Kind::kInteger;
  std::vector<Range> ranges;  // kInteger: the accepted values (one or more inclusive ranges)
  std::string unit;           // kInteger: "seconds", "bytes", ... ("" for a plain count)
  std::string value_name;     // shown in help: "SECONDS", "ADDR:PORT", "NAME=VALUE"
  std::string default_text;   // shown in help and docs ("" = none)
  std::string help;
  bool config_file = true;  // also accepted as a config-file key
  std::function<void(int64_t)> set_integer;
  // kText (kFlag gets ""): "" when taken, else why the value is refused ("expected IP:PORT").
  std::function<std::string(const std::string&)> set_text;
  std::shared_ptr<Table> sub;  // kKeyValue: the NAME=VALUE settings
};

// Strict decimal integer: [-]digits, nothing else, within int64. nullopt otherwise.
std::optional<int64_t> parseInteger(std::string_view text);
// What an integer setting accepts: "1..3153600000 (seconds)", "0..7 or 255".
std::string describeAccepted(const Setting& s);

class Table {
 public:
  Table& add(Setting s);
  // Shorthands for the common kinds.
  Table& integer(std::string name, std::vector<Range> ranges, std::string unit, std::string default_text,
                 std::string help, std::function<void(int64_t)> set);
  Table& text(std::string name, std::string value_name, std::string default_text, std::string help,
              std::function<std::string(const std::string&)> set);
  const Setting* find(std::string_view name) const;
  const std::vector<Setting>& all() const { return settings_; }

  // Sets `s` from `value`; "" on success, else the reason (without the "where" prefix).
  static std::string apply(const Setting& s, const std::string& value);

  // One `--flag [VALUE]` at args[*i] (advances *i past what it used). "" on success, else the
  // sentence to print. A name the table does not know: "unknown flag --x".
  std::string applyFlag(const std::vector<std::string>& args, size_t* i) const;
  // `key = value` lines, `#` comments, blank lines. The first error is returned as
  // "<path>:<line>: <sentence>"; "" on success.
  std::string applyConfigText(const std::string& text, const std::string& path) const;
  std::string applyConfigFile(const std::string& path) const;

  // One line per setting for --help: "  --name VALUE  help (accepted; default ...)".
  std::string helpText() const;

 private:
  std::vector<Setting> settings_;
};

}  // namespace outpost::base::settings
