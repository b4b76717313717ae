// Bounds-checked little-endian byte codec with QUIC-style varints, used by every wire parser.
// Readers never assert and never read past the end: a short or malformed input makes every later
// read fail and leaves `ok()` false, so a parser checks once at the end. Writers assume the caller
// sized the buffer (they are only used on buffers we allocate) and report overflow through ok().
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace outpost::base {

// Varint: 2-bit length prefix in the top bits of the first byte (1, 2, 4 or 8 bytes), big-endian
// payload, values up to 2^62-1 (the QUIC encoding; RFC 9000 section 16).
inline constexpr uint64_t kVarintMax = (uint64_t{1} << 62) - 1;

inline size_t varintSize(uint64_t v) {
  if (v < 64) return 1;
  if (v < 16384) return 2;
  if (v < 1073741824) return 4;
  return 8;
}

class ByteWriter {
 public:
  ByteWriter(uint8_t* data, size_t capacity) : data_(data), cap_(capacity) {}
  explicit ByteWriter(std::span<uint8_t> s) : data_(s.data()), cap_(s.size()) {}

  bool ok() const { return ok_; }
  size_t size() const { return pos_; }
  size_t remaining() const { return cap_ - pos_; }
  uint8_t* cursor() { return data_ + pos_; }

  void u8(uint8_t v) {
    if (!reserve(1)) return;
    data_[pos_++] = v;
  }
  void u16(uint16_t v) { le(v, 2); }
  void u32(uint32_t v) { le(v, 4); }
  void u64(uint64_t v) { le(v, 8); }
  void bytes(const void* p, size_t n) {
    if (!reserve(n)) return;
    if (n) std::memcpy(data_ + pos_, p, n);
    pos_ += n;
  }
  void zeros(size_t n) {
    if (!reserve(n)) return;
    std::memset(data_ + pos_, 0, n);
    pos_ += n;
  }
  void varint(uint64_t v) {
    if (v > kVarintMax) {
      ok_ = false;
      return;
    }
    size_t n = varintSize(v);
    if (!reserve(n)) return;
    uint8_t prefix = n == 1 ? 0x00 : n == 2 ? 0x40 : n == 4 ? 0x80 : 0xC0;
    for (size_t i = 0; i < n; ++i) data_[pos_ + n - 1 - i] = static_cast<uint8_t>(v >> (8 * i));
    data_[pos_] |= prefix;
    pos_ += n;
  }
  void skip(size_t n) {
    if (reserve(n)) pos_ += n;
  }

 private:
  bool reserve(size_t n) {
    if (!ok_ || cap_ - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  void le(uint64_t v, size_t n) {
    if (!reserve(n)) return;
    for (size_t i = 0; i < n; ++i) data_[pos_ + i] = static_cast<uint8_t>(v >> (8 * i));
    pos_ += n;
  }

  uint8_t* data_;
  size_t cap_;
  size_t pos_ = 0;
  bool ok_ = true;
};

class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  explicit ByteReader(std::span<const uint8_t> s) : data_(s.data()), size_(s.size()) {}

  bool ok() const { return ok_; }
  size_t position() const { return pos_; }
  size_t remaining() const { return ok_ ? size_ - pos_ : 0; }
  bool atEnd() const { return ok_ && pos_ == size_; }

  uint8_t u8() {
    if (!need(1)) return 0;
    return data_[pos_++];
  }
  uint16_t u16() { return static_cast<uint16_t>(le(2)); }
  uint32_t u32() { return static_cast<uint32_t>(le(4)); }
  uint64_t u64() { return le(8); }
  // Returns a view of the next n bytes (empty and !ok() if fewer remain).
  std::span<const uint8_t> bytes(size_t n) {
    if (!need(n)) return {};
    auto s = std::span<const uint8_t>(data_ + pos_, n);
    pos_ += n;
    return s;
  }
  void copy(void* out, size_t n) {
    auto s = bytes(n);
    if (ok_ && n) std::memcpy(out, s.data(), n);
  }
  uint64_t varint() {
    if (!need(1)) return 0;
    size_t n = size_t{1} << (data_[pos_] >> 6);
    if (!need(n)) return 0;
    uint64_t v = data_[pos_] & 0x3F;
    for (size_t i = 1; i < n; ++i) v = (v << 8) | data_[pos_ + i];
    pos_ += n;
    return v;
  }
  void fail() { ok_ = false; }

 private:
  bool need(size_t n) {
    if (!ok_ || size_ - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  uint64_t le(size_t n) {
    if (!need(n)) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t{data_[pos_ + i]} << (8 * i);
    pos_ += n;
    return v;
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace outpost::base
