// Godot 3 Variant bytes <-> Value (docs/spec/agent.md §3.2). Layout, all little-endian, every
// item padded to 4 bytes: a u32 header (type in the low 16 bits, flags above: bit 16 = 64-bit
// int/float), then the body. The decoder is the only code that reads a Godot-encoded frame, and
// it runs on bytes from a local process that may not have authenticated yet, so: each count or
// length is compared with the bytes that remain before it is used, a container's element count
// must fit in what remains at 4 bytes per element, and nesting stops at kMaxValueDepth. Strings
// must be valid UTF-8 (Godot's encoder always writes it; anything else is a forged frame).
#include "agent/godot_variant.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "agent/utf8.h"

namespace outpost::agent {
namespace {

enum GodotType : uint32_t {
  kNil = 0,
  kBool = 1,
  kInt = 2,
  kReal = 3,
  kString = 4,
  kObject = 17,
  kDictionary = 18,
  kArray = 19,
  kRawArray = 20,
  kIntArray = 21,
  kRealArray = 22,
  kStringArray = 23,
};
constexpr uint32_t kFlag64 = 1u << 16;
constexpr uint32_t kSharedBit = 0x80000000u;  // set on shared Array/Dictionary counts

const char* typeName(uint32_t t) {
  static const char* const names[] = {"Nil",
                                      "bool",
                                      "int",
                                      "float",
                                      "String",
                                      "Vector2",
                                      "Rect2",
                                      "Vector3",
                                      "Transform2D",
                                      "Plane",
                                      "Quat",
                                      "AABB",
                                      "Basis",
                                      "Transform",
                                      "Color",
                                      "NodePath",
                                      "RID",
                                      "Object",
                                      "Dictionary",
                                      "Array",
                                      "PoolByteArray",
                                      "PoolIntArray",
                                      "PoolRealArray",
                                      "PoolStringArray",
                                      "PoolVector2Array",
                                      "PoolVector3Array",
                                      "PoolColorArray"};
  return t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

class Reader {
 public:
  Reader(std::span<const uint8_t> b, std::string* error) : b_(b), error_(error) {}

  bool fail(const std::string& why) {
    if (error_->empty()) *error_ = why + " at byte " + std::to_string(at_);
    return false;
  }
  size_t left() const { return b_.size() - at_; }
  size_t at() const { return at_; }

  bool u32(uint32_t* v, const char* what) {
    if (left() < 4) return fail(std::string("truncated ") + what);
    *v = static_cast<uint32_t>(b_[at_]) | static_cast<uint32_t>(b_[at_ + 1]) << 8 |
         static_cast<uint32_t>(b_[at_ + 2]) << 16 | static_cast<uint32_t>(b_[at_ + 3]) << 24;
    at_ += 4;
    return true;
  }
  bool u64(uint64_t* v, const char* what) {
    uint32_t lo, hi;
    if (left() < 8) return fail(std::string("truncated ") + what);
    u32(&lo, what);
    u32(&hi, what);
    *v = static_cast<uint64_t>(hi) << 32 | lo;
    return true;
  }
  // `n` bytes, then the padding to 4 (tolerated when cut by the end of the frame, as Godot does).
  bool bytes(size_t n, const uint8_t** p, const char* what) {
    if (left() < n) return fail(std::string("truncated ") + what);
    *p = b_.data() + at_;
    at_ += n;
    size_t pad = (4 - n % 4) % 4;
    at_ += pad < left() ? pad : left();
    return true;
  }

  bool value(Value* out, int depth) {
    uint32_t header;
    if (!u32(&header, "Variant header")) return false;
    const uint32_t type = header & 0xFFFF;
    const bool wide = (header & kFlag64) != 0;
    switch (type) {
      case kNil: *out = nullptr; return true;
      case kBool: {
        uint32_t v;
        if (!u32(&v, "bool")) return false;
        if (v > 1) return fail("bool other than 0 or 1");
        *out = v == 1;
        return true;
      }
      case kInt: {
        if (wide) {
          uint64_t v;
          if (!u64(&v, "int")) return false;
          *out = static_cast<int64_t>(v);
        } else {
          uint32_t v;
          if (!u32(&v, "int")) return false;
          *out = static_cast<int64_t>(static_cast<int32_t>(v));
        }
        return true;
      }
      case kReal: {
        double d;
        if (wide) {
          uint64_t v;
          if (!u64(&v, "float")) return false;
          std::memcpy(&d, &v, 8);
        } else {
          uint32_t v;
          if (!u32(&v, "float")) return false;
          float f;
          std::memcpy(&f, &v, 4);
          d = f;
        }
        if (!std::isfinite(d)) return fail("float that is not finite");
        *out = d;
        return true;
      }
      case kString: return string(out, false);
      case kDictionary:
      case kArray: {
        if (depth >= kMaxValueDepth) return fail("nesting deeper than " + std::to_string(kMaxValueDepth));
        uint32_t count;
        if (!u32(&count, "container count")) return false;
        count &= ~kSharedBit;
        const size_t min_bytes = static_cast<size_t>(count) * (type == kDictionary ? 8 : 4);
        if (min_bytes > left()) return fail("container count " + std::to_string(count) + " larger than the frame");
        if (type == kArray) {
          *out = Value::array();
          for (uint32_t i = 0; i < count; ++i) {
            Value item;
            if (!value(&item, depth + 1)) return false;
            out->push_back(std::move(item));
          }
          return true;
        }
        *out = Value::object();
        for (uint32_t i = 0; i < count; ++i) {
          Value key, item;
          size_t key_at = at_;
          if (!value(&key, depth + 1)) return false;
          std::string k;
          if (key.is_string()) {
            k = key.get<std::string>();
          } else if (key.is_number_integer()) {
            k = std::to_string(key.get<int64_t>());
          } else {
            at_ = key_at;
            return fail("Dictionary key that is neither a String nor an int");
          }
          if (!value(&item, depth + 1)) return false;
          (*out)[k] = std::move(item);
        }
        return true;
      }
      case kRawArray: {
        uint32_t n;
        const uint8_t* p = nullptr;
        if (!u32(&n, "PoolByteArray length") || !bytes(n, &p, "PoolByteArray")) return false;
        *out = bytesValue(Bytes(p, p + n));
        return true;
      }
      case kIntArray:
      case kRealArray: {
        uint32_t n;
        if (!u32(&n, "pool array count")) return false;
        if (static_cast<size_t>(n) * 4 > left()) return fail("pool array count larger than the frame");
        *out = Value::array();
        for (uint32_t i = 0; i < n; ++i) {
          uint32_t v;
          u32(&v, "pool array element");
          if (type == kIntArray) {
            out->push_back(static_cast<int64_t>(static_cast<int32_t>(v)));
          } else {
            float f;
            std::memcpy(&f, &v, 4);
            if (!std::isfinite(f)) return fail("float that is not finite");
            out->push_back(static_cast<double>(f));
          }
        }
        return true;
      }
      case kStringArray: {
        uint32_t n;
        if (!u32(&n, "PoolStringArray count")) return false;
        if (static_cast<size_t>(n) * 4 > left()) return fail("PoolStringArray count larger than the frame");
        *out = Value::array();
        for (uint32_t i = 0; i < n; ++i) {
          Value s;
          if (!string(&s, true)) return false;
          out->push_back(std::move(s));
        }
        return true;
      }
      default: return fail("unsupported Godot type " + std::to_string(type) + " (" + typeName(type) + ")");
    }
  }

 private:
  // A String body: u32 byte length, UTF-8 bytes, padding. In a PoolStringArray the length counts
  // a terminating NUL, which is dropped.
  bool string(Value* out, bool nul_terminated) {
    uint32_t n;
    const uint8_t* p = nullptr;
    if (!u32(&n, "String length") || !bytes(n, &p, "String")) return false;
    std::string_view s(reinterpret_cast<const char*>(p), n);
    if (nul_terminated && !s.empty() && s.back() == '\0') s.remove_suffix(1);
    if (!isValidUtf8(s)) return fail("String that is not valid UTF-8");
    *out = std::string(s);
    return true;
  }

  std::span<const uint8_t> b_;
  std::string* error_;
  size_t at_ = 0;
};

void putU32(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v >> 16));
  out.push_back(static_cast<uint8_t>(v >> 24));
}
void putU64(std::vector<uint8_t>& out, uint64_t v) {
  putU32(out, static_cast<uint32_t>(v));
  putU32(out, static_cast<uint32_t>(v >> 32));
}
void putPadded(std::vector<uint8_t>& out, const uint8_t* p, size_t n) {
  putU32(out, static_cast<uint32_t>(n));
  out.insert(out.end(), p, p + n);
  out.insert(out.end(), (4 - n % 4) % 4, 0);
}
void putString(std::vector<uint8_t>& out, std::string_view s) {
  putU32(out, kString);
  if (isValidUtf8(s)) {
    putPadded(out, reinterpret_cast<const uint8_t*>(s.data()), s.size());
  } else {
    std::string clean = sanitizeUtf8(s);
    putPadded(out, reinterpret_cast<const uint8_t*>(clean.data()), clean.size());
  }
}
void putInt(std::vector<uint8_t>& out, int64_t v) {
  if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
    putU32(out, kInt);
    putU32(out, static_cast<uint32_t>(static_cast<int32_t>(v)));
  } else {
    putU32(out, kInt | kFlag64);
    putU64(out, static_cast<uint64_t>(v));
  }
}

}  // namespace

