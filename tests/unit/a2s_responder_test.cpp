// A2sResponder: challenge flow, amplification limits, byte-exact replies (every EDF field),
// players, rules, Source-format splitting, drops by reason and rate limits. Time is injected;
// the MAC key is fixed so challenges are reproducible.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "a2s/query_socket.h"
#include "a2s/responder.h"
#include "a2s/server_info.h"

using namespace outpost;
using namespace outpost::a2s;

namespace {

using Bytes = std::vector<uint8_t>;
constexpr TimeUs kT0 = TimeUs{1} << 40;

const SocketAddress kClient = SocketAddress::ipv4(0x7F000001, 50000);
const SocketAddress kOtherPort = SocketAddress::ipv4(0x7F000001, 50001);
const SocketAddress kOtherIp = SocketAddress::ipv4(0x7F000002, 50000);

A2sResponderOptions testOptions() {
  A2sResponderOptions o;
  std::array<uint8_t, 32> key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 7 + 1);
  o.secret = key;
  return o;
}

ServerInfo sampleInfo() {
  ServerInfo s;
  s.protocol = 17;
  s.name = "Outpost Test";
  s.map = "ctf_2fort";
  s.folder = "tf";
  s.game = "Team Fortress";
  s.app_id = 440;
  s.players = 3;
  s.max_players = 24;
  s.bots = 1;
  s.server_type = 'd';
  s.environment = 'l';
  s.password = true;
  s.secure = true;
  s.version = "1.2.3";
  s.game_port = 27015;
  s.steam_id = 0x0102030405060708ull;
  s.spectator_port = 27020;
  s.spectator_name = "TV";
  s.keywords = "a,b";
  s.game_id = ServerInfo::gameIdForApp(440);
  s.player_list = {{"Alice", 10, 1.5f}, {"Bob", -3, 60.25f}, {"Bot", 0, 2.0f}};
  EXPECT_TRUE(s.setKeyValue("mp_timelimit", "30"));
  EXPECT_TRUE(s.setKeyValue("sv_gravity", "800"));
  return s;
}

Bytes infoRequest() {
  static const char kRequest[] = "\xFF\xFF\xFF\xFFTSource Engine Query";  // + NUL = 25 bytes
  return Bytes(kRequest, kRequest + sizeof kRequest);
}
Bytes withChallenge(Bytes req, std::array<uint8_t, 4> ch) {
  req.insert(req.end(), ch.begin(), ch.end());
  return req;
}
Bytes playerRequest(std::array<uint8_t, 4> ch) {
  return {0xFF, 0xFF, 0xFF, 0xFF, 0x55, ch[0], ch[1], ch[2], ch[3]};
}
Bytes rulesRequest(std::array<uint8_t, 4> ch) {
  return {0xFF, 0xFF, 0xFF, 0xFF, 0x56, ch[0], ch[1], ch[2], ch[3]};
}
constexpr std::array<uint8_t, 4> kNone = {0xFF, 0xFF, 0xFF, 0xFF};

struct Fixture {
  A2sResponder r{testOptions(), kT0};
  std::vector<A2sResponder::Outgoing> out;
  Fixture() { r.update(sampleInfo()); }
  std::vector<A2sResponder::Outgoing> send(const Bytes& b, TimeUs now = kT0,
                                           const SocketAddress& from = kClient) {
    out.clear();
    r.handle(from, b, now, out);
    for (const auto& o : out) EXPECT_EQ(o.address, from);
    return out;
  }
  // Sends `req` without challenge and returns the challenge from the 9-byte reply.
  std::array<uint8_t, 4> getChallenge(TimeUs now = kT0, const SocketAddress& from = kClient) {
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

// Reassembles Source-format split fragments (any order) into the single-packet message.
Bytes reassemble(const std::vector<A2sResponder::Outgoing>& frags) {
  if (frags.size() == 1 && frags[0].bytes[0] == 0xFF) return frags[0].bytes;
  std::vector<Bytes> parts(frags.size());
  uint32_t id = 0;
  for (size_t i = 0; i < frags.size(); ++i) {
    const Bytes& f = frags[i].bytes;
    EXPECT_GE(f.size(), 12u);
    EXPECT_EQ(f[0], 0xFE);
    uint32_t fid = f[4] | f[5] << 8 | f[6] << 16 | uint32_t(f[7]) << 24;
    if (i == 0) id = fid;
    EXPECT_EQ(fid, id);
    EXPECT_EQ(fid & 0x80000000u, 0u) << "compression bit must be clear";
    EXPECT_EQ(f[8], frags.size());
    EXPECT_EQ(f[10] | f[11] << 8, 1248);
    parts.at(f[9]) = Bytes(f.begin() + 12, f.end());
  }
  Bytes all;
  for (auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

}  // namespace

TEST(A2sResponder, UnchallengedRequestsGetOnlyTheNineByteChallenge) {
  Fixture f;
  for (const Bytes& req : {infoRequest(), playerRequest(kNone), rulesRequest(kNone),
                           playerRequest({0, 0, 0, 0}), rulesRequest({1, 2, 3, 4})}) {
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
  ServerInfo info = sampleInfo();
  auto o = f.send(withChallenge(infoRequest(), ch));
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].bytes, encodeInfoReply(info));
  o = f.send(playerRequest(ch));
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].bytes, encodePlayerReply(info));
  o = f.send(rulesRequest(ch));
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].bytes, encodeRulesReply(info));
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
  const TimeUs window = 30'000'000;
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

