// SocketAddress: an IPv4 or IPv6 UDP endpoint. Parses the reference's address strings
// ("1.2.3.4:27015", "[::1]:27015", "::1" without port, ":27015", "") and formats them back
// with or without the port. IPv4-mapped IPv6 addresses print and compare as IPv4.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace outpost::base {

class SocketAddress {
 public:
  SocketAddress() = default;
  static SocketAddress fromSockaddr(const sockaddr* sa, socklen_t len);
  static SocketAddress ipv4(uint32_t host_order_ip, uint16_t port);
  static SocketAddress ipv6Any(uint16_t port);
  static SocketAddress ipv6Loopback(uint16_t port);

  // Parses "ip:port", "[ipv6]:port", a bare IP (port 0), ":port" (any address) or "" (any
  // address, port 0). `require_port` rejects forms without a non-zero port. nullopt if malformed.
  static std::optional<SocketAddress> parse(std::string_view text, bool require_port);

  bool valid() const { return len_ != 0; }
  bool isV6() const { return storage_.ss_family == AF_INET6 && !isV4Mapped(); }
  int family() const { return storage_.ss_family; }
  uint16_t port() const;
  void setPort(uint16_t port);
  bool isAny() const;
  bool isLoopback() const;

  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t len() const { return len_; }
  // The same address as an AF_INET6 sockaddr (IPv4 becomes ::ffff:a.b.c.d), for dual-stack
  // sockets.
  SocketAddress asV6Mapped() const;
  // Writes the 16-byte IPv6 (or v4-mapped) form of the IP; used for cookies and hashing.
  void ip16(uint8_t out[16]) const;

  std::string toString(bool with_port = true) const;

  bool operator==(const SocketAddress& o) const;
  bool operator!=(const SocketAddress& o) const { return !(*this == o); }
  size_t hash() const;

 private:
  bool isV4Mapped() const;
  sockaddr_storage storage_{};
  socklen_t len_ = 0;
};

struct SocketAddressHash {
  size_t operator()(const SocketAddress& a) const { return a.hash(); }
};

}  // namespace outpost::base
