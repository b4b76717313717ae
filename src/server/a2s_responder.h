// A2sResponder: a game server's answers to Valve server queries (A2S; docs/spec/a2s.md) with no
// socket and no clock of its own. A datagram goes in with its source address and the current
// time; zero or more datagrams come out, each addressed to that source. The bytes are the A2S
// codec's (src/a2s/: request.h parses, reply.h and split.h encode); this file adds what needs
// state: challenges, rate limits and counters. Used by A2sQuerySocket (own query port) and, in
// GameSocketShare mode, directly by GameServer's handleIncomingPacket / getNextOutgoingPacket.
//
// Security (docs/spec/a2s.md §5, §6):
//   * INFO, PLAYER and RULES are answered with data only when they carry a valid challenge: the
//     low 4 bytes of a SipHash-2-4 MAC over (source IP, source port, time window). A request
//     without one gets only the 9-byte S2C_CHALLENGE, never more bytes than it sent. The check is
//     stateless: nothing is stored for an unverified address.
//   * A challenge is accepted in its own window and the next one (so it lives between one and two
//     `challenge_window_us`), for all three request types, only from the address it was issued to.
//   * Data replies are limited per source IP (token bucket in a bounded LRU table, entered only
//     by verified sources) and globally (reply bytes); challenges are limited globally.
//   * Every datagram that gets no reply is counted once, by reason (A2sCounters).
//
// Thread safety: handle() must be called by one thread at a time. update(), counters(),
// challengeFor() and countSendFailure() may be called from any thread concurrently with handle().
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "a2s/wire.h"
#include "base/address.h"
#include "base/clock.h"
#include "outpost/server_info.h"

namespace outpost::server {

struct A2sResponderOptions {
  // Challenge lifetime unit: a challenge is valid in the window it was issued in and the next.
  // Range [1 s, 10 min].
  base::TimeUs challenge_window_us = 30'000'000;
  // Data replies (INFO/PLAYER/RULES with a valid challenge) per source IP. A browser refresh
  // costs 3 replies (plus retries); >= 1 each.
  double replies_per_sec_per_ip = 10;
  double reply_burst_per_ip = 30;
  // Source IPs tracked at once (LRU); [1, 1,000,000].
  uint32_t max_tracked_sources = 4096;
  // All data replies together, in bytes (fragments counted); >= kMaxPacketBytes * kMaxSplitFragments
  // for the burst so one largest reply can always be sent.
  double reply_bytes_per_sec_global = 4.0 * 1024 * 1024;
  double reply_burst_bytes_global = 4.0 * 1024 * 1024;
  // S2C_CHALLENGE replies, all sources together; >= 1.
  double challenges_per_sec_global = 20000;
  double challenge_burst_global = 20000;
  // The MAC key. Unset = 32 random bytes from the system CSPRNG at construction (so challenges
  // do not survive a restart). Tests set it to get reproducible challenges.
  std::optional<std::array<uint8_t, 32>> secret;
};

// Empty if usable, else a sentence naming the first bad field.
std::string validateOptions(const A2sResponderOptions& options);

// Counters; every datagram handed to handle() increments exactly one of the first group (a
// reply or one drop reason). Snapshot values, read with relaxed atomics.
struct A2sCounters {
  uint64_t info_replies = 0;
  uint64_t player_replies = 0;
  uint64_t rules_replies = 0;
  uint64_t challenges_sent = 0;
  uint64_t dropped_too_short = 0;         // < 5 bytes
  uint64_t dropped_split_request = 0;     // FE FF FF FF header: we never take split requests
  uint64_t dropped_bad_header = 0;        // not FF FF FF FF
  uint64_t dropped_unsupported_type = 0;  // 'W' get-challenge, 'i' ping (would amplify)
  uint64_t dropped_unknown_type = 0;
  uint64_t dropped_bad_length = 0;       // wrong size for its type
  uint64_t dropped_bad_info_string = 0;  // INFO not "Source Engine Query\0"
  uint64_t dropped_no_info = 0;          // no record given yet (update() never called)
  uint64_t dropped_challenge_rate = 0;   // global challenge bucket empty
  uint64_t dropped_source_rate = 0;      // this source IP's bucket empty
  uint64_t dropped_global_rate = 0;      // global reply-byte bucket empty
  uint64_t dropped_reply_too_large = 0;  // would need > kMaxSplitFragments fragments
  // Not per-datagram:
  uint64_t invalid_challenges = 0;  // non-(-1)/0 challenge that did not verify (answered
                                    // with a fresh challenge; counted in challenges_sent)
  uint64_t split_replies = 0;       // data replies sent as split fragments
  uint64_t fragments_sent = 0;
  uint64_t source_evictions = 0;  // rate-table entries forgotten to make room
  uint64_t send_failures = 0;     // reported by the socket owner

