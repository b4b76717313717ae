// Integration: lanes — message numbers per lane, strict priority (higher value first) and
// weighted sharing among equal priorities, measured on the receiver under contention created by
// a low SEND_RATE_MAX, plus configureConnectionLanes' failure values.
#include <map>

#include "support/harness.h"

namespace outpost::test {
namespace {

// Queues `count` reliable messages of `size` bytes on `lane`, each starting with the lane byte.
void queue(Peer& p, uint32_t conn, uint16_t lane, int count, size_t size) {
  std::vector<uint8_t> m(size, static_cast<uint8_t>(lane));
  for (int i = 0; i < count; ++i)
    ASSERT_EQ(p.net.sendMessageToConnection(conn, m, NETWORKING_SEND_RELIABLE, lane).result, RESULT_OK);
}

std::vector<uint16_t> arrivalLanes(Peer& rx, Peer& tx, uint32_t conn, size_t n) {
  std::vector<uint16_t> lanes;
  pumpUntil(
      {&rx, &tx},
      [&] {
        for (auto& m : rx.net.receiveMessagesOnConnection(conn, 256)) {
          EXPECT_EQ(m.lane, m.payload[0]);
          lanes.push_back(m.lane);
        }
        return lanes.size() >= n;
      },
      Ms(20000));
  return lanes;
}

// 400 KB/s with big send buffers: the queue drains over about a second, so lanes compete.
const ConfigOptions kContended = {{NETWORKING_CONFIG_SEND_RATE_MIN, int32_t{400000}},
                                  {NETWORKING_CONFIG_SEND_RATE_MAX, int32_t{400000}},
                                  {NETWORKING_CONFIG_SEND_BUFFER_SIZE, int32_t{4 << 20}}};

TEST(Lanes, MessageNumbersArePerLane) {
  Peer server, client;
  Link l = connectPeers(server, client);
  int pri[] = {0, 0, 0};
  int w[] = {1, 1, 1};
  ASSERT_EQ(client.net.configureConnectionLanes(l.client, 3, pri, w), RESULT_OK);
  EXPECT_EQ(client.net.sendMessageToConnection(l.client, bytes("a"), NETWORKING_SEND_RELIABLE, 0).message_number, 1);
  EXPECT_EQ(client.net.sendMessageToConnection(l.client, bytes("b"), NETWORKING_SEND_RELIABLE, 2).message_number, 1);
  EXPECT_EQ(client.net.sendMessageToConnection(l.client, bytes("c"), NETWORKING_SEND_RELIABLE, 2).message_number, 2);
  EXPECT_EQ(client.net.sendMessageToConnection(l.client, bytes("d"), NETWORKING_SEND_UNRELIABLE, 1).message_number, 1);
  client.net.flushMessagesOnConnection(l.client);
  std::map<int, std::vector<int64_t>> numbers;
  size_t total = 0;
  pumpUntil({&server, &client}, [&] {
    for (auto& m : server.net.receiveMessagesOnConnection(l.server, 16)) {
      numbers[m.lane].push_back(m.message_number);
      EXPECT_EQ(m.channel, m.lane);
      ++total;
    }
    return total >= 4;
  });
  EXPECT_EQ(numbers[0], (std::vector<int64_t>{1}));
  EXPECT_EQ(numbers[1], (std::vector<int64_t>{1}));
  EXPECT_EQ(numbers[2], (std::vector<int64_t>{1, 2}));
  auto rt = client.net.getConnectionRealTimeStatus(l.client, 3);
  EXPECT_EQ(rt.lanes_status.size(), 3u);
}

TEST(Lanes, HigherPriorityGoesFirstUnderContention) {
  Peer server, client;
  Link l = connectPeers(server, client, "127.0.0.1:0", {}, kContended);
  int pri[] = {0, 5};  // lane 1 has the higher priority value
  int w[] = {1, 1};
  ASSERT_EQ(client.net.configureConnectionLanes(l.client, 2, pri, w), RESULT_OK);
  queue(client, l.client, 0, 300, 1000);  // queued first
  queue(client, l.client, 1, 60, 1000);
  auto lanes = arrivalLanes(server, client, l.server, 360);
  ASSERT_EQ(lanes.size(), 360u);
  size_t last_high = 0;
  for (size_t i = 0; i < lanes.size(); ++i)
    if (lanes[i] == 1) last_high = i;
  // Every priority message arrives before most of the earlier-queued bulk lane.
  size_t low_before = 0;
  for (size_t i = 0; i < last_high; ++i) low_before += lanes[i] == 0;
  EXPECT_LT(low_before, 100u) << "low-priority messages delivered before the last high-priority one";
}

TEST(Lanes, WeightsShareBandwidthAmongEqualPriorities) {
  Peer server, client;
  Link l = connectPeers(server, client, "127.0.0.1:0", {}, kContended);
  int pri[] = {1, 1};
  int w[] = {3, 1};
  ASSERT_EQ(client.net.configureConnectionLanes(l.client, 2, pri, w), RESULT_OK);
  queue(client, l.client, 1, 300, 1000);
  queue(client, l.client, 0, 300, 1000);
  auto lanes = arrivalLanes(server, client, l.server, 600);
  ASSERT_EQ(lanes.size(), 600u);
  // While both lanes are busy (the first 300 arrivals), lane 0 gets about three times the bytes.
  int l0 = 0, l1 = 0;
  for (size_t i = 0; i < 300; ++i) (lanes[i] == 0 ? l0 : l1)++;
  ASSERT_GT(l1, 0);
  double ratio = static_cast<double>(l0) / l1;
  EXPECT_GT(ratio, 2.0) << l0 << " vs " << l1;
  EXPECT_LT(ratio, 4.5) << l0 << " vs " << l1;
}

TEST(Lanes, InvalidConfigurations) {
  Peer server, client;
  Link l = connectPeers(server, client);
  int pri[256] = {};
  int w[256];
  for (int& x : w) x = 1;
  EXPECT_EQ(client.net.configureConnectionLanes(l.client, 0, std::span<const int>(pri, 0), std::span<const int>(w, 0)),
            RESULT_INVALID_PARAM);
  EXPECT_EQ(client.net.configureConnectionLanes(l.client, 256, pri, w), RESULT_INVALID_PARAM);
  EXPECT_EQ(client.net.configureConnectionLanes(l.client, 3, std::span<const int>(pri, 2), std::span<const int>(w, 3)),
            RESULT_INVALID_PARAM);
  int zero_w[] = {1, 0};
  EXPECT_EQ(client.net.configureConnectionLanes(l.client, 2, std::span<const int>(pri, 2), zero_w),
            RESULT_INVALID_PARAM);
  EXPECT_EQ(client.net.configureConnectionLanes(9999, 1, pri, w), RESULT_INVALID_PARAM);
  EXPECT_EQ(client.net.configureConnectionLanes(l.client, 4, pri, w), RESULT_OK);
  EXPECT_EQ(client.net.configureConnectionLanes(l.client, 2, pri, w), RESULT_INVALID_PARAM);  // cannot remove lanes
  EXPECT_EQ(client.net.configureConnectionLanes(l.client, 255, pri, w), RESULT_OK);
}

}  // namespace
}  // namespace outpost::test
