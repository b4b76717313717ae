// The A2S codec (src/a2s: request.h, reply.h, split.h), both directions: byte-exact requests and
// replies (every extra-data field), strings cut at NUL, the request drop checks in order, reply
// parsing back into the public record (outpost/server_info.h), refusal of malformed replies, the
// challenge reply, and Source split fragments cut and joined again.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "a2s/reply.h"
#include "a2s/request.h"
#include "a2s/split.h"
#include "support/sample_server.h"

using namespace outpost;
using namespace outpost::a2s;

namespace {

using Bytes = std::vector<uint8_t>;

void appendString(Bytes& b, const char* s) { b.insert(b.end(), s, s + std::strlen(s) + 1); }

std::span<const uint8_t> bodyOf(const Bytes& message) { return std::span<const uint8_t>(message).subspan(4); }

}  // namespace

TEST(A2sCodec, RequestsAreByteExact) {
  Bytes info = {0xFF, 0xFF, 0xFF, 0xFF, 0x54};
  appendString(info, "Source Engine Query");
  EXPECT_EQ(encodeRequest(kInfoRequest), info);
  ASSERT_EQ(info.size(), kInfoRequestBytes);
  Bytes challenged = info;
  challenged.insert(challenged.end(), {1, 2, 3, 4});
  EXPECT_EQ(encodeRequest(kInfoRequest, Challenge{1, 2, 3, 4}), challenged);
  EXPECT_EQ(encodeRequest(kPlayerRequest), (Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x55, 0xFF, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(encodeRequest(kRulesRequest, Challenge{9, 8, 7, 6}), (Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x56, 9, 8, 7, 6}));
}

TEST(A2sCodec, RequestsParseBack) {
  for (uint8_t type : {kInfoRequest, kPlayerRequest, kRulesRequest}) {
    RequestError error = RequestError::kTooShort;
    auto r = parseRequest(encodeRequest(type, Challenge{5, 6, 7, 8}), &error);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(error, RequestError::kNone);
    EXPECT_EQ(r->type, type);
    EXPECT_EQ(r->challenge, (Challenge{5, 6, 7, 8}));
  }
  auto bare = parseRequest(encodeRequest(kInfoRequest), nullptr);
  ASSERT_TRUE(bare.has_value());
  EXPECT_FALSE(bare->challenge.has_value()) << "the 25-byte INFO carries no challenge";
  auto placeholder = parseRequest(encodeRequest(kPlayerRequest), nullptr);
  ASSERT_TRUE(placeholder.has_value());
  EXPECT_EQ(placeholder->challenge, kNoChallenge);
  EXPECT_TRUE(isPlaceholderChallenge(kNoChallenge));
  EXPECT_TRUE(isPlaceholderChallenge(Challenge{0, 0, 0, 0}));
  EXPECT_FALSE(isPlaceholderChallenge(Challenge{0, 0, 0, 1}));
}

TEST(A2sCodec, RequestDropChecksNameTheFirstFailure) {
  Bytes info = encodeRequest(kInfoRequest);
  Bytes bad_string = info;
  bad_string[10] = 'X';
  Bytes info_long = info;
  info_long.push_back(0);
  Bytes info_short = info;
  info_short.pop_back();
  struct Case {
    Bytes packet;
    RequestError error;
  } cases[] = {
      {{}, RequestError::kTooShort},
      {{0xFF, 0xFF, 0xFF, 0xFF}, RequestError::kTooShort},
      {{0xFE, 0xFF, 0xFF, 0xFF, 0x55, 1, 2, 3, 4}, RequestError::kSplitRequest},
      {{0x00, 0xFF, 0xFF, 0xFF, 0x55, 1, 2, 3, 4}, RequestError::kBadHeader},
      {{0xFF, 0xFF, 0xFF, 0xFF, 0x57}, RequestError::kUnsupportedType},
      {{0xFF, 0xFF, 0xFF, 0xFF, 0x69}, RequestError::kUnsupportedType},
      {{0xFF, 0xFF, 0xFF, 0xFF, 0x41, 1, 2, 3, 4}, RequestError::kUnknownType},
      {{0xFF, 0xFF, 0xFF, 0xFF, 0x55, 0xFF, 0xFF, 0xFF}, RequestError::kBadLength},
      {info_long, RequestError::kBadLength},
      {info_short, RequestError::kBadLength},
      {bad_string, RequestError::kBadInfoString},
  };
  for (const Case& c : cases) {
    RequestError error = RequestError::kNone;
    EXPECT_FALSE(parseRequest(c.packet, &error).has_value());
    EXPECT_EQ(error, c.error) << "packet of " << c.packet.size() << " bytes";
  }
}

TEST(A2sCodec, InfoReplyIsByteExactWithEveryEdfField) {
  test::SampleServer s = test::sampleServer();
  Bytes want = {0xFF, 0xFF, 0xFF, 0xFF, 0x49, 17};
  appendString(want, "Outpost Sample");
  appendString(want, "ctf_2fort");
  appendString(want, "tf");
  appendString(want, "Team Fortress");
  want.insert(want.end(), {0xB8, 0x01});  // 440
  want.insert(want.end(), {3, 24, 1, 'd', 'l', 0, 1});
  appendString(want, "8622567");
  want.push_back(0xF1);                                        // EDF 0x80|0x40|0x20|0x10|0x01
  want.insert(want.end(), {0x87, 0x69});                       // game port 27015
  want.insert(want.end(), {0x01, 0, 0, 0, 0, 0, 0x40, 0x01});  // SteamID 0x0140000000000001
  want.insert(want.end(), {0x8C, 0x69});                       // SourceTV port 27020
  appendString(want, "Outpost TV");
  appendString(want, "outpost,sample,ctf");
  want.insert(want.end(), {0xB8, 0x01, 0, 0, 0, 0, 0, 0});  // GameID 440
  EXPECT_EQ(encodeInfoReply(s.info), want);
}

TEST(A2sCodec, InfoReplyEdfSubsetsTruncatedIdsAndClampedCounts) {
  ServerInfoResult s = test::sampleServer().info;
  s.steam_id = 0;
  s.spectator_port = 0;
  s.keywords.clear();
  s.game_id = 0;
  s.game_port = 0;
  Bytes none = encodeInfoReply(s);
  EXPECT_EQ(none.back(), 0) << "no EDF byte: reply ends with the version's NUL";
  // header+type+protocol, name, map, folder, game, id, counts and flags, version
  const size_t id_at = 6 + 15 + 10 + 3 + 14;
  EXPECT_EQ(none.size(), id_at + 2 + 7 + 8);

  s.app_id = 252490;  // Rust: wire ID is the low 16 bits, GameID carries the full AppID
  s.game_id = gameIdForApp(s.app_id);
  s.keywords = "x";
  Bytes b = encodeInfoReply(s);
  EXPECT_EQ(b[id_at] | b[id_at + 1] << 8, 252490 & 0xFFFF);
  EXPECT_EQ(b[none.size()], 0x21);
  EXPECT_EQ(Bytes(b.end() - 8, b.end()), (Bytes{0x4A, 0xDA, 0x03, 0, 0, 0, 0, 0}));

  s.protocol = 300;
  s.players = 1000;
  s.max_players = -5;
  s.bots = 255;
  Bytes clamped = encodeInfoReply(s);
  EXPECT_EQ(clamped[5], 255);
  EXPECT_EQ((Bytes{clamped[id_at + 2], clamped[id_at + 3], clamped[id_at + 4]}), (Bytes{255, 0, 255}));
}

TEST(A2sCodec, StringsAreCutAtNulAndRulesAreChecked) {
  ServerInfoResult s = test::sampleServer().info;
  s.name = std::string("ab\0cd", 5);
  Bytes b = encodeInfoReply(s);
  EXPECT_EQ(b[6], 'a');
  EXPECT_EQ(b[7], 'b');
  EXPECT_EQ(b[8], 0);
  EXPECT_EQ(b[9], 'c');  // map follows: "ctf_2fort"
  EXPECT_FALSE(isValidRule(std::string("k\0", 2), "v"));
  EXPECT_FALSE(isValidRule("k", std::string("v\0", 2)));
  EXPECT_FALSE(isValidRule("", "v"));
  EXPECT_FALSE(isValidRule(std::string(128, 'k'), "v"));
  EXPECT_FALSE(isValidRule("k", std::string(256, 'v')));
  EXPECT_TRUE(isValidRule(std::string(127, 'k'), std::string(255, 'v')));
  EXPECT_TRUE(isValidRule("k", ""));
}

TEST(A2sCodec, PlayerReplyListsPlayersAndBots) {
  test::SampleServer s = test::sampleServer();
  Bytes want = {0xFF, 0xFF, 0xFF, 0xFF, 0x44, 3};
  auto player = [&](uint8_t idx, const char* name, int32_t score, float dur) {
    want.push_back(idx);
    appendString(want, name);
    for (int i = 0; i < 4; ++i) want.push_back(uint8_t(uint32_t(score) >> (8 * i)));
    uint32_t bits;
    std::memcpy(&bits, &dur, 4);
    for (int i = 0; i < 4; ++i) want.push_back(uint8_t(bits >> (8 * i)));
  };
  player(0, "Alice", 42, 125.5f);
  player(1, "Bob", -7, 60.25f);
  player(2, "OutpostBot", 0, 5.0f);
  EXPECT_EQ(encodePlayerReply(s.players), want);

  std::vector<ServerPlayer> many(300, ServerPlayer{"p", 1, 1.0f});
  EXPECT_EQ(encodePlayerReply(many)[5], 255) << "at most 255 players listed";
}

TEST(A2sCodec, RulesReplyIsSortedByKey) {
  Bytes want = {0xFF, 0xFF, 0xFF, 0xFF, 0x45, 2, 0};
  for (const char* t : {"mp_timelimit", "30", "sv_gravity", "800"}) appendString(want, t);
  EXPECT_EQ(encodeRulesReply({{"sv_gravity", "800"}, {"mp_timelimit", "30"}}), want);
  EXPECT_EQ(encodeRulesReply({}), (Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x45, 0, 0}));
}

