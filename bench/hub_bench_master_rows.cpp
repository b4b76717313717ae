// hub_bench: master queries (request and page builders, the list walk, the windowed load) and the
// in-process master rows — master_reply_inprocess[_filtered], master_responder_inprocess — that
// link the master module directly.
#include "hub_bench_master.h"
#include "hub_bench_rpc.h"

namespace outpost::hub_bench {

std::vector<uint8_t> masterRequest(uint32_t seed_ip, uint16_t seed_port, const std::string& filter) {
  return master::encodeMasterRequest(master::kRegionAll, seed_ip, seed_port, filter);
}

std::vector<uint8_t> expectedFirstPage(const std::vector<uint16_t>& ports) {
  std::vector<master::PageEntry> entries;
  for (size_t i = 0; i < std::min<size_t>(ports.size(), master::kMaxEntriesPerReply); ++i)
    entries.push_back({0x7F000001, ports[i]});
  return master::encodeReplyPage(entries, ports.size() < master::kMaxEntriesPerReply);
}

std::optional<std::vector<uint16_t>> masterWalk(MasterClient& mc, const std::string& filter, int* pages,
                                                std::string* error) {
  std::vector<uint16_t> ports;
  uint32_t seed_ip = 0;
  uint16_t seed_port = 0;
  *pages = 0;
  for (int guard = 0; guard < 1000; ++guard) {
    std::optional<std::vector<uint8_t>> reply;
    for (int attempt = 0; attempt < 8 && !reply; ++attempt) {
      if (attempt) std::this_thread::sleep_for(std::chrono::milliseconds(1000));
      mc.send(masterRequest(seed_ip, seed_port, filter));
      reply = mc.receive(1000);
    }
    if (!reply) {
      *error = "the master did not answer a page (8 attempts)";
      return std::nullopt;
    }
    ++*pages;
    const auto& r = *reply;
    if (r.size() < 6 || (r.size() - 6) % 6 || std::memcmp(r.data(), master::kReplyHeader, 6) != 0) {
      *error = "malformed master reply of " + std::to_string(r.size()) + " bytes";
      return std::nullopt;
    }
    bool last = false;
    for (size_t i = 6; i < r.size(); i += 6) {
      uint32_t ip = uint32_t{r[i]} << 24 | uint32_t{r[i + 1]} << 16 | uint32_t{r[i + 2]} << 8 | r[i + 3];
      uint16_t port = static_cast<uint16_t>(r[i + 4] << 8 | r[i + 5]);
      if (ip == 0 && port == 0) {
        last = true;
        break;
      }
      ports.push_back(port);
      seed_ip = ip;
      seed_port = port;
    }
    if (last) return ports;
  }
  *error = "the walk did not end within 1000 pages";
  return std::nullopt;
}

MasterLoad masterLoad(MasterClient& mc, const std::vector<uint8_t>& req, const std::vector<uint8_t>& page,
                      double max_seconds, uint64_t max_replies, size_t window, int expire_ms) {
  MasterLoad m;
  std::deque<Clock::time_point> inflight;
  auto t0 = Clock::now();
  auto end = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(max_seconds));
  auto expire = std::chrono::milliseconds(expire_ms);
  Clock::time_point last_reply = t0;
  while (m.replies < max_replies) {
    auto now = Clock::now();
    if (now >= end) break;
    while (!inflight.empty() && inflight.front() + expire < now) inflight.pop_front();
    while (inflight.size() < window && mc.send(req)) {
      inflight.push_back(now);
      ++m.sent;
    }
    // Wait up to 1 ms for the first reply, then take whatever else is queued.
    for (auto r = mc.receive(1); r; r = mc.receive(0)) {
      ++m.replies;
      last_reply = Clock::now();
      if (*r != page) ++m.wrong;
      if (!inflight.empty()) inflight.pop_front();
      if (m.replies >= max_replies) break;
    }
  }
  m.seconds = m.replies >= max_replies ? std::chrono::duration<double>(last_reply - t0).count() : secondsSince(t0);
  return m;
}

// In-process master capacity over the same kind of records the hub builds.
std::vector<master::ServerRecord> benchRecords(int n) {
  std::vector<master::ServerRecord> recs(n);
  for (int i = 0; i < n; ++i) {
    auto& r = recs[i];
    r.ip = kLoopback;
    r.query_port = static_cast<uint16_t>(kQueryPortBase + i);
    r.game_port = static_cast<uint16_t>(kGamePortBase + i);
    r.app_id = kApp;
    r.steam_id = 0x0184000000000000ull + static_cast<uint64_t>(i);
    r.name = "hub_bench server " + std::to_string(i);
    r.map = mapOf(i);
    r.gamedir = "spacewar";
    r.product = "spacewar";
    r.description = "Outpost hub_bench";
    r.version = "1.0.0.0";
    r.tags = "bench,t" + std::to_string(i % 4);
    r.players = static_cast<uint16_t>(i % 33);
    r.max_players = 32;
    r.dedicated = true;
    r.os = 'l';
  }
  return recs;
}

