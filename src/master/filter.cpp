// Master query filter: parsing "\key\value..." into a condition tree and matching ServerRecords
// (see filter.h; the semantics of each key are specified in docs/spec/master.md §4). Runs on
// whichever thread calls it: parse() builds an immutable Filter, matches() only reads it. The
// list-level parts (paging, collapse_addr_hash, region) live in index.cpp.
#include "master/filter.h"

#include <limits>
#include <utility>

#include "master/request.h"

namespace outpost::master {

namespace {

char lowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lowerAscii(c);
  return out;
}

std::string_view trimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whole-value decimal u32: digits only, no sign, no spaces. nullopt otherwise.
std::optional<uint32_t> parseU32(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > std::numeric_limits<uint32_t>::max()) return std::nullopt;
  return static_cast<uint32_t>(v);
}

// "a,b , c" -> {"a","b","c"}, lower-cased, empty items dropped.
std::vector<std::string> splitTags(std::string_view list) {
  std::vector<std::string> out;
  while (true) {
    size_t comma = list.find(',');
    std::string_view item = trimSpaces(list.substr(0, comma));
    if (!item.empty()) out.push_back(lowerCopy(item));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

// True if the comma-separated `list` (a record's tags) contains `tag` (lower-case), comparing
// trimmed items case-insensitively. Adds 3 units of work per item visited (filter.h).
bool listHasTag(std::string_view list, std::string_view tag, uint64_t& work) {
  while (true) {
    work += 3;
    size_t comma = list.find(',');
    if (equalsIgnoreCase(trimSpaces(list.substr(0, comma)), tag)) return true;
    if (comma == std::string_view::npos) return false;
    list.remove_prefix(comma + 1);
  }
}

bool isGroupKey(std::string_view key) {
  return equalsIgnoreCase(key, "nor") || equalsIgnoreCase(key, "nand") || equalsIgnoreCase(key, "and") ||
         equalsIgnoreCase(key, "or");
}

}  // namespace

const char* filterErrorName(FilterError e) {
  switch (e) {
    case FilterError::kNone: return "none";
    case FilterError::kTooLong: return "too_long";
    case FilterError::kTooManyConditions: return "too_many_conditions";
    case FilterError::kTooDeep: return "too_deep";
    case FilterError::kBadGroupCount: return "bad_group_count";
  }
  return "unknown";
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lowerAscii(a[i]) != lowerAscii(b[i])) return false;
  return true;
}

// ---- WildcardPattern ---------------------------------------------------------------------------

WildcardPattern::WildcardPattern(std::string_view pattern) {
  std::string p = lowerCopy(pattern);
  size_t first = p.find('*');
  if (first == std::string::npos) {
    prefix_ = std::move(p);
    return;
  }
  has_star_ = true;
  size_t last = p.rfind('*');
  prefix_ = p.substr(0, first);
  suffix_ = p.substr(last + 1);
  std::string_view mid;
  if (last > first) mid = std::string_view(p).substr(first + 1, last - first - 1);
  while (!mid.empty()) {
    size_t star = mid.find('*');
    std::string_view lit = mid.substr(0, star);
    if (!lit.empty()) {
      Segment seg;
      seg.literal = std::string(lit);
      // KMP failure function: border[i] = length of the longest proper border of lit[0..i].
      seg.border.assign(lit.size(), 0);
      uint16_t k = 0;
      for (size_t i = 1; i < lit.size(); ++i) {
        while (k > 0 && lit[i] != lit[k]) k = seg.border[k - 1];
        if (lit[i] == lit[k]) ++k;
        seg.border[i] = k;
      }
      middle_.push_back(std::move(seg));
    }
    if (star == std::string_view::npos) break;
    mid.remove_prefix(star + 1);
  }
}

