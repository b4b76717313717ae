// MasterResponder and MasterServer (src/hub/master_responder.h, master_server.h): the drop checks
// and their counters, per-source and global rate limits with injected time, the bounded source
// table, snapshot publishing, and a real UDP round trip on 127.0.0.1 (reply from the same
// socket, paging over the wire, clean shutdown).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "hub/master_server.h"

namespace outpost::hub {
namespace {

using namespace outpost::master;  // the codec the port serves: records, requests, limits

constexpr base::TimeUs kStart = base::TimeUs{1} << 40;
constexpr base::TimeUs kSecond = 1000000;

std::vector<ServerRecord> generate(int n) {
  std::vector<ServerRecord> out;
  for (int i = 0; i < n; ++i) {
    ServerRecord r;
    r.ip = (10u << 24) | (static_cast<uint32_t>(i / 250) << 16) | (static_cast<uint32_t>(i % 250) << 8) | 1;
    r.query_port = 27015;
    r.map = "map_" + std::to_string(i % 5);
    out.push_back(r);
  }
  return out;
}

base::SocketAddress source(uint32_t host, uint16_t port = 40000) { return base::SocketAddress::ipv4(host, port); }

std::vector<uint8_t> firstPage(std::string_view filter = "") { return encodeMasterRequest(kRegionAll, 0, 0, filter); }

TEST(MasterResponder, DropsBeforePublishAndAnswersAfter) {
  MasterResponder r(MasterRateLimits{}, kStart);
  std::vector<uint8_t> reply;
  EXPECT_FALSE(r.handle(firstPage(), source(0x7F000001), kStart, reply));
  EXPECT_EQ(r.counter(MasterCounter::kDroppedNoSnapshot), 1u);
  r.publish(makeMasterIndex(generate(3)));
  ASSERT_TRUE(r.handle(firstPage(), source(0x7F000001), kStart, reply));
  EXPECT_EQ(reply.size(), 6u + 4 * 6);
  EXPECT_EQ(r.counter(MasterCounter::kReplied), 1u);
  EXPECT_EQ(r.counter(MasterCounter::kServersListed), 3u);
  EXPECT_EQ(r.counter(MasterCounter::kLastPages), 1u);
  EXPECT_EQ(r.counter(MasterCounter::kReplyBytes), reply.size());
  // Publishing a new snapshot changes later answers.
  r.publish(makeMasterIndex(generate(1)));
  ASSERT_TRUE(r.handle(firstPage(), source(0x7F000001), kStart, reply));
  EXPECT_EQ(reply.size(), 6u + 2 * 6);
  r.publish(nullptr);
  EXPECT_FALSE(r.handle(firstPage(), source(0x7F000001), kStart, reply));
}

TEST(MasterResponder, CountsEveryDropByReason) {
  MasterResponder r(MasterRateLimits{}, kStart);
  r.publish(makeMasterIndex(generate(3)));
  std::vector<uint8_t> reply;
  const base::SocketAddress from = source(0x7F000001);
  auto send = [&](std::vector<uint8_t> d, const base::SocketAddress& a) { return r.handle(d, a, kStart, reply); };
  EXPECT_FALSE(send({}, from));
  EXPECT_FALSE(send(std::vector<uint8_t>(1401, 0x31), from));
  EXPECT_FALSE(send({0xFF, 0xFF, 0xFF, 0xFF, 0x54}, from));
  EXPECT_FALSE(send({0x31, 0xFF}, from));
  EXPECT_FALSE(send(firstPage(), source(0x7F000001, 0)));
  EXPECT_FALSE(send(firstPage("\\nor\\x"), from));
  std::string deep;
  for (int i = 0; i < 9; ++i) deep += "\\nor\\1";
  EXPECT_FALSE(send(firstPage(deep), from));
  std::string many;
  for (int i = 0; i < 200; ++i) many += "\\a\\1";
  EXPECT_FALSE(send(firstPage(many), from));
  // Accepted with leniency: counted as such, not dropped.
  EXPECT_TRUE(send({0x31, 0xFF, '1', '.', '2', '.', '3', '.', '4', ':', '5', 'r'}, from));

  auto c = r.counters();
  EXPECT_EQ(c["received"], 9u);
  EXPECT_EQ(c["dropped_empty"], 1u);
  EXPECT_EQ(c["dropped_too_long"], 1u);
  EXPECT_EQ(c["dropped_wrong_type"], 1u);
  EXPECT_EQ(c["dropped_no_seed"], 1u);
  EXPECT_EQ(c["dropped_bad_source"], 1u);
  EXPECT_EQ(c["dropped_filter_bad_group_count"], 1u);
  EXPECT_EQ(c["dropped_filter_too_deep"], 1u);
  EXPECT_EQ(c["dropped_filter_too_many_conditions"], 1u);
  EXPECT_EQ(c["dropped"], 8u);
  EXPECT_EQ(c["replied"], 1u);
  EXPECT_EQ(c["lenient_seed_trailing_junk"], 1u);
  EXPECT_EQ(c["lenient_seed_unterminated"], 1u);
  EXPECT_EQ(c["lenient_filter_missing"], 1u);
  EXPECT_EQ(c["sources_tracked"], 1u);
}

TEST(MasterResponder, PerSourceRequestBucket) {
  MasterRateLimits limits;
  limits.requests_per_sec_per_ip = 30;
  limits.request_burst_per_ip = 60;
  MasterResponder r(limits, kStart);
  r.publish(makeMasterIndex(generate(3)));
  std::vector<uint8_t> reply;
  const base::SocketAddress a = source(0x7F000001);
  int answered = 0;
  for (int i = 0; i < 100; ++i) answered += r.handle(firstPage(), a, kStart, reply);
  EXPECT_EQ(answered, 60);  // the burst
  EXPECT_EQ(r.counter(MasterCounter::kDroppedRateSourceRequests), 40u);
  // Another source is not affected; the port does not make a new source.
  EXPECT_TRUE(r.handle(firstPage(), source(0x7F000002), kStart, reply));
  EXPECT_FALSE(r.handle(firstPage(), source(0x7F000001, 40001), kStart, reply));
  // One second later, 30 more.
  answered = 0;
  for (int i = 0; i < 100; ++i) answered += r.handle(firstPage(), a, kStart + kSecond, reply);
  EXPECT_EQ(answered, 30);
}

TEST(MasterResponder, AnIpv6Slash64IsOneSource) {
  MasterRateLimits limits;
  limits.request_burst_per_ip = 5;
  MasterResponder r(limits, kStart);
  r.publish(makeMasterIndex(generate(3)));
  std::vector<uint8_t> reply;
  int answered = 0;
  for (int i = 1; i <= 20; ++i)  // twenty addresses of one /64
    answered +=
        r.handle(firstPage(), *base::SocketAddress::parse("[2001:db8:5:6::" + std::to_string(i) + "]:40000", true),
                 kStart, reply);
  EXPECT_EQ(answered, 5);
  EXPECT_TRUE(r.handle(firstPage(), *base::SocketAddress::parse("[2001:db8:5:7::1]:40000", true), kStart, reply));
}

TEST(MasterResponder, PerSourceReplyByteBucketBoundsAmplification) {
  MasterRateLimits limits;
  limits.reply_bytes_per_sec_per_ip = 1400;
  limits.reply_burst_bytes_per_ip = 1400 * 4;
  MasterResponder r(limits, kStart);
  r.publish(makeMasterIndex(generate(1000)));
  std::vector<uint8_t> reply;
  const base::SocketAddress victim = source(0xC0000207);
  uint64_t bytes = 0;
  int answered = 0;
  for (int i = 0; i < 50; ++i) {
    if (r.handle(firstPage(), victim, kStart, reply)) {
      ++answered;
      bytes += reply.size();
    }
  }
  EXPECT_EQ(answered, 4);  // 4 full pages of 1398 bytes fit 5600
  EXPECT_LE(bytes, limits.reply_burst_bytes_per_ip);
  EXPECT_EQ(r.counter(MasterCounter::kDroppedRateSourceBytes), 46u);
  // 10 ms later 14 bytes have accrued (22 in the bucket): a small reply fits, a full page not.
  EXPECT_FALSE(r.handle(firstPage(), victim, kStart + kSecond / 100, reply));
  EXPECT_TRUE(r.handle(firstPage("\\map\\none"), victim, kStart + kSecond / 100, reply));
  EXPECT_EQ(reply.size(), 12u);
}

TEST(MasterResponder, GlobalReplyByteCapAcrossManySources) {
  MasterRateLimits limits;
  limits.reply_bytes_per_sec_global = 14000;
  limits.reply_burst_bytes_global = 14000;
  MasterResponder r(limits, kStart);
  r.publish(makeMasterIndex(generate(1000)));
  std::vector<uint8_t> reply;
  uint64_t bytes = 0;
  for (uint32_t i = 0; i < 100; ++i)
    if (r.handle(firstPage(), source(0x0B000000 + i), kStart, reply)) bytes += reply.size();
  EXPECT_LE(bytes, 14000u);
  EXPECT_EQ(bytes, 10u * 1398);
  EXPECT_EQ(r.counter(MasterCounter::kDroppedRateGlobalBytes), 90u);
  // Half a second later, half the rate is available again (5 pages).
  int answered = 0;
  for (uint32_t i = 0; i < 100; ++i)
    answered += r.handle(firstPage(), source(0x0C000000 + i), kStart + kSecond / 2, reply);
  EXPECT_EQ(answered, 5);
}

TEST(MasterResponder, GlobalRequestCap) {
  MasterRateLimits limits;
  limits.requests_per_sec_global = 10;
  limits.request_burst_global = 10;
  MasterResponder r(limits, kStart);
  r.publish(makeMasterIndex(generate(3)));
  std::vector<uint8_t> reply;
  int answered = 0;
  for (uint32_t i = 0; i < 50; ++i) answered += r.handle(firstPage(), source(0x0B000000 + i), kStart, reply);
  EXPECT_EQ(answered, 10);
  EXPECT_EQ(r.counter(MasterCounter::kDroppedRateGlobalRequests), 40u);
}

TEST(MasterResponder, SourceTableIsBoundedAndEvictsStalest) {
  MasterRateLimits limits;
  limits.max_tracked_sources = 4;
  limits.request_burst_per_ip = 2;
  limits.requests_per_sec_per_ip = 1;
  MasterResponder r(limits, kStart);
  r.publish(makeMasterIndex(generate(3)));
  std::vector<uint8_t> reply;
  const base::SocketAddress a = source(0x0A000001);
  EXPECT_TRUE(r.handle(firstPage(), a, kStart, reply));
  EXPECT_TRUE(r.handle(firstPage(), a, kStart, reply));
  EXPECT_FALSE(r.handle(firstPage(), a, kStart, reply));  // a's burst is spent
  for (uint32_t i = 0; i < 4; ++i) EXPECT_TRUE(r.handle(firstPage(), source(0x0B000000 + i), kStart, reply));
  auto c = r.counters();
  EXPECT_EQ(c["sources_tracked"], 4u);
  EXPECT_EQ(c["sources_evicted"], 1u);
  // a was the stalest and was forgotten: it starts over with a full burst.
  EXPECT_TRUE(r.handle(firstPage(), a, kStart, reply));
}

TEST(MasterResponder, ScanWorkIsChargedAsRequestTokens) {
  MasterRateLimits limits;
  limits.request_burst_per_ip = 10;
  limits.requests_per_sec_per_ip = 1;
  limits.scan_work_per_request_token = 1000;
  MasterResponder r(limits, kStart);
  r.publish(makeMasterIndex(generate(1000)));
  std::vector<uint8_t> reply;
  const base::SocketAddress a = source(0x0A000001);
  // \map\none scans all 1000 records at 2 units each: 2000 units = 2 tokens per request.
  int answered = 0;
  for (int i = 0; i < 10; ++i) answered += r.handle(firstPage("\\map\\none"), a, kStart, reply);
  EXPECT_EQ(answered, 5);
  EXPECT_EQ(r.counter(MasterCounter::kScanWork), 5u * 2000);
  // Cheap requests (a first page of 232 records, 232 units) cost 1 token: another source gets
  // its whole burst.
  const base::SocketAddress b = source(0x0A000002);
  answered = 0;
  for (int i = 0; i < 10; ++i) answered += r.handle(firstPage(), b, kStart, reply);
  EXPECT_EQ(answered, 10);
}

TEST(MasterResponder, ScanLimitDropsAPageWithNothingToList) {
  MasterRateLimits limits;
  limits.max_scan_work_per_request = 10000;
  MasterResponder r(limits, kStart);
  r.publish(makeMasterIndex(generate(10000)));
  std::vector<uint8_t> reply;
  EXPECT_FALSE(r.handle(firstPage("\\map\\none"), source(0x0A000001), kStart, reply));
  EXPECT_EQ(r.counter(MasterCounter::kDroppedScanLimit), 1u);
  // A filter that matches early is served, cut short at the budget: one server, no terminator
  // (the client continues after it).
  ASSERT_TRUE(r.handle(firstPage("\\gameaddr\\10.0.0.1"), source(0x0A000001), kStart, reply));
  EXPECT_EQ(reply.size(), 6u + 6);
  EXPECT_EQ(r.counter(MasterCounter::kPagesCut), 1u);
}

TEST(MasterResponder, RateLimitValidation) {
  EXPECT_EQ(validateRateLimits(MasterRateLimits{}), "");
  MasterRateLimits l;
  l.reply_burst_bytes_per_ip = 1000;
  EXPECT_NE(validateRateLimits(l), "");
  l = {};
  l.max_tracked_sources = 0;
  EXPECT_NE(validateRateLimits(l), "");
  l = {};
  l.requests_per_sec_global = 0;
  EXPECT_NE(validateRateLimits(l), "");
  l = {};
  l.max_scan_work_per_request = 9999;
  EXPECT_NE(validateRateLimits(l), "");
  l = {};
  l.scan_work_per_request_token = 0;
  EXPECT_NE(validateRateLimits(l), "");
}

// ---- MasterServer over real UDP on 127.0.0.1 ----------------------------------------------------

class UdpClient {
 public:
  UdpClient() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in any{};
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
  }
  ~UdpClient() { ::close(fd_); }
  void send(const std::vector<uint8_t>& d, const base::SocketAddress& to) {
    EXPECT_EQ(::sendto(fd_, d.data(), d.size(), 0, to.sa(), to.len()), static_cast<ssize_t>(d.size()));
  }
  // Waits up to timeout_ms for a datagram; returns false on timeout.
  bool receive(std::vector<uint8_t>& out, base::SocketAddress* from, int timeout_ms = 2000) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return false;
    out.resize(2048);
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ssize_t n = ::recvfrom(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&ss), &len);
    if (n < 0) return false;
    out.resize(static_cast<size_t>(n));
    if (from) *from = base::SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&ss), len);
    return true;
  }

 private:
  int fd_ = -1;
};

