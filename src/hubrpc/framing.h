// Hub RPC framing: one Envelope (protobuf) per reliable transport message. Shared by the hub,
// the SDK and the CLI. Parsing never throws; a message that does not parse is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "hubrpc.pb.h"

namespace outpost::hubrpc {

// The largest Envelope either side accepts (well under the transport's 512 KiB).
inline constexpr size_t kMaxEnvelopeBytes = 256 * 1024;

std::vector<uint8_t> encode(const Envelope& e);
std::optional<Envelope> decode(std::span<const uint8_t> bytes);

}  // namespace outpost::hubrpc
