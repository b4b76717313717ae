// RawSocket: a plain UDP socket on 127.0.0.1 (ephemeral port) for tests that speak to the
// transport directly — attackers, relays, fake servers.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

namespace outpost::test {

// A plain UDP socket on 127.0.0.1 with an ephemeral port.
struct RawSocket {
  int fd = -1;
  uint16_t port = 0;
  RawSocket() {
    fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~RawSocket() { ::close(fd); }
  void sendTo(uint16_t to_port, const std::vector<uint8_t>& d) const {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(to_port);
    ::sendto(fd, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  // Receives one datagram within timeout_ms; empty if none. *from_port gets the sender's port.
  std::vector<uint8_t> receive(int timeout_ms, uint16_t* from_port = nullptr) const {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return {};
    std::vector<uint8_t> buf(2048);
    sockaddr_in a{};
    socklen_t len = sizeof a;
    ssize_t n = ::recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&a), &len);
    if (n < 0) return {};
    if (from_port) *from_port = ntohs(a.sin_port);
    buf.resize(static_cast<size_t>(n));
    return buf;
  }
};

inline uint16_t portOf(const std::string& addr) {
  return static_cast<uint16_t>(std::stoi(addr.substr(addr.rfind(':') + 1)));
}

}  // namespace outpost::test
