// libFuzzer target for the master query filter (src/master/filter.h) and the paging that uses it
// (src/master/index.h, pages read back with reply_page.h). The input is a filter string. Checks:
//   * parse() either fails with a named reason or yields a filter within the limits;
//   * walking a fixed 600-server list page by page with that filter lists exactly the servers
//     the filter matches (collapse_addr_hash: exactly the lowest matching port of each IP), in
//     order, without duplicates, every page <= 1400 bytes, and the walk ends; with a tiny work
//     budget pages end early but the walk loses and repeats nothing (or stops with kScanLimit
//     after a correct prefix);
//   * WildcardPattern agrees with a naive reference matcher, with the input split at its first
//     NUL into pattern and text.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "master/filter.h"
#include "master/index.h"
#include "master/reply_page.h"

using namespace outpost::master;

namespace {

const std::vector<ServerRecord>& fixedRecords() {
  static const std::vector<ServerRecord> records = [] {
    std::vector<ServerRecord> out;
    const char* tags[] = {"alltalk,payload", "ctf", "", "Payload, nocrits", "alltalk"};
    const char* data[] = {"coop", "versus,coop", "", "survival", "Versus"};
    for (uint32_t i = 0; i < 600; ++i) {
      ServerRecord r;
      r.ip = (10u << 24) | ((i / 3) << 8) | 1;
      r.query_port = static_cast<uint16_t>(27015 + i % 3);
      r.game_port = static_cast<uint16_t>(r.query_port + 100);
      r.app_id = i % 2 ? 730 : 440;
      r.map = "Map_" + std::to_string(i % 5);
      r.gamedir = i % 2 ? "csgo" : "tf";
      r.name = "Server " + std::to_string(i) + (i % 4 ? " aaab" : " *x*");
      r.version = "1.0." + std::to_string(i % 7);
      r.tags = tags[i % 5];
      r.gamedata = data[i % 5];
      r.players = static_cast<uint16_t>(i % 17);
      r.max_players = 16;
      r.bots = static_cast<uint16_t>(i % 3);
      r.password = i % 11 == 0;
      r.dedicated = i % 3 != 0;
      r.secure = i % 7 != 0;
      r.os = "lwm"[i % 3];
      r.spectator_proxy = i % 13 == 0;
      r.whitelisted = i % 9 == 0;
      out.push_back(r);
    }
    return out;
  }();
  return records;
}

const MasterIndex& fixedIndex() {
  static const std::unique_ptr<MasterIndex> index = std::make_unique<MasterIndex>(fixedRecords());
  return *index;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Reference: dynamic programming over (pattern prefix, text prefix), O(|p| * |t|).
bool naiveWildcard(std::string_view p, std::string_view t) {
  std::vector<char> prev(t.size() + 1, 0), cur(t.size() + 1, 0);
  prev[0] = 1;
  for (size_t j = 1; j <= t.size(); ++j) prev[j] = 0;
  for (size_t i = 1; i <= p.size(); ++i) {
    cur[0] = p[i - 1] == '*' && prev[0];
    for (size_t j = 1; j <= t.size(); ++j) {
      if (p[i - 1] == '*') cur[j] = prev[j] || cur[j - 1];
      else cur[j] = prev[j - 1] && lower(p[i - 1]) == lower(t[j - 1]);
    }
    prev.swap(cur);
  }
  return prev[t.size()] != 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  // Wildcards against the reference (bounded sizes keep the reference cheap).
  size_t nul = text.find('\0');
  if (nul != std::string_view::npos && size <= 2048) {
    std::string_view pattern = text.substr(0, nul);
    std::string_view subject = text.substr(nul + 1);
    FUZZ_CHECK(WildcardPattern(pattern).matches(subject) == naiveWildcard(pattern, subject));
  }

  FilterError error = FilterError::kNone;
  std::optional<Filter> filter = Filter::parse(text, &error);
  if (!filter) {
    FUZZ_CHECK(error != FilterError::kNone);
    FUZZ_CHECK(error != FilterError::kTooLong || size > kMaxFilterBytes);
    return 0;
  }
  FUZZ_CHECK(size <= kMaxFilterBytes);
  FUZZ_CHECK(filter->conditionCount() <= kMaxFilterConditions);

  // Expected listing, computed record by record.
  std::vector<uint64_t> want;
  std::map<uint32_t, bool> ip_listed;
  for (const ServerRecord& r : fixedIndex().records()) {  // already in (ip, port) order
    if (!filter->matches(r)) continue;
    if (filter->collapseAddrHash()) {
      if (ip_listed[r.ip]) continue;
      ip_listed[r.ip] = true;
    }
    want.push_back((uint64_t{r.ip} << 16) | r.query_port);
  }

  // The walk a client does, without a work budget and with a tiny one. With the budget, pages
  // end early but nothing may be lost or repeated; the walk may only stop early when a page
  // found nothing within its budget (kScanLimit), and then what it got is a prefix of `want`.
  for (uint64_t budget : {UINT64_MAX, uint64_t{2000}}) {
    std::vector<uint64_t> got;
    MasterRequest req;
    req.filter = std::string(text);
    std::vector<uint8_t> out;
    bool complete = false;
    for (int page = 0; page < 2000; ++page) {
      ReplyInfo info = fixedIndex().reply(req, *filter, out, budget);
      if (info.status == ReplyStatus::kScanLimit) {
        FUZZ_CHECK(budget != UINT64_MAX);
        FUZZ_CHECK(out.empty() && info.servers == 0);
        break;
      }
      FUZZ_CHECK(info.status == ReplyStatus::kOk);
      FUZZ_CHECK(out.size() <= kMaxReplyBytes);
      FUZZ_CHECK(!info.cut || !info.last_page);
      FUZZ_CHECK(info.last_page || info.cut || info.servers == kMaxEntriesPerReply);
      std::optional<ReplyPage> read = parseReplyPage(out);  // as a client reads it
      FUZZ_CHECK(read && read->servers.size() == info.servers && read->last == info.last_page);
      for (const PageEntry& e : read->servers) {
        got.push_back((uint64_t{e.ip} << 16) | e.port);
        req.seed_ip = e.ip;
        req.seed_port = e.port;
      }
      if (info.last_page) {
        complete = true;
        break;
      }
    }
    if (budget == UINT64_MAX) FUZZ_CHECK(complete);
    if (complete) {
      FUZZ_CHECK(got == want);
    } else {
      FUZZ_CHECK(got.size() <= want.size() && std::equal(got.begin(), got.end(), want.begin()));
    }
  }
  return 0;
}
