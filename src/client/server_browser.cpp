// outpost::ServerBrowser (see include/outpost/server_browser.h): the Master Server Query
// Protocol's page walk, and A2S with the challenge round, split reassembly and resends, over one
// UdpPeerSocket (src/net) per call. Every byte is built and read by the protocols' codecs:
// src/master (request, reply page) and src/a2s (request, challenge, replies, split framing).
// Runs on the caller's thread.
#include "outpost/server_browser.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "a2s/reply.h"
#include "a2s/request.h"
#include "a2s/split.h"
#include "base/address.h"
#include "base/log.h"
#include "master/reply_page.h"
#include "master/request.h"
#include "net/udp_peer_socket.h"

namespace outpost::client {

namespace {

using Clock = net::UdpPeerSocket::Clock;

// Collects the fragments of the split reply whose first fragment is `first`, until `until`.
// The single-packet message (its FF FF FF FF included); nullopt if a fragment did not arrive in
// time; an empty vector for a datagram that is not a fragment.
std::optional<std::vector<uint8_t>> reassembleSplit(net::UdpPeerSocket& udp, std::vector<uint8_t> first,
                                                    Clock::time_point until) {
  a2s::SplitReassembler split;
  for (std::vector<uint8_t> datagram = std::move(first);;) {
    switch (split.add(datagram)) {
      case a2s::SplitReassembler::Status::kMalformed: return std::vector<uint8_t>{};
      case a2s::SplitReassembler::Status::kComplete: return split.message();
      case a2s::SplitReassembler::Status::kIncomplete: break;
    }
    datagram = udp.receive(until);
    if (datagram.empty()) return std::nullopt;
  }
}

// Sends an A2S request, answers the challenge, and returns the reassembled reply's body
// (starting at the type byte), or empty. A request or reply lost on the way is asked for again:
// the first resend after a fifth of the timeout (at least 100 ms), then at doubling intervals,
// until the timeout.
std::vector<uint8_t> a2sExchange(const std::string& server, uint8_t type, int timeout_ms, int* rtt_ms) {
  auto addr = base::SocketAddress::parse(server, true);
  if (!addr) {
    OUTPOST_LOG_WARN("ServerBrowser: \"%s\" is not ip:port", server.c_str());
    return {};
  }
  net::UdpPeerSocket udp(*addr);
  if (!udp.ok()) return {};
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  auto retry_after = std::chrono::milliseconds(std::max(100, timeout_ms / 5));
  std::vector<uint8_t> request = a2s::encodeRequest(type);
  auto body = [](std::span<const uint8_t> message) {
    auto b = a2s::messageBody(message);
    return b ? std::vector<uint8_t>(b->begin(), b->end()) : std::vector<uint8_t>{};
  };
  int challenges = 0;
  while (Clock::now() < deadline) {
    auto sent = Clock::now();
    udp.send(request);
    auto until = std::min(deadline, sent + retry_after);
    std::vector<uint8_t> reply = udp.receive(until);
    if (reply.empty()) {  // lost, one way or the other: ask again
      retry_after *= 2;
      continue;
    }
    if (reply.size() < a2s::kHeaderBytes + 1) return {};
    if (auto challenge = a2s::parseChallengeReply(reply)) {
      if (++challenges > 3) return {};                 // a server that never accepts its own challenge
      request = a2s::encodeRequest(type, *challenge);  // replaces a previous challenge
      continue;
    }
    if (rtt_ms)
      *rtt_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent).count());
    if (a2s::hasSingleHeader(reply)) return body(reply);
    auto all = reassembleSplit(udp, std::move(reply), std::min(deadline, Clock::now() + retry_after));
    if (!all) {  // a fragment was lost: ask for the whole reply again
      retry_after *= 2;
      continue;
    }
    return body(*all);
  }
  return {};
}

}  // namespace

}  // namespace outpost::client

namespace outpost {

using client::a2sExchange;
using client::Clock;

std::vector<std::string> ServerBrowser::requestServerList(const std::string& master, const std::string& filter,
                                                          uint8_t region, int timeout_ms) {
  std::vector<std::string> out;
  auto addr = base::SocketAddress::parse(master, true);
  if (!addr) {
    OUTPOST_LOG_WARN("ServerBrowser: master \"%s\" is not ip:port", master.c_str());
    return out;
  }
  net::UdpPeerSocket udp(*addr);
  if (!udp.ok()) return out;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  master::PageEntry seed;  // 0.0.0.0:0: the first page
  for (int page = 0; page < 10000 && Clock::now() < deadline; ++page) {
    std::vector<uint8_t> request = master::encodeMasterRequest(region, seed.ip, seed.port, filter);
    // A page lost on the way is asked for again (first after a fifth of the timeout, at least
    // 100 ms, then at doubling intervals): the seed makes the request idempotent.
    std::vector<uint8_t> reply;
    for (auto retry_after = std::chrono::milliseconds(std::max(100, timeout_ms / 5));
         reply.empty() && Clock::now() < deadline; retry_after *= 2) {
      udp.send(request);
      reply = udp.receive(std::min(deadline, Clock::now() + retry_after));
    }
    std::optional<master::ReplyPage> parsed = master::parseReplyPage(reply);
    if (!parsed) return out;
    for (const master::PageEntry& e : parsed->servers) out.push_back(master::formatIpv4Port(e.ip, e.port));
    if (parsed->last || parsed->servers.empty()) return out;
    seed = parsed->servers.back();
  }
  return out;
}

std::optional<ServerInfoResult> ServerBrowser::queryInfo(const std::string& server, int timeout_ms) {
  int rtt = -1;
  auto info = a2s::parseInfoReply(a2sExchange(server, a2s::kInfoRequest, timeout_ms, &rtt));
  if (!info) return std::nullopt;
  info->address = server;
  info->ping_ms = rtt;
  return info;
}

std::optional<std::vector<ServerPlayer>> ServerBrowser::queryPlayers(const std::string& server, int timeout_ms) {
  return a2s::parsePlayerReply(a2sExchange(server, a2s::kPlayerRequest, timeout_ms, nullptr));
}

std::optional<std::map<std::string, std::string>> ServerBrowser::queryRules(const std::string& server, int timeout_ms) {
  return a2s::parseRulesReply(a2sExchange(server, a2s::kRulesRequest, timeout_ms, nullptr));
}

int ServerBrowser::ping(const std::string& server, int timeout_ms) {
  auto info = queryInfo(server, timeout_ms);
  return info ? info->ping_ms : -1;
}

}  // namespace outpost
