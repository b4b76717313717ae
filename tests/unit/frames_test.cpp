// Tests for the frame layer (src/transport/frames.h): every frame type round-trips through its
// writer and parseFrames; ACK frames with many ranges walk back exactly with AckRangeReader;
// hostile encodings (ranges below zero, zero-length reliable data, lane >= 255, unknown types,
// lengths past the end) are rejected; and the visitor never sees any frame of an invalid payload.
#include "transport/frames.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace outpost::transport::frames {
namespace {

using wire::DropReason;

struct Recorded {
  std::string kind;
  uint64_t a = 0, b = 0, c = 0, d = 0;
  std::vector<uint8_t> bytes;
  std::vector<AckRange> ranges;
};

Recorded record(const char* kind, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0,
                std::span<const uint8_t> bytes = {}) {
  Recorded r;
  r.kind = kind;
  r.a = a;
  r.b = b;
  r.c = c;
  r.d = d;
  r.bytes.assign(bytes.begin(), bytes.end());
  return r;
}

// Copies everything it is shown, walking ACK ranges fully.
class Recorder : public FrameVisitor {
 public:
  std::vector<Recorded> seen;
  void onPing() override { seen.push_back(record("ping")); }
  void onAck(const AckFrame& f) override {
    Recorded r = record("ack", f.largest, f.ack_delay_us, f.max_data, f.range_count);
    AckRangeReader reader(f);
    AckRange range;
    while (reader.next(range)) r.ranges.push_back(range);
    seen.push_back(r);
  }
  void onReliable(const ReliableFrame& f) override {
    seen.push_back(record("reliable", f.lane, f.offset, f.data.size(), 0, f.data));
  }
  void onUnreliable(const UnreliableFrame& f) override {
    seen.push_back(record("unreliable", f.lane, f.message_number, f.offset, f.total_size, f.data));
  }
  void onClose(const CloseFrame& f) override {
    seen.push_back(record("close", f.reason, f.debug.size(), 0, 0, f.debug));
  }
};

// A payload assembled by hand, for encodings the writers refuse to produce.
class Raw {
 public:
  Raw& u8(uint8_t v) {
    bytes.push_back(v);
    return *this;
  }
  Raw& varint(uint64_t v) {
    uint8_t buf[8];
    base::ByteWriter w(buf, sizeof buf);
    w.varint(v);
    bytes.insert(bytes.end(), buf, buf + w.size());
    return *this;
  }
  Raw& data(size_t n, uint8_t value = 0x5A) {
    bytes.insert(bytes.end(), n, value);
    return *this;
  }
  std::vector<uint8_t> bytes;
};

constexpr uint8_t kAck = static_cast<uint8_t>(FrameType::kAck);
constexpr uint8_t kReliable = static_cast<uint8_t>(FrameType::kReliable);
constexpr uint8_t kUnreliable = static_cast<uint8_t>(FrameType::kUnreliable);
constexpr uint8_t kClose = static_cast<uint8_t>(FrameType::kClose);
constexpr uint8_t kPing = static_cast<uint8_t>(FrameType::kPing);
constexpr uint8_t kPadding = static_cast<uint8_t>(FrameType::kPadding);

bool parse(const std::vector<uint8_t>& payload, Recorder* rec, ParseSummary* summary = nullptr,
           DropReason* why = nullptr) {
  return parseFrames(payload, rec, summary, why);
}

void expectRejected(const std::vector<uint8_t>& payload, const char* what) {
  Recorder rec;
  DropReason why = DropReason::kNone;
  EXPECT_FALSE(parse(payload, &rec, nullptr, &why)) << what;
  EXPECT_EQ(why, DropReason::kBadFrame) << what;
  EXPECT_TRUE(rec.seen.empty()) << what;
}

// ---- ACK -------------------------------------------------------------------------------------

// Ranges from the largest down with gaps and lengths that cross every varint size.
std::vector<AckRange> manyRanges(size_t count) {
  std::vector<AckRange> ranges;
  uint64_t next = uint64_t{1} << 40;
  const uint64_t gaps[] = {0, 1, 62, 63, 64, 16383, 16384, 5};
  const uint64_t lens[] = {0, 3, 63, 64, 1, 16384, 0, 2};
  for (size_t i = 0; i < count; ++i) {
    uint64_t largest = next;
    uint64_t smallest = largest - lens[i % 8];
    ranges.push_back({smallest, largest});
    next = smallest - gaps[(i + 3) % 8] - 2;
  }
  return ranges;
}

TEST(FramesAck, ManyRangesRoundTripThroughAckRangeReader) {
  auto ranges = manyRanges(kMaxAckRanges + 1);  // the first range plus the 64 additional ones
  std::vector<uint8_t> buf(4096);
  base::ByteWriter w(buf.data(), buf.size());
  ASSERT_TRUE(writeAck(w, ranges, 1234, 1 << 20));
  buf.resize(w.size());

  Recorder rec;
  ParseSummary summary;
  ASSERT_TRUE(parse(buf, &rec, &summary));
  ASSERT_EQ(rec.seen.size(), 1u);
  const Recorded& ack = rec.seen[0];
  EXPECT_EQ(ack.kind, "ack");
  EXPECT_EQ(ack.a, ranges[0].largest);
  EXPECT_EQ(ack.b, 1234u);
  EXPECT_EQ(ack.c, uint64_t{1} << 20);
  EXPECT_EQ(ack.d, kMaxAckRanges);
  ASSERT_EQ(ack.ranges.size(), ranges.size());
  for (size_t i = 0; i < ranges.size(); ++i) {
    EXPECT_EQ(ack.ranges[i].largest, ranges[i].largest) << i;
    EXPECT_EQ(ack.ranges[i].smallest, ranges[i].smallest) << i;
  }
  EXPECT_FALSE(summary.ack_eliciting);  // an ACK alone does not need an ACK
  EXPECT_EQ(summary.frames, 1);
}

TEST(FramesAck, WriterCapsTheRangeCount) {
  auto ranges = manyRanges(kMaxAckRanges + 10);
  std::vector<uint8_t> buf(4096);
  base::ByteWriter w(buf.data(), buf.size());
  ASSERT_TRUE(writeAck(w, ranges, 0, 0));
  buf.resize(w.size());
  Recorder rec;
  ASSERT_TRUE(parse(buf, &rec));
  ASSERT_EQ(rec.seen.size(), 1u);
  ASSERT_EQ(rec.seen[0].ranges.size(), kMaxAckRanges + 1);
  // The newest ranges are the ones kept.
  EXPECT_EQ(rec.seen[0].ranges.back().smallest, ranges[kMaxAckRanges].smallest);
}

TEST(FramesAck, SingleRangeDownToZero) {
  std::vector<AckRange> ranges = {{0, 10}};
  std::vector<uint8_t> buf(64);
  base::ByteWriter w(buf.data(), buf.size());
  ASSERT_TRUE(writeAck(w, ranges, 0, 0));
  buf.resize(w.size());
  Recorder rec;
  ASSERT_TRUE(parse(buf, &rec));
  ASSERT_EQ(rec.seen.at(0).ranges.size(), 1u);
  EXPECT_EQ(rec.seen[0].ranges[0].smallest, 0u);
  EXPECT_EQ(rec.seen[0].ranges[0].largest, 10u);
}

TEST(FramesAck, WriterRefusesEmptyRangesAndShortBuffer) {
  std::vector<uint8_t> buf(64);
  base::ByteWriter w(buf.data(), buf.size());
  EXPECT_FALSE(writeAck(w, {}, 0, 0));
  EXPECT_EQ(w.size(), 0u);
  auto ranges = manyRanges(10);
  base::ByteWriter small(buf.data(), 8);
  EXPECT_FALSE(writeAck(small, ranges, 0, 0));
  EXPECT_EQ(small.size(), 0u);  // no partial frame
}

TEST(FramesAck, FirstRangeBelowZeroIsRejected) {
  // largest 5, first range length 6: would acknowledge packet "-1".
  expectRejected(Raw().u8(kAck).varint(5).varint(0).varint(0).varint(0).varint(6).bytes, "first range underflow");
}

TEST(FramesAck, GapBelowZeroIsRejected) {
  // First range [3, 5]; a gap of 2 would put the next range's largest at -1.
  expectRejected(Raw().u8(kAck).varint(5).varint(0).varint(0).varint(1).varint(2).varint(2).varint(0).bytes,
                 "gap underflow");
  // Gap exactly fits (next largest = 0), length 1 underflows.
  expectRejected(Raw().u8(kAck).varint(5).varint(0).varint(0).varint(1).varint(2).varint(1).varint(1).bytes,
                 "length underflow");
  // Huge gap value.
  expectRejected(
      Raw().u8(kAck).varint(5).varint(0).varint(0).varint(1).varint(0).varint(base::kVarintMax).varint(0).bytes,
      "huge gap");
}

TEST(FramesAck, RangeEndingExactlyAtZeroIsAccepted) {
  // [3, 5], gap 0 (one missing packet, 2) → next largest 1, length 1 → [0, 1].
  auto bytes = Raw().u8(kAck).varint(5).varint(0).varint(0).varint(1).varint(2).varint(0).varint(1).bytes;
  Recorder rec;
  ASSERT_TRUE(parse(bytes, &rec));
  ASSERT_EQ(rec.seen.at(0).ranges.size(), 2u);
  EXPECT_EQ(rec.seen[0].ranges[1].smallest, 0u);
  EXPECT_EQ(rec.seen[0].ranges[1].largest, 1u);
}

TEST(FramesAck, TooManyRangesIsRejected) {
  Raw raw;
  raw.u8(kAck).varint(1000000).varint(0).varint(0).varint(kMaxAckRanges + 1).varint(0);
  for (size_t i = 0; i < kMaxAckRanges + 1; ++i) raw.varint(0).varint(0);
  expectRejected(raw.bytes, "range count above the cap");
}

TEST(FramesAck, MissingRangesAreRejected) {
  // Claims three additional ranges and carries one.
  expectRejected(Raw().u8(kAck).varint(100).varint(0).varint(0).varint(3).varint(1).varint(1).varint(1).bytes,
                 "truncated ranges");
}

// ---- Reliable --------------------------------------------------------------------------------

TEST(FramesReliable, RoundTrip) {
  std::vector<uint8_t> data = {1, 2, 3, 4, 5};
  std::vector<uint8_t> buf(64);
  base::ByteWriter w(buf.data(), buf.size());
  ASSERT_TRUE(writeReliable(w, 254, kMaxStreamOffset, data));
  EXPECT_EQ(w.size(), reliableFrameOverhead(254, kMaxStreamOffset, data.size()) + data.size());
  buf.resize(w.size());
  Recorder rec;
  ParseSummary summary;
  ASSERT_TRUE(parse(buf, &rec, &summary));
  ASSERT_EQ(rec.seen.size(), 1u);
  EXPECT_EQ(rec.seen[0].kind, "reliable");
  EXPECT_EQ(rec.seen[0].a, 254u);
  EXPECT_EQ(rec.seen[0].b, kMaxStreamOffset);
  EXPECT_EQ(rec.seen[0].bytes, data);
  EXPECT_TRUE(summary.ack_eliciting);
}

TEST(FramesReliable, ZeroLengthIsRejected) {
  expectRejected(Raw().u8(kReliable).varint(0).varint(0).varint(0).bytes, "zero-length reliable");
}

TEST(FramesReliable, LaneOutOfRangeIsRejected) {
  expectRejected(Raw().u8(kReliable).varint(255).varint(0).varint(1).data(1).bytes, "lane 255");
  expectRejected(Raw().u8(kReliable).varint(70000).varint(0).varint(1).data(1).bytes, "lane above u16");
  Recorder rec;
  EXPECT_TRUE(parse(Raw().u8(kReliable).varint(254).varint(0).varint(1).data(1).bytes, &rec));
}

TEST(FramesReliable, OffsetBeyondStreamLimitIsRejected) {
  expectRejected(Raw().u8(kReliable).varint(0).varint(kMaxStreamOffset + 1).varint(1).data(1).bytes,
                 "offset above 2^60");
}

TEST(FramesReliable, LengthPastEndIsRejected) {
  expectRejected(Raw().u8(kReliable).varint(0).varint(0).varint(10).data(9).bytes, "length past end");
}

TEST(FramesReliable, WriterRefusesWhenItDoesNotFit) {
  std::vector<uint8_t> data(20, 7);
  uint8_t buf[22];
  base::ByteWriter w(buf, sizeof buf);
  EXPECT_FALSE(writeReliable(w, 0, 0, data));  // 20 bytes + 4 of header
  EXPECT_EQ(w.size(), 0u);
}

// ---- Unreliable ------------------------------------------------------------------------------

TEST(FramesUnreliable, RoundTripWholeAndFragment) {
  std::vector<uint8_t> data = {9, 8, 7};
  std::vector<uint8_t> buf(128);
  base::ByteWriter w(buf.data(), buf.size());
  ASSERT_TRUE(writeUnreliable(w, 3, 17, 0, 3, data));
  ASSERT_TRUE(writeUnreliable(w, 4, 18, 100, 103, data));
  ASSERT_TRUE(writeUnreliable(w, 5, 19, 0, 0, {}));  // an empty message
  buf.resize(w.size());
  Recorder rec;
  ASSERT_TRUE(parse(buf, &rec));
  ASSERT_EQ(rec.seen.size(), 3u);
  EXPECT_EQ(rec.seen[0].kind, "unreliable");
  EXPECT_EQ(rec.seen[0].a, 3u);
  EXPECT_EQ(rec.seen[0].b, 17u);
  EXPECT_EQ(rec.seen[0].c, 0u);
  EXPECT_EQ(rec.seen[0].d, 3u);
  EXPECT_EQ(rec.seen[0].bytes, data);
  EXPECT_EQ(rec.seen[1].c, 100u);
  EXPECT_EQ(rec.seen[1].d, 103u);
  EXPECT_EQ(rec.seen[1].bytes, data);
  EXPECT_EQ(rec.seen[2].d, 0u);
  EXPECT_TRUE(rec.seen[2].bytes.empty());
}

TEST(FramesUnreliable, HostileFieldsAreRejected) {
  auto frame = [](uint64_t lane, uint64_t number, uint64_t offset, uint64_t total, uint64_t len, size_t carried) {
    return Raw()
        .u8(kUnreliable)
        .varint(lane)
        .varint(number)
        .varint(offset)
        .varint(total)
        .varint(len)
        .data(carried)
        .bytes;
  };
  expectRejected(frame(255, 1, 0, 1, 1, 1), "lane 255");
  expectRejected(frame(0, 0, 0, 1, 1, 1), "message number 0");
  expectRejected(frame(0, 1, 0, kMaxMessageBytes + 1, 1, 1), "total above max message");
  expectRejected(frame(0, 1, 11, 10, 0, 0), "offset beyond total");
  expectRejected(frame(0, 1, 5, 10, 6, 6), "fragment beyond total");
  expectRejected(frame(0, 1, 0, 10, 0, 0), "empty fragment of non-empty message");
  expectRejected(frame(0, 1, 0, 10, 5, 4), "length past end");
  Recorder rec;
  EXPECT_TRUE(parse(frame(0, 1, 0, kMaxMessageBytes, 1, 1), &rec));
  EXPECT_TRUE(parse(frame(0, 1, 5, 10, 5, 5), &rec));
}

// ---- Close and ping --------------------------------------------------------------------------

TEST(FramesClose, RoundTripAndDebugCut) {
  std::string debug(200, 'd');
  std::vector<uint8_t> buf(512);
  base::ByteWriter w(buf.data(), buf.size());
  ASSERT_TRUE(writeClose(w, 0xFFFFFFFFu, {reinterpret_cast<const uint8_t*>(debug.data()), debug.size()}));
  buf.resize(w.size());
  Recorder rec;
  ParseSummary summary;
  ASSERT_TRUE(parse(buf, &rec, &summary));
  ASSERT_EQ(rec.seen.size(), 1u);
  EXPECT_EQ(rec.seen[0].kind, "close");
  EXPECT_EQ(rec.seen[0].a, 0xFFFFFFFFu);
  EXPECT_EQ(rec.seen[0].bytes.size(), kMaxCloseDebug);
  EXPECT_TRUE(summary.ack_eliciting);
}

TEST(FramesClose, HostileFieldsAreRejected) {
  expectRejected(Raw().u8(kClose).varint(uint64_t{1} << 32).varint(0).bytes, "reason above u32");
  expectRejected(Raw().u8(kClose).varint(1).varint(kMaxCloseDebug + 1).data(kMaxCloseDebug + 1).bytes,
                 "debug above limit");
  expectRejected(Raw().u8(kClose).varint(1).varint(5).data(4).bytes, "debug past end");
  expectRejected(Raw().u8(kClose).varint(1).bytes, "missing length");
}

TEST(FramesPing, IsAckEliciting) {
  std::vector<uint8_t> buf(4);
  base::ByteWriter w(buf.data(), buf.size());
  ASSERT_TRUE(writePing(w));
  ASSERT_TRUE(writePing(w));
  buf.resize(w.size());
  Recorder rec;
  ParseSummary summary;
  ASSERT_TRUE(parse(buf, &rec, &summary));
  EXPECT_EQ(rec.seen.size(), 2u);
  EXPECT_EQ(summary.frames, 2);
  EXPECT_TRUE(summary.ack_eliciting);
  base::ByteWriter full(buf.data(), 0);
  EXPECT_FALSE(writePing(full));
}

// ---- Whole payloads --------------------------------------------------------------------------

TEST(FramesPayload, UnknownFrameTypesAreRejected) {
  for (int t = static_cast<int>(FrameType::kClose) + 1; t < 256; ++t)
    expectRejected(Raw().u8(static_cast<uint8_t>(t)).bytes, "unknown type");
}

TEST(FramesPayload, ValidFrameFollowedByGarbageProducesNoVisitorCalls) {
  std::vector<uint8_t> buf(256);
  base::ByteWriter w(buf.data(), buf.size());
  std::vector<uint8_t> data = {1, 2, 3};
  ASSERT_TRUE(writePing(w));
  ASSERT_TRUE(writeReliable(w, 0, 0, data));
  std::vector<AckRange> ranges = {{1, 5}};
  ASSERT_TRUE(writeAck(w, ranges, 0, 0));
  buf.resize(w.size());
  Recorder ok_rec;
  ASSERT_TRUE(parse(buf, &ok_rec));
  EXPECT_EQ(ok_rec.seen.size(), 3u);

  for (uint8_t garbage : {uint8_t{0x06}, uint8_t{0xFF}, kReliable, kAck, kClose}) {
    auto bad = buf;
    bad.push_back(garbage);
    expectRejected(bad, "valid frames then garbage");
  }
  // A summary is not written for an invalid payload either.
  auto bad = buf;
  bad.push_back(0xFF);
  ParseSummary summary;
  summary.frames = -1;
  EXPECT_FALSE(parseFrames(bad, nullptr, &summary, nullptr));
  EXPECT_EQ(summary.frames, -1);
}

TEST(FramesPayload, PaddingEndsThePayload) {
  auto bytes = Raw().u8(kPing).u8(kPadding).u8(0xFF).u8(0xFF).bytes;
  Recorder rec;
  ASSERT_TRUE(parse(bytes, &rec));
  ASSERT_EQ(rec.seen.size(), 1u);
  EXPECT_EQ(rec.seen[0].kind, "ping");
}

TEST(FramesPayload, EmptyAndPaddingOnlyAreValidAndNotAckEliciting) {
  Recorder rec;
  ParseSummary summary;
  EXPECT_TRUE(parse({}, &rec, &summary));
  EXPECT_FALSE(summary.ack_eliciting);
  EXPECT_TRUE(parse(Raw().u8(kPadding).data(50, 0).bytes, &rec, &summary));
  EXPECT_FALSE(summary.ack_eliciting);
  EXPECT_TRUE(rec.seen.empty());
}

TEST(FramesPayload, FramesArriveInOrder) {
  std::vector<uint8_t> buf(256);
  base::ByteWriter w(buf.data(), buf.size());
  std::vector<uint8_t> a = {1}, b = {2, 2};
  ASSERT_TRUE(writeReliable(w, 1, 0, a));
  ASSERT_TRUE(writeClose(w, 7, {}));
  ASSERT_TRUE(writeUnreliable(w, 2, 1, 0, 2, b));
  ASSERT_TRUE(writePing(w));
  buf.resize(w.size());
  Recorder rec;
  ParseSummary summary;
  ASSERT_TRUE(parse(buf, &rec, &summary));
  ASSERT_EQ(rec.seen.size(), 4u);
  EXPECT_EQ(rec.seen[0].kind, "reliable");
  EXPECT_EQ(rec.seen[1].kind, "close");
  EXPECT_EQ(rec.seen[2].kind, "unreliable");
  EXPECT_EQ(rec.seen[3].kind, "ping");
  EXPECT_EQ(summary.frames, 4);
}

TEST(FramesPayload, EveryTruncationOfAValidPayloadIsRejectedOrAPrefix) {
  // Cutting a payload mid-frame must never call the visitor with partial data.
  std::vector<uint8_t> buf(256);
  base::ByteWriter w(buf.data(), buf.size());
  std::vector<uint8_t> data(10, 3);
  ASSERT_TRUE(writeReliable(w, 1, 300, data));
  size_t first_end = w.size();
  auto ranges = manyRanges(5);
  ASSERT_TRUE(writeAck(w, ranges, 5, 6));
  buf.resize(w.size());
  for (size_t len = 1; len < buf.size(); ++len) {
    std::vector<uint8_t> cut(buf.begin(), buf.begin() + static_cast<long>(len));
    Recorder rec;
    bool ok = parse(cut, &rec);
    EXPECT_EQ(ok, len == first_end) << len;
    EXPECT_EQ(rec.seen.size(), ok ? 1u : 0u) << len;
  }
}

}  // namespace
}  // namespace outpost::transport::frames
