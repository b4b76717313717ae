// MasterResponder (see master_responder.h): the ordered drop checks for one master query datagram
// and the counters. Runs on MasterServer's receive thread (handle) and on any thread (publish,
// counters). The protocol is the master codec's (src/master: request.cpp parses, filter.cpp
// filters, index.cpp builds pages); buckets are in master_rate_limiter.cpp, the socket and thread
// in master_server.cpp.
#include "hub/master_responder.h"

#include <algorithm>
#include <utility>

namespace outpost::hub {

const char* counterName(MasterCounter c) {
  switch (c) {
    case MasterCounter::kReceived: return "received";
    case MasterCounter::kReplied: return "replied";
    case MasterCounter::kReplyBytes: return "reply_bytes";
    case MasterCounter::kServersListed: return "servers_listed";
    case MasterCounter::kLastPages: return "last_pages";
    case MasterCounter::kDropped: return "dropped";
    case MasterCounter::kDroppedEmpty: return "dropped_empty";
    case MasterCounter::kDroppedTooLong: return "dropped_too_long";
    case MasterCounter::kDroppedWrongType: return "dropped_wrong_type";
    case MasterCounter::kDroppedNoSeed: return "dropped_no_seed";
    case MasterCounter::kDroppedBadSource: return "dropped_bad_source";
    case MasterCounter::kDroppedNoSnapshot: return "dropped_no_snapshot";
    case MasterCounter::kDroppedFilterTooLong: return "dropped_filter_too_long";
    case MasterCounter::kDroppedFilterTooManyConditions: return "dropped_filter_too_many_conditions";
    case MasterCounter::kDroppedFilterTooDeep: return "dropped_filter_too_deep";
    case MasterCounter::kDroppedFilterBadGroupCount: return "dropped_filter_bad_group_count";
    case MasterCounter::kDroppedScanLimit: return "dropped_scan_limit";
    case MasterCounter::kDroppedRateSourceRequests: return "dropped_rate_source_requests";
    case MasterCounter::kDroppedRateGlobalRequests: return "dropped_rate_global_requests";
    case MasterCounter::kDroppedRateSourceBytes: return "dropped_rate_source_bytes";
    case MasterCounter::kDroppedRateGlobalBytes: return "dropped_rate_global_bytes";
    case MasterCounter::kDroppedSendFailed: return "dropped_send_failed";
    case MasterCounter::kLenientSeedTrailingJunk: return "lenient_seed_trailing_junk";
    case MasterCounter::kLenientSeedUnparsed: return "lenient_seed_unparsed";
    case MasterCounter::kLenientSeedUnterminated: return "lenient_seed_unterminated";
    case MasterCounter::kLenientFilterMissing: return "lenient_filter_missing";
    case MasterCounter::kLenientFilterUnterminated: return "lenient_filter_unterminated";
    case MasterCounter::kSourcesEvicted: return "sources_evicted";
    case MasterCounter::kScanWork: return "scan_work";
    case MasterCounter::kPagesCut: return "pages_cut";
    case MasterCounter::kCount: break;
  }
  return "unknown";
}

MasterResponder::MasterResponder(const MasterRateLimits& limits, base::TimeUs now)
    : limits_(limits), limiter_(limits, now) {}

void MasterResponder::publish(std::shared_ptr<const master::MasterIndex> index) {
  std::shared_ptr<const master::MasterIndex> old;
  {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    old = std::exchange(snapshot_, std::move(index));
  }
  // `old` is released here, outside the lock (freeing a large snapshot takes a while).
}

std::shared_ptr<const master::MasterIndex> MasterResponder::snapshot() const {
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  return snapshot_;
}

bool MasterResponder::drop(MasterCounter reason, const base::SocketAddress& from) {
  bump(reason);
  bump(MasterCounter::kDropped);
  if (log_limiter_.allow())
    OUTPOST_LOG_DEBUG("master: dropped datagram from %s: %s", from.toString().c_str(), counterName(reason));
  return false;
}

void MasterResponder::countSendFailure(size_t bytes) {
  counters_[static_cast<size_t>(MasterCounter::kReplied)].fetch_sub(1, std::memory_order_relaxed);
  counters_[static_cast<size_t>(MasterCounter::kReplyBytes)].fetch_sub(bytes, std::memory_order_relaxed);
  bump(MasterCounter::kDroppedSendFailed);
  bump(MasterCounter::kDropped);
}

bool MasterResponder::handle(std::span<const uint8_t> datagram, const base::SocketAddress& from, base::TimeUs now,
                             std::vector<uint8_t>& reply) {
  reply.clear();
  bump(MasterCounter::kReceived);

  // 1-4. Drop what cannot be a request (request.cpp names each check and why). Parsing comes
  //      before the rate limiter so that garbage from spoofed sources cannot push honest
  //      sources out of the limiter's table.
  master::RequestError error = master::RequestError::kNone;
  std::optional<master::MasterRequest> request = parseMasterRequest(datagram, &error);
  if (!request) {
    switch (error) {
      case master::RequestError::kEmpty: return drop(MasterCounter::kDroppedEmpty, from);
      case master::RequestError::kTooLong: return drop(MasterCounter::kDroppedTooLong, from);
      case master::RequestError::kWrongType: return drop(MasterCounter::kDroppedWrongType, from);
      case master::RequestError::kNoSeed:
      case master::RequestError::kNone: return drop(MasterCounter::kDroppedNoSeed, from);
    }
  }
  if (request->seed_trailing_junk) bump(MasterCounter::kLenientSeedTrailingJunk);
  if (request->seed_unparsed) bump(MasterCounter::kLenientSeedUnparsed);
  if (request->seed_unterminated) bump(MasterCounter::kLenientSeedUnterminated);
  if (request->filter_missing) bump(MasterCounter::kLenientFilterMissing);
  if (request->filter_unterminated) bump(MasterCounter::kLenientFilterUnterminated);

  // 5. Drop if the source port is 0: no reply can reach it (and only forged packets have it).
  if (!from.valid() || from.port() == 0) return drop(MasterCounter::kDroppedBadSource, from);

  // 6. Drop if the source (or everyone) asks too often: bounds the CPU spent scanning.
  SourceRateLimiter::Key key;
  from.ip16(key.data());
  if (from.isV6()) std::fill(key.begin() + 8, key.end(), uint8_t{0});  // one source per IPv6 /64
  uint64_t evictions_before = limiter_.evictions();
  RateVerdict verdict = limiter_.admitRequest(key, now);
  bump(MasterCounter::kSourcesEvicted, limiter_.evictions() - evictions_before);
  sources_tracked_.store(limiter_.trackedSources(), std::memory_order_relaxed);
  if (verdict == RateVerdict::kSourceRequests) return drop(MasterCounter::kDroppedRateSourceRequests, from);
  if (verdict == RateVerdict::kGlobalRequests) return drop(MasterCounter::kDroppedRateGlobalRequests, from);

  // 7. Drop if there is no list yet: an empty answer would tell clients "no servers" and they
  //    would cache it; silence makes them retry.
  std::shared_ptr<const master::MasterIndex> index = snapshot();
  if (!index) return drop(MasterCounter::kDroppedNoSnapshot, from);

  // 8. Drop if the filter exceeds its limits (CPU exhaustion, stack exhaustion).
  master::FilterError filter_error = master::FilterError::kNone;
  std::optional<master::Filter> filter = master::Filter::parse(request->filter, &filter_error);
  if (!filter) {
    switch (filter_error) {
      case master::FilterError::kTooLong: return drop(MasterCounter::kDroppedFilterTooLong, from);
      case master::FilterError::kTooManyConditions: return drop(MasterCounter::kDroppedFilterTooManyConditions, from);
      case master::FilterError::kTooDeep: return drop(MasterCounter::kDroppedFilterTooDeep, from);
      case master::FilterError::kBadGroupCount:
      case master::FilterError::kNone: return drop(MasterCounter::kDroppedFilterBadGroupCount, from);
    }
  }

  master::ReplyInfo info = index->reply(*request, *filter, reply, limits_.max_scan_work_per_request);
  bump(MasterCounter::kScanWork, info.work);

  // 9. Charge the scan's CPU to the source and to everyone: one request token per
  //    scan_work_per_request_token units beyond the first (CPU exhaustion by costly filters).
  double extra_tokens = static_cast<double>(info.work) / limits_.scan_work_per_request_token - 1.0;
  if (extra_tokens > 0) limiter_.chargeRequests(key, extra_tokens, now);

  // 10. Drop if the work budget ran out before anything matched: there is nothing to list, and
  //     a page cannot say "continue from here" without listing a server.
  if (info.status == master::ReplyStatus::kScanLimit) return drop(MasterCounter::kDroppedScanLimit, from);
  if (info.cut) bump(MasterCounter::kPagesCut);

  // 11. Drop if the reply would exceed the source's or the global reply-byte budget: the
  //    amplification bound (a spoofed request makes us send up to ~466x its size).
  verdict = limiter_.admitReply(key, reply.size(), now);
  if (verdict != RateVerdict::kAllow) {
    reply.clear();
    return drop(verdict == RateVerdict::kSourceBytes ? MasterCounter::kDroppedRateSourceBytes
                                                     : MasterCounter::kDroppedRateGlobalBytes,
                from);
  }
  bump(MasterCounter::kReplied);
  bump(MasterCounter::kReplyBytes, reply.size());
  bump(MasterCounter::kServersListed, info.servers);
  if (info.last_page) bump(MasterCounter::kLastPages);
  return true;
}

std::map<std::string, uint64_t> MasterResponder::counters() const {
  std::map<std::string, uint64_t> out;
  for (size_t i = 0; i < static_cast<size_t>(MasterCounter::kCount); ++i)
    out[counterName(static_cast<MasterCounter>(i))] = counters_[i].load(std::memory_order_relaxed);
  out["sources_tracked"] = sources_tracked_.load(std::memory_order_relaxed);
  std::shared_ptr<const master::MasterIndex> index = snapshot();
  out["servers_published"] = index ? index->size() : 0;
  return out;
}

}  // namespace outpost::hub
