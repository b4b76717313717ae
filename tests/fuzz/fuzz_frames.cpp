// libFuzzer target for the frame parser (src/transport/frames.h). An input starting with the
// data packet type goes through parseDataHeader first and the rest is the frame payload;
// anything else is a payload as is. The visitor walks every ACK range to the end and reads every
// byte of every span (so ASan sees any view past the input), checks each frame's limits, and
// records the frames; a valid payload must be re-encoded by the writers into a payload that
// parses to the same frames, and an invalid one must produce no visitor call at all.
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "fuzz_check.h"
#include "transport/frames.h"
#include "transport/wire.h"

using namespace outpost;
using namespace outpost::transport::frames;
namespace wire = outpost::transport::wire;

namespace {

volatile uint64_t g_sink;

struct Frame {
  FrameType type = FrameType::kPadding;
  uint64_t a = 0, b = 0, c = 0, d = 0;
  std::vector<uint8_t> bytes;
  std::vector<AckRange> ranges;

  bool operator==(const Frame& o) const {
    if (type != o.type || a != o.a || b != o.b || c != o.c || d != o.d || bytes != o.bytes ||
        ranges.size() != o.ranges.size())
      return false;
    for (size_t i = 0; i < ranges.size(); ++i)
      if (ranges[i].smallest != o.ranges[i].smallest || ranges[i].largest != o.ranges[i].largest) return false;
    return true;
  }
};

Frame make(FrameType type, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0,
           std::span<const uint8_t> bytes = {}) {
  Frame f;
  f.type = type;
  f.a = a;
  f.b = b;
  f.c = c;
  f.d = d;
  f.bytes.assign(bytes.begin(), bytes.end());
  return f;
}

class Checker : public FrameVisitor {
 public:
  explicit Checker(std::span<const uint8_t> payload) : payload_(payload) {}
  std::vector<Frame> frames;

  void onPing() override { frames.push_back(make(FrameType::kPing)); }

  void onAck(const AckFrame& f) override {
    touch(f.ranges);
    FUZZ_CHECK(f.range_count <= kMaxAckRanges);
    Frame fr = make(FrameType::kAck, f.largest, f.ack_delay_us, f.max_data, f.range_count);
    AckRangeReader reader(f);
    AckRange r{};
    uint64_t prev_smallest = 0;
    while (reader.next(r)) {
      // Ranges are inclusive, below the largest acknowledged, descending, and never adjacent
      // (a gap of at least one packet separates them): nothing wrapped below zero.
      FUZZ_CHECK(r.smallest <= r.largest);
      FUZZ_CHECK(r.largest <= f.largest);
      if (fr.ranges.empty()) FUZZ_CHECK(r.largest == f.largest);
      else FUZZ_CHECK(r.largest + 2 <= prev_smallest);
      prev_smallest = r.smallest;
      fr.ranges.push_back(r);
      FUZZ_CHECK(fr.ranges.size() <= f.range_count + 1);
    }
    FUZZ_CHECK(fr.ranges.size() == f.range_count + 1);
    frames.push_back(std::move(fr));
  }

  void onReliable(const ReliableFrame& f) override {
    touch(f.data);
    FUZZ_CHECK(f.lane < kMaxLanes);
    FUZZ_CHECK(!f.data.empty());
    FUZZ_CHECK(f.offset <= kMaxStreamOffset);
    frames.push_back(make(FrameType::kReliable, f.lane, f.offset, 0, 0, f.data));
  }

  void onUnreliable(const UnreliableFrame& f) override {
    touch(f.data);
    FUZZ_CHECK(f.lane < kMaxLanes);
    FUZZ_CHECK(f.message_number != 0);
    FUZZ_CHECK(f.total_size <= kMaxMessageBytes);
    FUZZ_CHECK(uint64_t{f.offset} + f.data.size() <= f.total_size);
    FUZZ_CHECK(!f.data.empty() || f.total_size == 0);
    frames.push_back(make(FrameType::kUnreliable, f.lane, f.message_number, f.offset, f.total_size, f.data));
  }

