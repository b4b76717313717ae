// SparseBytes (see sparse_bytes.h).
#include "transport/sparse_bytes.h"

#include <algorithm>
#include <cstring>

namespace outpost::transport {

namespace {
// A run emptied with more capacity than this is freed, so an idle connection gives back what a
// burst made it allocate.
constexpr size_t kKeepCapacityBytes = 4096;
}  // namespace

void SparseBytes::appendTo(std::vector<uint8_t>& v, const uint8_t* p, size_t n) {
  size_t need = v.size() + n;
  if (need > v.capacity()) v.reserve(tight_ ? need : std::max(need, v.capacity() * 2));
  v.insert(v.end(), p, p + n);
}

void SparseBytes::appendRun(std::span<const uint8_t> data) {
  if (head_ > 0 && run_.size() + data.size() > run_.capacity()) {
    // Slide the live bytes to the front before growing.
    run_.erase(run_.begin(), run_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  appendTo(run_, data.data(), data.size());
}

void SparseBytes::absorbSegments() {
  size_t taken = 0;
  while (taken < segments_.size() && segments_[taken].start <= contiguousEnd()) {
    Segment& s = segments_[taken];
    uint64_t cend = contiguousEnd();
    if (s.end() > cend) {
      size_t skip = static_cast<size_t>(cend - s.start);
      appendRun({s.bytes.data() + skip, s.bytes.size() - skip});
    }
    segment_bytes_ -= s.bytes.size();
    ++taken;
  }
  if (taken) {
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(taken));
    if (tight_ && segments_.capacity() > 2 * segments_.size() + 4) segments_.shrink_to_fit();
  }
}

size_t SparseBytes::insert(uint64_t offset, std::span<const uint8_t> data) {
  uint64_t end = offset + data.size();
  uint64_t cend = contiguousEnd();
  if (data.empty() || end <= cend) return 0;
  size_t before = heldBytes();
  if (offset < cend) {
    data = data.subspan(static_cast<size_t>(cend - offset));
    offset = cend;
  }
  if (offset == cend) {
    appendRun(data);
    absorbSegments();
  } else {
    insertOutOfOrder(offset, data);
  }
  return heldBytes() - before;
}

void SparseBytes::insertOutOfOrder(uint64_t offset, std::span<const uint8_t> data) {
  uint64_t end = offset + data.size();
  // The first segment that ends at or after `offset` (touches or overlaps the new bytes).
  auto it = std::lower_bound(segments_.begin(), segments_.end(), offset,
                             [](const Segment& s, uint64_t v) { return s.end() < v; });
  if (it == segments_.end() || it->start > end) {
    Segment s;
    s.start = offset;
    appendTo(s.bytes, data.data(), data.size());
    segment_bytes_ += data.size();
    segments_.insert(it, std::move(s));
    return;
  }
  if (offset < it->start) {
    // New bytes in front of the segment (rare: data arriving in reverse order).
    size_t n = static_cast<size_t>(it->start - offset);
    if (tight_) {
      std::vector<uint8_t> joined;
      joined.reserve(n + it->bytes.size());
      joined.insert(joined.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
      joined.insert(joined.end(), it->bytes.begin(), it->bytes.end());
      it->bytes.swap(joined);
    } else {
      it->bytes.insert(it->bytes.begin(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
    }
    it->start = offset;
    segment_bytes_ += n;
  }
  // Extend it to `end`, swallowing every following segment the new bytes reach.
  uint64_t pos = it->end();
  while (pos < end) {
    auto next = it + 1;
    uint64_t stop = (next != segments_.end() && next->start <= end) ? next->start : end;
    if (stop > pos) {
      appendTo(it->bytes, data.data() + (pos - offset), static_cast<size_t>(stop - pos));
      segment_bytes_ += static_cast<size_t>(stop - pos);
      pos = stop;
    }
    if (next != segments_.end() && next->start <= pos) {
      appendTo(it->bytes, next->bytes.data(), next->bytes.size());
      pos = it->end();
      segments_.erase(next);  // `it` stays valid: it lies before the erased element
      if (tight_ && segments_.capacity() > 2 * segments_.size() + 4) {
        size_t index = static_cast<size_t>(it - segments_.begin());
        segments_.shrink_to_fit();
        it = segments_.begin() + static_cast<std::ptrdiff_t>(index);
      }
    } else {
      break;
    }
  }
}

bool SparseBytes::wouldAddSegment(uint64_t offset, uint64_t len) const {
  uint64_t end = offset + len;
  uint64_t cend = contiguousEnd();
  if (len == 0 || end <= cend || offset <= cend) return false;
  auto it = std::lower_bound(segments_.begin(), segments_.end(), offset,
                             [](const Segment& s, uint64_t v) { return s.end() < v; });
  return it == segments_.end() || it->start > end;
}

bool SparseBytes::containsAll(uint64_t start, uint64_t end) const {
  uint64_t cend = contiguousEnd();
  if (end <= cend) return true;
  if (start < cend) start = cend;
  auto it = std::upper_bound(segments_.begin(), segments_.end(), start,
                             [](uint64_t v, const Segment& s) { return v < s.start; });
  if (it == segments_.begin()) return false;
  --it;
  return end <= it->end();
}

void SparseBytes::consume(uint64_t n) {
  head_ += static_cast<size_t>(n);
  base_ += n;
  if (head_ == run_.size()) {
    head_ = 0;
    if (tight_ || run_.capacity() > kKeepCapacityBytes) std::vector<uint8_t>().swap(run_);
    else run_.clear();
  } else if (tight_ && n > 0) {
    // Keep only the live bytes (a partial message), not the space the cut messages used.
    std::vector<uint8_t>(run_.begin() + static_cast<std::ptrdiff_t>(head_), run_.end()).swap(run_);
    head_ = 0;
  }
}

void SparseBytes::setTight(bool tight) {
  tight_ = tight;
  if (!tight_) return;
  if (head_ > 0 || run_.capacity() > run_.size()) {
    std::vector<uint8_t>(run_.begin() + static_cast<std::ptrdiff_t>(head_), run_.end()).swap(run_);
    head_ = 0;
  }
  for (Segment& s : segments_) s.bytes.shrink_to_fit();
  segments_.shrink_to_fit();
}

size_t SparseBytes::allocatedBytes() const {
  size_t n = run_.capacity() + segments_.capacity() * sizeof(Segment);
  for (const Segment& s : segments_) n += s.bytes.capacity() + kSegmentOverheadBytes;
  return n;
}

void SparseBytes::clear() {
  std::vector<uint8_t>().swap(run_);
  std::vector<Segment>().swap(segments_);
  head_ = 0;
  base_ = 0;
  segment_bytes_ = 0;
}

}  // namespace outpost::transport
