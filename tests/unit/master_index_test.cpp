// MasterIndex (src/master/index.h): reply layout, paging across pages with 1,000 servers (no
// duplicates, no loss, terminator only on the last page, every reply <= 1400 bytes), the empty
// result, seed handling (strictly after, lenient seeds), collapse_addr_hash across pages,
// region filtering and the snapshot's de-duplication.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "master/index.h"

namespace outpost::master {
namespace {

using Addr = std::pair<uint32_t, uint16_t>;

constexpr uint32_t ip(uint32_t a, uint32_t b, uint32_t c, uint32_t d) { return (a << 24) | (b << 16) | (c << 8) | d; }

// Server i: 10.(i/250).(i%250).1 : 27015 + i%3; map_<i%5>; appid 440/730 by i%2.
std::vector<ServerRecord> generate(int n) {
  std::vector<ServerRecord> out;
  for (int i = 0; i < n; ++i) {
    ServerRecord r;
    r.ip = ip(10, static_cast<uint32_t>(i / 250), static_cast<uint32_t>(i % 250), 1);
    r.query_port = static_cast<uint16_t>(27015 + i % 3);
    r.game_port = r.query_port;
    r.map = "map_" + std::to_string(i % 5);
    r.app_id = i % 2 ? 730 : 440;
    r.dedicated = i % 3 != 0;
    r.players = static_cast<uint16_t>(i % 17);
    r.max_players = 16;
    out.push_back(r);
  }
  // Deterministic shuffle: the index must sort.
  std::mt19937 rng(12345);
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

MasterRequest request(uint32_t seed_ip, uint16_t seed_port, std::string filter = "") {
  MasterRequest r;
  r.seed_ip = seed_ip;
  r.seed_port = seed_port;
  r.filter = std::move(filter);
  return r;
}

// Decodes a reply: checks the header and entry alignment, returns the entries (terminator
// included if present).
std::vector<Addr> decode(const std::vector<uint8_t>& reply) {
  EXPECT_GE(reply.size(), kReplyHeaderBytes);
  EXPECT_TRUE(std::equal(reply.begin(), reply.begin() + 6, kReplyHeader));
  EXPECT_EQ((reply.size() - kReplyHeaderBytes) % kReplyEntryBytes, 0u);
  std::vector<Addr> out;
  for (size_t p = kReplyHeaderBytes; p + 6 <= reply.size(); p += 6) {
    uint32_t a =
        (uint32_t{reply[p]} << 24) | (uint32_t{reply[p + 1]} << 16) | (uint32_t{reply[p + 2]} << 8) | reply[p + 3];
    uint16_t port = static_cast<uint16_t>((reply[p + 4] << 8) | reply[p + 5]);
    out.emplace_back(a, port);
  }
  return out;
}

struct Walk {
  std::vector<Addr> servers;
  int pages = 0;
};

// Walks the list like a client: seed 0.0.0.0:0, then the last address of each page, until a
// page ends with the terminator. Checks every page on the way.
Walk walk(const MasterIndex& index, const std::string& filter) {
  Walk w;
  MasterRequest req = request(0, 0, filter);
  std::vector<uint8_t> out;
  for (int guard = 0; guard < 1000; ++guard) {
    ReplyInfo info = index.reply(req, out);
    EXPECT_EQ(info.status, ReplyStatus::kOk);
    EXPECT_LE(out.size(), kMaxReplyBytes);
    ++w.pages;
    std::vector<Addr> entries = decode(out);
    bool terminated = !entries.empty() && entries.back() == Addr{0, 0};
    EXPECT_EQ(terminated, info.last_page);
    if (terminated) entries.pop_back();
    EXPECT_EQ(entries.size(), info.servers);
    // The terminator appears only at the end, and a non-final page is full.
    for (const Addr& a : entries) EXPECT_NE(a, (Addr{0, 0}));
    if (!terminated) {
      EXPECT_EQ(entries.size(), kMaxEntriesPerReply);
    }
    w.servers.insert(w.servers.end(), entries.begin(), entries.end());
    if (terminated) return w;
    EXPECT_FALSE(entries.empty());
    req.seed_ip = entries.back().first;
    req.seed_port = entries.back().second;
  }
  ADD_FAILURE() << "walk did not end";
  return w;
}

std::vector<Addr> expected(const std::vector<ServerRecord>& records, const std::string& filter) {
  std::optional<Filter> f = Filter::parse(filter, nullptr);
  std::vector<Addr> out;
  for (const ServerRecord& r : records)
    if (f->matches(r)) out.emplace_back(r.ip, r.query_port);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(MasterIndex, ReplyLayout) {
  ServerRecord r;
  r.ip = ip(192, 0, 2, 7);
  r.query_port = 0x6987;  // 27015
  MasterIndex index({r});
  std::vector<uint8_t> out;
  ReplyInfo info = index.reply(request(0, 0), out);
  const std::vector<uint8_t> want = {0xFF, 0xFF, 0xFF, 0xFF, 0x66, 0x0A, 192, 0, 2, 7, 0x69, 0x87, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(out, want);
  EXPECT_EQ(info.servers, 1u);
  EXPECT_TRUE(info.last_page);
}

TEST(MasterIndex, EmptyResultIsHeaderAndTerminator) {
  const std::vector<uint8_t> want = {0xFF, 0xFF, 0xFF, 0xFF, 0x66, 0x0A, 0, 0, 0, 0, 0, 0};
  std::vector<uint8_t> out;
  MasterIndex empty({});
  ReplyInfo info = empty.reply(request(0, 0), out);
  EXPECT_EQ(out, want);
  EXPECT_TRUE(info.last_page);
  EXPECT_EQ(info.servers, 0u);

  MasterIndex index(generate(1000));
  (void)index.reply(request(0, 0, "\\map\\no_such_map"), out);
  EXPECT_EQ(out, want);
  (void)index.reply(request(0xFFFFFFFF, 65535), out);  // seed past the end
  EXPECT_EQ(out, want);
}

TEST(MasterIndex, PagingUnfilteredListsEveryServerOnceAcrossPages) {
  std::vector<ServerRecord> records = generate(1000);
  MasterIndex index(records);
  ASSERT_EQ(index.size(), 1000u);
  Walk w = walk(index, "");
  EXPECT_EQ(w.pages, 5);  // 232 * 4 = 928, then 72 + terminator
  std::vector<Addr> want = expected(records, "");
  EXPECT_EQ(w.servers, want);  // same order (ip, port), no duplicates, no loss
  EXPECT_EQ(std::set<Addr>(w.servers.begin(), w.servers.end()).size(), 1000u);
}

TEST(MasterIndex, PagingFiltered) {
  std::vector<ServerRecord> records = generate(1000);
  MasterIndex index(records);
  for (std::string filter :
       {"\\appid\\440", "\\map\\map_2", "\\dedicated\\1\\empty\\1", "\\nor\\1\\map\\map_0", "\\appid\\730\\full\\1"}) {
    Walk w = walk(index, filter);
    std::vector<Addr> want = expected(records, filter);
    EXPECT_EQ(w.servers, want) << filter;
    EXPECT_EQ(w.pages, static_cast<int>(want.size() / kMaxEntriesPerReply) + 1) << filter;
  }
}

TEST(MasterIndex, ExactlyAFullPageEndsWithATerminatorOnlyPage) {
  std::vector<ServerRecord> records = generate(static_cast<int>(kMaxEntriesPerReply));
  MasterIndex index(records);
  Walk w = walk(index, "");
  EXPECT_EQ(w.pages, 2);
  EXPECT_EQ(w.servers.size(), kMaxEntriesPerReply);
}

TEST(MasterIndex, SeedIsNotRepeatedAndNeedNotBeListed) {
  MasterIndex index(generate(1000));
  const ServerRecord& third = index.records()[2];
  std::vector<uint8_t> out;
  (void)index.reply(request(third.ip, third.query_port), out);
  std::vector<Addr> entries = decode(out);
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.front(), (Addr{index.records()[3].ip, index.records()[3].query_port}));
  // A seed between two listed servers (e.g. one that left the list) continues after it.
  (void)index.reply(request(third.ip, static_cast<uint16_t>(third.query_port - 1)), out);
  EXPECT_EQ(decode(out).front(), (Addr{third.ip, third.query_port}));
}

TEST(MasterIndex, LenientSeedsPageCorrectly) {
  // A request as qstat sends it on page 2: seed + stale byte, no NUL, no filter.
  MasterIndex index(generate(1000));
  const ServerRecord& last_of_page1 = index.records()[kMaxEntriesPerReply - 1];
  std::string seed = formatIpv4Port(last_of_page1.ip, last_of_page1.query_port) + "r";
  std::vector<uint8_t> datagram = {0x31, 0xFF};
  datagram.insert(datagram.end(), seed.begin(), seed.end());
  std::optional<MasterRequest> req = parseMasterRequest(datagram, nullptr);
  ASSERT_TRUE(req);
  std::vector<uint8_t> out;
  (void)index.reply(*req, out);
  std::vector<Addr> entries = decode(out);
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.front(),
            (Addr{index.records()[kMaxEntriesPerReply].ip, index.records()[kMaxEntriesPerReply].query_port}));
}

TEST(MasterIndex, CollapseAddrHashKeepsLowestMatchingPortPerIpAcrossPages) {
  // 800 IPs with 3 servers each (ports 27015..27017); on even IPs the lowest port runs map_b.
  std::vector<ServerRecord> records;
  for (uint32_t i = 0; i < 800; ++i) {
    for (uint16_t k = 0; k < 3; ++k) {
      ServerRecord r;
      r.ip = ip(10, 9, i / 200, i % 200 + 1);
      r.query_port = static_cast<uint16_t>(27015 + k);
      r.map = (i % 2 == 0 && k == 0) ? "map_b" : "map_a";
      records.push_back(r);
    }
  }
  MasterIndex index(records);
  Walk all = walk(index, "\\collapse_addr_hash\\1");
  ASSERT_EQ(all.servers.size(), 800u);
  EXPECT_GT(all.pages, 3);
  for (const Addr& a : all.servers) EXPECT_EQ(a.second, 27015);

  // With a filter, the lowest MATCHING port: even IPs list 27016, odd ones 27015.
  Walk a = walk(index, "\\map\\map_a\\collapse_addr_hash\\1");
  ASSERT_EQ(a.servers.size(), 800u);
  for (const Addr& s : a.servers) EXPECT_EQ(s.second, (s.first & 1) ? 27016 : 27015) << s.first;
  std::set<uint32_t> ips;
  for (const Addr& s : a.servers) ips.insert(s.first);
  EXPECT_EQ(ips.size(), 800u);

  // A seed inside an IP already listed skips the rest of that IP.
  std::vector<uint8_t> out;
  (void)index.reply(request(ip(10, 9, 0, 1), 27015, "\\collapse_addr_hash\\1"), out);
  EXPECT_EQ(decode(out).front(), (Addr{ip(10, 9, 0, 2), 27015}));
  // A seed below an IP's first match does not skip it.
  (void)index.reply(request(ip(10, 9, 0, 1), 27015, "\\map\\map_a\\collapse_addr_hash\\1"), out);
  EXPECT_EQ(decode(out).front(), (Addr{ip(10, 9, 0, 1), 27016}));
}

TEST(MasterIndex, RegionFilterOnlyWhenConfigured) {
  std::vector<ServerRecord> records = generate(10);
  for (size_t i = 0; i < records.size(); ++i) records[i].region = static_cast<uint8_t>(i % 2 ? 3 : 0);
  MasterRequest eu = request(0, 0);
  eu.region = 3;
  std::vector<uint8_t> out;
  ReplyInfo info = MasterIndex(records).reply(eu, out);
  EXPECT_EQ(info.servers, 10u);
  IndexOptions by_region;
  by_region.filter_by_region = true;
  MasterIndex regional(records, by_region);
  EXPECT_EQ(regional.reply(eu, out).servers, 5u);
  eu.region = kRegionAll;
  EXPECT_EQ(regional.reply(eu, out).servers, 10u);
}

TEST(MasterIndex, DropsZeroIpAndDuplicateKeys) {
  std::vector<ServerRecord> records = generate(5);
  ServerRecord dup = records[0];
  dup.map = "second";
  records.push_back(dup);
  ServerRecord zero;
  zero.query_port = 27015;
  records.push_back(zero);
  MasterIndex index(records);
  EXPECT_EQ(index.size(), 5u);
  EXPECT_EQ(index.droppedDuplicates(), 1u);
  EXPECT_EQ(index.droppedZeroIp(), 1u);
  for (const ServerRecord& r : index.records()) EXPECT_NE(r.map, "second");  // first one wins
}

TEST(MasterIndex, BadFilterLeavesNoReply) {
  MasterIndex index(generate(10));
  std::vector<uint8_t> out = {1, 2, 3};
  ReplyInfo info = index.reply(request(0, 0, "\\nor\\x"), out);
  EXPECT_EQ(info.status, ReplyStatus::kBadFilter);
  EXPECT_EQ(info.filter_error, FilterError::kBadGroupCount);
  EXPECT_TRUE(out.empty());
}

TEST(MasterIndex, WorkBudgetCutsPagesWithoutLosingServers) {
  std::vector<ServerRecord> records = generate(1000);
  MasterIndex index(records);
  // \map\map_2: 2 units per record (the record, the condition). A budget of 300 units
  // scans ~150 records, ~30 of which match: pages are cut short and carry no terminator.
  const std::string filter = "\\map\\map_2";
  MasterRequest req = request(0, 0, filter);
  std::vector<uint8_t> out;
  ReplyInfo first = index.reply(req, out, 300);
  EXPECT_EQ(first.status, ReplyStatus::kOk);
  EXPECT_TRUE(first.cut);
  EXPECT_FALSE(first.last_page);
  EXPECT_GT(first.servers, 0u);
  EXPECT_LT(first.servers, 50u);
  EXPECT_GE(first.work, 300u);
  EXPECT_LE(first.work, 302u);
  // A whole walk under the budget still lists every matching server exactly once.
  std::vector<Addr> got;
  int pages = 0;
  for (;; ++pages) {
    ASSERT_LT(pages, 1000);
    ReplyInfo info = index.reply(req, out, 300);
    ASSERT_EQ(info.status, ReplyStatus::kOk);
    std::vector<Addr> entries = decode(out);
    if (info.last_page) entries.pop_back();
    got.insert(got.end(), entries.begin(), entries.end());
    if (info.last_page) break;
    req.seed_ip = entries.back().first;
    req.seed_port = entries.back().second;
  }
  EXPECT_GT(pages, 5);
  EXPECT_EQ(got, expected(records, filter));
  // Nothing matching within the budget: no page at all.
  ReplyInfo none = index.reply(request(0, 0, "\\map\\no_such_map"), out, 300);
  EXPECT_EQ(none.status, ReplyStatus::kScanLimit);
  EXPECT_TRUE(out.empty());
  // The same request with the default budget is an ordinary empty result.
  ReplyInfo empty = index.reply(request(0, 0, "\\map\\no_such_map"), out);
  EXPECT_EQ(empty.status, ReplyStatus::kOk);
  EXPECT_TRUE(empty.last_page);
  EXPECT_EQ(empty.work, 2000u);
}

TEST(MasterIndex, TenThousandServersWalk) {
  std::vector<ServerRecord> records = generate(10000);
  MasterIndex index(records);
  Walk w = walk(index, "\\appid\\730\\empty\\1");
  EXPECT_EQ(w.servers, expected(records, "\\appid\\730\\empty\\1"));
  Walk all = walk(index, "");
  EXPECT_EQ(all.servers.size(), 10000u);
  EXPECT_EQ(all.pages, 44);  // 43 full pages (9,976) + 24 and the terminator
}

}  // namespace
}  // namespace outpost::master
