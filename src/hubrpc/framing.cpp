// Hub RPC framing (see framing.h).
#include "hubrpc/framing.h"

namespace outpost::hubrpc {

std::vector<uint8_t> encode(const Envelope& e) {
  std::vector<uint8_t> out(e.ByteSizeLong());
  e.SerializeToArray(out.data(), static_cast<int>(out.size()));
  return out;
}

std::optional<Envelope> decode(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxEnvelopeBytes) return std::nullopt;
  Envelope e;
  if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return std::nullopt;
  return e;
}

}  // namespace outpost::hubrpc
