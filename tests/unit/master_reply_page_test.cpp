// Master reply pages (src/master/reply_page.h), both directions: the exact bytes of a page, the
// terminator, the 232-entry bound, and the reader ServerBrowser uses — header required, entries
// up to the terminator, a trailing partial entry ignored — agreeing with the pages MasterIndex
// builds.
#include <gtest/gtest.h>

#include <vector>

#include "master/index.h"
#include "master/reply_page.h"

namespace outpost::master {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(MasterReplyPage, BytesOfAPage) {
  const PageEntry servers[] = {{0x0A000001, 27015}, {0xC0A80102, 0xABCD}};
  Bytes more = {0xFF, 0xFF, 0xFF, 0xFF, 0x66, 0x0A, 10, 0, 0, 1, 0x69, 0x87, 192, 168, 1, 2, 0xAB, 0xCD};
  EXPECT_EQ(encodeReplyPage(servers, false), more);
  Bytes last = more;
  last.insert(last.end(), 6, 0);
  EXPECT_EQ(encodeReplyPage(servers, true), last);
  EXPECT_EQ(encodeReplyPage({}, true), (Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x66, 0x0A, 0, 0, 0, 0, 0, 0}));
}

TEST(MasterReplyPage, AtMost232EntriesTerminatorIncluded) {
  std::vector<PageEntry> many;
  for (uint16_t i = 1; i <= 300; ++i) many.push_back({0x0A000001, i});
  Bytes full = encodeReplyPage(many, false);
  EXPECT_EQ(full.size(), 6 + 232 * 6u);
  EXPECT_LE(full.size(), kMaxReplyBytes);
  Bytes last = encodeReplyPage(many, true);
  EXPECT_EQ(last.size(), 6 + 232 * 6u);
  auto read = parseReplyPage(last);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->servers.size(), 231u);
  EXPECT_TRUE(read->last);
}

TEST(MasterReplyPage, ReadsEntriesUpToTheTerminator) {
  const PageEntry servers[] = {{0x0A000001, 27015}, {0x0A000002, 27016}};
  Bytes page = encodeReplyPage(servers, true);
  page.insert(page.end(), {1, 2, 3, 4, 5, 6});  // after the terminator: not an entry
  auto read = parseReplyPage(page);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->servers, (std::vector<PageEntry>(std::begin(servers), std::end(servers))));
  EXPECT_TRUE(read->last);

  Bytes cut = encodeReplyPage(servers, false);
  cut.insert(cut.end(), {10, 0, 0});  // half an entry
  read = parseReplyPage(cut);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->servers.size(), 2u);
  EXPECT_FALSE(read->last) << "no terminator: ask for the next page";
}

TEST(MasterReplyPage, RefusesWhatIsNotAPage) {
  EXPECT_FALSE(parseReplyPage(Bytes{}).has_value());
  EXPECT_FALSE(parseReplyPage(Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x66}).has_value());
  EXPECT_FALSE(parseReplyPage(Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x49, 0x0A, 0, 0, 0, 0, 0, 0}).has_value());
  auto header_only = parseReplyPage(Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x66, 0x0A});
  ASSERT_TRUE(header_only.has_value());
  EXPECT_TRUE(header_only->servers.empty());
  EXPECT_FALSE(header_only->last);
}

TEST(MasterReplyPage, ReadsThePagesMasterIndexBuilds) {
  std::vector<ServerRecord> records;
  for (uint32_t i = 0; i < 500; ++i) {
    ServerRecord r;
    r.ip = 0x0A000000 + i / 2 + 1;
    r.query_port = static_cast<uint16_t>(27015 + i % 2);
    records.push_back(r);
  }
  MasterIndex index(records);
  MasterRequest request;
  std::vector<PageEntry> walked;
  Bytes out;
  for (int page = 0; page < 10; ++page) {
    ReplyInfo info = index.reply(request, out);
    ASSERT_EQ(info.status, ReplyStatus::kOk);
    auto read = parseReplyPage(out);
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(read->servers.size(), info.servers);
    EXPECT_EQ(read->last, info.last_page);
    EXPECT_EQ(encodeReplyPage(read->servers, read->last), out);
    walked.insert(walked.end(), read->servers.begin(), read->servers.end());
    if (read->last) break;
    request.seed_ip = read->servers.back().ip;
    request.seed_port = read->servers.back().port;
  }
  ASSERT_EQ(walked.size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(walked[i], (PageEntry{records[i].ip, records[i].query_port}));
}

}  // namespace
}  // namespace outpost::master
