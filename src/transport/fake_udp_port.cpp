// FakeUDPPorts: the FakeUDPPort objects of one NetworkingSockets (include/outpost/fake_udp_port.h;
// docs/spec/signaling.md §11), built on its public P2P functions: a server port is a
// createListenSocketP2PFakeIP listen socket whose connections the engine accepts by itself, a
// client port only opens connections; every connection of a port is in the port's poll group, and
// each maps to the remote FakeIP:port its datagrams are attributed to. Thread-safe (one mutex);
// called from any application thread.
#include "transport/fake_udp_port_impl.h"

#include "base/address.h"
#include "base/log.h"
#include "transport/engine.h"

namespace outpost::transport {

namespace {

constexpr size_t kMaxPeersPerPort = 256;
base::LogLimiter g_fake_log(10);

bool isFakeAddress(const base::SocketAddress& a) {
  if (a.isV6()) return false;
  uint8_t ip[16];
  a.ip16(ip);
  return ip[12] == 169 && ip[13] == 254 && a.port() != 0;
}

}  // namespace

class FakeUDPPortImpl final : public FakeUDPPort {
 public:
  FakeUDPPortImpl(FakeUDPPorts& owner, int index) : owner_(owner), index_(index) {}

  int sendMessageToFakeIP(const std::string& remote, std::span<const uint8_t> data, int flags) override {
    auto addr = base::SocketAddress::parse(remote, true);
    if (!addr || !isFakeAddress(*addr) || data.size() > static_cast<size_t>(MAX_STEAM_PACKET_SIZE)) {
      if (g_fake_log.allow())
        OUTPOST_LOG_WARN("sendMessageToFakeIP: \"%s\" is not a FakeIP:port (169.254.0.0/16)", remote.c_str());
      return RESULT_INVALID_PARAM;
    }
    std::string key = addr->toString(true);
    std::lock_guard<std::mutex> l(owner_.mu_);
    uint32_t h = 0;
    auto it = by_address_.find(key);
    if (it != by_address_.end()) {
      h = it->second;
    } else {
      if (by_address_.size() >= kMaxPeersPerPort) return RESULT_LIMIT_EXCEEDED;
      h = owner_.net_.connectByIPAddress(key);
      if (!h) return RESULT_NO_CONNECTION;
      owner_.net_.setConnectionPollGroup(h, group());
      by_address_[key] = h;
      by_connection_[h] = key;
    }
    SendResult r = owner_.net_.sendMessageToConnection(h, data, flags);
    return r.result == RESULT_IGNORED ? RESULT_OK : r.result;  // a dropped unreliable datagram is UDP-like
  }

  std::vector<FakeUDPMessage> receiveMessages(int max_messages) override {
    std::vector<FakeUDPMessage> out;
    if (max_messages <= 0) return out;
    std::lock_guard<std::mutex> l(owner_.mu_);
    for (auto& m : owner_.net_.receiveMessagesOnPollGroup(group(), max_messages)) {
      auto known = by_connection_.find(m.connection);
      std::string from;
      if (known != by_connection_.end()) {
        from = known->second;
      } else {
        // An incoming connection: its sender's global FakeIP, or one of our local range.
        RemoteFakeIPResult r = owner_.net_.getRemoteFakeIPForConnection(m.connection);
        if (r.result != RESULT_OK) continue;
        from = r.ip_address + ":" + std::to_string(r.port);
        if (by_address_.size() < kMaxPeersPerPort && !by_address_.count(from)) {
          by_address_[from] = m.connection;
          by_connection_[m.connection] = from;
        }
      }
      out.push_back({from, std::move(m.payload)});
    }
    return out;
  }

  void scheduleCleanup(const std::string& remote) override {
    auto addr = base::SocketAddress::parse(remote, true);
    if (!addr) return;
    std::lock_guard<std::mutex> l(owner_.mu_);
    auto it = by_address_.find(addr->toString(true));
    if (it == by_address_.end()) return;
    owner_.net_.closeConnection(it->second, 0, "fake UDP port cleanup", true);
    by_connection_.erase(it->second);
    by_address_.erase(it);
  }

  void destroyFakeUDPPort() override { owner_.destroy(this); }

  // Under owner_.mu_.
  bool open() {
    group_ = owner_.net_.createPollGroup();
    if (index_ >= 0) {
      listen_ = owner_.net_.createListenSocketP2PFakeIP(index_);
      if (!listen_) return false;
      owner_.engine_.setAutoAccept(listen_, group_);
    }
    return group_ != 0;
  }
  void close() {
    for (auto& [h, a] : by_connection_) owner_.net_.closeConnection(h, 0, "fake UDP port destroyed", false);
    by_connection_.clear();
    by_address_.clear();
    if (listen_) owner_.net_.closeListenSocket(listen_);
    if (group_) owner_.net_.destroyPollGroup(group_);
    listen_ = group_ = 0;
  }
  int index() const { return index_; }

 private:
  uint32_t group() const { return group_; }
  FakeUDPPorts& owner_;
  int index_;
  uint32_t listen_ = 0, group_ = 0;
  std::map<std::string, uint32_t> by_address_;
  std::map<uint32_t, std::string> by_connection_;
};

FakeUDPPorts::~FakeUDPPorts() {
  std::lock_guard<std::mutex> l(mu_);
  for (auto& p : ports_) static_cast<FakeUDPPortImpl*>(p.get())->close();
  ports_.clear();
}

FakeUDPPort* FakeUDPPorts::create(int index) {
  if (index < -1 || index > 7) {
    OUTPOST_LOG_WARN("createFakeUDPPort: %d is not a fake port index (0-7) or -1 (a client port)", index);
    return nullptr;
  }
  std::lock_guard<std::mutex> l(mu_);
  if (index >= 0)
    for (auto& p : ports_)
      if (static_cast<FakeUDPPortImpl*>(p.get())->index() == index) return p.get();
  auto port = std::make_unique<FakeUDPPortImpl>(*this, index);
  if (!port->open()) {
    port->close();
    return nullptr;
  }
  ports_.push_back(std::move(port));
  return ports_.back().get();
}

void FakeUDPPorts::destroy(FakeUDPPort* p) {
  std::unique_ptr<FakeUDPPort> doomed;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto it = ports_.begin(); it != ports_.end(); ++it) {
      if (it->get() != p) continue;
      static_cast<FakeUDPPortImpl*>(p)->close();
      doomed = std::move(*it);
      ports_.erase(it);
      break;
    }
  }
}

}  // namespace outpost::transport
