// A2S split replies, both ways (docs/spec/a2s.md §1.2): a single-packet message longer than
// kMaxPacketBytes travels as Source-format fragments (FE FF FF FF, answer id, total, number,
// size, payload). The server's responder cuts messages with encodeSplitFragment; the player side
// reads fragments with parseSplitFragment and joins them with SplitReassembler. Pure code: no
// sockets, no clock; the reassembler holds at most 256 fragments of one reply.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "a2s/wire.h"

namespace outpost::a2s {

// Old engines (protocol 7 with AppIDs 215, 240, 17550, 17700) use a split header without the
// Size field; clients (gamedig, the VDC) expect exactly that for them.
bool splitOmitsSize(int protocol, uint32_t app_id);

// Fragments needed for a message of `message_bytes`: 1 when it fits one packet (sent whole).
size_t splitFragmentCount(size_t message_bytes);

// Fragment `number` (0-based) of `total` for `message`, with the given answer id (bit 31, the
// bzip2 flag, must be clear: we never compress). At most kSplitHeaderBytes + kSplitPayloadBytes.
std::vector<uint8_t> encodeSplitFragment(std::span<const uint8_t> message, uint32_t answer_id, size_t total,
                                         size_t number, bool omit_size);

struct SplitFragment {
  uint32_t answer_id = 0;
  uint8_t total = 0;
  uint8_t number = 0;
  std::span<const uint8_t> payload;  // a view into the parsed datagram
};

// One fragment; nullopt without the FE FF FF FF header or shorter than its header (12 bytes, or
// 10 when `has_size_field` is false).
std::optional<SplitFragment> parseSplitFragment(std::span<const uint8_t> datagram, bool has_size_field = true);

// Joins the fragments of one split reply. The first fragment fixes the answer id; fragments of
// another id (a stale reply to an earlier request) are ignored. Complete once it holds as many
// distinct fragment numbers as the latest fragment's total; a repeated number replaces the
// earlier payload.
class SplitReassembler {
 public:
  enum class Status { kIncomplete, kComplete, kMalformed };

  // Feeds one datagram. kMalformed if it is not a split fragment (the reply is unusable).
  Status add(std::span<const uint8_t> datagram);
  // The payloads joined in fragment-number order: the single-packet message (FF FF FF FF first).
  std::vector<uint8_t> message() const;

 private:
  std::optional<uint32_t> answer_id_;
  std::map<uint8_t, std::vector<uint8_t>> parts_;
};

}  // namespace outpost::a2s
