// Integration: ServerBrowser::requestServerList walks every page of a real master-server
// responder (UDP on 127.0.0.1) holding 1,000 servers — about 231 addresses per reply, so five
// pages chained by seed — and returns each matching server exactly once, with a filter and with
// a region byte.
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <set>
#include <string>
#include <vector>

#include "hub/master_server.h"
#include "outpost/server_browser.h"

namespace outpost::test {
namespace {

std::string addressOf(const master::ServerRecord& r) {
  in_addr a{htonl(r.ip)};
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return std::string(buf) + ":" + std::to_string(r.query_port);
}

TEST(ServerBrowserPages, WalksEveryPageOfAThousandServersExactlyOnce) {
  std::vector<master::ServerRecord> records;
  for (uint32_t i = 0; i < 1000; ++i) {
    master::ServerRecord r;
    r.ip = (127u << 24) | (20u << 16) | ((i / 250) << 8) | (i % 250 + 1);
    r.query_port = static_cast<uint16_t>(27015 + i % 3);
    r.game_port = r.query_port;
    r.app_id = 480;
    r.map = "map_" + std::to_string(i % 3);
    r.name = "Page test " + std::to_string(i);
    r.max_players = 16;
    r.region = static_cast<uint8_t>(i % 8);
    r.steam_id = 90071992547409920ull + i;
    records.push_back(r);
  }
  hub::MasterServerOptions options;
  options.bind_address = "127.0.0.1:0";
  hub::MasterServer server(options);
  std::string error;
  ASSERT_TRUE(server.start(&error)) << error;
  server.publish(master::makeMasterIndex(records));
  std::string master = "127.0.0.1:" + std::to_string(server.localAddress().port());

  auto expect = [&](auto pred) {
    std::set<std::string> out;
    for (const auto& r : records)
      if (pred(r)) out.insert(addressOf(r));
    return out;
  };
  ServerBrowser browser;
  auto all = browser.requestServerList(master, "", 0xFF, 5000);
  EXPECT_EQ(all.size(), 1000u);  // no address twice, none lost between pages
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), expect([](const auto&) { return true; }));

  auto map1 = browser.requestServerList(master, "\\map\\map_1", 0xFF, 5000);
  EXPECT_EQ(map1.size(), 333u);
  EXPECT_EQ(std::set<std::string>(map1.begin(), map1.end()), expect([](const auto& r) { return r.map == "map_1"; }));

  // The region byte is sent; by default the master does not filter by it (docs/spec/master.md §4.5).
  auto region3 = browser.requestServerList(master, "", 3, 5000);
  EXPECT_EQ(region3.size(), 1000u);
  server.stop();
}

}  // namespace
}  // namespace outpost::test
