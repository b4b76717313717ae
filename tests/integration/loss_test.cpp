// Integration: reliability under a hostile fake network. At 0 %, 10 % and 30 % loss each way,
// plus reordering and duplication, 100,000 reliable messages on each of two lanes arrive exactly
// once and in order, and unreliable messages sent alongside never arrive twice.
#include <cstring>
#include <set>

#include "support/harness.h"

namespace outpost::test {
namespace {

struct LossCase {
  float loss_percent;
};

class Reliability : public ::testing::TestWithParam<LossCase> {};

TEST_P(Reliability, HundredThousandReliableMessagesPerLaneExactlyOnceInOrder) {
  const float loss = GetParam().loss_percent;
  FakeNetScope net({{NETWORKING_CONFIG_FAKE_PACKET_LOSS_SEND, loss},
                    {NETWORKING_CONFIG_FAKE_PACKET_REORDER_SEND, 5.f},
                    {NETWORKING_CONFIG_FAKE_PACKET_DUP_SEND, 5.f}},
                   {{NETWORKING_CONFIG_FAKE_PACKET_REORDER_TIME, 2}, {NETWORKING_CONFIG_FAKE_PACKET_DUP_TIME_MAX, 3}});
  Peer server, client;
  const ConfigOptions opts = {{NETWORKING_CONFIG_SEND_BUFFER_SIZE, int32_t{4 << 20}},
                              {NETWORKING_CONFIG_TIMEOUT_INITIAL, int32_t{30000}},
                              {NETWORKING_CONFIG_TIMEOUT_CONNECTED, int32_t{30000}}};
  Link l = connectPeers(server, client, "127.0.0.1:0", opts, opts);
  ASSERT_NE(l.server, 0u);
  int pri[] = {0, 0};
  int w[] = {1, 1};
  ASSERT_EQ(client.net.configureConnectionLanes(l.client, 2, pri, w), RESULT_OK);

  const uint32_t kPerLane = 100000;
  uint32_t next_send[2] = {0, 0};
  uint32_t next_expected[2] = {0, 0};
  uint32_t unreliable_sent = 0;
  std::set<uint32_t> unreliable_seen;
  bool unreliable_duplicate = false;
  bool out_of_order = false;
  MessageBatch batch;
  uint8_t msg[16] = {};

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while ((next_expected[0] < kPerLane || next_expected[1] < kPerLane) && std::chrono::steady_clock::now() < deadline) {
    // Keep the send queue topped up on both lanes, with an unreliable message now and then.
    for (int burst = 0; burst < 2000; ++burst) {
      int lane = burst & 1;
      if (next_send[lane] >= kPerLane) continue;
      msg[0] = static_cast<uint8_t>(lane);
      std::memcpy(msg + 1, &next_send[lane], 4);
      auto r = client.net.sendMessageToConnection(l.client, msg, NETWORKING_SEND_RELIABLE, static_cast<uint16_t>(lane));
      if (r.result == RESULT_LIMIT_EXCEEDED) break;
      ASSERT_EQ(r.result, RESULT_OK);
      ++next_send[lane];
      if (next_send[lane] % 50 == 0) {
        msg[0] = 0xEE;
        std::memcpy(msg + 1, &unreliable_sent, 4);
        client.net.sendMessageToConnection(l.client, msg, NETWORKING_SEND_UNRELIABLE, 0);
        ++unreliable_sent;
      }
    }
    client.net.flushMessagesOnConnection(l.client);
    int n = server.net.receiveMessagesOnConnection(l.server, batch, 4096);
    ASSERT_GE(n, 0);
    for (int i = 0; i < n; ++i) {
      auto p = batch[static_cast<size_t>(i)].payload;
      ASSERT_EQ(p.size(), sizeof msg);
      uint32_t seq;
      std::memcpy(&seq, p.data() + 1, 4);
      if (p[0] == 0xEE) {
        EXPECT_FALSE(batch[static_cast<size_t>(i)].flags & NETWORKING_SEND_RELIABLE);
        if (!unreliable_seen.insert(seq).second) unreliable_duplicate = true;
        continue;
      }
      int lane = p[0];
      ASSERT_LT(lane, 2);
      EXPECT_EQ(batch[static_cast<size_t>(i)].lane, lane);
      if (seq != next_expected[lane]) out_of_order = true;
      next_expected[lane] = seq + 1;
    }
    if (n == 0) server.net.waitForActivity(1);
  }
  EXPECT_EQ(next_expected[0], kPerLane);
  EXPECT_EQ(next_expected[1], kPerLane);
  EXPECT_FALSE(out_of_order) << "a reliable message arrived out of order, twice or not at all";
  EXPECT_FALSE(unreliable_duplicate) << "an unreliable message arrived twice";
  EXPECT_LE(unreliable_seen.size(), unreliable_sent);
  auto counters = client.net.getTransportCounters();
  if (loss > 0) {
    EXPECT_GT(counters["fake_network.dropped"], 0u);
    EXPECT_GT(counters["fake_network.duplicated"], 0u);
    EXPECT_GT(server.net.getTransportCounters()["dropped.duplicate"], 0u);
  }
  std::printf("loss %.0f%%: unreliable %zu of %u arrived; client fake drops %llu, dups %llu\n", loss,
              unreliable_seen.size(), unreliable_sent,
              static_cast<unsigned long long>(counters["fake_network.dropped"]),
              static_cast<unsigned long long>(counters["fake_network.duplicated"]));
}

INSTANTIATE_TEST_SUITE_P(LossLevels, Reliability, ::testing::Values(LossCase{0.f}, LossCase{10.f}, LossCase{30.f}),
                         [](const auto& info) {
                           return "loss" + std::to_string(static_cast<int>(info.param.loss_percent));
                         });

}  // namespace
}  // namespace outpost::test
