// Source-format split framing (see split.h; docs/spec/a2s.md §1.2). encodeSplitFragment runs on
// the responder's thread per fragment sent; the parser and reassembler on the ServerBrowser
// caller's thread.
#include "a2s/split.h"

#include <algorithm>

#include "base/bytes.h"

namespace outpost::a2s {

bool splitOmitsSize(int protocol, uint32_t app_id) {
  if (protocol != 7) return false;
  return app_id == 215 || app_id == 240 || app_id == 17550 || app_id == 17700;
}

size_t splitFragmentCount(size_t message_bytes) {
  if (message_bytes <= kMaxPacketBytes) return 1;
  return (message_bytes + kSplitPayloadBytes - 1) / kSplitPayloadBytes;
}

std::vector<uint8_t> encodeSplitFragment(std::span<const uint8_t> message, uint32_t answer_id, size_t total,
                                         size_t number, bool omit_size) {
  const size_t header = omit_size ? kSplitHeaderBytes - 2 : kSplitHeaderBytes;
  const size_t begin = std::min(number * kSplitPayloadBytes, message.size());
  const size_t n = std::min(kSplitPayloadBytes, message.size() - begin);
  std::vector<uint8_t> frag(header + n);
  base::ByteWriter w(frag.data(), frag.size());
  w.bytes(kSplitHeader, kHeaderBytes);
  w.u32(answer_id);
  w.u8(static_cast<uint8_t>(total));
  w.u8(static_cast<uint8_t>(number));
  if (!omit_size) w.u16(static_cast<uint16_t>(kSplitPayloadBytes));
  w.bytes(message.data() + begin, n);
  return frag;
}

std::optional<SplitFragment> parseSplitFragment(std::span<const uint8_t> d, bool has_size_field) {
  const size_t header = has_size_field ? kSplitHeaderBytes : kSplitHeaderBytes - 2;
  if (d.size() < header || !hasSplitHeader(d)) return std::nullopt;
  base::ByteReader r(d.subspan(kHeaderBytes));
  SplitFragment f;
  f.answer_id = r.u32();
  f.total = r.u8();
  f.number = r.u8();
  f.payload = d.subspan(header);  // the Size field, when present, is not needed to read it
  return f;
}

SplitReassembler::Status SplitReassembler::add(std::span<const uint8_t> datagram) {
  std::optional<SplitFragment> f = parseSplitFragment(datagram);
  if (!f) return Status::kMalformed;
  if (!answer_id_) answer_id_ = f->answer_id;
  if (f->answer_id != *answer_id_) return Status::kIncomplete;  // another reply's fragment
  parts_[f->number].assign(f->payload.begin(), f->payload.end());
  return parts_.size() >= f->total ? Status::kComplete : Status::kIncomplete;
}

std::vector<uint8_t> SplitReassembler::message() const {
  std::vector<uint8_t> all;
  for (const auto& [number, payload] : parts_) all.insert(all.end(), payload.begin(), payload.end());
  return all;
}

}  // namespace outpost::a2s
