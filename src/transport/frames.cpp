// Frame encoders and the validating frame parser (see frames.h). Data-plane code: no
// allocation, no exceptions, no asserts on input.
#include "transport/frames.h"

namespace outpost::transport::frames {

AckRangeReader::AckRangeReader(const AckFrame& f) : r_(f.ranges), remaining_(f.range_count), next_largest_(f.largest) {}

bool AckRangeReader::next(AckRange& out) {
  if (first_) {
    first_ = false;
    uint64_t len = r_.varint();
    out = {next_largest_ - len, next_largest_};
    next_largest_ = out.smallest;
    return r_.ok();
  }
  if (remaining_ == 0) return false;
  --remaining_;
  uint64_t gap = r_.varint();
  uint64_t len = r_.varint();
  uint64_t largest = next_largest_ - gap - 2;
  out = {largest - len, largest};
  next_largest_ = out.smallest;
  return r_.ok();
}

namespace {

bool fail(wire::DropReason* why) {
  if (why) *why = wire::DropReason::kBadFrame;
  return false;
}

// One pass over the payload. With visitor == nullptr it only validates.
bool walk(std::span<const uint8_t> payload, FrameVisitor* v, ParseSummary* s, wire::DropReason* why) {
  base::ByteReader r(payload);
  while (r.remaining() > 0) {
    auto type = static_cast<FrameType>(r.u8());
    if (s) ++s->frames;
    switch (type) {
      case FrameType::kPadding: return true;
      case FrameType::kPing:
        if (s) s->ack_eliciting = true;
        if (v) v->onPing();
        break;
      case FrameType::kAck: {
        AckFrame f;
        f.largest = r.varint();
        f.ack_delay_us = r.varint();
        f.max_data = r.varint();
        f.range_count = r.varint();
        if (!r.ok() || f.range_count > kMaxAckRanges) return fail(why);
        size_t start = r.position();
        // Validate that every range stays above zero (no wrap-around).
        uint64_t first_len = r.varint();
        if (!r.ok() || first_len > f.largest) return fail(why);
        uint64_t smallest = f.largest - first_len;
        for (uint64_t i = 0; i < f.range_count; ++i) {
          uint64_t gap = r.varint();
          uint64_t len = r.varint();
          if (!r.ok() || smallest < gap + 2 || smallest - gap - 2 < len) return fail(why);
          smallest = smallest - gap - 2 - len;
        }
        f.ranges = payload.subspan(start, r.position() - start);
        if (v) v->onAck(f);
        break;
      }
      case FrameType::kReliable: {
        ReliableFrame f;
        uint64_t lane = r.varint();
        f.offset = r.varint();
        uint64_t len = r.varint();
        if (!r.ok() || lane >= kMaxLanes || f.offset > kMaxStreamOffset || len == 0 || len > r.remaining())
          return fail(why);
        f.lane = static_cast<uint16_t>(lane);
        f.data = r.bytes(len);
        if (s) {
          s->ack_eliciting = true;
          ++s->reliable_frames;
        }
        if (v) v->onReliable(f);
        break;
      }
      case FrameType::kUnreliable: {
        UnreliableFrame f;
        uint64_t lane = r.varint();
        f.message_number = r.varint();
        uint64_t offset = r.varint();
        uint64_t total = r.varint();
        uint64_t len = r.varint();
        if (!r.ok() || lane >= kMaxLanes || f.message_number == 0 || total > kMaxMessageBytes || offset > total ||
            len > total - offset || len > r.remaining() || (len == 0 && total != 0))
          return fail(why);
        f.lane = static_cast<uint16_t>(lane);
        f.offset = static_cast<uint32_t>(offset);
        f.total_size = static_cast<uint32_t>(total);
        f.data = r.bytes(len);
        if (s) s->ack_eliciting = true;
        if (v) v->onUnreliable(f);
        break;
      }
      case FrameType::kClose: {
        CloseFrame f;
        uint64_t reason = r.varint();
        uint64_t len = r.varint();
        if (!r.ok() || reason > UINT32_MAX || len > kMaxCloseDebug || len > r.remaining()) return fail(why);
        f.reason = static_cast<uint32_t>(reason);
        f.debug = r.bytes(len);
        if (s) s->ack_eliciting = true;
        if (v) v->onClose(f);
        break;
      }
      default: return fail(why);
    }
    if (!r.ok()) return fail(why);
  }
  return true;
}

}  // namespace

bool parseFrames(std::span<const uint8_t> payload, FrameVisitor* visitor, ParseSummary* summary,
                 wire::DropReason* why) {
  ParseSummary local;
  if (!walk(payload, nullptr, &local, why)) return false;
  if (summary) *summary = local;
  if (visitor) walk(payload, visitor, nullptr, nullptr);
  return true;
}

void visitFrames(std::span<const uint8_t> payload, FrameVisitor& visitor) { walk(payload, &visitor, nullptr, nullptr); }

bool writePing(base::ByteWriter& w) {
  if (w.remaining() < 1) return false;
  w.u8(static_cast<uint8_t>(FrameType::kPing));
  return true;
}

bool writeAck(base::ByteWriter& w, std::span<const AckRange> ranges, uint64_t ack_delay_us, uint64_t max_data) {
  if (ranges.empty()) return false;
  size_t count = ranges.size() > kMaxAckRanges + 1 ? kMaxAckRanges + 1 : ranges.size();
  // Compute the size first so a partial frame is never written.
  size_t need = 1 + base::varintSize(ranges[0].largest) + base::varintSize(ack_delay_us) + base::varintSize(max_data) +
                base::varintSize(count - 1) + base::varintSize(ranges[0].largest - ranges[0].smallest);
  for (size_t i = 1; i < count; ++i) {
    uint64_t gap = ranges[i - 1].smallest - ranges[i].largest - 2;
    need += base::varintSize(gap) + base::varintSize(ranges[i].largest - ranges[i].smallest);
  }
  if (w.remaining() < need) return false;
  w.u8(static_cast<uint8_t>(FrameType::kAck));
  w.varint(ranges[0].largest);
  w.varint(ack_delay_us);
  w.varint(max_data);
  w.varint(count - 1);
  w.varint(ranges[0].largest - ranges[0].smallest);
  for (size_t i = 1; i < count; ++i) {
    w.varint(ranges[i - 1].smallest - ranges[i].largest - 2);
    w.varint(ranges[i].largest - ranges[i].smallest);
  }
  return w.ok();
}

size_t reliableFrameOverhead(uint16_t lane, uint64_t offset, size_t len) {
  return 1 + base::varintSize(lane) + base::varintSize(offset) + base::varintSize(len);
}

bool writeReliable(base::ByteWriter& w, uint16_t lane, uint64_t offset, std::span<const uint8_t> data) {
  if (w.remaining() < reliableFrameOverhead(lane, offset, data.size()) + data.size()) return false;
  w.u8(static_cast<uint8_t>(FrameType::kReliable));
  w.varint(lane);
  w.varint(offset);
  w.varint(data.size());
  w.bytes(data.data(), data.size());
  return w.ok();
}

size_t unreliableFrameOverhead(uint16_t lane, uint64_t message_number, uint32_t offset, uint32_t total, size_t len) {
  return 1 + base::varintSize(lane) + base::varintSize(message_number) + base::varintSize(offset) +
         base::varintSize(total) + base::varintSize(len);
}

bool writeUnreliable(base::ByteWriter& w, uint16_t lane, uint64_t message_number, uint32_t offset, uint32_t total,
                     std::span<const uint8_t> data) {
  if (w.remaining() < unreliableFrameOverhead(lane, message_number, offset, total, data.size()) + data.size())
    return false;
  w.u8(static_cast<uint8_t>(FrameType::kUnreliable));
  w.varint(lane);
  w.varint(message_number);
  w.varint(offset);
  w.varint(total);
  w.varint(data.size());
  w.bytes(data.data(), data.size());
  return w.ok();
}

bool writeClose(base::ByteWriter& w, uint32_t reason, std::span<const uint8_t> debug) {
  size_t n = debug.size() > kMaxCloseDebug ? kMaxCloseDebug : debug.size();
  if (w.remaining() < 1 + base::varintSize(reason) + base::varintSize(n) + n) return false;
  w.u8(static_cast<uint8_t>(FrameType::kClose));
  w.varint(reason);
  w.varint(n);
  w.bytes(debug.data(), n);
  return w.ok();
}

}  // namespace outpost::transport::frames
