// GameSocket: the game's own UDP socket in game_server_fixture — bound to 127.0.0.1:0 (the
// kernel picks a free port), it is the game port in both modes and, in GameSocketShare mode, the
// socket every A2S query arrives on and every reply leaves from. IPv4 only; used by one thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

namespace outpost::interop {

struct Datagram {
  std::vector<uint8_t> bytes;
  std::string ip;  // dotted IPv4 of the sender
  uint16_t port = 0;
};

class GameSocket {
 public:
  GameSocket() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
    socklen_t len = sizeof a;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) port_ = ntohs(a.sin_port);
  }
  ~GameSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  GameSocket(const GameSocket&) = delete;
  GameSocket& operator=(const GameSocket&) = delete;

  // The bound port; 0 if the socket could not be made.
  uint16_t port() const { return port_; }

  // Waits up to timeout_ms for one datagram; false if none arrived.
  bool receive(int timeout_ms, Datagram* out) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    out->bytes.resize(65536);
    sockaddr_in a{};
    socklen_t len = sizeof a;
    ssize_t n = ::recvfrom(fd_, out->bytes.data(), out->bytes.size(), 0, reinterpret_cast<sockaddr*>(&a), &len);
    if (n < 0) return false;
    out->bytes.resize(static_cast<size_t>(n));
    char ip[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &a.sin_addr, ip, sizeof ip);
    out->ip = ip;
    out->port = ntohs(a.sin_port);
    return true;
  }

  // Sends to a dotted IPv4 address; false if the address does not parse or sendto fails.
  bool sendTo(const std::string& ip, uint16_t port, const std::vector<uint8_t>& bytes) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (::inet_pton(AF_INET, ip.c_str(), &a.sin_addr) != 1) return false;
    return ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a) ==
           static_cast<ssize_t>(bytes.size());
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace outpost::interop
