// A2sResponder (src/server/a2s_responder.h): challenge flow, amplification limits, the encoded
// replies it answers with, Source-format splitting, drops by reason and rate limits. Time is
// injected; the MAC key is fixed so challenges are reproducible. The bytes themselves are pinned
// by a2s_codec_test.cpp.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "a2s/reply.h"
#include "a2s/request.h"
#include "a2s/split.h"
#include "server/a2s_query_socket.h"
#include "server/a2s_responder.h"
#include "support/sample_server.h"

using namespace outpost;
using namespace outpost::a2s;
using outpost::server::A2sCounters;
using outpost::server::A2sQuerySocket;
using outpost::server::A2sQuerySocketOptions;
using outpost::server::A2sResponder;
using outpost::server::A2sResponderOptions;
using outpost::server::validateOptions;

namespace {

using Bytes = std::vector<uint8_t>;
constexpr base::TimeUs kT0 = base::TimeUs{1} << 40;

const base::SocketAddress kClient = base::SocketAddress::ipv4(0x7F000001, 50000);
const base::SocketAddress kOtherPort = base::SocketAddress::ipv4(0x7F000001, 50001);
const base::SocketAddress kOtherIp = base::SocketAddress::ipv4(0x7F000002, 50000);

A2sResponderOptions testOptions() {
  A2sResponderOptions o;
  std::array<uint8_t, 32> key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 7 + 1);
  o.secret = key;
  return o;
}

Bytes infoRequest() { return encodeRequest(kInfoRequest); }
Bytes withChallenge(Bytes req, Challenge ch) {
  req.insert(req.end(), ch.begin(), ch.end());
  return req;
}
Bytes playerRequest(Challenge ch) { return encodeRequest(kPlayerRequest, ch); }
Bytes rulesRequest(Challenge ch) { return encodeRequest(kRulesRequest, ch); }
constexpr Challenge kNone = kNoChallenge;

void update(A2sResponder& r, const test::SampleServer& s) { r.update(s.info, s.players, s.rules); }

struct Fixture {
  A2sResponder r{testOptions(), kT0};
  std::vector<A2sResponder::Outgoing> out;
  Fixture() { update(r, test::sampleServer()); }
  std::vector<A2sResponder::Outgoing> send(const Bytes& b, base::TimeUs now = kT0,
                                           const base::SocketAddress& from = kClient) {
    out.clear();
    r.handle(from, b, now, out);
    for (const auto& o : out) EXPECT_EQ(o.address, from);
    return out;
  }
  // Sends `req` without challenge and returns the challenge from the 9-byte reply.
  Challenge getChallenge(base::TimeUs now = kT0, const base::SocketAddress& from = kClient) {
    auto o = send(playerRequest(kNone), now, from);
    EXPECT_EQ(o.size(), 1u);
    if (o.size() != 1 || o[0].bytes.size() != 9) return {};
    return {o[0].bytes[5], o[0].bytes[6], o[0].bytes[7], o[0].bytes[8]};
  }
};

void expectChallengeOnly(const std::vector<A2sResponder::Outgoing>& o) {
  ASSERT_EQ(o.size(), 1u);
  ASSERT_EQ(o[0].bytes.size(), 9u);
  EXPECT_EQ(o[0].bytes[0], 0xFF);
  EXPECT_EQ(o[0].bytes[3], 0xFF);
  EXPECT_EQ(o[0].bytes[4], 0x41);
}

// Reassembles Source-format split fragments (any order) into the single-packet message, checking
// each fragment's header.
Bytes reassemble(const std::vector<A2sResponder::Outgoing>& frags) {
  if (frags.size() == 1 && hasSingleHeader(frags[0].bytes)) return frags[0].bytes;
  SplitReassembler joined;
  for (size_t i = 0; i < frags.size(); ++i) {
    auto f = parseSplitFragment(frags[i].bytes);
    EXPECT_TRUE(f.has_value());
    if (!f) return {};
    EXPECT_EQ(f->answer_id & 0x80000000u, 0u) << "compression bit must be clear";
    EXPECT_EQ(f->total, frags.size());
    EXPECT_EQ(frags[i].bytes[10] | frags[i].bytes[11] << 8, 1248);
    EXPECT_EQ(joined.add(frags[i].bytes) == SplitReassembler::Status::kComplete, i + 1 == frags.size())
        << "all fragments carry one answer id";
  }
  return joined.message();
}

}  // namespace

