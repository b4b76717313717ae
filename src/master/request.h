// Master Server Query Protocol requests, both ways (docs/spec/master.md §2): the player side's
// ServerBrowser builds them with encodeMasterRequest, the hub's master port reads them with
// parseMasterRequest:
//
//   byte 0x31 | byte region | string seed "a.b.c.d:port" | string filter "\key\value..."
//
// The parser is deliberately lenient in the ways real clients need (docs/spec/master.md §2.2):
// the seed is read like atoi (a leading a.b.c.d[:port], trailing junk ignored: qstat 2.17 sends a
// stale byte after the seed on page 2+), a missing seed terminator or a missing filter string is
// an empty filter. It rejects only datagrams that cannot be a request. Pure function, no state,
// safe on any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace outpost::master {

// Datagram size limits. A request is at most kMaxRequestBytes (the same bound Valve keeps for
// replies); anything longer is not a request but an attempt to make us parse a lot.
inline constexpr size_t kMaxRequestBytes = 1400;
inline constexpr uint8_t kRequestType = 0x31;  // '1'
inline constexpr uint8_t kRegionAll = 0xFF;

struct MasterRequest {
  uint8_t region = kRegionAll;
  // Seed, host byte order: the reply lists servers strictly after (seed_ip, seed_port).
  // 0.0.0.0:0 asks for the first page.
  uint32_t seed_ip = 0;
  uint16_t seed_port = 0;
  // Filter text without its terminator; empty when absent.
  std::string filter;

  // Leniency that was applied (counted by the server, never a reason to drop):
  bool seed_trailing_junk = false;   // bytes after a.b.c.d[:port] inside the seed string (qstat)
  bool seed_unparsed = false;        // the seed did not start with a.b.c.d: treated as 0.0.0.0:0
  bool seed_unterminated = false;    // no NUL after the seed: the seed ran to the end of datagram
  bool filter_missing = false;       // no filter string at all (qstat page 2+): empty filter
  bool filter_unterminated = false;  // filter without its NUL: the rest of the datagram is used
};

enum class RequestError : uint8_t {
  kNone = 0,
  kEmpty,      // zero-length datagram
  kWrongType,  // first byte is not 0x31
  kNoSeed,     // type byte and region only (or less): nothing to page from
  kTooLong,    // more than kMaxRequestBytes
};

// Stable lower_snake_case name for counters and logs ("wrong_type", ...). "none" for kNone.
const char* requestErrorName(RequestError e);

// Parses one datagram. Returns the request, or nullopt and sets *error (if non-null) to the
// reason. Never reads outside `datagram`; never throws; allocates only the filter string.
[[nodiscard]] std::optional<MasterRequest> parseMasterRequest(std::span<const uint8_t> datagram, RequestError* error);

// The leading "a.b.c.d[:port]" of `text`, atoi style: each octet 1-3 digits <= 255, the port
// 1-5 digits <= 65535 (absent or unreadable port = 0). Returns false if `text` does not start with
// a full dotted quad; `consumed` (if non-null) gets the number of bytes used. Exposed for
// \gameaddr\ and the tests.
bool parseLeadingIpv4Port(std::string_view text, uint32_t* ip, uint16_t* port, bool* has_port, size_t* consumed);

// "a.b.c.d:port" (host byte order in, text out). Used to build seeds in tests and tools.
std::string formatIpv4Port(uint32_t ip, uint16_t port);

// Encodes a request datagram (type, region, seed, filter, both NUL-terminated).
std::vector<uint8_t> encodeMasterRequest(uint8_t region, uint32_t seed_ip, uint16_t seed_port, std::string_view filter);

}  // namespace outpost::master
