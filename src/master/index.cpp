// MasterIndex (see index.h): sorting and de-duplicating the hub's records once per snapshot, and
// building reply pages from a seed (binary search) and a filter (forward scan until the page is
// full). Construction runs on the hub's thread; reply() runs on the master server's thread and
// only reads the snapshot. The filter semantics are in filter.cpp, the page bytes in
// reply_page.cpp; the socket, rate limits and counters in src/hub/master_*.cpp.
#include "master/index.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace outpost::master {

namespace {

bool keyLess(const ServerRecord& a, const ServerRecord& b) {
  if (a.ip != b.ip) return a.ip < b.ip;
  return a.query_port < b.query_port;
}

}  // namespace

MasterIndex::MasterIndex(std::vector<ServerRecord> records, IndexOptions options) : options_(options) {
  size_t before = records.size();
  records.erase(std::remove_if(records.begin(), records.end(), [](const ServerRecord& r) { return r.ip == 0; }),
                records.end());
  dropped_zero_ip_ = before - records.size();
  // Stable: among duplicates of one (ip, port) the record the hub gave first is kept.
  std::stable_sort(records.begin(), records.end(), keyLess);
  auto same_key = [](const ServerRecord& a, const ServerRecord& b) {
    return a.ip == b.ip && a.query_port == b.query_port;
  };
  size_t sorted = records.size();
  records.erase(std::unique(records.begin(), records.end(), same_key), records.end());
  dropped_duplicates_ = sorted - records.size();
  records.shrink_to_fit();
  records_ = std::move(records);
}

size_t MasterIndex::after(uint32_t ip, uint16_t port) const {
  auto it = std::upper_bound(records_.begin(), records_.end(), std::make_pair(ip, port),
                             [](const std::pair<uint32_t, uint16_t>& key, const ServerRecord& r) {
                               if (key.first != r.ip) return key.first < r.ip;
                               return key.second < r.query_port;
                             });
  return static_cast<size_t>(it - records_.begin());
}

size_t MasterIndex::firstOfIp(uint32_t ip) const {
  auto it = std::lower_bound(records_.begin(), records_.end(), ip,
                             [](const ServerRecord& r, uint32_t key) { return r.ip < key; });
  return static_cast<size_t>(it - records_.begin());
}

size_t MasterIndex::afterIp(uint32_t ip) const {
  auto it = std::upper_bound(records_.begin(), records_.end(), ip,
                             [](uint32_t key, const ServerRecord& r) { return key < r.ip; });
  return static_cast<size_t>(it - records_.begin());
}

ReplyInfo MasterIndex::reply(const MasterRequest& request, std::vector<uint8_t>& out, uint64_t max_scan_work) const {
  FilterError error = FilterError::kNone;
  std::optional<Filter> filter = Filter::parse(request.filter, &error);
  if (!filter) {
    out.clear();
    ReplyInfo info;
    info.status = ReplyStatus::kBadFilter;
    info.filter_error = error;
    return info;
  }
  return reply(request, *filter, out, max_scan_work);
}

ReplyInfo MasterIndex::reply(const MasterRequest& request, const Filter& filter, std::vector<uint8_t>& out,
                             uint64_t max_scan_work) const {
  // Sized for the largest page up front, trimmed at the end: no reallocation while writing.
  out.assign(kMaxReplyBytes, 0);
  std::memcpy(out.data(), kReplyHeader, kReplyHeaderBytes);
  size_t used = kReplyHeaderBytes;

  ReplyInfo info;
  const bool by_region = options_.filter_by_region && request.region != kRegionAll;
  auto matches = [&](const ServerRecord& r) {
    ++info.work;  // the record itself, even when the filter is empty
    if (by_region && r.region != request.region) return false;
    return filter.matches(r, &info.work);
  };
  const bool collapse = filter.collapseAddrHash();
  const size_t n = records_.size();

  size_t i = after(request.seed_ip, request.seed_port);
  if (collapse && i < n && records_[i].ip == request.seed_ip) {
    // The page continues inside the seed's IP. If a server of that IP at or before the seed
    // matches, that IP was already listed (with its lowest matching port) on an earlier page:
    // skip the rest of it. Bounded by the number of servers on one IP.
    for (size_t j = firstOfIp(request.seed_ip); j < i; ++j) {
      if (matches(records_[j])) {
        i = afterIp(request.seed_ip);
        break;
      }
    }
  }

  while (i < n) {
    // CPU bound: a hostile filter or a huge list ends the page early; the client continues
    // after the last server listed.
    if (info.work >= max_scan_work) {
      info.cut = true;
      break;
    }
    const ServerRecord& r = records_[i];
    if (!matches(r)) {
      ++i;
      continue;
    }
    writeReplyEntry(out.data() + used, PageEntry{r.ip, r.query_port});
    used += kReplyEntryBytes;
    ++info.servers;
    // Collapse: this is the lowest matching port of its IP; the rest of the IP is skipped.
    i = collapse ? afterIp(r.ip) : i + 1;
    if (info.servers == kMaxEntriesPerReply) break;  // full: no room for the terminator
  }
  if (info.cut && info.servers == 0) {
    // Nothing to list and no way to say "continue from here" without listing a server.
    out.clear();
    info.status = ReplyStatus::kScanLimit;
    return info;
  }
  // The terminator only if the scan reached the end of the list with room left for it.
  if (!info.cut && info.servers < kMaxEntriesPerReply) {
    writeReplyEntry(out.data() + used, PageEntry{});
    used += kReplyEntryBytes;
    info.last_page = true;
  }
  out.resize(used);
  return info;
}

std::shared_ptr<const MasterIndex> makeMasterIndex(std::vector<ServerRecord> records, IndexOptions options) {
  return std::make_shared<const MasterIndex>(std::move(records), options);
}

}  // namespace outpost::master