TEST(A2sCodec, RepliesParseBackIntoTheRecord) {
  test::SampleServer s = test::sampleServer();
  Bytes info_message = encodeInfoReply(s.info);
  auto body = messageBody(info_message);
  ASSERT_TRUE(body.has_value());
  auto info = parseInfoReply(*body);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->protocol, 17);
  EXPECT_EQ(info->name, "Outpost Sample");
  EXPECT_EQ(info->map, "ctf_2fort");
  EXPECT_EQ(info->folder, "tf");
  EXPECT_EQ(info->game, "Team Fortress");
  EXPECT_EQ(info->app_id, 440u);
  EXPECT_EQ(info->players, 3);
  EXPECT_EQ(info->max_players, 24);
  EXPECT_EQ(info->bots, 1);
  EXPECT_EQ(info->server_type, 'd');
  EXPECT_EQ(info->environment, 'l');
  EXPECT_FALSE(info->password);
  EXPECT_TRUE(info->secure);
  EXPECT_EQ(info->version, "8622567");
  EXPECT_EQ(info->game_port, 27015);
  EXPECT_EQ(info->steam_id, 90071992547409921ull);
  EXPECT_EQ(info->spectator_port, 27020);
  EXPECT_EQ(info->spectator_name, "Outpost TV");
  EXPECT_EQ(info->keywords, "outpost,sample,ctf");
  EXPECT_EQ(info->game_id, 440u);
  EXPECT_EQ(info->address, "") << "address and ping_ms are the caller's";
  EXPECT_EQ(info->ping_ms, -1);

  auto players = parsePlayerReply(bodyOf(encodePlayerReply(s.players)));
  ASSERT_TRUE(players.has_value());
  ASSERT_EQ(players->size(), 3u);
  EXPECT_EQ((*players)[1].name, "Bob");
  EXPECT_EQ((*players)[1].score, -7);
  EXPECT_EQ((*players)[1].duration_s, 60.25f);
  auto rules = parseRulesReply(bodyOf(encodeRulesReply(s.rules)));
  ASSERT_TRUE(rules.has_value());
  EXPECT_EQ(*rules, s.rules);

  // Without a GameID the AppID is the 16-bit ID field.
  s.info.app_id = 252490;
  s.info.game_id = 0;
  auto truncated = parseInfoReply(bodyOf(encodeInfoReply(s.info)));
  ASSERT_TRUE(truncated.has_value());
  EXPECT_EQ(truncated->app_id, 252490u & 0xFFFF);
}

