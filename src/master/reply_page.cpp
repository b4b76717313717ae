// Master reply pages (see reply_page.h; docs/spec/master.md §3.1). Written on the hub's master
// thread (writeReplyEntry, from MasterIndex::reply), read on a ServerBrowser caller's thread.
#include "master/reply_page.h"

#include <algorithm>
#include <cstring>

namespace outpost::master {

void writeReplyEntry(uint8_t* out, const PageEntry& e) {
  out[0] = static_cast<uint8_t>(e.ip >> 24);
  out[1] = static_cast<uint8_t>(e.ip >> 16);
  out[2] = static_cast<uint8_t>(e.ip >> 8);
  out[3] = static_cast<uint8_t>(e.ip);
  out[4] = static_cast<uint8_t>(e.port >> 8);
  out[5] = static_cast<uint8_t>(e.port);
}

std::vector<uint8_t> encodeReplyPage(std::span<const PageEntry> servers, bool last) {
  const size_t room = last ? kMaxEntriesPerReply - 1 : kMaxEntriesPerReply;
  const size_t n = std::min(servers.size(), room);
  std::vector<uint8_t> out(kReplyHeaderBytes + (n + (last ? 1 : 0)) * kReplyEntryBytes);
  std::memcpy(out.data(), kReplyHeader, kReplyHeaderBytes);
  for (size_t i = 0; i < n; ++i) writeReplyEntry(out.data() + kReplyHeaderBytes + i * kReplyEntryBytes, servers[i]);
  if (last) writeReplyEntry(out.data() + out.size() - kReplyEntryBytes, PageEntry{});
  return out;
}

std::optional<ReplyPage> parseReplyPage(std::span<const uint8_t> d) {
  if (d.size() < kReplyHeaderBytes || std::memcmp(d.data(), kReplyHeader, kReplyHeaderBytes) != 0) return std::nullopt;
  ReplyPage page;
  for (size_t i = kReplyHeaderBytes; i + kReplyEntryBytes <= d.size(); i += kReplyEntryBytes) {
    const uint8_t* p = d.data() + i;
    PageEntry e{(uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3],
                static_cast<uint16_t>((p[4] << 8) | p[5])};
    if (e == PageEntry{}) {
      page.last = true;
      break;
    }
    page.servers.push_back(e);
  }
  return page;
}

}  // namespace outpost::master
