// Outpost transport wire format, inner layer: the frames carried inside a decrypted data packet
// (docs/spec/transport.md, "Frames"). `parseFrames` validates the whole payload before it calls
// the visitor, so a malformed packet has no effect at all; nothing here allocates.
#pragma once

#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "transport/wire.h"

namespace outpost::transport::frames {

enum class FrameType : uint8_t {
  kPadding = 0x00,  // the rest of the packet is padding
  kPing = 0x01,     // ack-eliciting, no body
  kAck = 0x02,
  kReliable = 0x03,    // a segment of a lane's reliable byte stream
  kUnreliable = 0x04,  // a fragment of one unreliable message
  kClose = 0x05,
};

inline constexpr uint64_t kMaxLanes = 255;
inline constexpr uint64_t kMaxStreamOffset = uint64_t{1} << 60;
inline constexpr uint64_t kMaxMessageBytes = 524288;
inline constexpr size_t kMaxAckRanges = 64;
inline constexpr size_t kMaxCloseDebug = 128;

// An acknowledged range of packet numbers, inclusive.
struct AckRange {
  uint64_t smallest;
  uint64_t largest;
};

struct AckFrame {
  uint64_t largest = 0;
  uint64_t ack_delay_us = 0;
  uint64_t max_data = 0;            // flow-control credit: total reliable stream bytes the receiver allows
  uint64_t range_count = 0;         // additional ranges after the first
  std::span<const uint8_t> ranges;  // encoded ranges, walked with AckRangeReader
};

// Walks the ranges of an AckFrame from the largest down. Only used on frames that
// parseFrames already validated.
class AckRangeReader {
 public:
  explicit AckRangeReader(const AckFrame& f);
  bool next(AckRange& out);

 private:
  base::ByteReader r_;
  uint64_t remaining_;
  uint64_t next_largest_;
  bool first_ = true;
};

struct ReliableFrame {
  uint16_t lane;
  uint64_t offset;
  std::span<const uint8_t> data;
};

struct UnreliableFrame {
  uint16_t lane;
  uint64_t message_number;
  uint32_t offset;
  uint32_t total_size;
  std::span<const uint8_t> data;
};

struct CloseFrame {
  uint32_t reason;
  std::span<const uint8_t> debug;
};

class FrameVisitor {
 public:
  virtual ~FrameVisitor() = default;
  virtual void onPing() {}
  virtual void onAck(const AckFrame&) {}
  virtual void onReliable(const ReliableFrame&) {}
  virtual void onUnreliable(const UnreliableFrame&) {}
  virtual void onClose(const CloseFrame&) {}
};

struct ParseSummary {
  bool ack_eliciting = false;  // any frame other than ACK and padding
  int frames = 0;
  int reliable_frames = 0;
};

// Validates `payload` completely, then (only if valid) calls the visitor for each frame in
// order. Returns false and sets *why for a malformed payload.
bool parseFrames(std::span<const uint8_t> payload, FrameVisitor* visitor, ParseSummary* summary, wire::DropReason* why);
// Calls the visitor for each frame of a payload that parseFrames already validated (no checks).
void visitFrames(std::span<const uint8_t> payload, FrameVisitor& visitor);

// Writers. Each returns false (writing nothing useful) if the frame does not fit.
bool writePing(base::ByteWriter& w);
// `ranges` must be sorted from the largest down, disjoint and non-adjacent.
bool writeAck(base::ByteWriter& w, std::span<const AckRange> ranges, uint64_t ack_delay_us, uint64_t max_data);
size_t reliableFrameOverhead(uint16_t lane, uint64_t offset, size_t len);
bool writeReliable(base::ByteWriter& w, uint16_t lane, uint64_t offset, std::span<const uint8_t> data);
size_t unreliableFrameOverhead(uint16_t lane, uint64_t message_number, uint32_t offset, uint32_t total, size_t len);
bool writeUnreliable(base::ByteWriter& w, uint16_t lane, uint64_t message_number, uint32_t offset, uint32_t total,
                     std::span<const uint8_t> data);
bool writeClose(base::ByteWriter& w, uint32_t reason, std::span<const uint8_t> debug);

}  // namespace outpost::transport::frames