TEST(A2sResponder, UnchallengedRequestsGetOnlyTheNineByteChallenge) {
  Fixture f;
  for (const Bytes& req : {infoRequest(), playerRequest(kNone), rulesRequest(kNone), playerRequest({0, 0, 0, 0}),
                           rulesRequest({1, 2, 3, 4})}) {
    auto o = f.send(req);
    expectChallengeOnly(o);
    EXPECT_LE(o[0].bytes.size(), req.size()) << "never more bytes than the request";
  }
  auto c = f.r.counters();
  EXPECT_EQ(c.challenges_sent, 5u);
  EXPECT_EQ(c.info_replies + c.player_replies + c.rules_replies, 0u);
  EXPECT_EQ(c.invalid_challenges, 1u);  // 01020304; -1 and 0 are placeholders
}

TEST(A2sResponder, IssuedChallengeIsNeverAPlaceholderAndIsPerAddress) {
  Fixture f;
  auto a = f.getChallenge();
  EXPECT_NE(a, (std::array<uint8_t, 4>{0, 0, 0, 0}));
  EXPECT_NE(a, kNone);
  EXPECT_EQ(a, f.r.challengeFor(kClient, kT0));
  EXPECT_NE(a, f.r.challengeFor(kOtherPort, kT0));
  EXPECT_NE(a, f.r.challengeFor(kOtherIp, kT0));
}

TEST(A2sResponder, ChallengeFlowForInfoPlayerAndRules) {
  Fixture f;
  auto ch = f.getChallenge();
  test::SampleServer s = test::sampleServer();
  auto o = f.send(withChallenge(infoRequest(), ch));
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].bytes, encodeInfoReply(s.info));
  o = f.send(playerRequest(ch));
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].bytes, encodePlayerReply(s.players));
  o = f.send(rulesRequest(ch));
  ASSERT_EQ(o.size(), 5u) << "200 rules: a split reply";
  EXPECT_EQ(reassemble(o), encodeRulesReply(s.rules));
  auto c = f.r.counters();
  EXPECT_EQ(c.info_replies, 1u);
  EXPECT_EQ(c.player_replies, 1u);
  EXPECT_EQ(c.rules_replies, 1u);
}

TEST(A2sResponder, ChallengeRefusedFromOtherAddressWrongOrExpired) {
  Fixture f;
  auto ch = f.getChallenge();
  expectChallengeOnly(f.send(playerRequest(ch), kT0, kOtherPort));
  expectChallengeOnly(f.send(playerRequest(ch), kT0, kOtherIp));
  auto wrong = ch;
  wrong[2] ^= 0x10;
  expectChallengeOnly(f.send(playerRequest(wrong)));
  // Accepted for the rest of its window and the whole next one (>= 30 s), refused after two.
  const base::TimeUs window = 30'000'000;
  EXPECT_EQ(f.send(playerRequest(ch), kT0 + window).size(), 1u);
  EXPECT_EQ(f.out[0].bytes[4], 0x44);
  expectChallengeOnly(f.send(playerRequest(ch), kT0 + 2 * window));
  expectChallengeOnly(f.send(withChallenge(infoRequest(), ch), kT0 + 3 * window));
  EXPECT_EQ(f.r.counters().player_replies, 1u);
}

TEST(A2sResponder, ChallengesDifferAcrossKeys) {
  A2sResponder a(testOptions(), kT0);
  A2sResponder b(A2sResponderOptions{}, kT0);  // random key
  EXPECT_NE(a.challengeFor(kClient, kT0), b.challengeFor(kClient, kT0));
}

TEST(A2sResponder, TwoHundredRulesSplitAndReassemble) {
  Fixture f;
  test::SampleServer s = test::sampleServer();
  auto ch = f.getChallenge();
  auto o = f.send(rulesRequest(ch));
  Bytes single = encodeRulesReply(s.rules);
  ASSERT_GT(single.size(), kMaxPacketBytes);
  ASSERT_EQ(o.size(), (single.size() + 1247) / 1248);
  ASSERT_GE(o.size(), 2u);
  for (const auto& frag : o) EXPECT_LE(frag.bytes.size(), kMaxPacketBytes);
  EXPECT_EQ(reassemble(o), single);
  EXPECT_EQ(single[5] | single[6] << 8, 200);

  // A second split reply carries a different answer id.
  auto o2 = f.send(rulesRequest(ch));
  ASSERT_EQ(o2.size(), o.size());
  EXPECT_NE(Bytes(o[0].bytes.begin() + 4, o[0].bytes.begin() + 8),
            Bytes(o2[0].bytes.begin() + 4, o2[0].bytes.begin() + 8));
  EXPECT_EQ(f.r.counters().split_replies, 2u);
}

