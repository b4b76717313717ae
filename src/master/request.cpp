// Master query requests, both ways (see request.h; the drop checks and leniency rules are listed
// in docs/spec/master.md §2). Pure functions: no state, callable from any thread. The hub's
// responder (src/hub/master_responder.cpp) counts the errors and the leniency flags; the filter
// text is parsed later by filter.cpp.
#include "master/request.h"

#include <cstring>

namespace outpost::master {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Reads a run of decimal digits starting at `pos`: at most `max_digits`, value <= `max_value`.
// Returns false (and leaves pos) if there is no digit, the run is longer, or the value is larger.
bool readNumber(std::string_view text, size_t& pos, size_t max_digits, uint32_t max_value, uint32_t* out) {
  size_t start = pos;
  size_t end = pos;
  uint32_t value = 0;
  while (end < text.size() && isDigit(text[end])) {
    if (end - start == max_digits) return false;  // too many digits: not this field
    value = value * 10 + static_cast<uint32_t>(text[end] - '0');
    ++end;
  }
  if (end == start || value > max_value) return false;
  pos = end;
  *out = value;
  return true;
}

}  // namespace

const char* requestErrorName(RequestError e) {
  switch (e) {
    case RequestError::kNone: return "none";
    case RequestError::kEmpty: return "empty";
    case RequestError::kWrongType: return "wrong_type";
    case RequestError::kNoSeed: return "no_seed";
    case RequestError::kTooLong: return "too_long";
  }
  return "unknown";
}

bool parseLeadingIpv4Port(std::string_view text, uint32_t* ip, uint16_t* port, bool* has_port, size_t* consumed) {
  size_t pos = 0;
  uint32_t addr = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (pos >= text.size() || text[pos] != '.') return false;
      ++pos;
    }
    uint32_t v = 0;
    if (!readNumber(text, pos, 3, 255, &v)) return false;
    addr = (addr << 8) | v;
  }
  uint32_t p = 0;
  bool got_port = false;
  if (pos < text.size() && text[pos] == ':') {
    size_t after_colon = pos + 1;
    if (readNumber(text, after_colon, 5, 65535, &p)) {
      pos = after_colon;
      got_port = true;
    } else {
      p = 0;  // "a.b.c.d:" or an unreadable port: the colon is trailing junk, port 0
    }
  }
  *ip = addr;
  *port = static_cast<uint16_t>(p);
  if (has_port) *has_port = got_port;
  if (consumed) *consumed = pos;
  return true;
}

std::string formatIpv4Port(uint32_t ip, uint16_t port) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 0xFF) + "." + std::to_string((ip >> 8) & 0xFF) +
         "." + std::to_string(ip & 0xFF) + ":" + std::to_string(port);
}

std::vector<uint8_t> encodeMasterRequest(uint8_t region, uint32_t seed_ip, uint16_t seed_port,
                                         std::string_view filter) {
  std::string seed = formatIpv4Port(seed_ip, seed_port);
  std::vector<uint8_t> out;
  out.reserve(2 + seed.size() + 1 + filter.size() + 1);
  out.push_back(kRequestType);
  out.push_back(region);
  out.insert(out.end(), seed.begin(), seed.end());
  out.push_back(0);
  out.insert(out.end(), filter.begin(), filter.end());
  out.push_back(0);
  return out;
}

std::optional<MasterRequest> parseMasterRequest(std::span<const uint8_t> d, RequestError* error) {
  auto fail = [&](RequestError e) -> std::optional<MasterRequest> {
    if (error) *error = e;
    return std::nullopt;
  };
  // Drop if empty: nothing to identify.
  if (d.empty()) return fail(RequestError::kEmpty);
  // Drop if longer than any request needs: bounds parsing work (CPU exhaustion) and keeps the
  // filter within the limits filter.cpp enforces.
  if (d.size() > kMaxRequestBytes) return fail(RequestError::kTooLong);
  // Drop if not a master query: other protocols (A2S, heartbeats) share port ranges and
  // scanners probe with anything.
  if (d[0] != kRequestType) return fail(RequestError::kWrongType);
  // Drop if there is no seed byte at all: a datagram of type + region cannot say where to page
  // from, and no client sends it.
  if (d.size() < 3) return fail(RequestError::kNoSeed);

  MasterRequest r;
  r.region = d[1];
  const char* base = reinterpret_cast<const char*>(d.data());
  std::string_view rest(base + 2, d.size() - 2);

  // Seed: up to its NUL, or (no NUL) the rest of the datagram.
  size_t nul = rest.find('\0');
  std::string_view seed = rest.substr(0, nul);
  if (nul == std::string_view::npos) {
    r.seed_unterminated = true;
    r.filter_missing = true;
    rest = {};
  } else {
    rest.remove_prefix(nul + 1);
  }
  size_t consumed = 0;
  bool has_port = false;
  if (parseLeadingIpv4Port(seed, &r.seed_ip, &r.seed_port, &has_port, &consumed)) {
    r.seed_trailing_junk = consumed < seed.size();
  } else {
    // atoi semantics: an unreadable seed is 0.0.0.0:0, i.e. the first page. Restarting is the
    // only answer that cannot skip servers.
    r.seed_ip = 0;
    r.seed_port = 0;
    r.seed_unparsed = true;
  }

  // Filter: up to its NUL; a missing filter (qstat page 2+) or a missing NUL is tolerated.
  if (!r.filter_missing) {
    if (rest.empty()) {
      r.filter_missing = true;
    } else {
      size_t fnul = rest.find('\0');
      if (fnul == std::string_view::npos) r.filter_unterminated = true;
      r.filter.assign(rest.substr(0, fnul));
    }
  }
  if (error) *error = RequestError::kNone;
  return r;
}

}  // namespace outpost::master
