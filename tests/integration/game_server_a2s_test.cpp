// Integration: A2S through outpost::GameServer — on its own query port (a raw A2S client over
// UDP: challenge first, then INFO with the server's fields, PLAYER with an unauthenticated
// player's name and score plus bots, RULES split over several packets with 200 rules), and in
// GameSocketShare mode through handleIncomingPacket / getNextOutgoingPacket.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <map>
#include <thread>

#include "outpost/game_server.h"
#include "support/raw_socket.h"

namespace outpost::test {
namespace {

const std::vector<uint8_t> kInfo = [] {
  std::vector<uint8_t> v = {0xFF, 0xFF, 0xFF, 0xFF, 0x54};
  std::string q = "Source Engine Query";
  v.insert(v.end(), q.begin(), q.end());
  v.push_back(0);
  return v;
}();

std::vector<uint8_t> withChallenge(std::vector<uint8_t> req, const std::vector<uint8_t>& challenge_reply) {
  req.insert(req.end(), challenge_reply.begin() + 5, challenge_reply.begin() + 9);
  return req;
}

std::string cstr(const std::vector<uint8_t>& b, size_t& pos) {
  std::string s;
  while (pos < b.size() && b[pos]) s.push_back(static_cast<char>(b[pos++]));
  ++pos;
  return s;
}

// Sends `req` (after a challenge round) and returns the whole reply, reassembling splits.
std::vector<uint8_t> query(RawSocket& s, uint16_t port, std::vector<uint8_t> req) {
  std::vector<uint8_t> probe = req;
  if (req[4] != 0x54) probe.insert(probe.end(), {0xFF, 0xFF, 0xFF, 0xFF});
  s.sendTo(port, probe);
  auto challenge = s.receive(2000);
  EXPECT_EQ(challenge.size(), 9u);
  EXPECT_EQ(challenge[4], 0x41);
  s.sendTo(port, withChallenge(req, challenge));
  std::map<int, std::vector<uint8_t>> parts;
  int total = 1;
  while (static_cast<int>(parts.size()) < total) {
    auto d = s.receive(2000);
    if (d.empty()) break;
    if (d[0] == 0xFF) return d;  // single packet
    // Split: FE FF FF FF, id (4), total (1), number (1), size (2), payload.
    total = d[8];
    parts[d[9]] = std::vector<uint8_t>(d.begin() + 12, d.end());
  }
  std::vector<uint8_t> all;
  for (auto& [n, p] : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

// Queries INFO until its name and player count are the expected ones: the service thread
// publishes what the setters changed on its next tick, so this waits for that event (bounded).
bool waitForInfo(RawSocket& s, uint16_t port, const std::string& name, uint8_t players) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    auto info = query(s, port, kInfo);
    if (info.size() > 6 && info[4] == 0x49) {
      size_t pos = 6;
      std::string got = cstr(info, pos);
      for (int i = 0; i < 3; ++i) cstr(info, pos);  // map, folder, game
      pos += 2;                                     // app id
      if (got == name && pos < info.size() && info[pos] == players) return true;
    }
  }
  return false;
}

TEST(GameServerA2S, OwnQueryPortAnswersInfoPlayersAndSplitRules) {
  uint16_t qport;
  {
    RawSocket probe;
    qport = probe.port;
  }
  GameServer gs;
  ASSERT_TRUE(gs.serverInit("127.0.0.1", 27015, qport, SERVER_MODE_AUTHENTICATION, "1.2.3.4"));
  EXPECT_TRUE(gs.setModDir("spacewar"));
  EXPECT_TRUE(gs.setGameDescription("Spacewar"));
  EXPECT_TRUE(gs.setDedicatedServer(true));
  EXPECT_TRUE(gs.setMapName("de_dust"));
  EXPECT_TRUE(gs.setGameTags("outpost,test"));
  gs.setMaxPlayerCount(16);
  gs.setBotPlayerCount(2);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(gs.setKeyValue("rule_" + std::to_string(i), "value_" + std::to_string(i)));
  EXPECT_FALSE(gs.setKeyValue("", "empty key"));
  uint64_t player = gs.createUnauthenticatedUserConnection();
  EXPECT_TRUE(gs.updateUserData(player, "Player One", 42));
  EXPECT_FALSE(gs.updateUserData(12345, "nobody", 1));
  EXPECT_TRUE(gs.setServerName("Outpost A2S test"));  // last: waitForInfo keys on it

  RawSocket client;
  ASSERT_TRUE(waitForInfo(client, qport, "Outpost A2S test", 3));  // one player plus two bots
  // The wait's own queries are counted too: what follows asserts the counters' growth from here.
  auto base = gs.getQueryCounters();
  // Unchallenged INFO, PLAYER and RULES: only the 9-byte challenge each, nothing more.
  for (const std::vector<uint8_t>& unchallenged :
       {kInfo, std::vector<uint8_t>{0xFF, 0xFF, 0xFF, 0xFF, 0x55, 0xFF, 0xFF, 0xFF, 0xFF},
        std::vector<uint8_t>{0xFF, 0xFF, 0xFF, 0xFF, 0x56, 0xFF, 0xFF, 0xFF, 0xFF}}) {
    client.sendTo(qport, unchallenged);
    auto only = client.receive(2000);
    EXPECT_EQ(only.size(), 9u);
    EXPECT_EQ(only[4], 0x41);
    EXPECT_TRUE(client.receive(200).empty());
  }
  // Malformed and amplifying requests: dropped, unanswered, and counted by reason.
  client.sendTo(qport, {0xFF, 0xFF, 0xFF});                    // too short
  client.sendTo(qport, {0x01, 0x02, 0x03, 0x04, 0x54, 0x00});  // not FF FF FF FF
  client.sendTo(qport, {0xFF, 0xFF, 0xFF, 0xFF, 0x57});        // old get-challenge (amplifies)
  EXPECT_TRUE(client.receive(300).empty());
  auto counters = gs.getQueryCounters();
  EXPECT_EQ(counters["challenges_sent"] - base["challenges_sent"], 3u);
  EXPECT_EQ(counters["dropped_too_short"] - base["dropped_too_short"], 1u);
  EXPECT_EQ(counters["dropped_bad_header"] - base["dropped_bad_header"], 1u);
  EXPECT_EQ(counters["dropped_unsupported_type"] - base["dropped_unsupported_type"], 1u);

  auto info = query(client, qport, kInfo);
  ASSERT_GT(info.size(), 6u);
  EXPECT_EQ(info[4], 0x49);
  size_t pos = 6;
  EXPECT_EQ(cstr(info, pos), "Outpost A2S test");
  EXPECT_EQ(cstr(info, pos), "de_dust");
  EXPECT_EQ(cstr(info, pos), "spacewar");
  EXPECT_EQ(cstr(info, pos), "Spacewar");
  pos += 2;                 // app id (low 16 bits)
  EXPECT_EQ(info[pos], 3);  // players: one plus two bots
  EXPECT_EQ(info[pos + 1], 16);
  EXPECT_EQ(info[pos + 2], 2);
  EXPECT_EQ(info[pos + 3], 'd');

  auto players = query(client, qport, {0xFF, 0xFF, 0xFF, 0xFF, 0x55});
  ASSERT_GT(players.size(), 6u);
  EXPECT_EQ(players[4], 0x44);
  EXPECT_EQ(players[5], 3);
  pos = 6;
  std::map<std::string, int32_t> scores;
  for (int i = 0; i < players[5]; ++i) {
    ++pos;  // index
    std::string name = cstr(players, pos);
    int32_t score;
    std::memcpy(&score, players.data() + pos, 4);
    pos += 8;  // score, duration
    scores[name] = score;
  }
  EXPECT_EQ(scores["Player One"], 42);
  EXPECT_TRUE(scores.count("Bot 1") && scores.count("Bot 2"));

  auto rules = query(client, qport, {0xFF, 0xFF, 0xFF, 0xFF, 0x56});
  ASSERT_GT(rules.size(), 7u);
  EXPECT_EQ(rules[4], 0x45);
  uint16_t count = static_cast<uint16_t>(rules[5] | rules[6] << 8);
  EXPECT_EQ(count, 200);
  pos = 7;
  std::map<std::string, std::string> got;
  for (int i = 0; i < count; ++i) {
    std::string k = cstr(rules, pos);
    got[k] = cstr(rules, pos);
  }
  EXPECT_EQ(got.size(), 200u);
  EXPECT_EQ(got["rule_199"], "value_199");

  EXPECT_EQ(gs.getQueryCounters()["info_replies"] - base["info_replies"], 1u);

  gs.clearAllKeyValues();
  gs.sendUserDisconnect(player);
  ASSERT_TRUE(waitForInfo(client, qport, "Outpost A2S test", 2));  // the player left: two bots
  auto after = query(client, qport, {0xFF, 0xFF, 0xFF, 0xFF, 0x56});
  EXPECT_EQ(after.size(), 7u);                                      // header + count 0
  EXPECT_FALSE(gs.handleIncomingPacket(kInfo, "127.0.0.1", 5000));  // not in GameSocketShare mode
  EXPECT_EQ(gs.getQueryCounters()["rules_replies"] - base["rules_replies"], 2u);
  EXPECT_GE(gs.getQueryCounters()["fragments_sent"], 5u);  // 200 rules: a split reply
  GameServer none;
  EXPECT_TRUE(none.getQueryCounters().empty());  // before serverInit
}

TEST(GameServerA2S, GameSocketShareMovesRealBytes) {
  GameServer gs;
  ASSERT_TRUE(gs.serverInit("0.0.0.0", 27015, QUERY_PORT_SHARED, SERVER_MODE_AUTHENTICATION, "1.0.0.0"));
  EXPECT_TRUE(gs.setServerName("Shared socket"));
  EXPECT_FALSE(gs.handleIncomingPacket({1, 2, 3, 4, 5}, "127.0.0.1", 50000));  // the game's own traffic
  EXPECT_TRUE(gs.getNextOutgoingPacket().data.empty());
  ASSERT_TRUE(gs.handleIncomingPacket(kInfo, "127.0.0.1", 50000));
  OutgoingPacket challenge = gs.getNextOutgoingPacket();
  ASSERT_EQ(challenge.data.size(), 9u);
  EXPECT_EQ(challenge.address, "127.0.0.1");
  EXPECT_EQ(challenge.port, 50000);
  ASSERT_TRUE(gs.handleIncomingPacket(withChallenge(kInfo, challenge.data), "127.0.0.1", 50000));
  OutgoingPacket info = gs.getNextOutgoingPacket();
  ASSERT_GT(info.data.size(), 6u);
  EXPECT_EQ(info.data[4], 0x49);
  size_t pos = 6;
  EXPECT_EQ(cstr(info.data, pos), "Shared socket");
  // A challenge is bound to the address it was given to.
  ASSERT_TRUE(gs.handleIncomingPacket(withChallenge(kInfo, challenge.data), "127.0.0.1", 50001));
  EXPECT_EQ(gs.getNextOutgoingPacket().data.size(), 9u);  // only a fresh challenge
  auto counters = gs.getQueryCounters();
  EXPECT_EQ(counters["challenges_sent"], 2u);
  EXPECT_EQ(counters["invalid_challenges"], 1u);
  EXPECT_EQ(counters["info_replies"], 1u);
}

}  // namespace
}  // namespace outpost::test
