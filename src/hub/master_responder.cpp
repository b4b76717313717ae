// MasterResponder (see master_responder.h): the ordered drop checks for one master query datagram
// and the counters. Runs on MasterServer's receive thread (handle) and on any thread (publish,
// counters). The protocol is the master codec's (src/master: request.cpp parses, filter.cpp
// filters, index.cpp builds pages); buckets are in master_rate_limiter.cpp, the socket and thread
// in master_server.cpp.
#include "hub/master_responder.h"

#include <algorithm>
#include <utility>

namespace outpost::master {

const char* counterName(Counter c) {
  switch (c) {
    case Counter::kReceived: return "received";
    case Counter::kReplied: return "replied";
    case Counter::kReplyBytes: return "reply_bytes";
    case Counter::kServersListed: return "servers_listed";
    case Counter::kLastPages: return "last_pages";
    case Counter::kDropped: return "dropped";
    case Counter::kDroppedEmpty: return "dropped_empty";
    case Counter::kDroppedTooLong: return "dropped_too_long";
    case Counter::kDroppedWrongType: return "dropped_wrong_type";
    case Counter::kDroppedNoSeed: return "dropped_no_seed";
    case Counter::kDroppedBadSource: return "dropped_bad_source";
    case Counter::kDroppedNoSnapshot: return "dropped_no_snapshot";
    case Counter::kDroppedFilterTooLong: return "dropped_filter_too_long";
    case Counter::kDroppedFilterTooManyConditions: return "dropped_filter_too_many_conditions";
    case Counter::kDroppedFilterTooDeep: return "dropped_filter_too_deep";
    case Counter::kDroppedFilterBadGroupCount: return "dropped_filter_bad_group_count";
    case Counter::kDroppedScanLimit: return "dropped_scan_limit";
    case Counter::kDroppedRateSourceRequests: return "dropped_rate_source_requests";
    case Counter::kDroppedRateGlobalRequests: return "dropped_rate_global_requests";
    case Counter::kDroppedRateSourceBytes: return "dropped_rate_source_bytes";
    case Counter::kDroppedRateGlobalBytes: return "dropped_rate_global_bytes";
    case Counter::kDroppedSendFailed: return "dropped_send_failed";
    case Counter::kLenientSeedTrailingJunk: return "lenient_seed_trailing_junk";
    case Counter::kLenientSeedUnparsed: return "lenient_seed_unparsed";
    case Counter::kLenientSeedUnterminated: return "lenient_seed_unterminated";
    case Counter::kLenientFilterMissing: return "lenient_filter_missing";
    case Counter::kLenientFilterUnterminated: return "lenient_filter_unterminated";
    case Counter::kSourcesEvicted: return "sources_evicted";
    case Counter::kScanWork: return "scan_work";
    case Counter::kPagesCut: return "pages_cut";
    case Counter::kCount: break;
  }
  return "unknown";
}

MasterResponder::MasterResponder(const MasterRateLimits& limits, TimeUs now) : limits_(limits), limiter_(limits, now) {}

void MasterResponder::publish(std::shared_ptr<const MasterIndex> index) {
  std::shared_ptr<const MasterIndex> old;
  {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    old = std::exchange(snapshot_, std::move(index));
  }
  // `old` is released here, outside the lock (freeing a large snapshot takes a while).
}

std::shared_ptr<const MasterIndex> MasterResponder::snapshot() const {
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  return snapshot_;
}

bool MasterResponder::drop(Counter reason, const SocketAddress& from) {
  bump(reason);
  bump(Counter::kDropped);
  if (log_limiter_.allow())
    OUTPOST_LOG_DEBUG("master: dropped datagram from %s: %s", from.toString().c_str(), counterName(reason));
  return false;
}

void MasterResponder::countSendFailure(size_t bytes) {
  counters_[static_cast<size_t>(Counter::kReplied)].fetch_sub(1, std::memory_order_relaxed);
  counters_[static_cast<size_t>(Counter::kReplyBytes)].fetch_sub(bytes, std::memory_order_relaxed);
  bump(Counter::kDroppedSendFailed);
  bump(Counter::kDropped);
}

bool MasterResponder::handle(std::span<const uint8_t> datagram, const SocketAddress& from, TimeUs now,
                             std::vector<uint8_t>& reply) {
  reply.clear();
  bump(Counter::kReceived);

  // 1-4. Drop what cannot be a request (request.cpp names each check and why). Parsing comes
  //      before the rate limiter so that garbage from spoofed sources cannot push honest
  //      sources out of the limiter's table.
  RequestError error = RequestError::kNone;
  std::optional<MasterRequest> request = parseMasterRequest(datagram, &error);
  if (!request) {
    switch (error) {
      case RequestError::kEmpty: return drop(Counter::kDroppedEmpty, from);
      case RequestError::kTooLong: return drop(Counter::kDroppedTooLong, from);
      case RequestError::kWrongType: return drop(Counter::kDroppedWrongType, from);
      case RequestError::kNoSeed:
      case RequestError::kNone: return drop(Counter::kDroppedNoSeed, from);
    }
  }
  if (request->seed_trailing_junk) bump(Counter::kLenientSeedTrailingJunk);
  if (request->seed_unparsed) bump(Counter::kLenientSeedUnparsed);
  if (request->seed_unterminated) bump(Counter::kLenientSeedUnterminated);
  if (request->filter_missing) bump(Counter::kLenientFilterMissing);
  if (request->filter_unterminated) bump(Counter::kLenientFilterUnterminated);

  // 5. Drop if the source port is 0: no reply can reach it (and only forged packets have it).
  if (!from.valid() || from.port() == 0) return drop(Counter::kDroppedBadSource, from);

  // 6. Drop if the source (or everyone) asks too often: bounds the CPU spent scanning.
  SourceRateLimiter::Key key;
  from.ip16(key.data());
  if (from.isV6()) std::fill(key.begin() + 8, key.end(), uint8_t{0});  // one source per IPv6 /64
  uint64_t evictions_before = limiter_.evictions();
  RateVerdict verdict = limiter_.admitRequest(key, now);
  bump(Counter::kSourcesEvicted, limiter_.evictions() - evictions_before);
  sources_tracked_.store(limiter_.trackedSources(), std::memory_order_relaxed);
  if (verdict == RateVerdict::kSourceRequests) return drop(Counter::kDroppedRateSourceRequests, from);
  if (verdict == RateVerdict::kGlobalRequests) return drop(Counter::kDroppedRateGlobalRequests, from);

  // 7. Drop if there is no list yet: an empty answer would tell clients "no servers" and they
  //    would cache it; silence makes them retry.
  std::shared_ptr<const MasterIndex> index = snapshot();
  if (!index) return drop(Counter::kDroppedNoSnapshot, from);

  // 8. Drop if the filter exceeds its limits (CPU exhaustion, stack exhaustion).
  FilterError filter_error = FilterError::kNone;
  std::optional<Filter> filter = Filter::parse(request->filter, &filter_error);
  if (!filter) {
    switch (filter_error) {
      case FilterError::kTooLong: return drop(Counter::kDroppedFilterTooLong, from);
      case FilterError::kTooManyConditions: return drop(Counter::kDroppedFilterTooManyConditions, from);
      case FilterError::kTooDeep: return drop(Counter::kDroppedFilterTooDeep, from);
      case FilterError::kBadGroupCount:
      case FilterError::kNone: return drop(Counter::kDroppedFilterBadGroupCount, from);
    }
  }

  ReplyInfo info = index->reply(*request, *filter, reply, limits_.max_scan_work_per_request);
  bump(Counter::kScanWork, info.work);

  // 9. Charge the scan's CPU to the source and to everyone: one request token per
  //    scan_work_per_request_token units beyond the first (CPU exhaustion by costly filters).
  double extra_tokens = static_cast<double>(info.work) / limits_.scan_work_per_request_token - 1.0;
  if (extra_tokens > 0) limiter_.chargeRequests(key, extra_tokens, now);

  // 10. Drop if the work budget ran out before anything matched: there is nothing to list, and
  //     a page cannot say "continue from here" without listing a server.
  if (info.status == ReplyStatus::kScanLimit) return drop(Counter::kDroppedScanLimit, from);
  if (info.cut) bump(Counter::kPagesCut);

  // 11. Drop if the reply would exceed the source's or the global reply-byte budget: the
  //    amplification bound (a spoofed request makes us send up to ~466x its size).
  verdict = limiter_.admitReply(key, reply.size(), now);
  if (verdict != RateVerdict::kAllow) {
    reply.clear();
    return drop(
        verdict == RateVerdict::kSourceBytes ? Counter::kDroppedRateSourceBytes : Counter::kDroppedRateGlobalBytes,
        from);
  }
  bump(Counter::kReplied);
  bump(Counter::kReplyBytes, reply.size());
  bump(Counter::kServersListed, info.servers);
  if (info.last_page) bump(Counter::kLastPages);
  return true;
}

std::map<std::string, uint64_t> MasterResponder::counters() const {
  std::map<std::string, uint64_t> out;
  for (size_t i = 0; i < static_cast<size_t>(Counter::kCount); ++i)
    out[counterName(static_cast<Counter>(i))] = counters_[i].load(std::memory_order_relaxed);
  out["sources_tracked"] = sources_tracked_.load(std::memory_order_relaxed);
  std::shared_ptr<const MasterIndex> index = snapshot();
  out["servers_published"] = index ? index->size() : 0;
  return out;
}

}  // namespace outpost::master
