// UdpService (see udp_service.h): bind (with a large receive buffer), the poll/recvmmsg loop with
// its eventfd stop signal, and sendto with rate-limited failure logs.
#include "net/udp_service.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace outpost::net {

namespace {

// Larger than any request the query ports accept, so an oversized datagram keeps its real
// length (MSG_TRUNC) and is seen as too long.
constexpr size_t kReceiveBufferBytes = 2048;
constexpr int kMaxDatagramsPerWake = 256;  // then poll() again so stop() is noticed under load
constexpr int kBatch = 32;                 // datagrams per recvmmsg
// The kernel's default receive buffer (~208 KiB) overflows when hundreds of browsers query at
// once; ask for more (SO_RCVBUFFORCE where permitted, else up to net.core.rmem_max).
constexpr int kSocketReceiveBufferBytes = 4 << 20;

void closeFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

UdpService::UdpService(std::string name) : name_(std::move(name)) {}

UdpService::~UdpService() { stop(); }

bool UdpService::start(const std::string& bind_address, Handler handler, std::string* error) {
  auto fail = [&](std::string why) {
    OUTPOST_LOG_ERROR("%s: cannot start: %s", name_.c_str(), why.c_str());
    if (error) *error = std::move(why);
    closeFd(fd_);
    closeFd(wake_fd_);
    return false;
  };
  if (thread_.joinable() || fd_ >= 0) {
    // Not through fail(): the running socket's descriptors must stay open.
    OUTPOST_LOG_ERROR("%s: cannot start: already started", name_.c_str());
    if (error) *error = "already started";
    return false;
  }
  std::optional<base::SocketAddress> bind_addr = base::SocketAddress::parse(bind_address, false);
  if (!bind_addr) return fail("bind_address \"" + bind_address + "\" is not ip:port");

  fd_ = ::socket(bind_addr->family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return fail(std::string("socket: ") + std::strerror(errno));
  if (bind_addr->family() == AF_INET6 && bind_addr->isAny()) {
    int v6only = 0;  // an IPv6 any-address serves IPv4 clients too
    ::setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  }
  int rcvbuf = kSocketReceiveBufferBytes;
  if (::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (::bind(fd_, bind_addr->sa(), bind_addr->len()) != 0)
    return fail("bind " + bind_addr->toString() + ": " + std::strerror(errno));
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &len) != 0)
    return fail(std::string("getsockname: ") + std::strerror(errno));
  local_ = base::SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&local), len);

  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return fail(std::string("eventfd: ") + std::strerror(errno));

  handler_ = std::move(handler);
  running_.store(true);
  thread_ = std::thread([this] { run(); });
  OUTPOST_LOG_INFO("%s: listening on %s", name_.c_str(), local_.toString().c_str());
  return true;
}

void UdpService::stop() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    // One write cannot overflow the eventfd counter; a failure would mean a bad fd, which
    // start() rules out.
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
  running_.store(false);
  closeFd(fd_);
  closeFd(wake_fd_);
}

bool UdpService::sendTo(const base::SocketAddress& to, std::span<const uint8_t> bytes) {
  ssize_t sent = ::sendto(fd_, bytes.data(), bytes.size(), 0, to.sa(), to.len());
  if (sent == static_cast<ssize_t>(bytes.size())) return true;
  if (send_log_.allow())
    OUTPOST_LOG_WARN("%s: reply to %s not sent: %s", name_.c_str(), to.toString().c_str(),
                     sent < 0 ? std::strerror(errno) : "short write");
  return false;
}

void UdpService::run() {
  // One recvmmsg takes up to kBatch datagrams: under load the thread spends its time answering,
  // not in one syscall per request.
  std::vector<uint8_t> buffers(kBatch * kReceiveBufferBytes);
  std::vector<sockaddr_storage> from(kBatch);
  std::vector<iovec> iov(kBatch);
  std::vector<mmsghdr> msgs(kBatch);
  pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (true) {
    fds[0].revents = fds[1].revents = 0;
    int ready = ::poll(fds, 2, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      OUTPOST_LOG_ERROR("%s: poll failed: %s; receive thread exits", name_.c_str(), std::strerror(errno));
      break;
    }
    if (fds[1].revents != 0) break;  // stop()
    for (int taken = 0; taken < kMaxDatagramsPerWake;) {
      for (int i = 0; i < kBatch; ++i) {
        iov[i] = {buffers.data() + static_cast<size_t>(i) * kReceiveBufferBytes, kReceiveBufferBytes};
        msgs[i].msg_hdr = {};
        msgs[i].msg_hdr.msg_name = &from[i];
        msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_len = 0;
      }
      int n = ::recvmmsg(fd_, msgs.data(), kBatch, 0, nullptr);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
        ++taken;  // ICMP errors from earlier sends surface here on Linux: not fatal
        continue;
      }
      for (int i = 0; i < n; ++i) {
        base::SocketAddress peer =
            base::SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&from[i]), msgs[i].msg_hdr.msg_namelen);
        // A cut datagram (MSG_TRUNC) arrives as the whole buffer, which is longer than any
        // request the query ports accept, so it is seen as too long.
        size_t size = std::min(static_cast<size_t>(msgs[i].msg_len), kReceiveBufferBytes);
        handler_(peer, std::span<const uint8_t>(static_cast<const uint8_t*>(iov[i].iov_base), size));
      }
      taken += n;
      if (n < kBatch) break;  // drained
    }
  }
  running_.store(false);
}

}  // namespace outpost::net
