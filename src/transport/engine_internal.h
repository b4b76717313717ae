// Engine internals shared by its files (engine*.cpp, see engine.cpp for the map): the timing
// constants of the handshake tables, the heap trim and revocations; the rate-limited log of API
// misuse; and the helpers that copy received messages out (owned NetworkingMessages or a
// MessageBatch). Not for other modules.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/log.h"
#include "transport/connection.h"
#include "transport/p2p_state.h"

namespace outpost::transport {

// Fills a MessageBatch (a friend of it): payload bytes back to back, views fixed up at the end.
class MessageBatchWriter {
 public:
  explicit MessageBatchWriter(MessageBatch& b) : b_(b) {
    b_.bytes_.clear();
    b_.views_.clear();
    b_.offsets_.clear();
  }
  void add(std::span<const uint8_t> payload, const MessageView& meta) {
    b_.offsets_.push_back(b_.bytes_.size());
    b_.bytes_.insert(b_.bytes_.end(), payload.begin(), payload.end());
    b_.views_.push_back(meta);
    b_.views_.back().payload = {static_cast<const uint8_t*>(nullptr), payload.size()};
  }
  void finish() {
    for (size_t i = 0; i < b_.views_.size(); ++i)
      b_.views_[i].payload = {b_.bytes_.data() + b_.offsets_[i], b_.views_[i].payload.size()};
  }

 private:
  MessageBatch& b_;
};

// One limiter for all of the engine's misuse warnings (engine_handles.cpp).
extern base::LogLimiter g_misuse_log;
inline constexpr uint64_t kEventFdKey = 0;
inline constexpr base::TimeUs kRecentlyClosedUs = 10000000;
// At most this many recently closed handshakes are remembered (the oldest go first).
inline constexpr size_t kMaxRecentlyClosed = 65536;
// malloc_trim after this many connections were freed, at most once a second.
inline constexpr size_t kTrimAfterFreed = 256;
inline constexpr base::TimeUs kTrimIntervalUs = 1000000;
// How long a connection whose peer was revoked stays open for the application to close it with
// its own reason first (docs/spec/cert.md §9).
inline constexpr base::TimeUs kRevocationGraceUs = 2000000;

// Logs API misuse (an invalid handle and the like) through g_misuse_log.
void misuse(const char* fmt, uint32_t h);

// Received messages copied out (engine_messages.cpp, engine_poll_groups.cpp).
inline void fillOwned(std::vector<NetworkingMessage>& out, std::span<const uint8_t> payload, const QueuedMessage& m,
                      Connection& c, uint32_t handle) {
  NetworkingMessage msg;
  msg.payload.assign(payload.begin(), payload.end());
  msg.size = static_cast<uint32_t>(payload.size());
  msg.connection = handle;
  msg.identity = c.remoteSteamId();
  msg.receiver_user_data = c.userData();
  msg.time_received = m.time_received;
  msg.message_number = m.message_number;
  msg.channel = m.lane;
  msg.lane = m.lane;
  msg.flags = m.flags;
  out.push_back(std::move(msg));
}

inline MessageView viewOf(const QueuedMessage& m, Connection& c, uint32_t handle) {
  MessageView v;
  v.connection = handle;
  v.identity = c.remoteSteamId();
  v.receiver_user_data = c.userData();
  v.time_received = m.time_received;
  v.message_number = m.message_number;
  v.flags = m.flags;
  v.lane = m.lane;
  return v;
}

}  // namespace outpost::transport
