// RecvStream (see recv_stream.h).
#include "transport/recv_stream.h"

#include <algorithm>

namespace outpost::transport {

RecvStream::Insert RecvStream::insert(uint64_t offset, std::span<const uint8_t> data, uint64_t window_end) {
  uint64_t end = offset + data.size();
  if (end <= bytes_.base()) return Insert::kOld;
  if (end > window_end) return Insert::kBeyondWindow;
  if (bytes_.insert(offset, data) == 0) return Insert::kOld;
  return Insert::kOk;
}

bool RecvStream::parseHeader(std::span<const uint8_t> run, uint64_t* delta, uint64_t* size, size_t* header_len) const {
  base::ByteReader r(run.data(), std::min<size_t>(run.size(), 16));
  *delta = r.varint();
  *size = r.varint();
  if (!r.ok()) return false;
  *header_len = r.position();
  return true;
}

}  // namespace outpost::transport
