// RangeSet: a sorted set of disjoint half-open ranges [start, end) of uint64, kept in one
// vector so that the common cases (append at the end, trim at the front) cost no allocation
// once the vector has grown. Used for acknowledged and lost stream bytes, received stream bytes
// and received packet numbers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace outpost::transport {

struct Range {
  uint64_t start;
  uint64_t end;  // exclusive
};

class RangeSet {
 public:
  bool empty() const { return r_.empty(); }
  size_t count() const { return r_.size(); }
  const Range& operator[](size_t i) const { return r_[i]; }
  const Range& front() const { return r_.front(); }
  const Range& back() const { return r_.back(); }
  void clear() { r_.clear(); }

  void add(uint64_t start, uint64_t end) {
    if (start >= end) return;
    // Fast path: extends or follows the last range.
    if (r_.empty() || start > r_.back().end) {
      r_.push_back({start, end});
      return;
    }
    if (start >= r_.back().start) {
      r_.back().end = std::max(r_.back().end, end);
      return;
    }
    // General case: find the first range whose end >= start.
    auto it = std::lower_bound(r_.begin(), r_.end(), start, [](const Range& r, uint64_t v) { return r.end < v; });
    if (it == r_.end() || end < it->start) {
      r_.insert(it, {start, end});
      return;
    }
    it->start = std::min(it->start, start);
    it->end = std::max(it->end, end);
    auto next = it + 1;
    while (next != r_.end() && next->start <= it->end) {
      it->end = std::max(it->end, next->end);
      ++next;
    }
    r_.erase(it + 1, next);
  }

  bool contains(uint64_t v) const {
    auto it = std::upper_bound(r_.begin(), r_.end(), v, [](uint64_t x, const Range& r) { return x < r.start; });
    if (it == r_.begin()) return false;
    --it;
    return v < it->end;
  }

  // True if every value in [start, end) is in the set.
  bool containsAll(uint64_t start, uint64_t end) const {
    if (start >= end) return true;
    auto it = std::upper_bound(r_.begin(), r_.end(), start, [](uint64_t x, const Range& r) { return x < r.start; });
    if (it == r_.begin()) return false;
    --it;
    return end <= it->end;
  }

  // Removes everything below v.
  void trimBelow(uint64_t v) {
    size_t drop = 0;
    while (drop < r_.size() && r_[drop].end <= v) ++drop;
    if (drop) r_.erase(r_.begin(), r_.begin() + static_cast<long>(drop));
    if (!r_.empty() && r_.front().start < v) r_.front().start = v;
  }

  // Removes [start, end) from the set.
  void remove(uint64_t start, uint64_t end) {
    if (start >= end || r_.empty()) return;
    for (size_t i = 0; i < r_.size();) {
      Range& r = r_[i];
      if (r.end <= start) {
        ++i;
        continue;
      }
      if (r.start >= end) break;
      if (r.start < start && r.end > end) {
        Range tail{end, r.end};
        r.end = start;
        r_.insert(r_.begin() + static_cast<long>(i) + 1, tail);
        return;
      }
      if (r.start < start) {
        r.end = start;
        ++i;
        continue;
      }
      if (r.end > end) {
        r.start = end;
        break;
      }
      r_.erase(r_.begin() + static_cast<long>(i));
    }
  }

  // Drops the lowest ranges so that at most max remain.
  void keepHighest(size_t max) {
    if (r_.size() > max) r_.erase(r_.begin(), r_.begin() + static_cast<long>(r_.size() - max));
  }

 private:
  std::vector<Range> r_;
};

}  // namespace outpost::transport
