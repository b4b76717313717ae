// A2sResponder (see a2s_responder.h): the drop checks that need state (challenges, rate limits)
// around the A2S codec (src/a2s: request parsing, reply encoding, split framing). Runs on the
// thread of whoever calls handle() (A2sQuerySocket's receive thread, or GameServer's thread in
// GameSocketShare mode); update() may come from any thread and only swaps a shared_ptr.
// The socket lives in a2s_query_socket.cpp; the byte tables and drop order are in
// docs/spec/a2s.md.
#include "server/a2s_responder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "a2s/reply.h"
#include "a2s/request.h"
#include "a2s/split.h"
#include "base/log.h"
#include "crypto/crypto.h"

namespace outpost::server {

namespace {

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

template <typename T>
T clampTo(T v, T lo, T hi, const char* name) {
  if (v < lo || v > hi || (std::is_floating_point_v<T> && std::isnan(static_cast<double>(v)))) {
    OUTPOST_LOG_WARN("a2s: option %s out of range; clamped", name);
    if (!(v >= lo)) return lo;
    return hi;
  }
  return v;
}

}  // namespace

// ---- Options and counters ------------------------------------------------------------------------

std::string validateOptions(const A2sResponderOptions& o) {
  if (!(o.challenge_window_us >= 1'000'000 && o.challenge_window_us <= 600'000'000))
    return "challenge_window_us must be in [1 s, 10 min]";
  if (!(o.replies_per_sec_per_ip >= 1)) return "replies_per_sec_per_ip must be >= 1";
  if (!(o.reply_burst_per_ip >= 1)) return "reply_burst_per_ip must be >= 1";
  if (o.max_tracked_sources < 1 || o.max_tracked_sources > 1'000'000)
    return "max_tracked_sources must be in [1, 1000000]";
  if (!(o.reply_bytes_per_sec_global >= 1)) return "reply_bytes_per_sec_global must be >= 1";
  if (!(o.reply_burst_bytes_global >= double(a2s::kMaxPacketBytes * a2s::kMaxSplitFragments)))
    return "reply_burst_bytes_global must be >= 89600 (one largest reply)";
  if (!(o.challenges_per_sec_global >= 1)) return "challenges_per_sec_global must be >= 1";
  if (!(o.challenge_burst_global >= 1)) return "challenge_burst_global must be >= 1";
  return {};
}

std::map<std::string, uint64_t> A2sCounters::toMap() const {
  return {{"info_replies", info_replies},
          {"player_replies", player_replies},
          {"rules_replies", rules_replies},
          {"challenges_sent", challenges_sent},
          {"dropped_too_short", dropped_too_short},
          {"dropped_split_request", dropped_split_request},
          {"dropped_bad_header", dropped_bad_header},
          {"dropped_unsupported_type", dropped_unsupported_type},
          {"dropped_unknown_type", dropped_unknown_type},
          {"dropped_bad_length", dropped_bad_length},
          {"dropped_bad_info_string", dropped_bad_info_string},
          {"dropped_no_info", dropped_no_info},
          {"dropped_challenge_rate", dropped_challenge_rate},
          {"dropped_source_rate", dropped_source_rate},
          {"dropped_global_rate", dropped_global_rate},
          {"dropped_reply_too_large", dropped_reply_too_large},
          {"invalid_challenges", invalid_challenges},
          {"split_replies", split_replies},
          {"fragments_sent", fragments_sent},
          {"source_evictions", source_evictions},
          {"send_failures", send_failures}};
}

uint64_t A2sCounters::dropped() const {
  return dropped_too_short + dropped_split_request + dropped_bad_header + dropped_unsupported_type +
         dropped_unknown_type + dropped_bad_length + dropped_bad_info_string + dropped_no_info +
         dropped_challenge_rate + dropped_source_rate + dropped_global_rate + dropped_reply_too_large;
}

A2sCounters A2sResponder::counters() const {
  auto r = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  A2sCounters c;
  c.info_replies = r(c_.info_replies);
  c.player_replies = r(c_.player_replies);
  c.rules_replies = r(c_.rules_replies);
  c.challenges_sent = r(c_.challenges_sent);
  c.dropped_too_short = r(c_.dropped_too_short);
  c.dropped_split_request = r(c_.dropped_split_request);
  c.dropped_bad_header = r(c_.dropped_bad_header);
  c.dropped_unsupported_type = r(c_.dropped_unsupported_type);
  c.dropped_unknown_type = r(c_.dropped_unknown_type);
  c.dropped_bad_length = r(c_.dropped_bad_length);
  c.dropped_bad_info_string = r(c_.dropped_bad_info_string);
  c.dropped_no_info = r(c_.dropped_no_info);
  c.dropped_challenge_rate = r(c_.dropped_challenge_rate);
  c.dropped_source_rate = r(c_.dropped_source_rate);
  c.dropped_global_rate = r(c_.dropped_global_rate);
  c.dropped_reply_too_large = r(c_.dropped_reply_too_large);
  c.invalid_challenges = r(c_.invalid_challenges);
  c.split_replies = r(c_.split_replies);
  c.fragments_sent = r(c_.fragments_sent);
  c.source_evictions = r(c_.source_evictions);
  c.send_failures = r(c_.send_failures);
  return c;
}

// ---- Responder ---------------------------------------------------------------------------------

A2sResponder::A2sResponder(const A2sResponderOptions& options, base::TimeUs now) : options_(options) {
  std::string bad = validateOptions(options_);
  if (!bad.empty()) OUTPOST_LOG_WARN("a2s: %s", bad.c_str());
  options_.challenge_window_us =
      clampTo<base::TimeUs>(options_.challenge_window_us, 1'000'000, 600'000'000, "challenge_window_us");
  options_.replies_per_sec_per_ip = clampTo(options_.replies_per_sec_per_ip, 1.0, 1e9, "replies_per_sec_per_ip");
  options_.reply_burst_per_ip = clampTo(options_.reply_burst_per_ip, 1.0, 1e9, "reply_burst_per_ip");
  options_.max_tracked_sources = clampTo<uint32_t>(options_.max_tracked_sources, 1, 1'000'000, "max_tracked_sources");
  options_.reply_bytes_per_sec_global =
      clampTo(options_.reply_bytes_per_sec_global, 1.0, 1e12, "reply_bytes_per_sec_global");
  options_.reply_burst_bytes_global =
      clampTo(options_.reply_burst_bytes_global, double(a2s::kMaxPacketBytes * a2s::kMaxSplitFragments), 1e12,
              "reply_burst_bytes_global");
  options_.challenges_per_sec_global =
      clampTo(options_.challenges_per_sec_global, 1.0, 1e9, "challenges_per_sec_global");
  options_.challenge_burst_global = clampTo(options_.challenge_burst_global, 1.0, 1e9, "challenge_burst_global");

  if (options_.secret) {
    secret_ = *options_.secret;
  } else {
    crypto::randomBytes(secret_.data(), secret_.size());
  }
  options_.secret.reset();  // keep one copy of the key
  challenge_bucket_ = {options_.challenge_burst_global, now};
  global_bytes_bucket_ = {options_.reply_burst_bytes_global, now};
}

void A2sResponder::update(const ServerInfoResult& info, std::span<const ServerPlayer> players,
                          const ServerRules& rules) {
  auto enc = std::make_shared<Encoded>();
  enc->info = a2s::encodeInfoReply(info);
  enc->players = a2s::encodePlayerReply(players);
  enc->rules = a2s::encodeRulesReply(rules);
  enc->omit_split_size = a2s::splitOmitsSize(info.protocol, info.app_id);
  std::lock_guard<std::mutex> lock(encoded_mutex_);
  encoded_ = std::move(enc);
}

void A2sResponder::Bucket::refill(base::TimeUs now, double per_sec, double burst) {
  if (now > last_us) {
    tokens = std::min(burst, tokens + per_sec * double(now - last_us) / 1e6);
    last_us = now;
  }
}

size_t A2sResponder::IpHash::operator()(const std::array<uint8_t, 16>& ip) const {
  uint64_t a, b;
  std::memcpy(&a, ip.data(), 8);
  std::memcpy(&b, ip.data() + 8, 8);
  return std::hash<uint64_t>()(a * 0x9E3779B97F4A7C15ull ^ b);
}

uint32_t A2sResponder::challengeValue(const base::SocketAddress& from, int64_t window) const {
  uint8_t data[16 + 2 + 8];
  from.ip16(data);
  uint16_t port = from.port();
  data[16] = static_cast<uint8_t>(port >> 8);
  data[17] = static_cast<uint8_t>(port);
  for (int i = 0; i < 8; ++i) data[18 + i] = static_cast<uint8_t>(uint64_t(window) >> (8 * i));
  // SipHash-2-4 under the first 16 bytes of the secret: a PRF made for short inputs, ~5x
  // cheaper here than the keyed BLAKE2b it replaced (decision 004).
  uint32_t v = static_cast<uint32_t>(
      crypto::shortMac(std::span<const uint8_t, 16>(secret_.data(), 16), std::span<const uint8_t>(data, sizeof data)));
  // 0 and -1 are what clients send when they have no challenge: never issue them.
  if (v == 0x00000000u) v = 0x5A5A5A5Au;
  if (v == 0xFFFFFFFFu) v = 0xA5A5A5A5u;
  return v;
}

a2s::Challenge A2sResponder::challengeFor(const base::SocketAddress& from, base::TimeUs now) const {
  uint32_t v = challengeValue(from, floorDiv(now, options_.challenge_window_us));
  return {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
}

bool A2sResponder::challengeValid(const base::SocketAddress& from, const a2s::Challenge& challenge,
                                  base::TimeUs now) const {
  uint32_t got = uint32_t(challenge[0]) | uint32_t(challenge[1]) << 8 | uint32_t(challenge[2]) << 16 |
                 uint32_t(challenge[3]) << 24;
  if (got == 0 || got == 0xFFFFFFFFu) return false;  // "I have none"
  int64_t window = floorDiv(now, options_.challenge_window_us);
  // Both windows are always computed so the time taken does not tell which one matched.
  uint32_t current = challengeValue(from, window) ^ got;
  uint32_t previous = challengeValue(from, window - 1) ^ got;
  return (current == 0) | (previous == 0);
}

void A2sResponder::sendChallenge(const base::SocketAddress& from, base::TimeUs now, std::vector<Outgoing>& out) {
  // A global cap: a challenge costs a MAC and 9 bytes, and a flood of spoofed requests should
  // not turn us into a reflector of even equal size at line rate.
  challenge_bucket_.refill(now, options_.challenges_per_sec_global, options_.challenge_burst_global);
  if (challenge_bucket_.tokens < 1) {
    bump(c_.dropped_challenge_rate);
    return;
  }
  challenge_bucket_.tokens -= 1;
  out.push_back(Outgoing{from, a2s::encodeChallengeReply(challengeFor(from, now))});
  bump(c_.challenges_sent);
}

A2sResponder::Bucket& A2sResponder::sourceBucket(const std::array<uint8_t, 16>& ip, base::TimeUs now) {
  auto it = by_ip_.find(ip);
  if (it != by_ip_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->bucket;
  }
  if (lru_.size() >= options_.max_tracked_sources) {
    by_ip_.erase(lru_.back().ip);
    lru_.pop_back();
    bump(c_.source_evictions);
  }
  lru_.push_front(Source{ip, Bucket{options_.reply_burst_per_ip, now}});
  by_ip_[ip] = lru_.begin();
  return lru_.front().bucket;
}

bool A2sResponder::sendData(const base::SocketAddress& from, const std::vector<uint8_t>& message, bool omit_size,
                            base::TimeUs now, std::vector<Outgoing>& out) {
  const size_t header = omit_size ? a2s::kSplitHeaderBytes - 2 : a2s::kSplitHeaderBytes;
  const size_t fragments = a2s::splitFragmentCount(message.size());
  const bool split = fragments > 1;
  if (fragments > a2s::kMaxSplitFragments) {
    bump(c_.dropped_reply_too_large);
    return false;
  }
  const size_t wire_bytes = message.size() + (split ? fragments * header : 0);

  // The per-source bucket is checked before the global one so that one noisy source is named as
  // such and cannot spend the global budget; both are taken only if both allow.
  std::array<uint8_t, 16> ip;
  from.ip16(ip.data());
  // An IPv6 host is usually given a whole /64: one bucket per /64, or a single host could pass
  // challenges from endless addresses, each with a fresh burst, and spend the global budget.
  if (from.isV6()) std::fill(ip.begin() + 8, ip.end(), uint8_t{0});
  Bucket& source = sourceBucket(ip, now);
  source.refill(now, options_.replies_per_sec_per_ip, options_.reply_burst_per_ip);
  if (source.tokens < 1) {
    bump(c_.dropped_source_rate);
    return false;
  }
  global_bytes_bucket_.refill(now, options_.reply_bytes_per_sec_global, options_.reply_burst_bytes_global);
  if (global_bytes_bucket_.tokens < double(wire_bytes)) {
    bump(c_.dropped_global_rate);
    return false;
  }
  source.tokens -= 1;
  global_bytes_bucket_.tokens -= double(wire_bytes);

  if (!split) {
    out.push_back(Outgoing{from, message});
    bump(c_.fragments_sent);
    return true;
  }
  // Answer ids are unique per response; bit 31 (bzip2) is always clear.
  const uint32_t id = next_answer_id_ & 0x7FFFFFFFu;
  next_answer_id_ = (next_answer_id_ + 1) & 0x7FFFFFFFu;
  if (next_answer_id_ == 0) next_answer_id_ = 1;
  for (size_t i = 0; i < fragments; ++i)
    out.push_back(Outgoing{from, a2s::encodeSplitFragment(message, id, fragments, i, omit_size)});
  bump(c_.split_replies);
  bump(c_.fragments_sent, fragments);
  return true;
}

void A2sResponder::handle(const base::SocketAddress& from, std::span<const uint8_t> packet, base::TimeUs now,
                          std::vector<Outgoing>& out) {
  // 1-7. Drop what is not a request we answer (a2s/request.cpp names each check and why).
  a2s::RequestError error = a2s::RequestError::kNone;
  std::optional<a2s::Request> request = a2s::parseRequest(packet, &error);
  if (!request) {
    switch (error) {
      case a2s::RequestError::kTooShort: bump(c_.dropped_too_short); return;
      case a2s::RequestError::kSplitRequest: bump(c_.dropped_split_request); return;
      case a2s::RequestError::kBadHeader: bump(c_.dropped_bad_header); return;
      case a2s::RequestError::kUnsupportedType: bump(c_.dropped_unsupported_type); return;
      case a2s::RequestError::kBadLength: bump(c_.dropped_bad_length); return;
      case a2s::RequestError::kBadInfoString: bump(c_.dropped_bad_info_string); return;
      case a2s::RequestError::kUnknownType:
      case a2s::RequestError::kNone: bump(c_.dropped_unknown_type); return;
    }
  }
  // 8. Nothing to answer with yet: not even a challenge (the client will retry).
  std::shared_ptr<const Encoded> enc;
  {
    std::lock_guard<std::mutex> lock(encoded_mutex_);
    enc = encoded_;
  }
  if (!enc) {
    bump(c_.dropped_no_info);
    return;
  }
  // 9. Challenge: a source that has not proven it receives at its address gets 9 bytes only
  //    (reflection/amplification attack with a spoofed source).
  if (!request->challenge || !challengeValid(from, *request->challenge, now)) {
    if (request->challenge && !a2s::isPlaceholderChallenge(*request->challenge)) bump(c_.invalid_challenges);
    sendChallenge(from, now, out);
    return;
  }
  // 10-12. Rate limits and framing.
  const uint8_t type = request->type;
  const std::vector<uint8_t>& message = type == a2s::kInfoRequest     ? enc->info
                                        : type == a2s::kPlayerRequest ? enc->players
                                                                      : enc->rules;
  if (!sendData(from, message, enc->omit_split_size, now, out)) return;
  bump(type == a2s::kInfoRequest     ? c_.info_replies
       : type == a2s::kPlayerRequest ? c_.player_replies
                                     : c_.rules_replies);
}

}  // namespace outpost::server
