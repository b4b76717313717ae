// Integration: ServerBrowser asks again for what the network lost — a master page request that
// went unanswered, and A2S requests or split-reply fragments dropped by a relay in front of a
// real GameServer's query port — and still returns complete answers within the timeout.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "outpost/game_server.h"
#include "outpost/server_browser.h"
#include "support/raw_socket.h"

namespace outpost::test {
namespace {

TEST(ServerBrowserLoss, AnUnansweredMasterPageIsAskedForAgain) {
  RawSocket master;
  std::atomic<int> requests{0};
  std::thread fake([&] {
    for (int i = 0; i < 2; ++i) {
      uint16_t from = 0;
      auto req = master.receive(3000, &from);
      if (req.empty()) return;
      if (++requests == 1) continue;  // the first request is "lost"
      master.sendTo(from, {0xFF, 0xFF, 0xFF, 0xFF, 0x66, 0x0A, 10, 0, 0, 1, 0x69, 0x87,
                           10,   0,    0,    2,    0x69, 0x87, 0,  0, 0, 0, 0,    0});
    }
  });
  ServerBrowser browser;
  auto list = browser.requestServerList("127.0.0.1:" + std::to_string(master.port), "", 0xFF, 3000);
  fake.join();
  EXPECT_EQ(requests.load(), 2);
  EXPECT_EQ(list, (std::vector<std::string>{"10.0.0.1:27015", "10.0.0.2:27015"}));
}

// Forwards between one client and a server port, dropping the client's first datagram and the
// second fragment of the first split reply (each once).
struct DroppingRelay {
  RawSocket sock;
  uint16_t server_port = 0;
  std::atomic<bool> stop{false};
  std::atomic<int> from_client{0}, dropped{0};
  std::thread thread;
  explicit DroppingRelay(uint16_t server) : server_port(server) {
    thread = std::thread([this] {
      uint16_t client = 0;
      bool dropped_request = false, dropped_fragment = false;
      while (!stop) {
        uint16_t from = 0;
        auto d = sock.receive(50, &from);
        if (d.empty()) continue;
        if (from != server_port) {
          client = from;
          ++from_client;
          if (!dropped_request) {
            dropped_request = true;
            ++dropped;
            continue;
          }
          sock.sendTo(server_port, d);
        } else if (client) {
          bool second_fragment = d.size() > 12 && d[0] == 0xFE && d[9] == 1;
          if (second_fragment && !dropped_fragment) {
            dropped_fragment = true;
            ++dropped;
            continue;
          }
          sock.sendTo(client, d);
        }
      }
    });
  }
  ~DroppingRelay() {
    stop = true;
    thread.join();
  }
};

TEST(ServerBrowserLoss, LostRequestsAndFragmentsAreAskedForAgain) {
  uint16_t qport;
  {
    RawSocket probe;
    qport = probe.port;
  }
  GameServer gs;
  ASSERT_TRUE(gs.serverInit("127.0.0.1", 27015, qport, SERVER_MODE_AUTHENTICATION, "1.0.0.0"));
  for (int i = 0; i < 150; ++i) gs.setKeyValue("rule" + std::to_string(i), std::string(20, 'v'));
  gs.setServerName("Lossy path");  // last: the wait below keys on it
  {  // the service thread publishes the setters' values on its next tick: ask directly until they show
    ServerBrowser direct;
    const std::string addr = "127.0.0.1:" + std::to_string(qport);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::optional<ServerInfoResult> shown;
    do shown = direct.queryInfo(addr);
    while ((!shown || shown->name != "Lossy path") && std::chrono::steady_clock::now() < deadline);
    ASSERT_TRUE(shown && shown->name == "Lossy path");
  }

  DroppingRelay relay(qport);
  const std::string via = "127.0.0.1:" + std::to_string(relay.sock.port);
  ServerBrowser browser;
  auto info = browser.queryInfo(via, 3000);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->name, "Lossy path");
  auto rules = browser.queryRules(via, 3000);
  ASSERT_TRUE(rules.has_value());
  EXPECT_EQ(rules->size(), 150u);
  EXPECT_EQ(rules->at("rule149"), std::string(20, 'v'));
  EXPECT_EQ(relay.dropped.load(), 2);
}

}  // namespace
}  // namespace outpost::test