bool WildcardPattern::matches(std::string_view text) const {
  if (!has_star_) return equalsIgnoreCase(text, prefix_);
  if (text.size() < prefix_.size() + suffix_.size()) return false;
  if (!equalsIgnoreCase(text.substr(0, prefix_.size()), prefix_)) return false;
  if (!equalsIgnoreCase(text.substr(text.size() - suffix_.size()), suffix_)) return false;
  // The middle literals must occur in order, without overlap, strictly between prefix and
  // suffix. Taking the leftmost occurrence of each is optimal, so no backtracking is needed.
  std::string_view window = text.substr(prefix_.size(), text.size() - prefix_.size() - suffix_.size());
  size_t pos = 0;
  for (const Segment& seg : middle_) {
    const std::string& lit = seg.literal;
    size_t k = 0;  // characters of lit matched so far
    bool found = false;
    for (; pos < window.size(); ++pos) {
      char c = lowerAscii(window[pos]);
      while (k > 0 && c != lit[k]) k = seg.border[k - 1];
      if (c == lit[k]) ++k;
      if (k == lit.size()) {
        ++pos;
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

// ---- Parser ------------------------------------------------------------------------------------

struct Filter::Parser {
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  size_t pos = 0;
  Filter& filter;
  FilterError error = FilterError::kNone;

  explicit Parser(Filter& f) : filter(f) {}

  bool charge(size_t n) {
    filter.condition_count_ += n;
    if (filter.condition_count_ > kMaxFilterConditions) {
      error = FilterError::kTooManyConditions;
      return false;
    }
    return true;
  }

  uint16_t add(Node node) {
    filter.nodes_.push_back(std::move(node));
    return static_cast<uint16_t>(filter.nodes_.size() - 1);
  }

  // Parses the condition at pairs[pos] and advances past it (and past a group's members).
  // Sets *node to its index, or to -1 if it is a no-op. Returns false on a limit error.
  // Recursion is bounded by kMaxFilterDepth.
  bool parseOne(size_t depth, bool top_level, int* node) {
    *node = -1;
    const std::string_view key = pairs[pos].first;
    const std::string_view value = pairs[pos].second;
    ++pos;
    if (!charge(1)) return false;

    if (isGroupKey(key)) {
      // Drop if nested too deep: bounds recursion here and in evaluate() (stack exhaustion).
      if (depth >= kMaxFilterDepth) {
        error = FilterError::kTooDeep;
        return false;
      }
      // Drop if the count is not a number: the structure of the rest cannot be known, and
      // guessing could turn an exclusion into an inclusion.
      std::optional<uint32_t> count = parseU32(value);
      if (!count) {
        error = FilterError::kBadGroupCount;
        return false;
      }
      Node group;
      group.kind = equalsIgnoreCase(key, "nor")    ? Kind::kNor
                   : equalsIgnoreCase(key, "nand") ? Kind::kNand
                   : equalsIgnoreCase(key, "and")  ? Kind::kAnd
                                                   : Kind::kOr;
      // A count larger than what follows takes what follows (lenient).
      for (uint32_t i = 0; i < *count && pos < pairs.size(); ++i) {
        int child = -1;
        if (!parseOne(depth + 1, false, &child)) return false;
        if (child >= 0) group.children.push_back(static_cast<uint16_t>(child));
      }
      // A group of no-ops is a no-op (not "match all" or "match none").
      if (!group.children.empty()) *node = add(std::move(group));
      return true;
    }

    Node n;
    auto flag = [&](Kind kind) {
      std::optional<uint32_t> v = parseU32(value);
      if (v && *v != 0) {
        n.kind = kind;
        *node = add(std::move(n));
      }
    };
    auto text = [&](Kind kind) {
      if (value.empty()) return;
      n.kind = kind;
      n.text = lowerCopy(value);
      *node = add(std::move(n));
    };
    auto tags = [&](Kind kind) -> bool {
      n.tags = splitTags(value);
      if (n.tags.empty()) return true;
      if (!charge(n.tags.size() - 1)) return false;
      n.kind = kind;
      *node = add(std::move(n));
      return true;
    };
    auto pattern = [&](Kind kind) {
      if (value.empty()) return;
      n.kind = kind;
      n.pattern = WildcardPattern(value);
      *node = add(std::move(n));
    };

    if (equalsIgnoreCase(key, "dedicated")) {
      flag(Kind::kDedicated);
    } else if (equalsIgnoreCase(key, "secure")) {
      flag(Kind::kSecure);
    } else if (equalsIgnoreCase(key, "linux")) {
      flag(Kind::kLinux);
    } else if (equalsIgnoreCase(key, "proxy")) {
      flag(Kind::kProxy);
    } else if (equalsIgnoreCase(key, "white")) {
      flag(Kind::kWhite);
    } else if (equalsIgnoreCase(key, "empty")) {
      flag(Kind::kNotEmpty);
    } else if (equalsIgnoreCase(key, "full")) {
      flag(Kind::kNotFull);
    } else if (equalsIgnoreCase(key, "noplayers")) {
      flag(Kind::kNoPlayers);
    } else if (equalsIgnoreCase(key, "password")) {
      std::optional<uint32_t> v = parseU32(value);
      if (v) {
        n.kind = *v == 0 ? Kind::kPasswordFree : Kind::kPasswordSet;
        *node = add(std::move(n));
      }
    } else if (equalsIgnoreCase(key, "gamedir")) {
      text(Kind::kGamedir);
    } else if (equalsIgnoreCase(key, "map")) {
      text(Kind::kMap);
    } else if (equalsIgnoreCase(key, "appid") || equalsIgnoreCase(key, "napp")) {
      bool negate = equalsIgnoreCase(key, "napp");
      if (value.empty()) return true;
      std::optional<uint32_t> v = parseU32(value);
      if (v) {
        n.kind = negate ? Kind::kNotAppId : Kind::kAppId;
        n.number = *v;
        *node = add(std::move(n));
      } else if (!negate) {
        // No server runs AppID "abc"; not running it is true for all (so \napp\abc is a no-op).
        n.kind = Kind::kNothing;
        *node = add(std::move(n));
      }
    } else if (equalsIgnoreCase(key, "gametype")) {
      if (!tags(Kind::kGametype)) return false;
    } else if (equalsIgnoreCase(key, "gamedata")) {
      if (!tags(Kind::kGamedata)) return false;
    } else if (equalsIgnoreCase(key, "gamedataor")) {
      if (!tags(Kind::kGamedataOr)) return false;
    } else if (equalsIgnoreCase(key, "name_match")) {
      pattern(Kind::kNameMatch);
    } else if (equalsIgnoreCase(key, "version_match")) {
      pattern(Kind::kVersionMatch);
    } else if (equalsIgnoreCase(key, "collapse_addr_hash")) {
      // A list-level option, honoured at top level only; inside a group it means nothing.
      std::optional<uint32_t> v = parseU32(value);
      if (top_level && v && *v != 0) filter.collapse_addr_hash_ = true;
    } else if (equalsIgnoreCase(key, "gameaddr")) {
      if (value.empty()) return true;
      uint32_t ip = 0;
      uint16_t port = 0;
      bool has_port = false;
      size_t used = 0;
      if (parseLeadingIpv4Port(value, &ip, &port, &has_port, &used) && used == value.size()) {
        n.kind = Kind::kGameAddr;
        n.number = ip;
        n.port = port;
        n.has_port = has_port;
      } else {
        n.kind = Kind::kNothing;  // asked for one address we cannot read: list none
      }
      *node = add(std::move(n));
    } else if (equalsIgnoreCase(key, "type")) {
      // Legacy server type: d = dedicated (qstat's status=dedicated), l = listen, p = proxy.
      if (equalsIgnoreCase(value, "d")) {
        n.kind = Kind::kDedicated;
      } else if (equalsIgnoreCase(value, "l")) {
        n.kind = Kind::kListen;
      } else if (equalsIgnoreCase(value, "p")) {
        n.kind = Kind::kProxy;
      } else {
        return true;
      }
      *node = add(std::move(n));
    }
    // Any other key: unknown, a no-op (clients add keys we do not know; ignoring them lists
    // more, never fewer, servers).
    return true;
  }
};

std::optional<Filter> Filter::parse(std::string_view text, FilterError* error) {
  auto fail = [&](FilterError e) -> std::optional<Filter> {
    if (error) *error = e;
    return std::nullopt;
  };
  // Drop if longer than a request can carry: bounds all work below.
  if (text.size() > kMaxFilterBytes) return fail(FilterError::kTooLong);

  Filter f;
  Parser p(f);
  std::string_view t = text;
  if (!t.empty() && t.front() == '\\') t.remove_prefix(1);
  // Split into \key\value pairs; an odd last token is a key with an empty value.
  while (!t.empty()) {
    size_t k_end = t.find('\\');
    std::string_view key = t.substr(0, k_end);
    std::string_view value;
    if (k_end == std::string_view::npos) {
      t = {};
    } else {
      t.remove_prefix(k_end + 1);
      size_t v_end = t.find('\\');
      value = t.substr(0, v_end);
      if (v_end == std::string_view::npos) {
        t = {};
      } else {
        t.remove_prefix(v_end + 1);
      }
    }
    p.pairs.emplace_back(key, value);
    // Cheap early exit: each pair is at least one condition.
    if (p.pairs.size() > kMaxFilterConditions) return fail(FilterError::kTooManyConditions);
  }
  while (p.pos < p.pairs.size()) {
    int node = -1;
    if (!p.parseOne(0, true, &node)) return fail(p.error);
    if (node >= 0) f.top_.push_back(static_cast<uint16_t>(node));
  }
  if (error) *error = FilterError::kNone;
  return f;
}

// ---- Matching ----------------------------------------------------------------------------------

bool Filter::evaluate(uint16_t index, const ServerRecord& r, uint64_t& work) const {
  ++work;
  const Node& n = nodes_[index];
  switch (n.kind) {
    case Kind::kDedicated: return r.dedicated;
    case Kind::kListen: return !r.dedicated;
    case Kind::kSecure: return r.secure;
    case Kind::kLinux: return r.os == 'l' || r.os == 'L';
    case Kind::kProxy: return r.spectator_proxy;
    case Kind::kWhite: return r.whitelisted;
    case Kind::kPasswordFree: return !r.password;
    case Kind::kPasswordSet: return r.password;
    case Kind::kNotEmpty: return r.players > 0;
    case Kind::kNotFull: return r.players < r.max_players;
    case Kind::kNoPlayers: return r.players == 0;
    case Kind::kGamedir: work += r.gamedir.size() / 16; return equalsIgnoreCase(r.gamedir, n.text);
    case Kind::kMap: work += r.map.size() / 16; return equalsIgnoreCase(r.map, n.text);
    case Kind::kAppId: return r.app_id == n.number;
    case Kind::kNotAppId: return r.app_id != n.number;
    case Kind::kGametype:
      for (const std::string& tag : n.tags)
        if (!listHasTag(r.tags, tag, work)) return false;
      return true;
    case Kind::kGamedata:
      for (const std::string& tag : n.tags)
        if (!listHasTag(r.gamedata, tag, work)) return false;
      return true;
    case Kind::kGamedataOr:
      for (const std::string& tag : n.tags)
        if (listHasTag(r.gamedata, tag, work)) return true;
      return false;
    case Kind::kNameMatch: work += r.name.size() / 2; return n.pattern.matches(r.name);
    case Kind::kVersionMatch: work += r.version.size() / 2; return n.pattern.matches(r.version);
    case Kind::kGameAddr: return r.ip == n.number && (!n.has_port || r.query_port == n.port || r.game_port == n.port);
    case Kind::kNothing: return false;
    case Kind::kAnd:
      for (uint16_t c : n.children)
        if (!evaluate(c, r, work)) return false;
      return true;
    case Kind::kOr:
      for (uint16_t c : n.children)
        if (evaluate(c, r, work)) return true;
      return false;
    case Kind::kNor:
      for (uint16_t c : n.children)
        if (evaluate(c, r, work)) return false;
      return true;
    case Kind::kNand:
      for (uint16_t c : n.children)
        if (!evaluate(c, r, work)) return true;
      return false;
  }
  return false;
}

bool Filter::matches(const ServerRecord& record, uint64_t* work) const {
  uint64_t units = 0;
  bool ok = true;
  for (uint16_t n : top_) {
    if (!evaluate(n, record, units)) {
      ok = false;
      break;
    }
  }
  if (work) *work += units;
  return ok;
}

}  // namespace outpost::master
