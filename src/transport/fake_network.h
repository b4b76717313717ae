// FakeNetwork: the test and benchmark knobs of the global configuration (loss, lag, reordering
// and duplication, each for sending and receiving), applied to real datagrams at the socket
// layer, handshakes included. Decisions come from a seeded generator, so a run is repeatable
// for a given packet order. Delayed datagrams wait in a time-ordered queue that the engine
// drains. Runs under the engine lock.
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

#include "base/address.h"
#include "base/clock.h"
#include "transport/config_table.h"

namespace outpost::transport {

class FakeNetwork {
 public:
  enum class Direction : uint8_t { kSend, kReceive };

  struct Delayed {
    base::TimeUs release = 0;
    uint64_t order = 0;
    Direction direction = Direction::kSend;
    uint64_t socket_id = 0;
    base::SocketAddress peer;
    std::vector<uint8_t> bytes;
  };

  explicit FakeNetwork(uint64_t seed = 0x6f7574706f7374ull);

  // Re-reads the global configuration if it changed. Cheap when nothing changed.
  void refresh();
  bool active() const { return config_.active(); }

  // Decides the fate of one datagram. Returns how many copies to handle now (0 or 1) and queues
  // any delayed copies itself.
  int route(Direction d, uint64_t socket_id, const base::SocketAddress& peer, const uint8_t* data, size_t len,
            base::TimeUs now);

  base::TimeUs nextRelease() const { return queue_.empty() ? base::kNever : queue_.top().release; }
  // Pops one datagram whose release time has come.
  bool popDue(base::TimeUs now, Delayed& out);
  // Forgets queued datagrams of a socket that is being closed.
  void dropSocket(uint64_t socket_id);

  uint64_t dropped() const { return dropped_; }
  uint64_t duplicated() const { return duplicated_; }
  uint64_t reordered() const { return reordered_; }

 private:
  double uniform();  // [0, 100)
  void delay(Direction d, uint64_t socket_id, const base::SocketAddress& peer, const uint8_t* data, size_t len,
             base::TimeUs release);

  struct Later {
    bool operator()(const Delayed& a, const Delayed& b) const {
      return a.release != b.release ? a.release > b.release : a.order > b.order;
    }
  };

  FakeNetworkConfig config_;
  uint64_t version_ = UINT64_MAX;
  uint64_t state_;
  uint64_t order_ = 0;
  uint64_t dropped_ = 0, duplicated_ = 0, reordered_ = 0;
  std::priority_queue<Delayed, std::vector<Delayed>, Later> queue_;
};

}  // namespace outpost::transport