void inProcessPhase(Bench& b) {
  const int S = b.o.inprocess_servers, M = b.o.inprocess;
  auto index = master::makeMasterIndex(benchRecords(S));
  std::vector<uint16_t> all, map3;
  for (int i = 0; i < S; ++i) {
    all.push_back(static_cast<uint16_t>(kQueryPortBase + i));
    if (i % kMaps == 3) map3.push_back(static_cast<uint16_t>(kQueryPortBase + i));
  }
  auto replyRow = [&](const char* name, const std::string& filter, const std::vector<uint16_t>& match) {
    auto datagram = masterRequest(0, 0, filter);
    auto page = expectedFirstPage(match);
    std::vector<uint8_t> out;
    out.reserve(master::kMaxReplyBytes);
    std::vector<double> lat;
    lat.reserve(M);
    uint64_t wrong = 0, work = 0;
    CpuMeter cpu;
    cpu.start();
    auto t0 = Clock::now();
    for (int m = 0; m < M; ++m) {
      auto a = Clock::now();
      master::RequestError rerr = master::RequestError::kNone;
      auto req = master::parseMasterRequest(datagram, &rerr);
      master::ReplyInfo info;
      if (req) info = index->reply(*req, out);
      lat.push_back(usBetween(a, Clock::now()));
      work += info.work;
      if (!req || info.status != master::ReplyStatus::kOk ||
          (m == 0 || m == M - 1 ? out != page : out.size() != page.size()))
        ++wrong;
    }
    Row r;
    r.workload = name;
    r.seconds = secondsSince(t0);
    r.client_cpu = cpu.self();
    r.ops = M;
    r.setLatency(lat);
    r.ok = wrong == 0;
    r.addNum("servers", S);
    r.add("filter", bench::jsonString(filter));
    r.addNum("work_per_reply", static_cast<double>(work) / M, 0);
    r.add("note", bench::jsonString("this process, no sockets: parseMasterRequest + MasterIndex::reply (first page)"));
    b.rows.push_back(r);
  };
  replyRow("master_reply_inprocess", "", all);
  replyRow("master_reply_inprocess_filtered", kFilter, map3);

  // MasterResponder::handle (drop checks, rate-limit bookkeeping, counters) with every limit at
  // its maximum: the hub's master thread minus recvmmsg/sendto.
  hub::MasterRateLimits lim;
  lim.requests_per_sec_per_ip = lim.request_burst_per_ip = UINT32_MAX;
  lim.reply_bytes_per_sec_per_ip = lim.reply_burst_bytes_per_ip = UINT32_MAX;
  lim.requests_per_sec_global = lim.request_burst_global = UINT32_MAX;
  lim.reply_bytes_per_sec_global = lim.reply_burst_bytes_global = UINT32_MAX;
  Row r;
  r.workload = "master_responder_inprocess";
  std::string bad = hub::validateRateLimits(lim);
  if (!bad.empty()) {
    r.add("error", bench::jsonString(bad));
    b.rows.push_back(r);
    return;
  }
  const outpost::base::Clock& clock = base::SystemClock::instance();
  hub::MasterResponder responder(lim, clock.nowUs());
  responder.publish(index);
  auto datagram = masterRequest(0, 0, "");
  auto page = expectedFirstPage(all);
  base::SocketAddress from = base::SocketAddress::ipv4(kLoopback, 40000);
  std::vector<uint8_t> out;
  std::vector<double> lat;
  lat.reserve(M);
  uint64_t wrong = 0;
  CpuMeter cpu;
  cpu.start();
  auto t0 = Clock::now();
  for (int m = 0; m < M; ++m) {
    auto a = Clock::now();
    bool replied = responder.handle(datagram, from, clock.nowUs(), out);
    lat.push_back(usBetween(a, Clock::now()));
    if (!replied || (m == 0 || m == M - 1 ? out != page : out.size() != page.size())) ++wrong;
  }
  r.seconds = secondsSince(t0);
  r.client_cpu = cpu.self();
  r.ops = M;
  r.setLatency(lat);
  r.ok = wrong == 0 && responder.counter(hub::MasterCounter::kReplied) == static_cast<uint64_t>(M);
  r.addNum("servers", S);
  r.add("filter", bench::jsonString(""));
  r.add("note",
        bench::jsonString(
            "this process, no sockets: MasterResponder::handle with every MasterRateLimits value at its maximum"));
  b.rows.push_back(r);
}

}  // namespace outpost::hub_bench
