// Master query request parsing (src/master/request.h): the wire layout, the leniency real
// clients need (qstat's stale seed byte and missing filter), and the few rejections.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "master/request.h"

namespace outpost::master {
namespace {

std::vector<uint8_t> bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

std::optional<MasterRequest> parse(const std::string& s, RequestError* e = nullptr) {
  std::vector<uint8_t> b = bytes(s);
  return parseMasterRequest(b, e);
}

constexpr uint32_t ip(uint32_t a, uint32_t b, uint32_t c, uint32_t d) { return (a << 24) | (b << 16) | (c << 8) | d; }

TEST(MasterRequest, ParsesRegionSeedAndFilter) {
  auto r = parse(std::string("1\x03") + "10.1.2.3:27016" + '\0' + "\\appid\\440\\map\\cp_x" + '\0');
  ASSERT_TRUE(r);
  EXPECT_EQ(r->region, 0x03);
  EXPECT_EQ(r->seed_ip, ip(10, 1, 2, 3));
  EXPECT_EQ(r->seed_port, 27016);
  EXPECT_EQ(r->filter, "\\appid\\440\\map\\cp_x");
  EXPECT_FALSE(r->seed_trailing_junk || r->seed_unparsed || r->seed_unterminated || r->filter_missing ||
               r->filter_unterminated);
}

TEST(MasterRequest, FirstPageSeedAndEmptyFilter) {
  auto r = parse(std::string("1\xFF") + "0.0.0.0:0" + '\0' + '\0');
  ASSERT_TRUE(r);
  EXPECT_EQ(r->region, kRegionAll);
  EXPECT_EQ(r->seed_ip, 0u);
  EXPECT_EQ(r->seed_port, 0);
  EXPECT_EQ(r->filter, "");
  EXPECT_FALSE(r->filter_missing);
}

TEST(MasterRequest, EncodeParsesBack) {
  std::vector<uint8_t> d = encodeMasterRequest(0x05, ip(192, 0, 2, 200), 65535, "\\secure\\1");
  auto r = parseMasterRequest(d, nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->region, 0x05);
  EXPECT_EQ(r->seed_ip, ip(192, 0, 2, 200));
  EXPECT_EQ(r->seed_port, 65535);
  EXPECT_EQ(r->filter, "\\secure\\1");
  EXPECT_EQ(formatIpv4Port(ip(192, 0, 2, 200), 65535), "192.0.2.200:65535");
}

// qstat 2.17 -stm without filter args, page 2+: the seed is followed by one stale byte of its
// template and the datagram ends there (no NUL, no filter). It must continue after the seed,
// not restart at page 1 (a strict parser makes qstat loop forever).
TEST(MasterRequest, QstatStaleByteNoNulNoFilter) {
  auto r = parse(std::string("1\xFF") + "127.0.0.1:27015r");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->seed_ip, ip(127, 0, 0, 1));
  EXPECT_EQ(r->seed_port, 27015);
  EXPECT_TRUE(r->seed_trailing_junk);
  EXPECT_TRUE(r->seed_unterminated);
  EXPECT_TRUE(r->filter_missing);
  EXPECT_EQ(r->filter, "");
}

TEST(MasterRequest, StaleByteWithNulAndNoFilter) {
  auto r = parse(std::string("1\xFF") + "127.0.0.1:27015r" + '\0');
  ASSERT_TRUE(r);
  EXPECT_EQ(r->seed_port, 27015);
  EXPECT_TRUE(r->seed_trailing_junk);
  EXPECT_FALSE(r->seed_unterminated);
  EXPECT_TRUE(r->filter_missing);
}

TEST(MasterRequest, FilterWithoutNulRunsToEnd) {
  auto r = parse(std::string("1\xFF") + "1.2.3.4:5" + '\0' + "\\map\\de_dust");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->filter, "\\map\\de_dust");
  EXPECT_TRUE(r->filter_unterminated);
  EXPECT_FALSE(r->filter_missing);
}

TEST(MasterRequest, BytesAfterFilterNulAreIgnored) {
  auto r = parse(std::string("1\xFF") + "1.2.3.4:5" + '\0' + "\\map\\a" + '\0' + "junk");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->filter, "\\map\\a");
}

