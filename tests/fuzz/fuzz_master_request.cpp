// libFuzzer target for the master codec's request parser and page builder (src/master/request.h,
// index.h, reply_page.h): arbitrary bytes go through parseMasterRequest and, when accepted,
// through MasterIndex::reply on a fixed 600-server list. Checks: a rejection names a reason and
// matches the documented rules (size, type byte, seed presence); an acceptance keeps the region
// byte, a filter that is a piece of the input, and an unparsed seed reads as 0.0.0.0:0, and the
// request re-encoded by encodeMasterRequest parses to the same request; every reply is <= 1400
// bytes, starts with the header, reads back with parseReplyPage as exactly the page it was built
// as (servers strictly after the seed in ascending order, the terminator only as its last entry,
// or full / cut by the work budget).
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "master/index.h"
#include "master/reply_page.h"
#include "master/request.h"

using namespace outpost::master;

namespace {

const MasterIndex& fixedIndex() {
  static const std::unique_ptr<MasterIndex> index = [] {
    std::vector<ServerRecord> records;
    for (uint32_t i = 0; i < 600; ++i) {
      ServerRecord r;
      r.ip = (10u << 24) | ((i / 3) << 8) | 1;  // three servers per IP
      r.query_port = static_cast<uint16_t>(27015 + i % 3);
      r.game_port = r.query_port;
      r.app_id = i % 2 ? 730 : 440;
      r.map = "map_" + std::to_string(i % 5);
      r.name = "Server " + std::to_string(i);
      r.dedicated = i % 3 != 0;
      r.players = static_cast<uint16_t>(i % 17);
      r.max_players = 16;
      records.push_back(r);
    }
    return std::make_unique<MasterIndex>(std::move(records));
  }();
  return *index;
}

uint64_t key(uint32_t ip, uint16_t port) { return (uint64_t{ip} << 16) | port; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  RequestError error = RequestError::kNone;
  std::optional<MasterRequest> req = parseMasterRequest(in, &error);
  if (!req) {
    FUZZ_CHECK(error != RequestError::kNone);
    FUZZ_CHECK(error != RequestError::kEmpty || size == 0);
    FUZZ_CHECK(error != RequestError::kTooLong || size > kMaxRequestBytes);
    FUZZ_CHECK(error != RequestError::kWrongType || data[0] != kRequestType);
    FUZZ_CHECK(error != RequestError::kNoSeed || size < 3);
    return 0;
  }
  FUZZ_CHECK(error == RequestError::kNone);
  FUZZ_CHECK(size >= 3 && size <= kMaxRequestBytes && data[0] == kRequestType);
  FUZZ_CHECK(req->region == data[1]);
  FUZZ_CHECK(req->filter.size() + 3 <= size);
  FUZZ_CHECK(req->filter.find('\0') == std::string::npos);
  if (!req->filter.empty()) {
    std::string_view whole(reinterpret_cast<const char*>(data), size);
    FUZZ_CHECK(whole.find(req->filter) != std::string_view::npos);
  }
  if (req->seed_unparsed) FUZZ_CHECK(req->seed_ip == 0 && req->seed_port == 0);
  if (req->filter_missing) FUZZ_CHECK(req->filter.empty());
  if (req->filter.size() + 24 <= kMaxRequestBytes) {  // what a client sends for it parses to it
    auto again =
        parseMasterRequest(encodeMasterRequest(req->region, req->seed_ip, req->seed_port, req->filter), nullptr);
    FUZZ_CHECK(again && again->region == req->region && again->seed_ip == req->seed_ip &&
               again->seed_port == req->seed_port && again->filter == req->filter);
  }

  std::vector<uint8_t> out;
  ReplyInfo info = fixedIndex().reply(*req, out);
  if (info.status != ReplyStatus::kOk) {
    FUZZ_CHECK(out.empty());
    FUZZ_CHECK(info.status != ReplyStatus::kBadFilter || info.filter_error != FilterError::kNone);
    FUZZ_CHECK(info.status != ReplyStatus::kScanLimit || info.servers == 0);
    return 0;
  }
  FUZZ_CHECK(out.size() <= kMaxReplyBytes);
  FUZZ_CHECK(out.size() >= kReplyHeaderBytes + (info.last_page ? kReplyEntryBytes : 0));
  FUZZ_CHECK(std::memcmp(out.data(), kReplyHeader, kReplyHeaderBytes) == 0);
  FUZZ_CHECK((out.size() - kReplyHeaderBytes) % kReplyEntryBytes == 0);
  std::optional<ReplyPage> page = parseReplyPage(out);
  FUZZ_CHECK(page.has_value());
  FUZZ_CHECK(page->servers.size() == info.servers && page->last == info.last_page);
  FUZZ_CHECK(info.last_page || info.cut || info.servers == kMaxEntriesPerReply);
  FUZZ_CHECK(encodeReplyPage(page->servers, page->last) == out);  // the terminator only last
  uint64_t previous = key(req->seed_ip, req->seed_port);
  for (const PageEntry& e : page->servers) {
    FUZZ_CHECK(e.ip != 0);
    FUZZ_CHECK(key(e.ip, e.port) > previous);  // strictly after the seed, ascending, no repeats
    previous = key(e.ip, e.port);
  }
  return 0;
}
