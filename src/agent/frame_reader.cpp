// Frame splitting for the agent protocol (docs/spec/agent.md §2). Runs on the agent's loop thread.
#include "agent/frame_reader.h"

#include <algorithm>

namespace outpost::agent {

void FrameReader::append(std::span<const uint8_t> bytes) {
  if (consumed_ > 0) {  // drop what was handed out before growing
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_));
    consumed_ = 0;
  }
  if (skip_left_ > 0) {
    size_t drop = static_cast<size_t>(std::min<uint64_t>(skip_left_, bytes.size()));
    skip_left_ -= drop;
    bytes = bytes.subspan(drop);
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

FrameReader::Event FrameReader::next() {
  Event e;
  if (skip_left_ > 0) return e;
  const size_t have = buffer_.size() - consumed_;
  if (have < 4) return e;
  const uint8_t* h = buffer_.data() + consumed_;
  const uint32_t len = static_cast<uint32_t>(h[0]) | static_cast<uint32_t>(h[1]) << 8 |
                       static_cast<uint32_t>(h[2]) << 16 | static_cast<uint32_t>(h[3]) << 24;
  if (len > max_payload_bytes_) {
    // Oversized: skip the header and whatever of the payload is already here; append() drops the rest.
    const size_t here = std::min<size_t>(have - 4, len);
    consumed_ += 4 + here;
    skip_left_ = len - here;
    e.kind = Event::kOversized;
    e.declared_bytes = len;
    return e;
  }
  if (have - 4 < len) return e;
  e.kind = Event::kFrame;
  e.payload = std::span<const uint8_t>(h + 4, len);
  consumed_ += 4 + len;
  return e;
}

}  // namespace outpost::agent
