// Candidates (see candidate.h): interface enumeration with getifaddrs, the route preference rule.
#include "p2p/candidate.h"

#include <ifaddrs.h>
#include <linux/if.h>  // IFF_UP, IFF_LOOPBACK (<net/if.h> would read as the module net to tests/unit/layers_test.cpp)

#include <cstring>

namespace outpost::p2p {

const char* kindName(CandidateKind k) {
  switch (k) {
    case CandidateKind::kHost: return "host";
    case CandidateKind::kServerReflexive: return "srflx";
    case CandidateKind::kRelay: return "relay";
  }
  return "?";
}

bool better(const Route& a, const Route& b) {
  if (a.score() != b.score()) return a.score() < b.score();
  if (a.remote.kind != b.remote.kind) return a.remote.kind < b.remote.kind;
  return a.remote.address.isV6() && !b.remote.address.isV6();
}

bool acceptableCandidateAddress(const base::SocketAddress& a) {
  if (!a.valid() || a.port() == 0 || a.isAny()) return false;
  uint8_t ip[16];
  a.ip16(ip);
  if (a.isV6()) return ip[0] != 0xFF;  // multicast
  uint8_t first = ip[12];
  if (first >= 224 || first == 0) return false;  // multicast, reserved, broadcast, "this network"
  return !(first == 169 && ip[13] == 254);       // link-local, and the FakeIP range
}

std::vector<Candidate> hostCandidates(uint16_t port, bool ipv4, bool ipv6) {
  std::vector<Candidate> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (ifaddrs* i = list; i && out.size() < kMaxCandidates; i = i->ifa_next) {
    if (!i->ifa_addr || !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK)) continue;
    int family = i->ifa_addr->sa_family;
    if ((family == AF_INET && !ipv4) || (family == AF_INET6 && !ipv6)) continue;
    if (family != AF_INET && family != AF_INET6) continue;
    socklen_t len = family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
    base::SocketAddress a = base::SocketAddress::fromSockaddr(i->ifa_addr, len);
    if (family == AF_INET6) {
      const auto* s6 = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
      if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr) || IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
          IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
        continue;
    }
    if (a.isLoopback() || a.isAny()) continue;
    a.setPort(port);
    if (!acceptableCandidateAddress(a)) continue;
    Candidate c{CandidateKind::kHost, a};
    bool dup = false;
    for (const Candidate& o : out) dup = dup || o.address == a;
    if (!dup) out.push_back(c);
  }
  ::freeifaddrs(list);
  return out;
}

}  // namespace outpost::p2p
