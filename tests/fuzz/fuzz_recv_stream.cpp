// libFuzzer target for RecvStream (src/transport/recv_stream.h), the reassembly of a lane's
// reliable byte stream from segments a peer chose. The input is a small header, a list of
// insert(offset, len) operations and the stream bytes they draw from:
//
//   u8 mode     bit 0: hostile (segments carry bytes from anywhere, so retransmissions disagree)
//               bit 1: deliver only at the end instead of after every insert
//               bit 2: tight buffers (an untrusted connection's, SparseBytes::setTight)
//   u8 max      RECV_MAX_MESSAGE_SIZE = 1 + 8 * max
//   u8 credit   flow-control window beyond the delivered offset: 64 * (1 + credit) bytes, or
//               unlimited for 255
//   u8 count    number of operations, then count * {u16 offset, u8 len, u8 source}
//   ...         the stream bytes S
//
// Checked: delivered messages never exceed the data inserted (the delivered offset stays within
// the contiguous prefix a model of the accepted inserts holds), the delivered offset only grows
// and equals the sum of delivered stream bytes, message numbers strictly increase, payloads
// respect the size limit, in consistent mode every payload is exactly the stream's bytes, and the
// stream never holds more bytes than the window allows (only what arrived: held bytes stay within
// the accepted inserts' coverage above the delivered offset).
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "fuzz_check.h"
#include "transport/recv_stream.h"

using namespace outpost;
using outpost::transport::RecvStream;

namespace {

volatile uint64_t g_sink;

struct Model {
  std::vector<bool> covered = std::vector<bool>(65536 + 256 + 1, false);
  uint64_t covered_count = 0;
  uint64_t contiguousEnd() const {
    uint64_t i = 0;
    while (i < covered.size() && covered[i]) ++i;
    return i;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const bool hostile = data[0] & 1;
  const bool deliver_at_end = data[0] & 2;
  const bool tight = data[0] & 4;
  const uint32_t max_message = 1 + 8u * data[1];
  const bool unlimited = data[2] == 255;
  const uint64_t credit = 64u * (1u + data[2]);
  const size_t count = data[3];
  size_t ops_bytes = count * 4;
  if (size < 4 + ops_bytes) return 0;
  const uint8_t* ops = data + 4;
  std::span<const uint8_t> stream(data + 4 + ops_bytes, size - 4 - ops_bytes);

  RecvStream r;
  if (tight) r.setTight(true);
  Model model;
  uint64_t delivered = 0;  // sum of stream bytes handed to the sink
  int64_t last_number = 0;
  bool violated = false;

  auto deliverAll = [&]() {
    uint64_t before = r.deliveredOffset();
    bool ok = r.deliver(max_message, [&](int64_t number, std::span<const uint8_t> payload, uint64_t stream_bytes) {
      FUZZ_CHECK(payload.size() <= max_message);
      FUZZ_CHECK(stream_bytes >= payload.size() + 2 && stream_bytes <= payload.size() + 16);
      FUZZ_CHECK(number > last_number);  // strictly increasing, never wraps negative
      last_number = number;
      uint64_t sum = 0;
      for (uint8_t b : payload) sum += b;
      g_sink = sum;
      if (!hostile) {
        uint64_t payload_at = delivered + stream_bytes - payload.size();
        FUZZ_CHECK(payload_at + payload.size() <= stream.size());
        FUZZ_CHECK(payload.empty() || std::memcmp(payload.data(), stream.data() + payload_at, payload.size()) == 0);
      }
      delivered += stream_bytes;
    });
    FUZZ_CHECK(r.deliveredOffset() >= before);  // monotonic
    FUZZ_CHECK(r.deliveredOffset() == delivered);
    FUZZ_CHECK(r.deliveredOffset() <= model.contiguousEnd());  // never beyond inserted data
    FUZZ_CHECK(r.highestReceived() >= r.deliveredOffset());
    return ok;
  };

  for (size_t i = 0; i < count && !violated; ++i) {
    const uint8_t* op = ops + 4 * i;
    uint64_t offset = op[0] | (uint64_t{op[1]} << 8);
    size_t len = op[2];
    size_t source = 0;
    if (hostile) {
      source = stream.empty() ? 0 : op[3] % (stream.size() + 1);
    } else {
      offset = offset % (stream.size() + 1);
      source = static_cast<size_t>(offset);
    }
    if (source + len > stream.size()) len = stream.size() - source;
    std::span<const uint8_t> segment = stream.subspan(source, len);

    uint64_t window_end = unlimited ? UINT64_MAX : r.deliveredOffset() + credit;
    uint64_t high_before = r.highestReceived();
    uint64_t base = r.deliveredOffset();
    auto result = r.insert(offset, segment, window_end);
    uint64_t end = offset + len;
    switch (result) {
      case RecvStream::Insert::kBeyondWindow:
        FUZZ_CHECK(end > window_end);
        FUZZ_CHECK(r.highestReceived() == high_before);  // nothing stored
        break;
      case RecvStream::Insert::kOld: FUZZ_CHECK(end <= window_end || end <= base); break;
      case RecvStream::Insert::kOk:
        FUZZ_CHECK(end > base && end <= window_end && len > 0);
        for (uint64_t o = offset < base ? base : offset; o < end; ++o) {
          model.covered_count += !model.covered[o];
          model.covered[o] = true;
        }
        FUZZ_CHECK(r.highestReceived() >= end);
        break;
    }
    {
      // Only bytes that arrived are held: never more than the model's coverage above the
      // delivered offset (a far-edge byte costs one byte, not the gap).
      // (Every byte below the delivered offset is covered, so the coverage above it is the total
      // minus that offset.)
      FUZZ_CHECK(r.heldBytes() <= model.covered_count - r.deliveredOffset());
      // Tight: buffers exactly their contents; the segment table at most twice its size (+4).
      if (tight) FUZZ_CHECK(r.allocatedBytes() <= r.heldBytes() + r.segmentCount() * 128 + 128);
    }
    if (!deliver_at_end && !deliverAll()) violated = true;
  }
  if (!violated) deliverAll();
  return 0;
}
