// FakeNetwork (see fake_network.h).
#include "transport/fake_network.h"

namespace outpost::transport {

FakeNetwork::FakeNetwork(uint64_t seed) : state_(seed ? seed : 1) {}

void FakeNetwork::refresh() {
  uint64_t v = GlobalConfig::instance().version();
  if (v == version_) return;
  version_ = v;
  config_ = GlobalConfig::instance().fakeNetwork();
}

double FakeNetwork::uniform() {
  // xorshift64*: fast, seeded, good enough for test decisions (not for anything secret).
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  uint64_t r = state_ * 0x2545F4914F6CDD1Dull;
  return static_cast<double>(r >> 11) * (100.0 / 9007199254740992.0);
}

void FakeNetwork::delay(Direction d, uint64_t socket_id, const base::SocketAddress& peer, const uint8_t* data,
                        size_t len, base::TimeUs release) {
  Delayed item;
  item.release = release;
  item.order = order_++;
  item.direction = d;
  item.socket_id = socket_id;
  item.peer = peer;
  item.bytes.assign(data, data + len);
  queue_.push(std::move(item));
}

int FakeNetwork::route(Direction d, uint64_t socket_id, const base::SocketAddress& peer, const uint8_t* data,
                       size_t len, base::TimeUs now) {
  bool send = d == Direction::kSend;
  float loss = send ? config_.loss_send : config_.loss_recv;
  float reorder = send ? config_.reorder_send : config_.reorder_recv;
  float dup = send ? config_.dup_send : config_.dup_recv;
  base::TimeUs lag = base::TimeUs{send ? config_.lag_send_ms : config_.lag_recv_ms} * 1000;

  if (loss > 0 && uniform() < loss) {
    ++dropped_;
    return 0;
  }
  if (dup > 0 && uniform() < dup) {
    ++duplicated_;
    base::TimeUs extra = static_cast<base::TimeUs>(uniform() / 100.0 * config_.dup_time_max_ms * 1000.0);
    delay(d, socket_id, peer, data, len, now + lag + extra);
  }
  base::TimeUs extra = 0;
  if (reorder > 0 && uniform() < reorder) {
    ++reordered_;
    extra = base::TimeUs{config_.reorder_time_ms} * 1000;
  }
  if (lag + extra == 0) return 1;
  delay(d, socket_id, peer, data, len, now + lag + extra);
  return 0;
}

bool FakeNetwork::popDue(base::TimeUs now, Delayed& out) {
  if (queue_.empty() || queue_.top().release > now) return false;
  out = std::move(const_cast<Delayed&>(queue_.top()));
  queue_.pop();
  return true;
}

void FakeNetwork::dropSocket(uint64_t socket_id) {
  std::vector<Delayed> keep;
  while (!queue_.empty()) {
    Delayed d = std::move(const_cast<Delayed&>(queue_.top()));
    queue_.pop();
    if (d.socket_id != socket_id) keep.push_back(std::move(d));
  }
  for (auto& d : keep) queue_.push(std::move(d));
}

}  // namespace outpost::transport
