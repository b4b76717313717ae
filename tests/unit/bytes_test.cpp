// Tests for ByteReader/ByteWriter (src/base/bytes.h): little-endian integers, QUIC varints at
// every encoding-size boundary, and the failure behaviour every wire parser relies on (a short
// input fails the read and every later one; a full writer refuses to write).
#include "base/bytes.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace outpost {
namespace {

struct VarintCase {
  uint64_t value;
  size_t encoded_size;
};

// Both sides of every boundary of the 1/2/4/8-byte encodings.
const VarintCase kVarintCases[] = {
    {0, 1},
    {1, 1},
    {63, 1},
    {64, 2},
    {16383, 2},
    {16384, 4},
    {(uint64_t{1} << 30) - 1, 4},
    {uint64_t{1} << 30, 8},
    {base::kVarintMax - 1, 8},
    {base::kVarintMax, 8},
};

TEST(Varint, SizeMatchesEncodingBoundaries) {
  for (const auto& c : kVarintCases) EXPECT_EQ(base::varintSize(c.value), c.encoded_size) << c.value;
}

TEST(Varint, RoundTripsAtEverySizeBoundary) {
  for (const auto& c : kVarintCases) {
    uint8_t buf[8] = {};
    base::ByteWriter w(buf, sizeof buf);
    w.varint(c.value);
    ASSERT_TRUE(w.ok()) << c.value;
    EXPECT_EQ(w.size(), c.encoded_size) << c.value;

    base::ByteReader r(buf, w.size());
    EXPECT_EQ(r.varint(), c.value);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.atEnd());
  }
}

TEST(Varint, UsesTheQuicLengthPrefix) {
  // RFC 9000 section A.1 examples.
  const std::vector<std::pair<uint64_t, std::vector<uint8_t>>> examples = {
      {37, {0x25}},
      {15293, {0x7b, 0xbd}},
      {494878333, {0x9d, 0x7f, 0x3e, 0x7d}},
      {151288809941952652ull, {0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c}},
  };
  for (const auto& [value, bytes] : examples) {
    uint8_t buf[8] = {};
    base::ByteWriter w(buf, sizeof buf);
    w.varint(value);
    ASSERT_EQ(w.size(), bytes.size());
    EXPECT_EQ(std::vector<uint8_t>(buf, buf + w.size()), bytes) << value;
    base::ByteReader r(bytes.data(), bytes.size());
    EXPECT_EQ(r.varint(), value);
  }
}

TEST(Varint, NonMinimalEncodingIsAccepted) {
  // 37 in two bytes: the decoder reads the prefix, not the value, to find the length.
  const uint8_t two[] = {0x40, 0x25};
  base::ByteReader r(two, sizeof two);
  EXPECT_EQ(r.varint(), 37u);
  EXPECT_TRUE(r.atEnd());
}

TEST(Varint, ValueAboveMaximumFailsTheWriter) {
  uint8_t buf[8] = {};
  base::ByteWriter w(buf, sizeof buf);
  w.varint(base::kVarintMax + 1);
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.size(), 0u);
}

TEST(Varint, EveryTruncationFailsTheReader) {
  for (const auto& c : kVarintCases) {
    uint8_t buf[8] = {};
    base::ByteWriter w(buf, sizeof buf);
    w.varint(c.value);
    for (size_t len = 0; len < w.size(); ++len) {
      base::ByteReader r(buf, len);
      EXPECT_EQ(r.varint(), 0u) << c.value << " cut to " << len;
      EXPECT_FALSE(r.ok()) << c.value << " cut to " << len;
      EXPECT_EQ(r.remaining(), 0u);
      EXPECT_FALSE(r.atEnd());
    }
  }
}

TEST(ByteWriter, IntegersAreLittleEndian) {
  uint8_t buf[15] = {};
  base::ByteWriter w(buf, sizeof buf);
  w.u8(0xAB);
  w.u16(0x1234);
  w.u32(0x89ABCDEF);
  w.u64(0x0102030405060708ull);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.size(), 15u);
  const uint8_t expected[15] = {0xAB, 0x34, 0x12, 0xEF, 0xCD, 0xAB, 0x89, 0x08,
                                0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
  EXPECT_EQ(std::vector<uint8_t>(buf, buf + 15), std::vector<uint8_t>(expected, expected + 15));

  base::ByteReader r(buf, sizeof buf);
  EXPECT_EQ(r.u8(), 0xAB);
  EXPECT_EQ(r.u16(), 0x1234);
  EXPECT_EQ(r.u32(), 0x89ABCDEFu);
  EXPECT_EQ(r.u64(), 0x0102030405060708ull);
  EXPECT_TRUE(r.atEnd());
}