TEST(A2sCodec, MalformedRepliesAreRefusedWhole) {
  test::SampleServer s = test::sampleServer();
  Bytes info = encodeInfoReply(s.info);
  // Every cut inside the fixed fields or an extra-data field is refused, never half-parsed; the
  // one cut that stays a whole reply is right after the version (no extra data).
  const size_t without_extra_data = 6 + 15 + 10 + 3 + 14 + 2 + 7 + 8;
  for (size_t n = 5; n < info.size(); ++n)
    EXPECT_EQ(parseInfoReply(std::span<const uint8_t>(info).subspan(4, n - 4)).has_value(), n == without_extra_data)
        << n;
  Bytes players = encodePlayerReply(s.players);
  for (size_t n = 5; n < players.size(); ++n)
    EXPECT_FALSE(parsePlayerReply(std::span<const uint8_t>(players).subspan(4, n - 4)).has_value()) << n;
  Bytes rules = encodeRulesReply(s.rules);
  for (size_t n = 5; n < rules.size(); n += 7)
    EXPECT_FALSE(parseRulesReply(std::span<const uint8_t>(rules).subspan(4, n - 4)).has_value()) << n;
  // A body of another type is not this reply.
  EXPECT_FALSE(parseInfoReply(bodyOf(players)).has_value());
  EXPECT_FALSE(parsePlayerReply(bodyOf(rules)).has_value());
  EXPECT_FALSE(parseRulesReply(bodyOf(info)).has_value());
  EXPECT_FALSE(messageBody(Bytes{0xFE, 0xFF, 0xFF, 0xFF, 0x49}).has_value());
  EXPECT_FALSE(messageBody(Bytes{0xFF, 0xFF, 0xFF}).has_value());
}