MasterServerOptions loopback() {
  MasterServerOptions o;
  o.bind_address = "127.0.0.1:0";
  return o;
}

TEST(MasterServer, StartFailsCleanlyOnBadOptions) {
  MasterServerOptions o = loopback();
  o.bind_address = "not an address";
  MasterServer bad_addr(o);
  std::string error;
  EXPECT_FALSE(bad_addr.start(&error));
  EXPECT_NE(error.find("bind_address"), std::string::npos);
  o = loopback();
  o.limits.max_tracked_sources = 0;
  MasterServer bad_limits(o);
  EXPECT_FALSE(bad_limits.start(&error));
  EXPECT_NE(error.find("max_tracked_sources"), std::string::npos);
  EXPECT_FALSE(bad_limits.running());
}

TEST(MasterServer, WalksThreePagesOverUdpFromTheSamePort) {
  MasterServer server(loopback());
  std::string error;
  ASSERT_TRUE(server.start(&error)) << error;
  base::SocketAddress addr = server.localAddress();
  ASSERT_NE(addr.port(), 0);
  std::vector<ServerRecord> records = generate(600);
  server.publish(makeMasterIndex(records));

  UdpClient client;
  std::set<std::pair<uint32_t, uint16_t>> seen;
  uint32_t seed_ip = 0;
  uint16_t seed_port = 0;
  int pages = 0;
  bool done = false;
  while (!done && pages < 10) {
    client.send(encodeMasterRequest(kRegionAll, seed_ip, seed_port, ""), addr);
    std::vector<uint8_t> reply;
    base::SocketAddress from;
    ASSERT_TRUE(client.receive(reply, &from));
    EXPECT_EQ(from, addr);  // replies come from the port the query went to
    ASSERT_LE(reply.size(), kMaxReplyBytes);
    ++pages;
    for (size_t p = 6; p + 6 <= reply.size(); p += 6) {
      uint32_t a =
          (uint32_t{reply[p]} << 24) | (uint32_t{reply[p + 1]} << 16) | (uint32_t{reply[p + 2]} << 8) | reply[p + 3];
      uint16_t port = static_cast<uint16_t>((reply[p + 4] << 8) | reply[p + 5]);
      if (a == 0 && port == 0) {
        done = true;
        break;
      }
      EXPECT_TRUE(seen.insert({a, port}).second) << "duplicate";
      seed_ip = a;
      seed_port = port;
    }
  }
  EXPECT_TRUE(done);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 600u);
  auto c = server.counters();
  EXPECT_EQ(c["replied"], 3u);
  EXPECT_EQ(c["last_pages"], 1u);
  server.stop();
  EXPECT_FALSE(server.running());
  server.stop();  // idempotent
}

