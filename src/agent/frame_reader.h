// Splits the agent's byte stream into frames: a u32 little-endian payload length, then the payload
// (docs/spec/agent.md §2). A frame longer than the current limit is never buffered: its length is
// reported and its payload skipped as it arrives, so the stream stays in step and a client that
// sends one oversized request can be answered and keep going. Holds at most one partial frame
// (limit + 4 bytes) plus the last chunk appended. Single-threaded (one per client connection).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace outpost::agent {

class FrameReader {
 public:
  explicit FrameReader(size_t max_payload_bytes) : max_payload_bytes_(max_payload_bytes) {}

  void setMaxPayloadBytes(size_t n) { max_payload_bytes_ = n; }
  size_t maxPayloadBytes() const { return max_payload_bytes_; }
  void append(std::span<const uint8_t> bytes);

  struct Event {
    enum Kind { kNone, kFrame, kOversized } kind = kNone;
    std::span<const uint8_t> payload;  // kFrame: valid until the next call of next()/append()
    uint64_t declared_bytes = 0;       // kOversized: the length the header announced
  };
  // The next complete frame or oversize notice, or kNone when more bytes are needed.
  Event next();
  // Bytes held (partial frame), for the connection's memory accounting.
  size_t bufferedBytes() const { return buffer_.size() - consumed_; }

 private:
  size_t max_payload_bytes_;
  std::vector<uint8_t> buffer_;
  size_t consumed_ = 0;     // bytes of buffer_ already handed out
  uint64_t skip_left_ = 0;  // payload bytes of an oversized frame still to discard
};

}  // namespace outpost::agent