TEST(A2sCodec, ChallengeReply) {
  Bytes reply = encodeChallengeReply(Challenge{0x10, 0x20, 0x30, 0x40});
  EXPECT_EQ(reply, (Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x41, 0x10, 0x20, 0x30, 0x40}));
  EXPECT_EQ(reply.size(), kChallengeReplyBytes);
  EXPECT_EQ(parseChallengeReply(reply), (Challenge{0x10, 0x20, 0x30, 0x40}));
  Bytes longer = reply;
  longer.push_back(0);
  EXPECT_FALSE(parseChallengeReply(longer).has_value());
  Bytes other_type = reply;
  other_type[4] = kInfoReply;
  EXPECT_FALSE(parseChallengeReply(other_type).has_value());
  Bytes bad_header = reply;
  bad_header[2] = 0;
  EXPECT_FALSE(parseChallengeReply(bad_header).has_value());
}

TEST(A2sCodec, SplitFragmentsCutAndJoinAgain) {
  Bytes message = encodeRulesReply(test::sampleServer().rules);
  ASSERT_EQ(message.size(), 5407u);
  const size_t total = splitFragmentCount(message.size());
  ASSERT_EQ(total, 5u);
  EXPECT_EQ(splitFragmentCount(kMaxPacketBytes), 1u);
  EXPECT_EQ(splitFragmentCount(kMaxPacketBytes + 1), 2u);

  std::vector<Bytes> fragments;
  for (size_t i = 0; i < total; ++i) fragments.push_back(encodeSplitFragment(message, 0x1234, total, i, false));
  Bytes first = fragments[0];
  EXPECT_EQ(Bytes(first.begin(), first.begin() + 12),
            (Bytes{0xFE, 0xFF, 0xFF, 0xFF, 0x34, 0x12, 0, 0, 5, 0, 0xE0, 0x04}));
  EXPECT_EQ(first.size(), kSplitHeaderBytes + kSplitPayloadBytes);
  EXPECT_EQ(fragments.back().size(), kSplitHeaderBytes + (message.size() - 4 * kSplitPayloadBytes));
  auto parsed = parseSplitFragment(fragments[3]);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->answer_id, 0x1234u);
  EXPECT_EQ(parsed->total, 5);
  EXPECT_EQ(parsed->number, 3);
  EXPECT_EQ(parsed->payload.size(), kSplitPayloadBytes);

  // Any order, a duplicate and a stale fragment of another reply in between.
  SplitReassembler joined;
  Bytes stale = encodeSplitFragment(message, 0x9999, total, 1, false);
  EXPECT_EQ(joined.add(fragments[4]), SplitReassembler::Status::kIncomplete);
  EXPECT_EQ(joined.add(stale), SplitReassembler::Status::kIncomplete);
  EXPECT_EQ(joined.add(fragments[0]), SplitReassembler::Status::kIncomplete);
  EXPECT_EQ(joined.add(fragments[0]), SplitReassembler::Status::kIncomplete);
  EXPECT_EQ(joined.add(fragments[2]), SplitReassembler::Status::kIncomplete);
  EXPECT_EQ(joined.add(fragments[1]), SplitReassembler::Status::kIncomplete);
  EXPECT_EQ(joined.add(fragments[3]), SplitReassembler::Status::kComplete);
  EXPECT_EQ(joined.message(), message);

  SplitReassembler broken;
  EXPECT_EQ(broken.add(fragments[0]), SplitReassembler::Status::kIncomplete);
  EXPECT_EQ(broken.add(message), SplitReassembler::Status::kMalformed) << "a single packet is not a fragment";
  EXPECT_EQ(broken.add(Bytes(first.begin(), first.begin() + 11)), SplitReassembler::Status::kMalformed);
}

TEST(A2sCodec, OldEngineSplitHeaderOmitsSize) {
  EXPECT_TRUE(splitOmitsSize(7, 240));
  EXPECT_TRUE(splitOmitsSize(7, 17700));
  EXPECT_FALSE(splitOmitsSize(17, 240));
  EXPECT_FALSE(splitOmitsSize(7, 440));
  Bytes message = encodeRulesReply(test::sampleServer().rules);
  Bytes f = encodeSplitFragment(message, 7, 5, 0, true);
  EXPECT_EQ(f.size(), kSplitHeaderBytes - 2 + kSplitPayloadBytes);
  auto parsed = parseSplitFragment(f, false);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(std::equal(parsed->payload.begin(), parsed->payload.end(), message.begin()));
}
