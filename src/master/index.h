// MasterIndex: an immutable snapshot of the server list, sorted by (ip, query_port), that
// answers master query requests one reply page at a time (docs/spec/master.md §3).
//
// The hub builds a new MasterIndex whenever its registry changes (or on a timer) and publishes
// it to MasterServer::publish(); requests in flight keep the snapshot they started with through
// the shared_ptr. Paging is stateless: a page lists the matching servers strictly after the
// request's seed, so a client walking the list with the last address of each page sees every
// server that stayed listed exactly once, even across snapshot swaps.
//
// Cost of reply(): O(log n) to find the seed plus one Filter::matches() per record scanned; the
// scan stops when the page is full (232 servers) or its work budget is spent, so a client
// walking an n-server list scans each record once over the whole walk. All const methods are
// safe from any number of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "master/filter.h"
#include "master/reply_page.h"
#include "master/request.h"
#include "master/server_record.h"

namespace outpost::master {

struct IndexOptions {
  // Honour the request's region byte: list only servers whose ServerRecord::region equals it
  // (0xFF in the request still means all). Off by default: without GeoIP the region a server
  // registers with is self-declared, and clients mostly send 0xFF.
  bool filter_by_region = false;
};

// Default CPU budget of one page, in Filter work units (filter.h) plus one per record scanned.
// A full scan of 10,000 servers with a typical 3-5 condition filter costs ~40,000 units;
// 1,000,000 units are ~2-4 ms of CPU on the 2-core test machine.
inline constexpr uint64_t kDefaultMaxScanWork = 1000000;

enum class ReplyStatus : uint8_t {
  kOk = 0,
  kBadFilter,  // the filter exceeded a limit (ReplyInfo::filter_error says which); out is empty
  kScanLimit,  // the work budget ran out before any server matched; out is empty
};

struct ReplyInfo {
  ReplyStatus status = ReplyStatus::kOk;
  FilterError filter_error = FilterError::kNone;
  size_t servers = 0;      // server entries in the page (the terminator not counted)
  bool last_page = false;  // the page ends with the 0.0.0.0:0 terminator
  bool cut = false;        // the work budget ended the scan (the page has no terminator)
  uint64_t work = 0;       // work units spent: records scanned + Filter work
};

class MasterIndex {
 public:
  // Takes the records (by value: move them in), sorts them by (ip, query_port) and drops
  // records the protocol cannot list: ip 0.0.0.0 (it would read as the terminator or as the
  // first-page seed), and every record after the first with the same (ip, query_port) (a
  // duplicate key would break paging). The counts are kept for the hub's logs.
  explicit MasterIndex(std::vector<ServerRecord> records, IndexOptions options = {});

  size_t size() const { return records_.size(); }
  size_t droppedZeroIp() const { return dropped_zero_ip_; }
  size_t droppedDuplicates() const { return dropped_duplicates_; }
  // The listed records in page order.
  const std::vector<ServerRecord>& records() const { return records_; }

  // Builds the reply page for `request` into `out` (cleared first): the header, then up to 232
  // servers that match the request's filter and come strictly after its seed, in (ip, port)
  // order; if the scan reached the end of the list with room to spare, the 0.0.0.0:0
  // terminator follows (an empty result is exactly header + terminator, 12 bytes). The seed
  // itself is never repeated. `out` never exceeds kMaxReplyBytes.
  // The scan stops early once it has spent `max_scan_work` units (ReplyInfo::work): a page
  // with servers is then returned without terminator (the client continues after its last
  // server, so nothing is lost); a page without any returns kScanLimit and leaves `out` empty.
  // If the filter exceeds a limit, returns kBadFilter and leaves `out` empty. In both failure
  // cases the caller drops the request.
  [[nodiscard]] ReplyInfo reply(const MasterRequest& request, std::vector<uint8_t>& out,
                                uint64_t max_scan_work = kDefaultMaxScanWork) const;

  // Same, with a filter the caller already parsed from request.filter (request.filter is then
  // ignored). Fails only with kScanLimit.
  [[nodiscard]] ReplyInfo reply(const MasterRequest& request, const Filter& filter, std::vector<uint8_t>& out,
                                uint64_t max_scan_work = kDefaultMaxScanWork) const;

 private:
  // First record strictly after (ip, port).
  size_t after(uint32_t ip, uint16_t port) const;
  // First record whose ip is `ip` or greater.
  size_t firstOfIp(uint32_t ip) const;
  // First record whose ip is greater than `ip`.
  size_t afterIp(uint32_t ip) const;

  std::vector<ServerRecord> records_;
  IndexOptions options_;
  size_t dropped_zero_ip_ = 0;
  size_t dropped_duplicates_ = 0;
};

// Convenience for the hub: builds a snapshot ready for MasterServer::publish().
std::shared_ptr<const MasterIndex> makeMasterIndex(std::vector<ServerRecord> records, IndexOptions options = {});

}  // namespace outpost::master