TEST(A2sResponder, OldEngineSplitHeaderOmitsSize) {
  Fixture f;
  test::SampleServer s = test::sampleServer();
  s.info.protocol = 7;
  s.info.app_id = 240;
  update(f.r, s);
  auto o = f.send(rulesRequest(f.getChallenge()));
  ASSERT_GE(o.size(), 2u);
  Bytes all;
  for (const auto& frag : o) {
    EXPECT_LE(frag.bytes.size(), kMaxPacketBytes);
    all.insert(all.end(), frag.bytes.begin() + 10, frag.bytes.end());
  }
  EXPECT_EQ(all, encodeRulesReply(s.rules));
}

TEST(A2sResponder, MalformedPacketsAreDroppedAndCountedByReason) {
  Fixture f;
  Bytes bad_string = infoRequest();
  bad_string[10] = 'X';
  Bytes info_long = infoRequest();
  info_long.push_back(0);
  Bytes player_short = {0xFF, 0xFF, 0xFF, 0xFF, 0x55, 0xFF, 0xFF, 0xFF};
  Bytes info_short = infoRequest();
  info_short.pop_back();
  struct Case {
    Bytes packet;
    uint64_t A2sCounters::*counter;
  } cases[] = {
      {{}, &A2sCounters::dropped_too_short},
      {{0xFF, 0xFF, 0xFF, 0xFF}, &A2sCounters::dropped_too_short},
      {{0xFE, 0xFF, 0xFF, 0xFF, 0x55, 1, 2, 3, 4}, &A2sCounters::dropped_split_request},
      {{0x00, 0xFF, 0xFF, 0xFF, 0x55, 1, 2, 3, 4}, &A2sCounters::dropped_bad_header},
      {{0xFF, 0xFF, 0xFF, 0xFF, 0x57}, &A2sCounters::dropped_unsupported_type},
      {{0xFF, 0xFF, 0xFF, 0xFF, 0x69}, &A2sCounters::dropped_unsupported_type},
      {{0xFF, 0xFF, 0xFF, 0xFF, 0x41, 1, 2, 3, 4}, &A2sCounters::dropped_unknown_type},
      {player_short, &A2sCounters::dropped_bad_length},
      {info_long, &A2sCounters::dropped_bad_length},
      {info_short, &A2sCounters::dropped_bad_length},
      {bad_string, &A2sCounters::dropped_bad_info_string},
  };
  for (const Case& c : cases) {
    A2sCounters before = f.r.counters();
    EXPECT_TRUE(f.send(c.packet).empty());
    A2sCounters after = f.r.counters();
    EXPECT_EQ(after.*c.counter, before.*c.counter + 1);
    EXPECT_EQ(after.dropped(), before.dropped() + 1);
  }
}

