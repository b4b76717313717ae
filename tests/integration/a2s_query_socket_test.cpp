// A2sQuerySocket over real UDP on 127.0.0.1: challenge round-trip, INFO/PLAYER replies, a split
// RULES reply of 200 rules received as fragments, update() taking effect, and drops counted.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "a2s/query_socket.h"

using namespace outpost;
using namespace outpost::a2s;

namespace {

using Bytes = std::vector<uint8_t>;

class Client {
 public:
  explicit Client(const SocketAddress& server) : server_(server) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    SocketAddress any = *SocketAddress::parse("127.0.0.1:0", false);
    EXPECT_EQ(::bind(fd_, any.sa(), any.len()), 0);
  }
  ~Client() { ::close(fd_); }
  void send(const Bytes& b) {
    ASSERT_EQ(::sendto(fd_, b.data(), b.size(), 0, server_.sa(), server_.len()),
              static_cast<ssize_t>(b.size()));
  }
  // Next datagram within timeout_ms, or empty.
  Bytes receive(int timeout_ms = 2000) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return {};
    Bytes b(2048);
    ssize_t n = ::recv(fd_, b.data(), b.size(), 0);
    b.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return b;
  }

 private:
  SocketAddress server_;
  int fd_ = -1;
};

Bytes infoRequest() {
  static const char kRequest[] = "\xFF\xFF\xFF\xFFTSource Engine Query";
  return Bytes(kRequest, kRequest + sizeof kRequest);
}

ServerInfo info() {
  ServerInfo s;
  s.name = "socket test";
  s.map = "m";
  s.folder = "tf";
  s.game = "g";
  s.app_id = 440;
  s.players = 1;
  s.max_players = 2;
  s.version = "1";
  s.player_list = {{"p", 5, 1.0f}};
  for (int i = 0; i < 200; ++i)
    EXPECT_TRUE(s.setKeyValue("rule_" + std::to_string(1000 + i), "value_" + std::to_string(i)));
  return s;
}

}  // namespace

TEST(A2sQuerySocket, AnswersRealClientsWithChallengeAndSplit) {
  A2sQuerySocketOptions options;
  options.bind_address = "127.0.0.1:0";
  A2sQuerySocket server(options);
  server.update(info());
  std::string error;
  ASSERT_TRUE(server.start(&error)) << error;
  ASSERT_NE(server.localAddress().port(), 0);

  Client c(server.localAddress());
  c.send(infoRequest());
  Bytes ch = c.receive();
  ASSERT_EQ(ch.size(), 9u);
  ASSERT_EQ(ch[4], 0x41);

  Bytes req = infoRequest();
  req.insert(req.end(), ch.begin() + 5, ch.end());
  c.send(req);
  EXPECT_EQ(c.receive(), encodeInfoReply(info()));

  c.send({0xFF, 0xFF, 0xFF, 0xFF, 0x55, ch[5], ch[6], ch[7], ch[8]});
  EXPECT_EQ(c.receive(), encodePlayerReply(info()));

  c.send({0xFF, 0xFF, 0xFF, 0xFF, 0x56, ch[5], ch[6], ch[7], ch[8]});
  Bytes rules = encodeRulesReply(info());
  size_t fragments = (rules.size() + kSplitPayloadBytes - 1) / kSplitPayloadBytes;
  ASSERT_GE(fragments, 2u);
  std::vector<Bytes> parts(fragments);
  for (size_t i = 0; i < fragments; ++i) {
    Bytes f = c.receive();
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
  ServerInfo changed = info();
  changed.map = "other_map";
  server.update(changed);
  c.send(req);
  EXPECT_EQ(c.receive(), encodeInfoReply(changed));

  // Garbage gets nothing back and is counted.
  c.send({0x01, 0x02, 0x03});
  c.send({0xFF, 0xFF, 0xFF, 0xFF, 0x57});
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