TEST(MasterServer, RateLimitOverUdpAndGarbageIsSilent) {
  MasterServerOptions o = loopback();
  o.limits.request_burst_per_ip = 3;
  o.limits.requests_per_sec_per_ip = 1;
  MasterServer server(o);
  ASSERT_TRUE(server.start(nullptr));
  server.publish(makeMasterIndex(generate(10)));
  UdpClient client;
  client.send({0xFF, 0xFF, 0xFF, 0xFF, 0x54}, server.localAddress());
  client.send(std::vector<uint8_t>(3000, 0x31), server.localAddress());
  for (int i = 0; i < 6; ++i) client.send(firstPage(), server.localAddress());
  std::vector<uint8_t> reply;
  int replies = 0;
  while (client.receive(reply, nullptr, 300)) ++replies;
  EXPECT_EQ(replies, 3);
  auto c = server.counters();
  EXPECT_EQ(c["received"], 8u);
  EXPECT_EQ(c["dropped_wrong_type"], 1u);
  EXPECT_EQ(c["dropped_too_long"], 1u);
  EXPECT_EQ(c["dropped_rate_source_requests"], 3u);
}

TEST(MasterServer, PublishWhileServingIsSafe) {
  MasterServer server(loopback());
  ASSERT_TRUE(server.start(nullptr));
  server.publish(makeMasterIndex(generate(100)));
  std::atomic<bool> stop{false};
  std::thread publisher([&] {
    int n = 0;
    while (!stop.load()) server.publish(makeMasterIndex(generate(50 + (n++ % 100))));
  });
  UdpClient client;
  int replies = 0;
  for (int i = 0; i < 20; ++i) {
    client.send(firstPage(), server.localAddress());
    std::vector<uint8_t> reply;
    if (client.receive(reply, nullptr)) ++replies;
  }
  stop.store(true);
  publisher.join();
  EXPECT_EQ(replies, 20);
  server.stop();
}

}  // namespace
}  // namespace outpost::hub