TEST(MasterRequest, SeedWithoutPortIsPortZero) {
  auto r = parse(std::string("1\xFF") + "8.8.4.4" + '\0' + '\0');
  ASSERT_TRUE(r);
  EXPECT_EQ(r->seed_ip, ip(8, 8, 4, 4));
  EXPECT_EQ(r->seed_port, 0);
  EXPECT_FALSE(r->seed_trailing_junk);
}

TEST(MasterRequest, UnreadablePortIsJunkAndPortZero) {
  auto r = parse(std::string("1\xFF") + "8.8.4.4:99999" + '\0');
  ASSERT_TRUE(r);
  EXPECT_EQ(r->seed_ip, ip(8, 8, 4, 4));
  EXPECT_EQ(r->seed_port, 0);
  EXPECT_TRUE(r->seed_trailing_junk);
}

TEST(MasterRequest, UnreadableSeedMeansFirstPage) {
  for (std::string seed : {"", "garbage", "1.2.3", "256.1.1.1:5", "1.2.3.4567:1", ":27015"}) {
    auto r = parse(std::string("1\xFF") + seed + '\0' + "\\map\\x" + '\0');
    ASSERT_TRUE(r) << seed;
    EXPECT_TRUE(r->seed_unparsed) << seed;
    EXPECT_EQ(r->seed_ip, 0u) << seed;
    EXPECT_EQ(r->seed_port, 0) << seed;
    EXPECT_EQ(r->filter, "\\map\\x") << seed;
  }
}

TEST(MasterRequest, RejectsWhatCannotBeARequest) {
  RequestError e = RequestError::kNone;
  EXPECT_FALSE(parse("", &e));
  EXPECT_EQ(e, RequestError::kEmpty);
  EXPECT_FALSE(parse(std::string("\xFF\xFF\xFF\xFFTSource Engine Query") + '\0', &e));
  EXPECT_EQ(e, RequestError::kWrongType);
  EXPECT_FALSE(parse(std::string("2\xFF") + "0.0.0.0:0" + '\0' + '\0', &e));
  EXPECT_EQ(e, RequestError::kWrongType);
  EXPECT_FALSE(parse("1", &e));
  EXPECT_EQ(e, RequestError::kNoSeed);
  EXPECT_FALSE(parse("1\xFF", &e));
  EXPECT_EQ(e, RequestError::kNoSeed);
  EXPECT_STREQ(requestErrorName(RequestError::kNoSeed), "no_seed");
  EXPECT_STREQ(requestErrorName(RequestError::kTooLong), "too_long");
}

TEST(MasterRequest, LengthLimitIs1400) {
  std::string head = std::string("1\xFF") + "0.0.0.0:0" + '\0';
  std::string at_limit = head + std::string(kMaxRequestBytes - head.size() - 1, 'a') + '\0';
  ASSERT_EQ(at_limit.size(), kMaxRequestBytes);
  auto r = parse(at_limit);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->filter.size(), kMaxRequestBytes - head.size() - 1);
  RequestError e = RequestError::kNone;
  EXPECT_FALSE(parse(at_limit + "a", &e));
  EXPECT_EQ(e, RequestError::kTooLong);
}

TEST(MasterRequest, LeadingIpv4PortReader) {
  uint32_t a = 0;
  uint16_t p = 0;
  bool has_port = false;
  size_t used = 0;
  ASSERT_TRUE(parseLeadingIpv4Port("255.255.255.255:65535xyz", &a, &p, &has_port, &used));
  EXPECT_EQ(a, 0xFFFFFFFFu);
  EXPECT_EQ(p, 65535);
  EXPECT_TRUE(has_port);
  EXPECT_EQ(used, 21u);
  ASSERT_TRUE(parseLeadingIpv4Port("1.2.3.4:", &a, &p, &has_port, &used));
  EXPECT_FALSE(has_port);
  EXPECT_EQ(used, 7u);
  EXPECT_FALSE(parseLeadingIpv4Port("1.2.3.", &a, &p, &has_port, &used));
  EXPECT_FALSE(parseLeadingIpv4Port("1..2.3.4", &a, &p, &has_port, &used));
  EXPECT_FALSE(parseLeadingIpv4Port(" 1.2.3.4", &a, &p, &has_port, &used));
}

}  // namespace
}  // namespace outpost::master
