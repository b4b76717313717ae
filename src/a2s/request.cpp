// A2S request building and parsing (see request.h). The checks are numbered as in
// docs/spec/a2s.md §5; the responder (src/server/a2s_responder.cpp) counts each failure and runs
// the checks that need its state (steps 8–12).
#include "a2s/request.h"

#include <cstring>

namespace outpost::a2s {

std::optional<Request> parseRequest(std::span<const uint8_t> d, RequestError* error) {
  auto fail = [&](RequestError e) -> std::optional<Request> {
    if (error) *error = e;
    return std::nullopt;
  };
  // 1. Shorter than header + type: nothing to parse.
  if (d.size() < kHeaderBytes + 1) return fail(RequestError::kTooShort);
  // 2-3. Split requests do not exist in the protocol; reassembling them would let anyone make a
  //      server hold state. Any other header is not A2S.
  if (hasSplitHeader(d)) return fail(RequestError::kSplitRequest);
  if (!hasSingleHeader(d)) return fail(RequestError::kBadHeader);
  // 4-5. Type. 'W' (get challenge, 5 bytes) and 'i' (ping, 5 bytes) would be answered with more
  //      bytes than they carry: an amplification vector for spoofed sources, so not answered.
  Request r;
  r.type = d[4];
  if (r.type == kGetChallengeRequest || r.type == kPingRequest) return fail(RequestError::kUnsupportedType);
  if (r.type != kInfoRequest && r.type != kPlayerRequest && r.type != kRulesRequest)
    return fail(RequestError::kUnknownType);
  // 6. Exact length per type (no trailing garbage, no truncated challenge).
  size_t challenge_at = kHeaderBytes + 1;
  if (r.type == kInfoRequest) {
    if (d.size() != kInfoRequestBytes && d.size() != kInfoChallengedRequestBytes) return fail(RequestError::kBadLength);
    // 7. The INFO payload must be exactly "Source Engine Query\0".
    if (std::memcmp(d.data() + kHeaderBytes + 1, kInfoPayload, sizeof kInfoPayload) != 0)
      return fail(RequestError::kBadInfoString);
    challenge_at = kInfoRequestBytes;
  } else if (d.size() != kPlayerRulesRequestBytes) {
    return fail(RequestError::kBadLength);
  }
  if (d.size() == challenge_at + 4) {
    Challenge c;
    std::memcpy(c.data(), d.data() + challenge_at, c.size());
    r.challenge = c;
  }
  if (error) *error = RequestError::kNone;
  return r;
}

std::vector<uint8_t> encodeRequest(uint8_t type, const std::optional<Challenge>& challenge) {
  std::vector<uint8_t> out(kSingleHeader, kSingleHeader + kHeaderBytes);
  out.push_back(type);
  if (type == kInfoRequest) {
    out.insert(out.end(), kInfoPayload, kInfoPayload + sizeof kInfoPayload);
    if (challenge) out.insert(out.end(), challenge->begin(), challenge->end());
  } else {
    const Challenge& c = challenge ? *challenge : kNoChallenge;
    out.insert(out.end(), c.begin(), c.end());
  }
  return out;
}

}  // namespace outpost::a2s
