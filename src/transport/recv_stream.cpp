// RecvStream (see recv_stream.h).
#include "transport/recv_stream.h"

#include <algorithm>
#include <cstring>

#include "base/bytes.h"

namespace outpost {

RecvStream::Insert RecvStream::insert(uint64_t offset, std::span<const uint8_t> data,
                                      uint64_t window_end) {
  uint64_t end = offset + data.size();
  if (end <= base_) return Insert::kOld;
  if (end > window_end) return Insert::kBeyondWindow;
  if (offset < base_) {
    data = data.subspan(static_cast<size_t>(base_ - offset));
    offset = base_;
  }
  if (received_.containsAll(offset, end)) return Insert::kOld;
  size_t need = head_ + static_cast<size_t>(end - base_);
  if (need > buf_.size()) {
    if (head_ > 0 && head_ >= buf_.size() / 2) {
      // Slide the live bytes to the front before growing.
      size_t live = buf_.size() - head_;
      std::memmove(buf_.data(), buf_.data() + head_, live);
      buf_.resize(live);
      head_ = 0;
      need = static_cast<size_t>(end - base_);
    }
    if (need > buf_.size()) buf_.resize(need);
  }
  std::memcpy(buf_.data() + head_ + (offset - base_), data.data(), data.size());
  received_.add(offset, end);
  return Insert::kOk;
}

bool RecvStream::parseHeader(uint64_t avail, uint64_t* delta, uint64_t* size,
                             size_t* header_len) const {
  size_t n = static_cast<size_t>(std::min<uint64_t>(avail, 16));
  ByteReader r(buf_.data() + head_, n);
  *delta = r.varint();
  *size = r.varint();
  if (!r.ok()) return false;
  *header_len = r.position();
  return true;
}

void RecvStream::consume(uint64_t n) {
  head_ += static_cast<size_t>(n);
  base_ += n;
  received_.trimBelow(base_);
  if (received_.empty()) {
    // Nothing buffered beyond this point: restart at the front of the buffer.
    head_ = 0;
    buf_.clear();
  }
}

}  // namespace outpost
