// UdpSocket, RxBatch and TxBatch (see udp_socket.h).
#include "transport/udp_socket.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"

namespace outpost {

namespace {
constexpr int kSocketBufferBytes = 4 << 20;
}

std::unique_ptr<UdpSocket> UdpSocket::open(const SocketAddress& bind_addr, std::string* error) {
  std::unique_ptr<UdpSocket> s(new UdpSocket());
  SocketAddress addr = bind_addr;
  bool want_dual = addr.family() == AF_INET6 && addr.isAny();
  s->fd_ = ::socket(addr.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->fd_ < 0 && want_dual) {
    // No IPv6 on this machine: fall back to IPv4 any.
    addr = SocketAddress::ipv4(0, bind_addr.port());
    want_dual = false;
    s->fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  }
  if (s->fd_ < 0) {
    if (error) *error = std::string("socket: ") + std::strerror(errno);
    return nullptr;
  }
  s->family_ = addr.family();
  if (s->family_ == AF_INET6) {
    int v6only = want_dual ? 0 : 1;
    ::setsockopt(s->fd_, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
    s->dual_stack_ = want_dual;
  }
  int size = kSocketBufferBytes;
  ::setsockopt(s->fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  ::setsockopt(s->fd_, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  if (::bind(s->fd_, addr.sa(), addr.len()) != 0) {
    if (error) *error = "bind " + bind_addr.toString() + ": " + std::strerror(errno);
    return nullptr;
  }
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  ::getsockname(s->fd_, reinterpret_cast<sockaddr*>(&local), &len);
  s->local_ = SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&local), len);
  return s;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

SocketAddress UdpSocket::destinationFor(const SocketAddress& to) const {
  if (family_ == AF_INET6 && to.family() == AF_INET) return to.asV6Mapped();
  return to;
}

bool UdpSocket::canReach(const SocketAddress& to) const {
  if (family_ == AF_INET) return to.family() == AF_INET || !to.isV6();
  if (dual_stack_) return true;
  return to.isV6();
}

RxBatch::RxBatch() {
  for (size_t i = 0; i < kBatchSize; ++i) {
    iov_[i] = {buffers_[i].data(), kMaxDatagramBytes};
    msgs_[i].msg_hdr.msg_iov = &iov_[i];
    msgs_[i].msg_hdr.msg_iovlen = 1;
    msgs_[i].msg_hdr.msg_name = &addrs_[i];
  }
}

int RxBatch::receive(const UdpSocket& socket) {
  for (size_t i = 0; i < kBatchSize; ++i) {
    msgs_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    msgs_[i].msg_hdr.msg_flags = 0;
  }
  int n = ::recvmmsg(socket.fd(), msgs_.data(), kBatchSize, MSG_DONTWAIT, nullptr);
  return n < 0 ? 0 : n;
}

SocketAddress RxBatch::from(int i) const {
  return SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&addrs_[i]),
                                     msgs_[i].msg_hdr.msg_namelen);
}

TxBatch::TxBatch() {
  for (size_t i = 0; i < kBatchSize; ++i) {
    iov_[i] = {buffers_[i].data(), 0};
    msgs_[i].msg_hdr.msg_iov = &iov_[i];
    msgs_[i].msg_hdr.msg_iovlen = 1;
  }
}

uint8_t* TxBatch::next(const UdpSocket& socket) {
  if (count_ == static_cast<int>(kBatchSize) || (socket_ && socket_ != &socket)) flush();
  return buffers_[count_].data();
}

void TxBatch::commit(const UdpSocket& socket, const SocketAddress& to, size_t len) {
  socket_ = &socket;
  addrs_[count_] = socket.destinationFor(to);
  iov_[count_].iov_len = len;
  msgs_[count_].msg_hdr.msg_name = const_cast<sockaddr*>(addrs_[count_].sa());
  msgs_[count_].msg_hdr.msg_namelen = addrs_[count_].len();
  ++count_;
}

int TxBatch::flush() {
  int refused = 0;
  int done = 0;
  while (done < count_) {
    int n = ::sendmmsg(socket_->fd(), msgs_.data() + done, static_cast<unsigned>(count_ - done), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      // EAGAIN (socket buffer full) or an unreachable destination: this datagram is lost,
      // exactly as if the network had dropped it; reliability recovers it.
      ++refused;
      ++done;
      continue;
    }
    done += n;
  }
  sent_ += static_cast<uint64_t>(count_ - refused);
  failed_ += static_cast<uint64_t>(refused);
  count_ = 0;
  socket_ = nullptr;
  return refused;
}

}  // namespace outpost
