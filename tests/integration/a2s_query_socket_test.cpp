// A2sQuerySocket over real UDP on 127.0.0.1: challenge round-trip, INFO/PLAYER replies, a split
// RULES reply of 200 rules received as fragments, update() taking effect, and drops counted.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "a2s/reply.h"
#include "a2s/request.h"
#include "server/a2s_query_socket.h"
#include "support/raw_socket.h"
#include "support/sample_server.h"

using namespace outpost;
using namespace outpost::a2s;
using outpost::server::A2sCounters;
using outpost::server::A2sQuerySocket;
using outpost::server::A2sQuerySocketOptions;

namespace {

using Bytes = std::vector<uint8_t>;

void update(A2sQuerySocket& socket, const test::SampleServer& s) { socket.update(s.info, s.players, s.rules); }

}  // namespace

TEST(A2sQuerySocket, AnswersRealClientsWithChallengeAndSplit) {
  A2sQuerySocketOptions options;
  options.bind_address = "127.0.0.1:0";
  A2sQuerySocket server(options);
  const test::SampleServer sample = test::sampleServer();
  update(server, sample);
  std::string error;
  ASSERT_TRUE(server.start(&error)) << error;
  const uint16_t port = server.localAddress().port();
  ASSERT_NE(port, 0);

  test::RawSocket c;
  c.sendTo(port, encodeRequest(kInfoRequest));
  Bytes ch = c.receive(2000);
  ASSERT_EQ(ch.size(), 9u);
  ASSERT_EQ(ch[4], 0x41);

  Bytes req = encodeRequest(kInfoRequest, Challenge{ch[5], ch[6], ch[7], ch[8]});
  c.sendTo(port, req);
  EXPECT_EQ(c.receive(2000), encodeInfoReply(sample.info));

  c.sendTo(port, {0xFF, 0xFF, 0xFF, 0xFF, 0x55, ch[5], ch[6], ch[7], ch[8]});
  EXPECT_EQ(c.receive(2000), encodePlayerReply(sample.players));

  c.sendTo(port, {0xFF, 0xFF, 0xFF, 0xFF, 0x56, ch[5], ch[6], ch[7], ch[8]});
  Bytes rules = encodeRulesReply(sample.rules);
  size_t fragments = (rules.size() + kSplitPayloadBytes - 1) / kSplitPayloadBytes;
  ASSERT_GE(fragments, 2u);
  std::vector<Bytes> parts(fragments);
  for (size_t i = 0; i < fragments; ++i) {
    Bytes f = c.receive(2000);
    ASSERT_GT(f.size(), 12u);
    ASSERT_LE(f.size(), kMaxPacketBytes);
    ASSERT_EQ(f[0], 0xFE);
    ASSERT_EQ(f[8], fragments);
    parts.at(f[9]) = Bytes(f.begin() + 12, f.end());
  }
  Bytes all;
  for (auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  EXPECT_EQ(all, rules);

  // update() takes effect for the next request.
  test::SampleServer changed = sample;
  changed.info.map = "other_map";
  update(server, changed);
  c.sendTo(port, req);
  EXPECT_EQ(c.receive(2000), encodeInfoReply(changed.info));

  // Garbage gets nothing back and is counted.
  c.sendTo(port, {0x01, 0x02, 0x03});
  c.sendTo(port, {0xFF, 0xFF, 0xFF, 0xFF, 0x57});
  EXPECT_TRUE(c.receive(300).empty());
  server.stop();
  A2sCounters counters = server.counters();
  EXPECT_EQ(counters.challenges_sent, 1u);
  EXPECT_EQ(counters.info_replies, 2u);
  EXPECT_EQ(counters.player_replies, 1u);
  EXPECT_EQ(counters.rules_replies, 1u);
  EXPECT_EQ(counters.dropped_too_short, 1u);
  EXPECT_EQ(counters.dropped_unsupported_type, 1u);
  EXPECT_FALSE(server.running());
}

TEST(A2sQuerySocket, SecondStartAndBusyPortFail) {
  A2sQuerySocketOptions options;
  options.bind_address = "127.0.0.1:0";
  A2sQuerySocket a(options);
  std::string error;
  ASSERT_TRUE(a.start(&error));
  EXPECT_FALSE(a.start(&error));
  EXPECT_EQ(error, "already started");
  options.bind_address = a.localAddress().toString();
  A2sQuerySocket b(options);
  EXPECT_FALSE(b.start(&error));
  EXPECT_NE(error.find("bind"), std::string::npos);
}