TEST(A2sResponder, NothingAnsweredBeforeFirstUpdate) {
  A2sResponder r(testOptions(), kT0);
  std::vector<A2sResponder::Outgoing> out;
  r.handle(kClient, infoRequest(), kT0, out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(r.counters().dropped_no_info, 1u);
}

TEST(A2sResponder, PerSourceRateLimit) {
  A2sResponderOptions o = testOptions();
  o.replies_per_sec_per_ip = 2;
  o.reply_burst_per_ip = 5;
  A2sResponder r(o, kT0);
  update(r, test::sampleServer());
  std::vector<A2sResponder::Outgoing> out;
  auto ch = r.challengeFor(kClient, kT0);
  int answered = 0;
  for (int i = 0; i < 20; ++i) {
    out.clear();
    r.handle(kClient, playerRequest(ch), kT0, out);
    answered += out.size() == 1;
  }
  EXPECT_EQ(answered, 5);
  EXPECT_EQ(r.counters().dropped_source_rate, 15u);
  // Another port of the same IP shares the bucket; another IP has its own.
  out.clear();
  r.handle(kOtherPort, playerRequest(r.challengeFor(kOtherPort, kT0)), kT0, out);
  EXPECT_TRUE(out.empty());
  r.handle(kOtherIp, playerRequest(r.challengeFor(kOtherIp, kT0)), kT0, out);
  EXPECT_EQ(out.size(), 1u);
  // One second later two more tokens.
  answered = 0;
  for (int i = 0; i < 5; ++i) {
    out.clear();
    r.handle(kClient, playerRequest(ch), kT0 + 1'000'000, out);
    answered += out.size() == 1;
  }
  EXPECT_EQ(answered, 2);
}

TEST(A2sResponder, PerSourceRateLimitCountsAnIpv6Slash64AsOneSource) {
  A2sResponderOptions o = testOptions();
  o.replies_per_sec_per_ip = 1;
  o.reply_burst_per_ip = 3;
  A2sResponder r(o, kT0);
  update(r, test::sampleServer());
  std::vector<A2sResponder::Outgoing> out;
  int answered = 0;
  for (int i = 1; i <= 10; ++i) {  // ten addresses of one /64
    auto a = *base::SocketAddress::parse("[2001:db8:1:2::" + std::to_string(i) + "]:40000", true);
    out.clear();
    r.handle(a, playerRequest(r.challengeFor(a, kT0)), kT0, out);
    answered += out.size() == 1;
  }
  EXPECT_EQ(answered, 3);
  auto other = *base::SocketAddress::parse("[2001:db8:1:3::1]:40000", true);  // the next /64
  out.clear();
  r.handle(other, playerRequest(r.challengeFor(other, kT0)), kT0, out);
  EXPECT_EQ(out.size(), 1u);
}

TEST(A2sResponder, RateTableIsBoundedAndUnverifiedSourcesAreNotTracked) {
  A2sResponderOptions o = testOptions();
  o.max_tracked_sources = 4;
  A2sResponder r(o, kT0);
  update(r, test::sampleServer());
  std::vector<A2sResponder::Outgoing> out;
  for (uint32_t i = 0; i < 100; ++i)  // unverified: challenge replies only, no table entries
    r.handle(base::SocketAddress::ipv4(0x0A000000 + i, 1000), playerRequest(kNone), kT0, out);
  EXPECT_EQ(r.counters().source_evictions, 0u);
  for (uint32_t i = 0; i < 10; ++i) {
    base::SocketAddress a = base::SocketAddress::ipv4(0x0A000000 + i, 1000);
    r.handle(a, playerRequest(r.challengeFor(a, kT0)), kT0, out);
  }
  EXPECT_EQ(r.counters().player_replies, 10u);
  EXPECT_EQ(r.counters().source_evictions, 6u);
}

TEST(A2sResponder, GlobalChallengeAndByteCaps) {
  A2sResponderOptions o = testOptions();
  o.challenges_per_sec_global = 1;
  o.challenge_burst_global = 3;
  o.reply_bytes_per_sec_global = 1;
  o.reply_burst_bytes_global = double(kMaxPacketBytes * kMaxSplitFragments);
  A2sResponder r(o, kT0);
  test::SampleServer s = test::sampleServer();
  s.rules.clear();
  for (int i = 0; i < 2000; ++i) s.rules["r" + std::to_string(i)] = "v";
  update(r, s);
  std::vector<A2sResponder::Outgoing> out;
  for (int i = 0; i < 5; ++i) r.handle(kClient, infoRequest(), kT0, out);
  EXPECT_EQ(out.size(), 3u);
  EXPECT_EQ(r.counters().dropped_challenge_rate, 2u);
  // Rules of ~17 KB: the 89,600-byte global burst admits five, then nothing.
  int replies = 0;
  for (uint32_t i = 0; i < 10; ++i) {
    base::SocketAddress a = base::SocketAddress::ipv4(0x0A000000 + i, 1000);
    out.clear();
    r.handle(a, rulesRequest(r.challengeFor(a, kT0)), kT0, out);
    replies += !out.empty();
  }
  EXPECT_EQ(replies, 5);
  EXPECT_EQ(r.counters().dropped_global_rate, 5u);
}

TEST(A2sResponder, OptionsValidation) {
  EXPECT_EQ(validateOptions(A2sResponderOptions{}), "");
  A2sResponderOptions o;
  o.challenge_window_us = 10;
  EXPECT_NE(validateOptions(o), "");
  o = {};
  o.max_tracked_sources = 0;
  EXPECT_NE(validateOptions(o), "");
  A2sQuerySocketOptions so;
  so.bind_address = "not an address";
  A2sQuerySocket sock(so);
  std::string error;
  EXPECT_FALSE(sock.start(&error));
  EXPECT_NE(error, "");
}