  // name -> value for every field, for logs and introspection.
  std::map<std::string, uint64_t> toMap() const;
  uint64_t dropped() const;  // sum of the dropped_* fields
};

class A2sResponder {
 public:
  struct Outgoing {
    base::SocketAddress address;
    std::vector<uint8_t> bytes;
  };

  // `options` should pass validateOptions(); out-of-range values are clamped to the nearest
  // valid value and logged. `now` starts the rate buckets (full).
  explicit A2sResponder(const A2sResponderOptions& options = {}, base::TimeUs now = 0);
  A2sResponder(const A2sResponder&) = delete;
  A2sResponder& operator=(const A2sResponder&) = delete;

  // Replaces what is answered: encodes the INFO, PLAYER and RULES replies once and swaps them in
  // atomically (a handle() already running finishes with the previous ones). Thread-safe.
  // Until the first update() every request is dropped (dropped_no_info).
  void update(const ServerInfoResult& info, std::span<const ServerPlayer> players, const ServerRules& rules);

  // Handles one datagram from `from` received at `now`: appends the reply datagrams (0, 1, or
  // the fragments of one split reply; each <= kMaxPacketBytes) to `out`, all addressed to `from`.
  // Never throws, never asserts on `packet`. Not reentrant (one thread at a time).
  void handle(const base::SocketAddress& from, std::span<const uint8_t> packet, base::TimeUs now,
              std::vector<Outgoing>& out);

  // The challenge this responder issues to `from` at `now` (tests, fuzzing, and a GameServer that
  // wants to pre-issue one). Never 0x00000000 or 0xFFFFFFFF. Thread-safe.
  a2s::Challenge challengeFor(const base::SocketAddress& from, base::TimeUs now) const;

  A2sCounters counters() const;
  // The socket owner reports a datagram it could not send.
  void countSendFailure() { bump(c_.send_failures); }

 private:
  struct Encoded {
    std::vector<uint8_t> info;  // complete single-packet messages (start with FF FF FF FF)
    std::vector<uint8_t> players;
    std::vector<uint8_t> rules;
    bool omit_split_size = false;  // old-engine split header without the Size field
  };
  struct Bucket {
    double tokens = 0;
    base::TimeUs last_us = 0;
    void refill(base::TimeUs now, double per_sec, double burst);
  };
  struct Source {
    std::array<uint8_t, 16> ip;
    Bucket bucket;
  };
  struct IpHash {
    size_t operator()(const std::array<uint8_t, 16>& ip) const;
  };
  struct AtomicCounters {
    std::atomic<uint64_t> info_replies{0}, player_replies{0}, rules_replies{0}, challenges_sent{0},
        dropped_too_short{0}, dropped_split_request{0}, dropped_bad_header{0}, dropped_unsupported_type{0},
        dropped_unknown_type{0}, dropped_bad_length{0}, dropped_bad_info_string{0}, dropped_no_info{0},
        dropped_challenge_rate{0}, dropped_source_rate{0}, dropped_global_rate{0}, dropped_reply_too_large{0},
        invalid_challenges{0}, split_replies{0}, fragments_sent{0}, source_evictions{0}, send_failures{0};
  };
  static void bump(std::atomic<uint64_t>& c, uint64_t n = 1) { c.fetch_add(n, std::memory_order_relaxed); }

  uint32_t challengeValue(const base::SocketAddress& from, int64_t window) const;
  bool challengeValid(const base::SocketAddress& from, const a2s::Challenge& challenge, base::TimeUs now) const;
  void sendChallenge(const base::SocketAddress& from, base::TimeUs now, std::vector<Outgoing>& out);
  // Rate checks and framing of one data reply; returns false (and counts) if dropped.
  bool sendData(const base::SocketAddress& from, const std::vector<uint8_t>& message, bool omit_size, base::TimeUs now,
                std::vector<Outgoing>& out);
  Bucket& sourceBucket(const std::array<uint8_t, 16>& ip, base::TimeUs now);

  A2sResponderOptions options_;
  std::array<uint8_t, 32> secret_{};

  mutable std::mutex encoded_mutex_;  // guards the pointer only
  std::shared_ptr<const Encoded> encoded_;

  Bucket challenge_bucket_;
  Bucket global_bytes_bucket_;
  std::list<Source> lru_;  // most recently seen first
  std::unordered_map<std::array<uint8_t, 16>, std::list<Source>::iterator, IpHash> by_ip_;
  uint32_t next_answer_id_ = 1;

  AtomicCounters c_;
};

}  // namespace outpost::server
