// Engine, admission caps of a listen socket (docs/spec/transport.md §16.3, OUTPOST_MAX_* in
// config_table.h): incoming connections counted per listen socket and per source (an IPv4
// address or an IPv6 /64), the caps that refuse a new connection, and the eviction of the
// oldest untrusted connections when the listen socket's untrusted slots are full.
#include "transport/engine.h"

#include <algorithm>
#include <cstring>

#include "base/log.h"
#include "transport/engine_internal.h"

namespace outpost::transport {

size_t Engine::SourceKeyHash::operator()(const SourceKey& k) const {
  uint64_t a, b;
  std::memcpy(&a, k.bytes.data(), 8);
  std::memcpy(&b, k.bytes.data() + 8, 8);
  return static_cast<size_t>((a * 0x9E3779B97F4A7C15ull) ^ (b + 0x632BE59BD9B4E019ull + (a << 6) + (a >> 2)));
}

Engine::SourceKey Engine::sourceOf(const base::SocketAddress& a) {
  SourceKey k;
  a.ip16(k.bytes.data());
  // An IPv6 host usually holds a whole /64: count the prefix, not the address.
  if (a.isV6()) std::fill(k.bytes.begin() + 8, k.bytes.end(), 0);
  return k;
}

void Engine::countIncoming(ListenState& ls, const Connection& c, int delta_connections, int delta_untrusted) {
  SourceCount& sc = ls.sources[sourceOf(c.peer())];
  sc.connections = static_cast<uint32_t>(static_cast<int64_t>(sc.connections) + delta_connections);
  sc.untrusted = static_cast<uint32_t>(static_cast<int64_t>(sc.untrusted) + delta_untrusted);
  ls.untrusted = static_cast<size_t>(static_cast<int64_t>(ls.untrusted) + delta_untrusted);
  counters_.untrusted_now = static_cast<uint64_t>(static_cast<int64_t>(counters_.untrusted_now) + delta_untrusted);
  counters_.incoming_now = static_cast<uint64_t>(static_cast<int64_t>(counters_.incoming_now) + delta_connections);
  if (sc.connections == 0) ls.sources.erase(sourceOf(c.peer()));
}

void Engine::evictOldestUntrusted(ListenState& ls, uint32_t listen_handle, int32_t limit, base::TimeUs now) {
  // A flood that fills the listen socket's untrusted slots does not lock everyone else out: the
  // oldest untrusted connection makes room, so holding the slots means connecting again and
  // again (a handshake each), while a peer that shows its credential soon gets in and out.
  static base::LogLimiter evict_log(10);
  while (ls.untrusted >= static_cast<size_t>(limit) && !ls.untrusted_order.empty()) {
    uint32_t id = ls.untrusted_order.front();
    ls.untrusted_order.pop_front();
    Connection* c = byLocalId(id);
    if (!c || !c->counted_untrusted || c->listenSocket() != listen_handle) continue;
    std::string why =
        "evicted: the server is at its limit of connections not trusted yet "
        "(OUTPOST_MAX_UNTRUSTED_CONNECTIONS = " +
        std::to_string(limit) + ")";
    if (evict_log.allow()) OUTPOST_LOG_INFO("connection from %s %s", c->peer().toString().c_str(), why.c_str());
    c->evict(CONNECTION_END_MISC_GENERIC, why, now);
    countIncoming(ls, *c, 0, -1);
    c->counted_untrusted = false;
    counters_.evicted_untrusted++;
  }
}

int Engine::capBrokenBy(ListenState& ls, const base::SocketAddress& from, bool authenticated, std::string* why) {
  ListenLimits limits = resolveListenLimits(&ls.layer);
  SourceCount source;
  if (auto it = ls.sources.find(sourceOf(from)); it != ls.sources.end()) source = it->second;
  struct Cap {
    int id;
    size_t have;
    int32_t max;
    uint64_t* counter;
    const char* what;
  } caps[] = {
      {NETWORKING_CONFIG_OUTPOST_MAX_CONNECTIONS, ls.connections.size(), limits.max_connections,
       &counters_.refused_max_connections, "connections on this listen socket"},
      {NETWORKING_CONFIG_OUTPOST_MAX_CONNECTIONS_PER_SOURCE, source.connections, limits.max_connections_per_source,
       &counters_.refused_max_connections_per_source, "connections from your address"},
      {NETWORKING_CONFIG_OUTPOST_MAX_UNTRUSTED_CONNECTIONS_PER_SOURCE, source.untrusted,
       limits.max_untrusted_connections_per_source, &counters_.refused_max_untrusted_per_source,
       "connections not trusted yet from your address"},
  };
  for (const Cap& cap : caps) {
    if (cap.have < static_cast<size_t>(cap.max)) continue;
    if (authenticated && cap.id == NETWORKING_CONFIG_OUTPOST_MAX_UNTRUSTED_CONNECTIONS_PER_SOURCE) continue;
    ++*cap.counter;
    *why =
        "too many " + std::string(cap.what) + " (" + findConfig(cap.id)->name + " = " + std::to_string(cap.max) + ")";
    return cap.id;
  }
  return 0;
}

}  // namespace outpost::transport
