// UdpSocket, RxBatch and TxBatch (see udp_socket.h).
#include "net/udp_socket.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/log.h"

namespace outpost::net {

namespace {
constexpr int kSocketBufferBytes = 4 << 20;
}

std::unique_ptr<UdpSocket> UdpSocket::open(const base::SocketAddress& bind_addr, std::string* error) {
  std::unique_ptr<UdpSocket> s(new UdpSocket());
  base::SocketAddress addr = bind_addr;
  bool want_dual = addr.family() == AF_INET6 && addr.isAny();
  s->fd_ = ::socket(addr.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->fd_ < 0 && want_dual) {
    // No IPv6 on this machine: fall back to IPv4 any.
    addr = base::SocketAddress::ipv4(0, bind_addr.port());
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
  // Segmentation offload, both ways, where the kernel has it (Linux 4.18+ / 5.0+).
  int on = 1;
  static const bool disabled = std::getenv("OUTPOST_NO_GSO") != nullptr;
  s->gso_ = !disabled && ::setsockopt(s->fd_, SOL_UDP, UDP_GRO, &on, sizeof on) == 0;
  int probe = 0;
  socklen_t probe_len = sizeof probe;
  if (::getsockopt(s->fd_, SOL_UDP, UDP_SEGMENT, &probe, &probe_len) != 0) s->gso_ = false;
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  ::getsockname(s->fd_, reinterpret_cast<sockaddr*>(&local), &len);
  s->local_ = base::SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&local), len);
  return s;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

base::SocketAddress UdpSocket::destinationFor(const base::SocketAddress& to) const {
  if (family_ == AF_INET6 && to.family() == AF_INET) return to.asV6Mapped();
  return to;
}

bool UdpSocket::canReach(const base::SocketAddress& to) const {
  if (family_ == AF_INET) return to.family() == AF_INET || !to.isV6();
  if (dual_stack_) return true;
  return to.isV6();
}

RxBatch::RxBatch() : buffers_(kSlots * kSlotBytes) {
  for (size_t i = 0; i < kSlots; ++i) {
    iov_[i] = {buffers_.data() + i * kSlotBytes, kSlotBytes};
    msgs_[i].msg_hdr.msg_iov = &iov_[i];
    msgs_[i].msg_hdr.msg_iovlen = 1;
    msgs_[i].msg_hdr.msg_name = &addrs_[i];
  }
}

int RxBatch::receive(const UdpSocket& socket) {
  for (size_t i = 0; i < kSlots; ++i) {
    msgs_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    msgs_[i].msg_hdr.msg_control = control_[i].data();
    msgs_[i].msg_hdr.msg_controllen = control_[i].size();
    msgs_[i].msg_hdr.msg_flags = 0;
  }
  int n = ::recvmmsg(socket.fd(), msgs_.data(), kSlots, MSG_DONTWAIT, nullptr);
  return n < 0 ? 0 : n;
}

size_t RxBatch::segmentSize(int i) const {
  const msghdr& h = msgs_[i].msg_hdr;
  for (cmsghdr* c = CMSG_FIRSTHDR(const_cast<msghdr*>(&h)); c; c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
    if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
      int gso_size = 0;
      std::memcpy(&gso_size, CMSG_DATA(c), sizeof gso_size);
      if (gso_size > 0) return static_cast<size_t>(gso_size);
    }
  }
  return size(i);
}

base::SocketAddress RxBatch::from(int i) const {
  return base::SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&addrs_[i]), msgs_[i].msg_hdr.msg_namelen);
}

TxBatch::TxBatch() {
  for (size_t i = 0; i < kBatchSize; ++i) iov_[i] = {buffers_[i].data(), 0};
}

uint8_t* TxBatch::next(const UdpSocket& socket) {
  if (count_ == static_cast<int>(kBatchSize) || (socket_ && socket_ != &socket)) flush();
  return buffers_[count_].data();
}

void TxBatch::commit(const UdpSocket& socket, const base::SocketAddress& to, size_t len) {
  socket_ = &socket;
  addrs_[count_] = socket.destinationFor(to);
  iov_[count_].iov_len = len;
  ++count_;
}

int TxBatch::buildMessages(bool gso) {
  constexpr size_t kMaxGsoBytes = 65000;
  int m = 0;
  for (int i = 0; i < count_;) {
    size_t seg = iov_[i].iov_len;
    size_t total = seg;
    int j = i + 1;
    // A run: same destination, every datagram but the last exactly `seg` bytes long.
    while (gso && j < count_ && addrs_[j] == addrs_[i] && iov_[j - 1].iov_len == seg && iov_[j].iov_len <= seg &&
           total + iov_[j].iov_len <= kMaxGsoBytes) {
      total += iov_[j].iov_len;
      ++j;
    }
    msghdr& h = msgs_[m].msg_hdr;
    h = msghdr{};
    h.msg_name = const_cast<sockaddr*>(addrs_[i].sa());
    h.msg_namelen = addrs_[i].len();
    h.msg_iov = &iov_[i];
    h.msg_iovlen = static_cast<size_t>(j - i);
    if (j - i > 1) {
      h.msg_control = control_[m].data();
      h.msg_controllen = CMSG_SPACE(sizeof(uint16_t));
      cmsghdr* c = CMSG_FIRSTHDR(&h);
      c->cmsg_level = SOL_UDP;
      c->cmsg_type = UDP_SEGMENT;
      c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      uint16_t gso_size = static_cast<uint16_t>(seg);
      std::memcpy(CMSG_DATA(c), &gso_size, sizeof gso_size);
    }
    first_[m] = i;
    ++m;
    i = j;
  }
  return m;
}

int TxBatch::flush() {
  if (count_ == 0) return 0;
  int refused = 0;
  bool gso = socket_->gso();
  int m = buildMessages(gso);
  int done = 0;
  while (done < m) {
    int n = ::sendmmsg(socket_->fd(), msgs_.data() + done, static_cast<unsigned>(m - done), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (gso && (errno == EIO || errno == EINVAL || errno == ENOPROTOOPT || errno == EOPNOTSUPP)) {
        // The path cannot segment for us after all: send the rest one datagram at a time.
        socket_->disableGso();
        int first = first_[done];
        sent_ += static_cast<uint64_t>(first);  // the entries before this one went out
        for (int k = 0; k < first; ++k) iov_[k].iov_len = 0;
        int rest = count_ - first;
        std::memmove(&iov_[0], &iov_[first], sizeof(iovec) * static_cast<size_t>(rest));
        std::memmove(&addrs_[0], &addrs_[first], sizeof(base::SocketAddress) * static_cast<size_t>(rest));
        // Buffers stay where they are: iov entries still point at them.
        count_ = rest;
        gso = false;
        m = buildMessages(false);
        done = 0;
        continue;
      }
      // EAGAIN (socket buffer full) or an unreachable destination: this entry is lost, exactly
      // as if the network had dropped it; reliability recovers it.
      refused += static_cast<int>(msgs_[done].msg_hdr.msg_iovlen);
      ++done;
      continue;
    }
    done += n;
  }
  sent_ += static_cast<uint64_t>(count_ - refused);
  failed_ += static_cast<uint64_t>(refused);
  count_ = 0;
  socket_ = nullptr;
  for (size_t i = 0; i < kBatchSize; ++i) iov_[i] = {buffers_[i].data(), 0};
  return refused;
}

}  // namespace outpost::net
