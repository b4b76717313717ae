// SocketAddress parsing, formatting and comparison (see address.h).
#include "base/address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace outpost::base {

namespace {

const uint8_t kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::optional<uint16_t> parsePort(std::string_view s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

}  // namespace

SocketAddress SocketAddress::fromSockaddr(const sockaddr* sa, socklen_t len) {
  SocketAddress a;
  if (sa->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    std::memcpy(&a.storage_, sa, sizeof(sockaddr_in));
    a.len_ = sizeof(sockaddr_in);
  } else if (sa->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    std::memcpy(&a.storage_, sa, sizeof(sockaddr_in6));
    a.len_ = sizeof(sockaddr_in6);
  }
  return a;
}

SocketAddress SocketAddress::ipv4(uint32_t ip, uint16_t port) {
  SocketAddress a;
  auto* in = reinterpret_cast<sockaddr_in*>(&a.storage_);
  in->sin_family = AF_INET;
  in->sin_addr.s_addr = htonl(ip);
  in->sin_port = htons(port);
  a.len_ = sizeof(sockaddr_in);
  return a;
}

SocketAddress SocketAddress::ipv6Any(uint16_t port) {
  SocketAddress a;
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
  in6->sin6_family = AF_INET6;
  in6->sin6_addr = in6addr_any;
  in6->sin6_port = htons(port);
  a.len_ = sizeof(sockaddr_in6);
  return a;
}

SocketAddress SocketAddress::ipv6Loopback(uint16_t port) {
  SocketAddress a = ipv6Any(port);
  reinterpret_cast<sockaddr_in6*>(&a.storage_)->sin6_addr = in6addr_loopback;
  return a;
}

std::optional<SocketAddress> SocketAddress::parse(std::string_view text, bool require_port) {
  std::string_view host = text;
  std::optional<uint16_t> port = 0;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = parsePort(rest.substr(1));
    }
    if (host.empty()) return std::nullopt;
  } else {
    auto colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
      host = text.substr(0, colon);
      port = parsePort(text.substr(colon + 1));
    }
    // Several colons and no brackets: a bare IPv6 address without port.
  }
  if (!port) return std::nullopt;
  if (require_port && *port == 0) return std::nullopt;
  if (host.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  if (host.empty()) return ipv6Any(*port);

  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, host.data(), host.size());
  buf[host.size()] = 0;
  in_addr v4{};
  if (inet_pton(AF_INET, buf, &v4) == 1) return ipv4(ntohl(v4.s_addr), *port);
  in6_addr v6{};
  if (inet_pton(AF_INET6, buf, &v6) == 1) {
    SocketAddress a = ipv6Any(*port);
    reinterpret_cast<sockaddr_in6*>(&a.storage_)->sin6_addr = v6;
    return a;
  }
  return std::nullopt;
}

bool SocketAddress::isV4Mapped() const {
  if (storage_.ss_family != AF_INET6) return false;
  auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
  return std::memcmp(in6->sin6_addr.s6_addr, kV4MappedPrefix, 12) == 0;
}

uint16_t SocketAddress::port() const {
  if (storage_.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (storage_.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

void SocketAddress::setPort(uint16_t port) {
  if (storage_.ss_family == AF_INET) reinterpret_cast<sockaddr_in*>(&storage_)->sin_port = htons(port);
  else if (storage_.ss_family == AF_INET6) reinterpret_cast<sockaddr_in6*>(&storage_)->sin6_port = htons(port);
}

bool SocketAddress::isAny() const {
  uint8_t ip[16];
  ip16(ip);
  static const uint8_t zero[16] = {};
  if (storage_.ss_family == AF_INET) return std::memcmp(ip + 12, zero, 4) == 0;
  return std::memcmp(ip, zero, 16) == 0;
}

bool SocketAddress::isLoopback() const {
  uint8_t ip[16];
  ip16(ip);
  if (storage_.ss_family == AF_INET || isV4Mapped()) return ip[12] == 127;
  return std::memcmp(ip, in6addr_loopback.s6_addr, 16) == 0;
}

void SocketAddress::ip16(uint8_t out[16]) const {
  if (storage_.ss_family == AF_INET) {
    std::memcpy(out, kV4MappedPrefix, 12);
    std::memcpy(out + 12, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, 4);
  } else if (storage_.ss_family == AF_INET6) {
    std::memcpy(out, reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr.s6_addr, 16);
  } else {
    std::memset(out, 0, 16);
  }
}

SocketAddress SocketAddress::asV6Mapped() const {
  if (storage_.ss_family != AF_INET) return *this;
  SocketAddress a = ipv6Any(port());
  ip16(reinterpret_cast<sockaddr_in6*>(&a.storage_)->sin6_addr.s6_addr);
  return a;
}

std::string SocketAddress::toString(bool with_port) const {
  char buf[INET6_ADDRSTRLEN] = {};
  bool v6 = false;
  if (storage_.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, buf, sizeof buf);
  } else if (storage_.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
    if (isV4Mapped()) {
      inet_ntop(AF_INET, in6->sin6_addr.s6_addr + 12, buf, sizeof buf);
    } else {
      inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
      v6 = true;
    }
  } else {
    return "";
  }
  if (!with_port) return buf;
  std::string out = v6 ? "[" + std::string(buf) + "]" : std::string(buf);
  return out + ":" + std::to_string(port());
}

bool SocketAddress::operator==(const SocketAddress& o) const {
  if (!valid() || !o.valid()) return valid() == o.valid();
  uint8_t a[16], b[16];
  ip16(a);
  o.ip16(b);
  return port() == o.port() && std::memcmp(a, b, 16) == 0;
}

size_t SocketAddress::hash() const {
  uint8_t ip[16];
  ip16(ip);
  uint64_t h = 1469598103934665603ull;
  for (uint8_t b : ip) h = (h ^ b) * 1099511628211ull;
  h = (h ^ port()) * 1099511628211ull;
  return static_cast<size_t>(h);
}

}  // namespace outpost::base
