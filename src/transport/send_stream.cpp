// SendStream (see send_stream.h). Runs under the engine lock.
#include "transport/send_stream.h"

#include <algorithm>

#include "base/bytes.h"

namespace outpost::transport {

void SendStream::appendMessage(uint64_t delta, std::span<const uint8_t> payload) {
  uint8_t header[16];
  base::ByteWriter w(header, sizeof header);
  w.varint(delta);
  w.varint(payload.size());
  size_t n = w.size() + payload.size();
  if (head_ > 0 && head_ >= buf_.size() / 2 && head_ >= 65536) compact();
  if (buf_.size() + n > buf_.capacity()) {
    // Tight: acknowledged bytes at the front go first, then the buffer grows to fit exactly.
    if (tight_ && head_ > 0) compact();
    if (buf_.size() + n > buf_.capacity())
      buf_.reserve(tight_ ? buf_.size() + n : std::max(buf_.size() + n, buf_.capacity() * 2));
  }
  buf_.insert(buf_.end(), header, header + w.size());
  buf_.insert(buf_.end(), payload.begin(), payload.end());
  write_ += w.size() + payload.size();
}

uint64_t SendStream::unackedBytes() const {
  uint64_t n = next_new_ - base_;
  for (size_t i = 0; i < acked_.count(); ++i) n -= std::min(acked_[i].end, next_new_) - acked_[i].start;
  return n;
}

bool SendStream::nextChunk(size_t max_len, uint64_t new_limit, Chunk& out) const {
  if (!lost_.empty()) {
    const Range& r = lost_.front();
    out.offset = r.start;
    out.data = {at(r.start), static_cast<size_t>(std::min<uint64_t>(r.end - r.start, max_len))};
    out.retransmission = true;
    return true;
  }
  uint64_t limit = std::min(write_, new_limit);
  if (next_new_ >= limit) return false;
  out.offset = next_new_;
  out.data = {at(next_new_), static_cast<size_t>(std::min<uint64_t>(limit - next_new_, max_len))};
  out.retransmission = false;
  return true;
}

void SendStream::markSent(const Chunk& c) {
  uint64_t end = c.offset + c.data.size();
  if (c.retransmission) {
    lost_.remove(c.offset, end);
  } else {
    next_new_ = std::max(next_new_, end);
  }
}

void SendStream::onAcked(uint64_t offset, uint64_t len) {
  uint64_t end = offset + len;
  if (end <= base_) return;
  offset = std::max(offset, base_);
  acked_.add(offset, end);
  lost_.remove(offset, end);
  if (!acked_.empty() && acked_.front().start == base_) {
    uint64_t new_base = acked_.front().end;
    head_ += static_cast<size_t>(new_base - base_);
    base_ = new_base;
    acked_.trimBelow(base_);
    if (base_ == write_) {
      if (tight_) std::vector<uint8_t>().swap(buf_);
      else buf_.clear();
      head_ = 0;
    }
  }
}

void SendStream::onLost(uint64_t offset, uint64_t len) {
  uint64_t end = offset + len;
  if (end <= base_) return;
  offset = std::max(offset, base_);
  lost_.add(offset, end);
  // Never resend bytes the peer already acknowledged.
  for (size_t i = 0; i < acked_.count(); ++i) {
    if (acked_[i].start >= end) break;
    if (acked_[i].end > offset) lost_.remove(acked_[i].start, acked_[i].end);
  }
}

void SendStream::discardUnsent() {
  buf_.resize(head_ + static_cast<size_t>(next_new_ - base_));
  write_ = next_new_;
  lost_.clear();
}

void SendStream::compact() {
  buf_.erase(buf_.begin(), buf_.begin() + static_cast<long>(head_));
  head_ = 0;
}

}  // namespace outpost::transport
