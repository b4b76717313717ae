// UdpService: one bound UDP socket served by one thread — the shared machinery of the query
// ports (the master on 27011, A2S on the game's query port). The thread blocks in poll() on the
// socket and an eventfd (written by stop()), drains up to 256 datagrams per wake-up with
// recvmmsg() and hands each to the owner's handler, which answers with sendTo() from the same
// thread. Protocol logic stays with the owner.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <thread>

#include "base/address.h"
#include "base/log.h"

namespace outpost::net {

class UdpService {
 public:
  // Called on the service thread for each datagram. A datagram longer than the 2048-byte
  // receive buffer arrives cut to 2048 bytes (over every request limit we accept), so the
  // handler sees it as too long rather than as a valid-looking prefix.
  using Handler = std::function<void(const base::SocketAddress& from, std::span<const uint8_t> datagram)>;

  // `name` prefixes log lines ("master", "a2s").
  explicit UdpService(std::string name);
  ~UdpService();  // stop()
  UdpService(const UdpService&) = delete;
  UdpService& operator=(const UdpService&) = delete;

  // Binds `bind_address` ("ip:port", port 0 = any; an IPv6 any-address serves IPv4 too) and
  // starts the thread. false with a logged reason (also in *error) on a bad address, a failed
  // bind, or a second start.
  [[nodiscard]] bool start(const std::string& bind_address, Handler handler, std::string* error);
  // Stops the thread and closes the socket. Idempotent.
  void stop();

  // Sends from the socket; for the handler's replies. false (logged, at most 5 lines a second)
  // when the datagram did not go out whole.
  bool sendTo(const base::SocketAddress& to, std::span<const uint8_t> bytes);

  bool running() const { return running_.load(); }
  base::SocketAddress localAddress() const { return local_; }

 private:
  void run();

  std::string name_;
  Handler handler_;
  int fd_ = -1;
  int wake_fd_ = -1;
  base::SocketAddress local_;
  std::thread thread_;
  std::atomic<bool> running_{false};
  base::LogLimiter send_log_{5};
};

}  // namespace outpost::net