TEST(ByteWriter, OverflowFailsAndWritesNothingPastCapacity) {
  std::array<uint8_t, 8> buf{};
  buf.fill(0xEE);
  base::ByteWriter w(buf.data(), 5);
  w.u32(0x11111111);
  ASSERT_TRUE(w.ok());
  w.u16(0x2222);  // needs 2, only 1 left
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.size(), 4u);
  EXPECT_EQ(buf[4], 0xEE);  // the failed write touched nothing
  // Once failed, even writes that would fit are refused.
  w.u8(0x33);
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.size(), 4u);
  EXPECT_EQ(buf[4], 0xEE);
}

TEST(ByteWriter, OverflowOfEachWriteKind) {
  uint8_t buf[4] = {};
  {
    base::ByteWriter w(buf, 0);
    w.u8(1);
    EXPECT_FALSE(w.ok());
  }
  {
    base::ByteWriter w(buf, 3);
    w.u32(1);
    EXPECT_FALSE(w.ok());
  }
  {
    base::ByteWriter w(buf, 4);
    w.u64(1);
    EXPECT_FALSE(w.ok());
  }
  {
    base::ByteWriter w(buf, 4);
    const uint8_t five[5] = {1, 2, 3, 4, 5};
    w.bytes(five, 5);
    EXPECT_FALSE(w.ok());
  }
  {
    base::ByteWriter w(buf, 4);
    w.zeros(5);
    EXPECT_FALSE(w.ok());
  }
  {
    base::ByteWriter w(buf, 4);
    w.skip(5);
    EXPECT_FALSE(w.ok());
  }
  {
    base::ByteWriter w(buf, 1);
    w.varint(64);  // two bytes
    EXPECT_FALSE(w.ok());
    EXPECT_EQ(w.size(), 0u);
  }
}

TEST(ByteWriter, ExactFitSucceeds) {
  uint8_t buf[4] = {};
  base::ByteWriter w(buf, 4);
  w.zeros(2);
  w.u16(0xBEEF);
  EXPECT_TRUE(w.ok());
  EXPECT_EQ(w.remaining(), 0u);
  w.bytes(nullptr, 0);  // an empty write at the end is fine
  EXPECT_TRUE(w.ok());
}

TEST(ByteReader, ShortReadFailsAndPoisonsLaterReads) {
  const uint8_t data[] = {1, 2, 3};
  base::ByteReader r(data, sizeof data);
  EXPECT_EQ(r.u16(), 0x0201);
  EXPECT_EQ(r.u32(), 0u);  // only one byte left
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
  // The remaining byte is not readable any more: a parser checks ok() once at the end.
  EXPECT_EQ(r.u8(), 0u);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.atEnd());
}

TEST(ByteReader, BytesReturnsViewOrEmptyOnShortInput) {
  const uint8_t data[] = {10, 20, 30, 40};
  base::ByteReader r(data, sizeof data);
  auto s = r.bytes(3);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.data(), data);
  auto t = r.bytes(2);
  EXPECT_TRUE(t.empty());
  EXPECT_FALSE(r.ok());
}

TEST(ByteReader, CopyFillsOnlyOnSuccess) {
  const uint8_t data[] = {7, 8};
  uint8_t out[3] = {0xEE, 0xEE, 0xEE};
  base::ByteReader r(data, sizeof data);
  r.copy(out, 3);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(out[0], 0xEE);
  base::ByteReader r2(data, sizeof data);
  r2.copy(out, 2);
  EXPECT_TRUE(r2.atEnd());
  EXPECT_EQ(out[0], 7);
  EXPECT_EQ(out[1], 8);
}

TEST(ByteReader, EmptyInput) {
  base::ByteReader r(nullptr, 0);
  EXPECT_TRUE(r.atEnd());
  EXPECT_EQ(r.varint(), 0u);
  EXPECT_FALSE(r.ok());
}

TEST(ByteReader, FailIsSticky) {
  const uint8_t data[] = {1, 2};
  base::ByteReader r(data, sizeof data);
  r.fail();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.u8(), 0u);
  EXPECT_EQ(r.remaining(), 0u);
}

}  // namespace
}  // namespace outpost
