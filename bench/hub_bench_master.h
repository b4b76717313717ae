// hub_bench's master-query side: request and expected-page builders, a UDP master client, a walk
// of the whole list, and a windowed load (hub_bench_master_rows.cpp).
#pragma once

#include "hub_bench.h"

namespace outpost::hub_bench {

std::vector<uint8_t> masterRequest(uint32_t seed_ip, uint16_t seed_port, const std::string& filter);
// The exact first page for a list whose matching servers have these query ports (all on
// 127.0.0.1, ascending): up to 232 entries, then the terminator if the list ended first.
std::vector<uint8_t> expectedFirstPage(const std::vector<uint16_t>& ports);

class MasterClient {
 public:
  ~MasterClient() {
    if (fd_ >= 0) close(fd_);
  }
  bool open(const std::string& master_address, std::string* error) {
    auto addr = base::SocketAddress::parse(master_address, true);
    if (!addr || addr->isV6()) {
      *error = "master address \"" + master_address + "\" is not IPv4 ip:port";
      return false;
    }
    std::memcpy(&to_, addr->sa(), sizeof to_);
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int rcvbuf = 4 << 20;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(kLoopback);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      *error = std::string("cannot bind a UDP socket on 127.0.0.1: ") + std::strerror(errno);
      return false;
    }
    return true;
  }
  bool send(const std::vector<uint8_t>& req) {
    return sendto(fd_, req.data(), req.size(), 0, reinterpret_cast<const sockaddr*>(&to_), sizeof to_) ==
           static_cast<ssize_t>(req.size());
  }
  // One datagram from the master (others are ignored), waiting up to wait_ms.
  std::optional<std::vector<uint8_t>> receive(int wait_ms) {
    auto deadline = Clock::now() + std::chrono::milliseconds(wait_ms);
    for (;;) {
      std::vector<uint8_t> buf(2048);
      sockaddr_in from{};
      socklen_t len = sizeof from;
      ssize_t n = recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n >= 0) {
        if (from.sin_port != to_.sin_port || from.sin_addr.s_addr != to_.sin_addr.s_addr) continue;
        buf.resize(static_cast<size_t>(n));
        return buf;
      }
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      poll(&p, 1, static_cast<int>(left));  // rounded up: a sub-millisecond wait must not spin
    }
  }
  void drain() {
    while (receive(0)) {
    }
  }

 private:
  int fd_ = -1;
  sockaddr_in to_{};
};

// Walks the whole list (first page, then each last address as the next seed) and returns the
// listed query ports in order. Unanswered pages (rate limits) are retried after a pause.
std::optional<std::vector<uint16_t>> masterWalk(MasterClient& mc, const std::string& filter, int* pages,
                                                std::string* error);

struct MasterLoad {
  uint64_t sent = 0, replies = 0, wrong = 0;
  double seconds = 0;
};

// Sends identical first-page requests from one socket, keeping up to `window` unanswered (an
// unanswered request is written off after expire_ms: the master drops rate-limited requests
// silently). Stops after max_seconds or max_replies replies. Every reply must equal `page`.
MasterLoad masterLoad(MasterClient& mc, const std::vector<uint8_t>& req, const std::vector<uint8_t>& page,
                      double max_seconds, uint64_t max_replies, size_t window, int expire_ms);

}  // namespace outpost::hub_bench