void GodotWriter::nil() { putU32(out_, kNil); }
void GodotWriter::boolean(bool v) {
  putU32(out_, kBool);
  putU32(out_, v ? 1 : 0);
}
void GodotWriter::integer(int64_t v) { putInt(out_, v); }
void GodotWriter::string(std::string_view s) { putString(out_, s); }
void GodotWriter::bytes(std::span<const uint8_t> b) {
  putU32(out_, kRawArray);
  putPadded(out_, b.data(), b.size());
}
void GodotWriter::arrayHeader(uint32_t count) {
  putU32(out_, kArray);
  putU32(out_, count);
}
void GodotWriter::dictionaryHeader(uint32_t count) {
  putU32(out_, kDictionary);
  putU32(out_, count);
}

bool decodeGodotVariant(std::span<const uint8_t> bytes, Value* out, std::string* error) {
  error->clear();
  Reader r(bytes, error);
  Value v;
  if (!r.value(&v, 0)) return false;
  if (r.left() != 0) return r.fail(std::to_string(r.left()) + " bytes after the Variant");
  *out = std::move(v);
  return true;
}

void encodeGodotVariant(const Value& value, std::vector<uint8_t>& out) {
  switch (value.type()) {
    case Value::value_t::null:
    case Value::value_t::discarded: putU32(out, kNil); return;
    case Value::value_t::boolean:
      putU32(out, kBool);
      putU32(out, value.get<bool>() ? 1 : 0);
      return;
    case Value::value_t::number_integer: putInt(out, value.get<int64_t>()); return;
    case Value::value_t::number_unsigned:
      putInt(out, static_cast<int64_t>(value.get<uint64_t>()));  // bit pattern above INT64_MAX
      return;
    case Value::value_t::number_float: {
      double d = value.get<double>();
      uint64_t bits;
      std::memcpy(&bits, &d, 8);
      putU32(out, kReal | kFlag64);
      putU64(out, bits);
      return;
    }
    case Value::value_t::string: putString(out, value.get_ref<const std::string&>()); return;
    case Value::value_t::binary: {
      const auto& b = value.get_binary();
      putU32(out, kRawArray);
      putPadded(out, b.data(), b.size());
      return;
    }
    case Value::value_t::array:
      putU32(out, kArray);
      putU32(out, static_cast<uint32_t>(value.size()));
      for (const auto& item : value) encodeGodotVariant(item, out);
      return;
    case Value::value_t::object:
      putU32(out, kDictionary);
      putU32(out, static_cast<uint32_t>(value.size()));
      for (const auto& [k, item] : value.items()) {
        putString(out, k);
        encodeGodotVariant(item, out);
      }
      return;
  }
}

}  // namespace outpost::agent
