// SparseBytes: bytes placed at offsets a peer chose, holding only what actually arrived — one
// contiguous run from the read position (base) and, beyond it, out-of-order segments, each kept
// as received and merged with its neighbours when they touch. Nothing is allocated for a gap:
// a byte at the far edge of a flow-control window costs one byte and one segment record, not the
// window (docs/spec/transport.md §16.3). Used for a lane's reliable stream (RecvStream) and for an
// unreliable message being reassembled (Connection). Runs under the engine lock; never throws
// on peer input (allocation failure aside).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace outpost::transport {

class SparseBytes {
 public:
  // What a segment's record and its allocation's header cost, charged by allocatedBytes().
  static constexpr size_t kSegmentOverheadBytes = 64;

  // Stores the parts of [offset, offset + data.size()) that are at or above base() and not
  // held yet (already-held bytes keep their first value). Returns the bytes newly stored.
  size_t insert(uint64_t offset, std::span<const uint8_t> data);
  // True if insert(offset, len) would start a new out-of-order segment rather than extend the
  // run or a segment it touches (admission checks before a packet is acknowledged).
  bool wouldAddSegment(uint64_t offset, uint64_t len) const;
  // True if every byte of [start, end) is held or below base().
  bool containsAll(uint64_t start, uint64_t end) const;

  uint64_t base() const { return base_; }
  uint64_t contiguousEnd() const { return base_ + (run_.size() - head_); }
  // End of the highest byte held (contiguousEnd() when no segment is held).
  uint64_t highest() const { return segments_.empty() ? contiguousEnd() : segments_.back().end(); }
  // The bytes [base(), contiguousEnd()).
  std::span<const uint8_t> contiguous() const { return {run_.data() + head_, run_.size() - head_}; }
  // Moves base() forward by n <= contiguous().size().
  void consume(uint64_t n);

  size_t segmentCount() const { return segments_.size(); }
  // Bytes held (run and segments), and what holding them costs in memory: every buffer's
  // capacity plus kSegmentOverheadBytes per segment.
  size_t heldBytes() const { return (run_.size() - head_) + segment_bytes_; }
  size_t allocatedBytes() const;
  // Tight: buffers are kept exactly as large as what they hold (no doubling slack, emptied
  // space given back at once), for connections whose peer is not trusted yet; a little more
  // copying, no memory beyond the bytes held. Otherwise buffers grow by doubling.
  void setTight(bool tight);
  void clear();

 private:
  struct Segment {
    uint64_t start = 0;
    std::vector<uint8_t> bytes;
    uint64_t end() const { return start + bytes.size(); }
  };
  void appendTo(std::vector<uint8_t>& v, const uint8_t* p, size_t n);
  void appendRun(std::span<const uint8_t> data);
  void absorbSegments();
  void insertOutOfOrder(uint64_t offset, std::span<const uint8_t> data);

  std::vector<uint8_t> run_;  // bytes [base_, contiguousEnd()) start at run_[head_]
  size_t head_ = 0;
  uint64_t base_ = 0;
  std::vector<Segment> segments_;  // sorted, each above contiguousEnd(), disjoint, not touching
  size_t segment_bytes_ = 0;
  bool tight_ = false;
};

}  // namespace outpost::transport