TEST(A2sResponder, InfoReplyIsByteExactWithEveryEdfField) {
  ServerInfo s = sampleInfo();
  Bytes want = {0xFF, 0xFF, 0xFF, 0xFF, 0x49, 17};
  auto str = [&](const char* t) { want.insert(want.end(), t, t + std::strlen(t) + 1); };
  str("Outpost Test");
  str("ctf_2fort");
  str("tf");
  str("Team Fortress");
  want.insert(want.end(), {0xB8, 0x01});  // 440
  want.insert(want.end(), {3, 24, 1, 'd', 'l', 1, 1});
  str("1.2.3");
  want.push_back(0xF1);                   // EDF 0x80|0x40|0x20|0x10|0x01
  want.insert(want.end(), {0x87, 0x69});  // game port 27015
  want.insert(want.end(), {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01});  // SteamID
  want.insert(want.end(), {0x8C, 0x69});  // SourceTV port 27020
  str("TV");
  str("a,b");
  want.insert(want.end(), {0xB8, 0x01, 0, 0, 0, 0, 0, 0});  // GameID 440
  EXPECT_EQ(encodeInfoReply(s), want);
}

TEST(A2sResponder, InfoReplyEdfSubsetsAndTruncatedIds) {
  ServerInfo s = sampleInfo();
  s.steam_id = 0;
  s.spectator_port = 0;
  s.keywords.clear();
  s.game_id = 0;
  s.game_port = 0;
  Bytes none = encodeInfoReply(s);
  EXPECT_EQ(none.back(), 0) << "no EDF byte: reply ends with the version's NUL";
  EXPECT_EQ(none.size(), 6 + 13 + 10 + 3 + 14 + 2 + 7 + 6u);

  s.app_id = 252490;  // Rust: wire ID is the low 16 bits, GameID carries the full AppID
  s.game_id = ServerInfo::gameIdForApp(s.app_id);
  s.keywords = "x";
  Bytes b = encodeInfoReply(s);
  size_t id_at = 6 + 13 + 10 + 3 + 14;
  EXPECT_EQ(b[id_at] | b[id_at + 1] << 8, 252490 & 0xFFFF);
  size_t edf_at = none.size();
  EXPECT_EQ(b[edf_at], 0x21);
  EXPECT_EQ(Bytes(b.end() - 8, b.end()), (Bytes{0x4A, 0xDA, 0x03, 0, 0, 0, 0, 0}));
}

TEST(A2sResponder, StringsAreCutAtNul) {
  ServerInfo s = sampleInfo();
  s.name = std::string("ab\0cd", 5);
  Bytes b = encodeInfoReply(s);
  EXPECT_EQ(b[6], 'a');
  EXPECT_EQ(b[7], 'b');
  EXPECT_EQ(b[8], 0);
  EXPECT_EQ(b[9], 'c');  // map follows: "ctf_2fort"
  EXPECT_FALSE(s.setKeyValue(std::string("k\0", 2), "v"));
  EXPECT_FALSE(s.setKeyValue("", "v"));
  EXPECT_FALSE(s.setKeyValue(std::string(128, 'k'), "v"));
  EXPECT_FALSE(s.setKeyValue("k", std::string(256, 'v')));
  EXPECT_TRUE(s.setKeyValue(std::string(127, 'k'), std::string(255, 'v')));
}

TEST(A2sResponder, PlayerReplyListsPlayersAndBots) {
  ServerInfo s = sampleInfo();
  Bytes want = {0xFF, 0xFF, 0xFF, 0xFF, 0x44, 3};
  auto player = [&](uint8_t idx, const char* name, int32_t score, float dur) {
    want.push_back(idx);
    want.insert(want.end(), name, name + std::strlen(name) + 1);
    for (int i = 0; i < 4; ++i) want.push_back(uint8_t(uint32_t(score) >> (8 * i)));
    uint32_t bits;
    std::memcpy(&bits, &dur, 4);
    for (int i = 0; i < 4; ++i) want.push_back(uint8_t(bits >> (8 * i)));
  };
  player(0, "Alice", 10, 1.5f);
  player(1, "Bob", -3, 60.25f);
  player(2, "Bot", 0, 2.0f);
  EXPECT_EQ(encodePlayerReply(s), want);

  s.player_list.assign(300, PlayerEntry{"p", 1, 1.0f});
  Bytes many = encodePlayerReply(s);
  EXPECT_EQ(many[5], 255) << "at most 255 players listed";
}