  void onClose(const CloseFrame& f) override {
    touch(f.debug);
    FUZZ_CHECK(f.debug.size() <= kMaxCloseDebug);
    frames.push_back(make(FrameType::kClose, f.reason, 0, 0, 0, f.debug));
  }

  uint64_t sum = 0;

 private:
  // Reads every byte of a view and checks that the view lies inside the payload.
  void touch(std::span<const uint8_t> s) {
    if (s.empty()) return;
    FUZZ_CHECK(s.data() >= payload_.data() && s.data() + s.size() <= payload_.data() + payload_.size());
    for (uint8_t b : s) sum += b;
  }

  std::span<const uint8_t> payload_;
};

// Writes the frames back with the frame writers.
std::vector<uint8_t> reencode(const std::vector<Frame>& frames, size_t capacity) {
  std::vector<uint8_t> out(capacity);
  base::ByteWriter w(out.data(), out.size());
  for (const Frame& f : frames) {
    bool ok = false;
    switch (f.type) {
      case FrameType::kPing: ok = writePing(w); break;
      case FrameType::kAck: ok = writeAck(w, f.ranges, f.b, f.c); break;
      case FrameType::kReliable: ok = writeReliable(w, static_cast<uint16_t>(f.a), f.b, f.bytes); break;
      case FrameType::kUnreliable:
        ok = writeUnreliable(w, static_cast<uint16_t>(f.a), f.b, static_cast<uint32_t>(f.c), static_cast<uint32_t>(f.d),
                             f.bytes);
        break;
      case FrameType::kClose: ok = writeClose(w, static_cast<uint32_t>(f.a), f.bytes); break;
      case FrameType::kPadding: break;
    }
    // The writers emit minimal varints, so the re-encoding is never longer than the input.
    FUZZ_CHECK(ok);
  }
  out.resize(w.size());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  std::span<const uint8_t> payload = in;
  if (size > 0 && data[0] == static_cast<uint8_t>(wire::PacketType::kData)) {
    wire::DropReason why = wire::DropReason::kNone;
    auto header = wire::parseDataHeader(in, &why);
    if (!header) {
      FUZZ_CHECK(why == wire::DropReason::kTooShort);
      return 0;
    }
    payload = in.subspan(wire::kDataHeaderSize);
  }

  Checker checker(payload);
  ParseSummary summary;
  summary.frames = -1;
  wire::DropReason why = wire::DropReason::kNone;
  bool ok = parseFrames(payload, &checker, &summary, &why);
  g_sink = checker.sum;  // keeps the byte reads in touch() from being optimised away
  if (!ok) {
    // All or nothing: a malformed payload has no effect at all.
    FUZZ_CHECK(checker.frames.empty());
    FUZZ_CHECK(why == wire::DropReason::kBadFrame);
    FUZZ_CHECK(summary.frames == -1);
    return 0;
  }
  FUZZ_CHECK(static_cast<size_t>(summary.frames) >= checker.frames.size());
  bool eliciting = false;
  for (const Frame& f : checker.frames)
    eliciting = eliciting || (f.type != FrameType::kAck && f.type != FrameType::kPadding);
  FUZZ_CHECK(summary.ack_eliciting == eliciting);

  // Validation without a visitor agrees.
  FUZZ_CHECK(parseFrames(payload, nullptr, nullptr, nullptr));

  // Semantic round trip through the writers.
  std::vector<uint8_t> again = reencode(checker.frames, payload.size());
  Checker second(again);
  FUZZ_CHECK(parseFrames(again, &second, nullptr, nullptr));
  FUZZ_CHECK(second.frames.size() == checker.frames.size());
  for (size_t i = 0; i < second.frames.size(); ++i) FUZZ_CHECK(second.frames[i] == checker.frames[i]);
  return 0;
}
