// Master Server Query Protocol reply pages, both ways (docs/spec/master.md §3.1):
//
//   FF FF FF FF 66 0A | entries of 6 bytes: IPv4 address (network order) + port (big-endian)
//
// A page lists up to 231 servers; the entry 0.0.0.0:0 ends the list (the last page). The hub's
// MasterIndex (index.h) writes pages with writeReplyEntry; the player side's ServerBrowser reads
// them with parseReplyPage. Pure functions, safe on any thread, never read outside their input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace outpost::master {

inline constexpr size_t kMaxReplyBytes = 1400;
inline constexpr size_t kReplyHeaderBytes = 6;  // FF FF FF FF 66 0A
inline constexpr size_t kReplyEntryBytes = 6;   // IPv4 (network order) + port (big-endian)
// 6 + 232 * 6 = 1398 <= 1400: at most 232 entries per datagram, terminator included.
inline constexpr size_t kMaxEntriesPerReply = (kMaxReplyBytes - kReplyHeaderBytes) / kReplyEntryBytes;
inline constexpr uint8_t kReplyHeader[kReplyHeaderBytes] = {0xFF, 0xFF, 0xFF, 0xFF, 0x66, 0x0A};

// One listed server: IPv4 address and query port, host byte order. 0.0.0.0:0 is the terminator.
struct PageEntry {
  uint32_t ip = 0;
  uint16_t port = 0;
  bool operator==(const PageEntry&) const = default;
};

// Writes one 6-byte entry at out[0..6).
void writeReplyEntry(uint8_t* out, const PageEntry& entry);

// A whole page: the header, `servers` (at most kMaxEntriesPerReply, fewer with the terminator;
// the rest is not written) and, when `last`, the terminator. For tests and tools; the hub builds
// its pages in place (MasterIndex::reply).
std::vector<uint8_t> encodeReplyPage(std::span<const PageEntry> servers, bool last);

struct ReplyPage {
  std::vector<PageEntry> servers;  // in page order, the terminator not included
  bool last = false;               // the terminator was seen
};

// One reply datagram. nullopt unless it starts with the header. Entries are read up to the
// terminator (bytes after it are ignored), and a trailing partial entry is ignored.
std::optional<ReplyPage> parseReplyPage(std::span<const uint8_t> datagram);

}  // namespace outpost::master
