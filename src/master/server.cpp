// MasterServer (see server.h): the UDP socket and the receive thread of the master query
// responder. The thread is the only one touching the socket: it blocks in poll() on the socket
// and an eventfd (stop() writes the eventfd), drains the socket with recvfrom(), hands each
// datagram to MasterResponder and sends the reply with sendto() from the same socket. The
// protocol logic is in responder.cpp and the files it names.
#include "master/server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "base/log.h"

namespace outpost::master {

namespace {

// Larger than any request we accept, so that an oversized datagram is seen as such (MSG_TRUNC
// reports its real length) rather than silently cut to a valid-looking prefix.
constexpr size_t kReceiveBufferBytes = 2048;
// Datagrams handled per wake-up before poll() runs again (so stop() is noticed under load).
constexpr int kMaxDatagramsPerWake = 256;

void closeFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

MasterServer::MasterServer(MasterServerOptions options)
    : options_(std::move(options)),
      clock_(options_.clock ? *options_.clock : SystemClock::instance()),
      responder_(options_.limits, clock_.nowUs()) {}

MasterServer::~MasterServer() { stop(); }

bool MasterServer::start(std::string* error) {
  auto fail = [&](std::string why) {
    OUTPOST_LOG_ERROR("master: cannot start: %s", why.c_str());
    if (error) *error = std::move(why);
    closeFd(fd_);
    closeFd(wake_fd_);
    return false;
  };
  if (thread_.joinable() || fd_ >= 0) {
    // Not through fail(): that would close the running server's descriptors.
    OUTPOST_LOG_ERROR("master: cannot start: already started");
    if (error) *error = "already started";
    return false;
  }
  std::string bad = validateRateLimits(options_.limits);
  if (!bad.empty()) return fail(bad);
  std::optional<SocketAddress> bind_addr = SocketAddress::parse(options_.bind_address, false);
  if (!bind_addr) return fail("bind_address \"" + options_.bind_address + "\" is not ip:port");

  fd_ = ::socket(bind_addr->family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return fail(std::string("socket: ") + std::strerror(errno));
  if (bind_addr->family() == AF_INET6 && bind_addr->isAny()) {
    int v6only = 0;  // an IPv6 any-address serves IPv4 clients too
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
  OUTPOST_LOG_INFO("master: listening on %s", local_.toString().c_str());
  return true;
}

void MasterServer::stop() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    // The eventfd counter cannot overflow from one write; a failure would mean a bad fd, which
    // start() rules out.
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
  running_.store(false);
  closeFd(fd_);
  closeFd(wake_fd_);
}

void MasterServer::run() {
  std::vector<uint8_t> buffer(kReceiveBufferBytes);
  std::vector<uint8_t> reply;
  reply.reserve(kMaxReplyBytes);
  LogLimiter send_log(5);
  pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (true) {
    fds[0].revents = fds[1].revents = 0;
    int ready = ::poll(fds, 2, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      OUTPOST_LOG_ERROR("master: poll failed: %s; receive thread exits", std::strerror(errno));
      break;
    }
    if (fds[1].revents != 0) break;  // stop()
    for (int i = 0; i < kMaxDatagramsPerWake; ++i) {
      sockaddr_storage from_storage{};
      socklen_t from_len = sizeof from_storage;
      // MSG_TRUNC: the return value is the datagram's real length even when it was cut.
      ssize_t n = ::recvfrom(fd_, buffer.data(), buffer.size(), MSG_TRUNC,
                             reinterpret_cast<sockaddr*>(&from_storage), &from_len);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
        // ICMP errors surface here on Linux (ECONNREFUSED from an earlier send): not fatal.
        continue;
      }
      SocketAddress from =
          SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&from_storage), from_len);
      // A truncated datagram is passed at full buffer size, which is over the request limit,
      // so the responder counts it as too long.
      size_t size = static_cast<size_t>(n) < buffer.size() ? static_cast<size_t>(n) : buffer.size();
      if (!responder_.handle(std::span<const uint8_t>(buffer.data(), size), from, clock_.nowUs(),
                             reply))
        continue;
      ssize_t sent = ::sendto(fd_, reply.data(), reply.size(), 0, from.sa(), from.len());
      if (sent != static_cast<ssize_t>(reply.size())) {
        responder_.countSendFailure(reply.size());
        if (send_log.allow())
          OUTPOST_LOG_WARN("master: reply to %s not sent: %s", from.toString().c_str(),
                           sent < 0 ? std::strerror(errno) : "short write");
      }
    }
  }
  running_.store(false);
}

}  // namespace outpost::master