TEST(A2sResponder, RulesReplyAndClearAllKeyValues) {
  ServerInfo s = sampleInfo();
  Bytes want = {0xFF, 0xFF, 0xFF, 0xFF, 0x45, 2, 0};
  for (const char* t : {"mp_timelimit", "30", "sv_gravity", "800"})
    want.insert(want.end(), t, t + std::strlen(t) + 1);
  EXPECT_EQ(encodeRulesReply(s), want);
  EXPECT_TRUE(s.setKeyValue("sv_gravity", "600"));  // replaces
  EXPECT_EQ(s.rules.size(), 2u);
  EXPECT_EQ(s.rules["sv_gravity"], "600");
  s.clearAllKeyValues();
  EXPECT_EQ(encodeRulesReply(s), (Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x45, 0, 0}));
}

TEST(A2sResponder, TwoHundredRulesSplitAndReassemble) {
  Fixture f;
  ServerInfo s = sampleInfo();
  for (int i = 0; i < 200; ++i) {
    char key[32], value[48];
    std::snprintf(key, sizeof key, "outpost_rule_%03d", i);
    std::snprintf(value, sizeof value, "value_of_rule_number_%03d", i);
    ASSERT_TRUE(s.setKeyValue(key, value));
  }
  f.r.update(s);
  auto ch = f.getChallenge();
  auto o = f.send(rulesRequest(ch));
  Bytes single = encodeRulesReply(s);
  ASSERT_GT(single.size(), kMaxPacketBytes);
  ASSERT_EQ(o.size(), (single.size() + 1247) / 1248);
  ASSERT_GE(o.size(), 2u);
  for (const auto& frag : o) EXPECT_LE(frag.bytes.size(), kMaxPacketBytes);
  EXPECT_EQ(reassemble(o), single);
  EXPECT_EQ(single[5] | single[6] << 8, 202);

  // A second split reply carries a different answer id.
  auto o2 = f.send(rulesRequest(ch));
  ASSERT_EQ(o2.size(), o.size());
  EXPECT_NE(Bytes(o[0].bytes.begin() + 4, o[0].bytes.begin() + 8),
            Bytes(o2[0].bytes.begin() + 4, o2[0].bytes.begin() + 8));
  EXPECT_EQ(f.r.counters().split_replies, 2u);
}

TEST(A2sResponder, OldEngineSplitHeaderOmitsSize) {
  Fixture f;
  ServerInfo s = sampleInfo();
  s.protocol = 7;
  s.app_id = 240;
  for (int i = 0; i < 200; ++i)
    ASSERT_TRUE(s.setKeyValue("rule_" + std::to_string(i), "value_" + std::to_string(i)));
  f.r.update(s);
  auto o = f.send(rulesRequest(f.getChallenge()));
  ASSERT_GE(o.size(), 2u);
  Bytes all;
  for (const auto& frag : o) {
    EXPECT_LE(frag.bytes.size(), kMaxPacketBytes);
    all.insert(all.end(), frag.bytes.begin() + 10, frag.bytes.end());
  }
  EXPECT_EQ(all, encodeRulesReply(s));
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
  r.update(sampleInfo());
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
  r.update(sampleInfo());
  std::vector<A2sResponder::Outgoing> out;
  int answered = 0;
  for (int i = 1; i <= 10; ++i) {  // ten addresses of one /64
    auto a = *SocketAddress::parse("[2001:db8:1:2::" + std::to_string(i) + "]:40000", true);
    out.clear();
    r.handle(a, playerRequest(r.challengeFor(a, kT0)), kT0, out);
    answered += out.size() == 1;
  }
  EXPECT_EQ(answered, 3);
  auto other = *SocketAddress::parse("[2001:db8:1:3::1]:40000", true);  // the next /64
  out.clear();
  r.handle(other, playerRequest(r.challengeFor(other, kT0)), kT0, out);
  EXPECT_EQ(out.size(), 1u);
}

TEST(A2sResponder, RateTableIsBoundedAndUnverifiedSourcesAreNotTracked) {
  A2sResponderOptions o = testOptions();
  o.max_tracked_sources = 4;
  A2sResponder r(o, kT0);
  r.update(sampleInfo());
  std::vector<A2sResponder::Outgoing> out;
  for (uint32_t i = 0; i < 100; ++i)  // unverified: challenge replies only, no table entries
    r.handle(SocketAddress::ipv4(0x0A000000 + i, 1000), playerRequest(kNone), kT0, out);
  EXPECT_EQ(r.counters().source_evictions, 0u);
  for (uint32_t i = 0; i < 10; ++i) {
    SocketAddress a = SocketAddress::ipv4(0x0A000000 + i, 1000);
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
  ServerInfo s = sampleInfo();
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(s.setKeyValue("r" + std::to_string(i), "v"));
  r.update(s);
  std::vector<A2sResponder::Outgoing> out;
  for (int i = 0; i < 5; ++i) r.handle(kClient, infoRequest(), kT0, out);
  EXPECT_EQ(out.size(), 3u);
  EXPECT_EQ(r.counters().dropped_challenge_rate, 2u);
  // Rules of ~17 KB: the 89,600-byte global burst admits five, then nothing.
  int replies = 0;
  for (uint32_t i = 0; i < 10; ++i) {
    SocketAddress a = SocketAddress::ipv4(0x0A000000 + i, 1000);
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
