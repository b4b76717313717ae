// The master query filter: parses "\key\value\key\value..." into a small tree of conditions and
// decides whether a ServerRecord matches. Every code of Valve's table is supported (see
// docs/spec/master.md §4 for the exact semantics of each):
//   \dedicated \secure \gamedir \map \linux \password \empty \full \proxy \appid \napp
//   \noplayers \white \gametype \gamedata \gamedataor \name_match \version_match
//   \collapse_addr_hash \gameaddr \nor\x \nand\x, plus \and\x \or\x groups and legacy \type\d.
// Rules in short: top-level conditions are ANDed; a boolean with value 0 is a no-op except
// \password\0; unknown keys are no-ops; string matches are ASCII case-insensitive; `*` is a
// wildcard in \name_match\ and \version_match\; a group whose conditions are all no-ops is a
// no-op. \collapse_addr_hash\1 is not a per-server condition: the index applies it to the list.
//
// Hostile input is bounded: the text is at most kMaxFilterBytes, at most kMaxFilterConditions
// conditions (tags of a list count one each), groups nest at most kMaxFilterDepth deep, and
// matching one record costs O(total filter length + record string lengths) (wildcards use a
// linear-time search, no backtracking). A Filter is immutable after parse(): matches() is const
// and safe to call from any number of threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "master/server_record.h"

namespace outpost::master {

inline constexpr size_t kMaxFilterBytes = 1400;
inline constexpr size_t kMaxFilterConditions = 128;
inline constexpr size_t kMaxFilterDepth = 8;

enum class FilterError : uint8_t {
  kNone = 0,
  kTooLong,            // text longer than kMaxFilterBytes
  kTooManyConditions,  // more than kMaxFilterConditions conditions and tags
  kTooDeep,            // groups nested deeper than kMaxFilterDepth
  kBadGroupCount,      // \nor\ \nand\ \and\ \or\ with a count that is not a decimal number
};

// Stable lower_snake_case name for counters and logs ("too_deep", ...). "none" for kNone.
const char* filterErrorName(FilterError e);

// A `*` wildcard pattern, ASCII case-insensitive (bytes >= 0x80 compare exactly). `*` matches
// any run of bytes, including none; there is no other metacharacter. Matching is linear in
// pattern + text (each literal segment is found with KMP, leftmost first, which is exact for
// star-only patterns).
class WildcardPattern {
 public:
  WildcardPattern() = default;
  explicit WildcardPattern(std::string_view pattern);
  bool matches(std::string_view text) const;

 private:
  struct Segment {
    std::string literal;           // lower-cased
    std::vector<uint16_t> border;  // KMP failure function of `literal`
  };
  bool has_star_ = false;
  std::string prefix_;           // before the first '*' (or the whole pattern without '*')
  std::string suffix_;           // after the last '*'
  std::vector<Segment> middle_;  // non-empty literals between stars
};

// ASCII case-insensitive equality (bytes >= 0x80 compare exactly).
bool equalsIgnoreCase(std::string_view a, std::string_view b);

class Filter {
 public:
  // Parses `text` (the request's filter string, without its NUL). Lenient: the leading '\' is
  // optional, a key without a value has an empty value, unknown keys and keys with an unusable
  // value are no-ops (see the spec for which values make a condition match nothing instead).
  // Returns nullopt and sets *error (if non-null) only for the limits above and for a group
  // count that is not a number. Never throws; work is linear in the text length.
  [[nodiscard]] static std::optional<Filter> parse(std::string_view text, FilterError* error);

  // True if `record` satisfies every effective top-level condition. Const, allocation-free,
  // thread-safe. If `work` is non-null, adds the work done in abstract units: 1 per condition
  // evaluated, +3 per tag-list item visited, +1 per 2 bytes of text a wildcard scans, +1 per
  // 16 bytes of map/gamedir compared. Weighted so that a unit costs about the same (2-4 ns on
  // the 2-core test machine) whatever the filter: a deterministic measure of CPU that
  // MasterIndex budgets and the rate limiter charges.
  bool matches(const ServerRecord& record, uint64_t* work = nullptr) const;

  // \collapse_addr_hash\1 appeared at top level: list only the lowest port of each IP among
  // the matching servers. Applied by MasterIndex, not by matches().
  bool collapseAddrHash() const { return collapse_addr_hash_; }

  // Every condition is a no-op (e.g. an empty filter): matches() is true for every record.
  bool matchesEverything() const { return top_.empty(); }

  // Number of conditions and tags counted against kMaxFilterConditions.
  size_t conditionCount() const { return condition_count_; }

 private:
  enum class Kind : uint8_t {
    kDedicated,     // record.dedicated
    kListen,        // !record.dedicated (legacy \type\l)
    kSecure,        // record.secure
    kLinux,         // record.os == 'l'
    kProxy,         // record.spectator_proxy
    kWhite,         // record.whitelisted
    kPasswordFree,  // !record.password (\password\0)
    kPasswordSet,   // record.password (\password\1)
    kNotEmpty,      // players > 0 (\empty\1)
    kNotFull,       // players < max_players (\full\1)
    kNoPlayers,     // players == 0 (\noplayers\1)
    kGamedir,       // equalsIgnoreCase(gamedir, text)
    kMap,           // equalsIgnoreCase(map, text)
    kAppId,         // app_id == number
    kNotAppId,      // app_id != number
    kGametype,      // every tag in record.tags
    kGamedata,      // every tag in record.gamedata
    kGamedataOr,    // any tag in record.gamedata
    kNameMatch,     // pattern matches name
    kVersionMatch,  // pattern matches version
    kGameAddr,      // ip (and port, if given: query_port or game_port)
    kNothing,       // matches no record (a value that cannot match, e.g. \appid\abc)
    kAnd,           // every child
    kOr,            // any child
    kNor,           // no child
    kNand,          // not every child
  };
  struct Node {
    Kind kind = Kind::kNothing;
    uint32_t number = 0;             // kAppId, kNotAppId; ip for kGameAddr
    uint16_t port = 0;               // kGameAddr with has_port
    bool has_port = false;           // kGameAddr
    std::string text;                // kGamedir, kMap (lower-cased)
    std::vector<std::string> tags;   // kGametype, kGamedata, kGamedataOr (lower-cased)
    WildcardPattern pattern;         // kNameMatch, kVersionMatch
    std::vector<uint16_t> children;  // groups: effective children, in order
  };
  struct Parser;

  bool evaluate(uint16_t node, const ServerRecord& record, uint64_t& work) const;

  std::vector<Node> nodes_;
  std::vector<uint16_t> top_;  // effective (non-no-op) top-level nodes
  bool collapse_addr_hash_ = false;
  size_t condition_count_ = 0;
};

}  // namespace outpost::master
