// A2sQuerySocket (see query_socket.h): the UDP socket and receive thread of the A2S query port.
// The thread is the only one touching the socket: it blocks in poll() on the socket and an
// eventfd (written by stop()), drains the socket with recvfrom(), hands each datagram to
// A2sResponder and sends the replies with sendto() from the same socket. Protocol logic lives in
// responder.cpp.
#include "a2s/query_socket.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "base/log.h"

namespace outpost::a2s {

namespace {

// Larger than any request we accept (29 bytes) and than a 1400-byte datagram, so an oversized
// datagram keeps its real length (MSG_TRUNC) and is dropped as bad length.
constexpr size_t kReceiveBufferBytes = 2048;
constexpr int kMaxDatagramsPerWake = 256;  // then poll() again so stop() is noticed under load

void closeFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

A2sQuerySocket::A2sQuerySocket(A2sQuerySocketOptions options)
    : options_(std::move(options)),
      clock_(options_.clock ? *options_.clock : SystemClock::instance()),
      responder_(options_.responder, clock_.nowUs()) {}

A2sQuerySocket::~A2sQuerySocket() { stop(); }

bool A2sQuerySocket::start(std::string* error) {
  auto fail = [&](std::string why) {
    OUTPOST_LOG_ERROR("a2s: cannot start: %s", why.c_str());
    if (error) *error = std::move(why);
    closeFd(fd_);
    closeFd(wake_fd_);
    return false;
  };
  if (thread_.joinable() || fd_ >= 0) {
    // Not through fail(): the running socket's descriptors must stay open.
    if (error) *error = "already started";
    OUTPOST_LOG_ERROR("a2s: cannot start: already started");
    return false;
  }
  std::string bad = validateOptions(options_.responder);
  if (!bad.empty()) return fail(bad);
  std::optional<SocketAddress> bind_addr = SocketAddress::parse(options_.bind_address, false);
  if (!bind_addr) return fail("bind_address \"" + options_.bind_address + "\" is not ip:port");

  fd_ = ::socket(bind_addr->family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return fail(std::string("socket: ") + std::strerror(errno));
  if (bind_addr->family() == AF_INET6 && bind_addr->isAny()) {
    int v6only = 0;
    ::setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  }
  if (::bind(fd_, bind_addr->sa(), bind_addr->len()) != 0)
    return fail("bind " + bind_addr->toString() + ": " + std::strerror(errno));
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &len) != 0)
    return fail(std::string("getsockname: ") + std::strerror(errno));
  local_ = SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&local), len);

  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return fail(std::string("eventfd: ") + std::strerror(errno));

  running_.store(true);
  thread_ = std::thread([this] { run(); });
  OUTPOST_LOG_INFO("a2s: listening on %s", local_.toString().c_str());
  return true;
}

void A2sQuerySocket::stop() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
  running_.store(false);
  closeFd(fd_);
  closeFd(wake_fd_);
}

void A2sQuerySocket::run() {
  std::vector<uint8_t> buffer(kReceiveBufferBytes);
  std::vector<A2sResponder::Outgoing> out;
  LogLimiter send_log(5);
  pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (true) {
    fds[0].revents = fds[1].revents = 0;
    int ready = ::poll(fds, 2, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      OUTPOST_LOG_ERROR("a2s: poll failed: %s; receive thread exits", std::strerror(errno));
      break;
    }
    if (fds[1].revents != 0) break;  // stop()
    for (int i = 0; i < kMaxDatagramsPerWake; ++i) {
      sockaddr_storage from_storage{};
      socklen_t from_len = sizeof from_storage;
      ssize_t n = ::recvfrom(fd_, buffer.data(), buffer.size(), MSG_TRUNC,
                             reinterpret_cast<sockaddr*>(&from_storage), &from_len);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
        continue;  // ICMP errors from earlier sends surface here: not fatal
      }
      SocketAddress from =
          SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&from_storage), from_len);
      size_t size = std::min(static_cast<size_t>(n), buffer.size());
      out.clear();
      responder_.handle(from, std::span<const uint8_t>(buffer.data(), size), clock_.nowUs(), out);
      for (const auto& o : out) {
        ssize_t sent = ::sendto(fd_, o.bytes.data(), o.bytes.size(), 0, o.address.sa(),
                                o.address.len());
        if (sent != static_cast<ssize_t>(o.bytes.size())) {
          responder_.countSendFailure();
          if (send_log.allow())
            OUTPOST_LOG_WARN("a2s: reply to %s not sent: %s", o.address.toString().c_str(),
                             sent < 0 ? std::strerror(errno) : "short write");
        }
      }
    }
  }
  running_.store(false);
}

}  // namespace outpost::a2s
