// The input format of fuzz_hub_rpc, shared with make_seeds.cpp: a sequence of records
//   [flags:1][length:2, little-endian][payload:length]
// flags bits 0-1: which of the input's four connections sends the payload; bit 2: "fill in":
// when the payload is an Envelope, a ValidateTicket or ResumeAuthSession with an empty ticket gets
// the last ticket the hub issued in this input (and its user when steam_id is 0), and an
// AdminRequest whose admin_token is "fuzz" gets the hub's real one — values the fuzzer could
// never guess. A record cut short ends the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace outpost::fuzz {

inline constexpr uint8_t kConnectionMask = 0x03;
inline constexpr uint8_t kFillIn = 0x04;

struct HubRpcRecord {
  uint8_t flags = 0;
  std::vector<uint8_t> payload;
};

inline void appendRecord(std::vector<uint8_t>& out, uint8_t flags, std::span<const uint8_t> payload) {
  size_t n = payload.size() > 0xFFFF ? 0xFFFF : payload.size();
  out.push_back(flags);
  out.push_back(static_cast<uint8_t>(n & 0xFF));
  out.push_back(static_cast<uint8_t>(n >> 8));
  out.insert(out.end(), payload.begin(), payload.begin() + static_cast<long>(n));
}

inline std::vector<HubRpcRecord> parseRecords(const uint8_t* data, size_t size) {
  std::vector<HubRpcRecord> out;
  size_t i = 0;
  while (i + 3 <= size) {
    size_t n = data[i + 1] | static_cast<size_t>(data[i + 2]) << 8;
    if (i + 3 + n > size) break;
    out.push_back({data[i], std::vector<uint8_t>(data + i + 3, data + i + 3 + n)});
    i += 3 + n;
  }
  return out;
}

}  // namespace outpost::fuzz
