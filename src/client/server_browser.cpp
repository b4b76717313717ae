// outpost::ServerBrowser (see include/outpost/server_browser.h): one UDP socket per call, the
// Master Server Query Protocol's page walk, and A2S with the challenge round, Source split
// reassembly and resends. The replies' contents are parsed by a2s_reply.h; a datagram from
// another address is ignored.
#include "outpost/server_browser.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>

#include "base/address.h"
#include "base/log.h"
#include "client/a2s_reply.h"

namespace outpost {

namespace {

using Clock = std::chrono::steady_clock;

class Udp {
 public:
  explicit Udp(const SocketAddress& to) : to_(to) {
    fd_ = ::socket(to.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
  }
  ~Udp() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  void send(const std::vector<uint8_t>& d) { ::sendto(fd_, d.data(), d.size(), 0, to_.sa(), to_.len()); }
  // One datagram from the server within the deadline (others are ignored); empty on timeout.
  std::vector<uint8_t> receive(Clock::time_point deadline) {
    std::vector<uint8_t> buf(2048);
    while (Clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
      if (::poll(&p, 1, ms < 1 ? 1 : ms) <= 0) continue;
      sockaddr_storage from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n <= 0) continue;
      if (SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&from), len) != to_) continue;
      buf.resize(static_cast<size_t>(n));
      return buf;
    }
    return {};
  }

 private:
  SocketAddress to_;
  int fd_ = -1;
};


// Collects the parts of a Source split reply whose first datagram is `first`, until `until`.
// The joined payload (its leading FF FF FF FF included); nullopt if a part did not arrive in time;
// an empty vector for a malformed part. Parts of another (stale) split id are ignored.
std::optional<std::vector<uint8_t>> reassembleSplit(Udp& udp, std::vector<uint8_t> reply, Clock::time_point until) {
  // FE FF FF FF, id u32, total u8, number u8, size u16, payload.
  std::map<int, std::vector<uint8_t>> parts;
  const std::vector<uint8_t> split_id(reply.begin() + 4, reply.begin() + std::min<size_t>(reply.size(), 8));
  for (;;) {
    if (reply.size() < 12 || reply[0] != 0xFE) return std::vector<uint8_t>{};
    if (std::equal(split_id.begin(), split_id.end(), reply.begin() + 4)) {
      parts[reply[9]] = std::vector<uint8_t>(reply.begin() + 12, reply.end());
      if (static_cast<int>(parts.size()) >= reply[8]) break;
    }
    reply = udp.receive(until);
    if (reply.empty()) return std::nullopt;
  }
  std::vector<uint8_t> all;
  for (auto& [n, p] : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

// Sends an A2S request, answers the challenge, and returns the reassembled reply payload
// (starting at the type byte), or empty. A request or reply lost on the way is asked for again:
// the first resend after a fifth of the timeout (at least 100 ms), then at doubling intervals,
// until the timeout.
std::vector<uint8_t> a2sExchange(const std::string& server, uint8_t type, int timeout_ms, int* rtt_ms) {
  auto addr = SocketAddress::parse(server, true);
  if (!addr) {
    OUTPOST_LOG_WARN("ServerBrowser: \"%s\" is not ip:port", server.c_str());
    return {};
  }
  Udp udp(*addr);
  if (!udp.ok()) return {};
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  auto retry_after = std::chrono::milliseconds(std::max(100, timeout_ms / 5));
  std::vector<uint8_t> req = {0xFF, 0xFF, 0xFF, 0xFF, type};
  if (type == 0x54) {
    const char q[] = "Source Engine Query";
    req.insert(req.end(), q, q + sizeof q);
  } else {
    req.insert(req.end(), {0xFF, 0xFF, 0xFF, 0xFF});
  }
  int challenges = 0;
  while (Clock::now() < deadline) {
    auto sent = Clock::now();
    udp.send(req);
    auto until = std::min(deadline, sent + retry_after);
    std::vector<uint8_t> reply = udp.receive(until);
    if (reply.empty()) {  // lost, one way or the other: ask again
      retry_after *= 2;
      continue;
    }
    if (reply.size() < 5) return {};
    if (reply[0] == 0xFF && reply[4] == 0x41 && reply.size() == 9) {
      if (++challenges > 3) return {};  // a server that never accepts its own challenge
      // Challenge: repeat the request with it (replacing a previous one).
      req.resize(type == 0x54 ? 5 + 20 : 5);
      req.insert(req.end(), reply.begin() + 5, reply.end());
      continue;
    }
    if (rtt_ms) *rtt_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent).count());
    if (reply[0] == 0xFF) return std::vector<uint8_t>(reply.begin() + 4, reply.end());
    auto all = reassembleSplit(udp, std::move(reply), std::min(deadline, Clock::now() + retry_after));
    if (!all) {  // a part was lost: ask for the whole reply again
      retry_after *= 2;
      continue;
    }
    if (all->size() < 5) return {};
    return std::vector<uint8_t>(all->begin() + 4, all->end());
  }
  return {};
}

}  // namespace

std::vector<std::string> ServerBrowser::requestServerList(const std::string& master, const std::string& filter,
                                                          uint8_t region, int timeout_ms) {
  std::vector<std::string> out;
  auto addr = SocketAddress::parse(master, true);
  if (!addr) {
    OUTPOST_LOG_WARN("ServerBrowser: master \"%s\" is not ip:port", master.c_str());
    return out;
  }
  Udp udp(*addr);
  if (!udp.ok()) return out;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string seed = "0.0.0.0:0";
  for (int page = 0; page < 10000 && Clock::now() < deadline; ++page) {
    std::vector<uint8_t> req = {0x31, region};
    req.insert(req.end(), seed.begin(), seed.end());
    req.push_back(0);
    req.insert(req.end(), filter.begin(), filter.end());
    req.push_back(0);
    // A page lost on the way is asked for again (first after a fifth of the timeout, at least
    // 100 ms, then at doubling intervals): the seed makes the request idempotent.
    std::vector<uint8_t> reply;
    for (auto retry_after = std::chrono::milliseconds(std::max(100, timeout_ms / 5));
         reply.empty() && Clock::now() < deadline; retry_after *= 2) {
      udp.send(req);
      reply = udp.receive(std::min(deadline, Clock::now() + retry_after));
    }
    size_t before = out.size();
    bool last = false;
    if (!a2sreply::parseMasterPage(reply, &out, &last)) return out;
    if (last || out.size() == before) return out;
    seed = out.back();
  }
  return out;
}

std::optional<ServerInfoResult> ServerBrowser::queryInfo(const std::string& server, int timeout_ms) {
  int rtt = -1;
  auto info = a2sreply::parseInfo(a2sExchange(server, 0x54, timeout_ms, &rtt));
  if (!info) return std::nullopt;
  info->address = server;
  info->ping_ms = rtt;
  return info;
}

std::optional<std::vector<ServerPlayer>> ServerBrowser::queryPlayers(const std::string& server, int timeout_ms) {
  return a2sreply::parsePlayers(a2sExchange(server, 0x55, timeout_ms, nullptr));
}

std::optional<std::map<std::string, std::string>> ServerBrowser::queryRules(const std::string& server, int timeout_ms) {
  return a2sreply::parseRules(a2sExchange(server, 0x56, timeout_ms, nullptr));
}

int ServerBrowser::ping(const std::string& server, int timeout_ms) {
  auto info = queryInfo(server, timeout_ms);
  return info ? info->ping_ms : -1;
}

}  // namespace outpost
