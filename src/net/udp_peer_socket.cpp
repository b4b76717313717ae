// UdpPeerSocket (see udp_peer_socket.h): socket(), sendto() and a poll()/recvfrom() loop that
// drops datagrams from anyone but the peer. Runs on the caller's thread.
#include "net/udp_peer_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace outpost::net {

namespace {
constexpr size_t kReceiveBufferBytes = 2048;
}

UdpPeerSocket::UdpPeerSocket(const base::SocketAddress& peer) : peer_(peer) {
  fd_ = ::socket(peer.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

UdpPeerSocket::~UdpPeerSocket() {
  if (fd_ >= 0) ::close(fd_);
}

void UdpPeerSocket::send(std::span<const uint8_t> datagram) {
  if (fd_ < 0) return;
  ::sendto(fd_, datagram.data(), datagram.size(), 0, peer_.sa(), peer_.len());
}

std::vector<uint8_t> UdpPeerSocket::receive(Clock::time_point deadline) {
  if (fd_ < 0) return {};
  std::vector<uint8_t> buf(kReceiveBufferBytes);
  while (Clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (::poll(&p, 1, left < 1 ? 1 : static_cast<int>(left)) <= 0) continue;
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0) continue;
    // Only the peer may answer: anything else could be a stranger's forged reply.
    if (base::SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&from), len) != peer_) continue;
    buf.resize(static_cast<size_t>(n));
    return buf;
  }
  return {};
}

}  // namespace outpost::net
