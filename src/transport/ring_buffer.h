// RingBuffer<T>: a FIFO in one power-of-two array that grows by doubling and never shrinks, so
// a steady-state queue costs no allocation per element (used for received messages, poll-group
// order and sent-packet records).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace outpost::transport {

template <typename T>
class RingBuffer {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  size_t capacity() const { return slots_.size(); }
  T& front() { return slots_[head_]; }
  const T& front() const { return slots_[head_]; }
  T& back() { return slots_[(head_ + size_ - 1) & mask_]; }
  T& operator[](size_t i) { return slots_[(head_ + i) & mask_]; }
  const T& operator[](size_t i) const { return slots_[(head_ + i) & mask_]; }

  T& push_back(T v) {
    if (size_ == slots_.size()) grow();
    T& slot = slots_[(head_ + size_) & mask_];
    slot = std::move(v);
    ++size_;
    return slot;
  }
  void pop_front() {
    head_ = (head_ + 1) & mask_;
    --size_;
  }
  void clear() {
    head_ = 0;
    size_ = 0;
  }

 private:
  void grow() {
    size_t cap = slots_.empty() ? 16 : slots_.size() * 2;
    std::vector<T> next(cap);
    for (size_t i = 0; i < size_; ++i) next[i] = std::move(slots_[(head_ + i) & mask_]);
    slots_ = std::move(next);
    head_ = 0;
    mask_ = cap - 1;
  }

  std::vector<T> slots_;
  size_t head_ = 0;
  size_t size_ = 0;
  size_t mask_ = 0;
};

}  // namespace outpost::transport
