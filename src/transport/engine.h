// Engine: everything behind one outpost::NetworkingSockets instance — sockets and epoll, the
// handle tables (listen sockets, connections, poll groups), datagram demultiplexing, the
// server side of the stateless-cookie handshake, the timer heap, the fake network, queued
// status callbacks and the service thread. All state is guarded by one mutex; the service
// thread (or the caller of poll() in manual mode) releases it while blocked in epoll.
// The implementation is split by mechanism into engine*.cpp, one file each (map in engine.cpp).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/adaptive_mutex.h"
#include "base/address.h"
#include "base/clock.h"
#include "crypto/crypto.h"
#include "net/udp_socket.h"
#include "outpost/networking_sockets.h"
#include "transport/authentication.h"
#include "transport/config_table.h"
#include "transport/connection.h"
#include "transport/cookie.h"
#include "transport/fake_network.h"
#include "transport/ring_buffer.h"
#include "transport/signaling_link.h"
#include "transport/wire.h"

namespace outpost::transport {

// Counters for operators and tests: datagrams dropped by reason, and totals.
struct TransportCounters {
  uint64_t dropped[static_cast<size_t>(wire::DropReason::kCount)] = {};
  uint64_t datagrams_received = 0;
  uint64_t datagrams_sent = 0;
  uint64_t challenges_sent = 0;
  uint64_t version_replies_sent = 0;
  uint64_t connections_created = 0;
  uint64_t send_failures = 0;
  uint64_t fake_dropped = 0, fake_duplicated = 0, fake_reordered = 0;
  std::map<std::string, uint64_t> p2p;  // "stun.*" and "p2p.*" (engine_p2p.cpp)
  // Connects refused (with a signed rejection, CONNECTION_END_MISC_GENERIC) by a listen socket's
  // caps (OUTPOST_MAX_* in config_table.h), one counter per cap; the untrusted cap of the listen
  // socket as a whole evicts instead (evicted_untrusted).
  uint64_t refused_max_connections = 0, refused_max_connections_per_source = 0;
  uint64_t refused_max_untrusted_per_source = 0;
  uint64_t promoted = 0;           // connections trusted (trustConnection or a verified credential)
  uint64_t evicted_untrusted = 0;  // untrusted connections ended to make room for newer ones
  uint64_t untrusted_now = 0;      // incoming connections not trusted yet, over all listen sockets
  uint64_t incoming_now = 0;       // incoming connections, over all listen sockets
  uint64_t malloc_trims = 0;       // heap trims after many connections were freed
  // Certificates (docs/spec/cert.md): refused by reason (index 0 = none presented where one was
  // required), peers authenticated, connections closed by a revocation.
  uint64_t cert_refused[static_cast<size_t>(cert::CertError::kCount)] = {};
  uint64_t peers_authenticated = 0;
  uint64_t closed_revoked = 0;
  uint64_t cert_signature_checks = 0, cert_cache_hits = 0, cert_revocations = 0, cert_revocations_evicted = 0;
  uint64_t dropped_total() const {
    uint64_t n = 0;
    for (uint64_t d : dropped) n += d;
    return n;
  }
};

class Engine final : public ConnectionHost {
 public:
  Engine(NetworkingSocketsOptions options, const base::Clock& clock);
  ~Engine() override;

  // ---- Public API (same contracts as NetworkingSockets) -----------------------------------
  uint32_t createListenSocketIP(const std::string& address, const ConfigOptions& options);
  uint32_t connectByIPAddress(const std::string& address, const ConfigOptions& options);
  int acceptConnection(uint32_t h);
  bool closeConnection(uint32_t h, int reason, const std::string& debug, bool linger);
  bool closeListenSocket(uint32_t h);
  std::string getListenSocketAddress(uint32_t h, bool with_port);
  SendResult sendMessageToConnection(uint32_t h, std::span<const uint8_t> data, int flags, uint16_t lane);
  std::vector<SendResult> sendMessages(std::span<const OutgoingMessage> messages);
  int flushMessagesOnConnection(uint32_t h);
  int configureConnectionLanes(uint32_t h, int lanes, std::span<const int> priorities, std::span<const int> weights);
  int receiveOnConnection(uint32_t h, int max, std::vector<NetworkingMessage>* owned, MessageBatch* batch);
  int receiveOnPollGroup(uint32_t g, int max, std::vector<NetworkingMessage>* owned, MessageBatch* batch);
  uint32_t createPollGroup();
  bool destroyPollGroup(uint32_t g);
  bool setConnectionPollGroup(uint32_t h, uint32_t g);
  std::optional<ConnectionInfo> getConnectionInfo(uint32_t h);
  RealTimeStatusResult getConnectionRealTimeStatus(uint32_t h, int lanes, bool get_status);
  DetailedStatusResult getDetailedConnectionStatus(uint32_t h);
  std::string getConnectionName(uint32_t h);
  void setConnectionName(uint32_t h, const std::string& name);
  int64_t getConnectionUserData(uint32_t h);
  SocketPairResult createSocketPair(bool loopback, uint64_t id1, uint64_t id2);
  std::string getIdentity();
  void resetIdentity(uint64_t steam_id);
  bool trustConnection(uint32_t h);
  std::string identityPublicKeyHex();
  void runCallbacks();
  void setStatusHandler(NetworkingSockets::StatusChangedHandler h);
  // ---- P2P, STUN, FakeIP (engine_p2p.cpp; docs/spec/signaling.md) --------------------------
  uint32_t createListenSocketP2P(int port, const ConfigOptions& options, bool fake_ip);
  uint32_t connectP2P(uint64_t steam_id, int virtual_port, const ConfigOptions& options);
  bool beginAsyncRequestFakeIP(int num_ports);
  FakeIPInfo getFakeIP(int first_port);
  RemoteFakeIPResult getRemoteFakeIPForConnection(uint32_t h);
  std::shared_ptr<SignalingLink> signalingLink();
  void setFakeIPHandler(NetworkingSockets::FakeIPResultHandler h);
  // Fake UDP ports: the engine accepts this listen socket's connections itself, into `poll_group`.
  void setAutoAccept(uint32_t listen_handle, uint32_t poll_group);
  void setAuthenticationHandler(NetworkingSockets::AuthenticationStatusHandler h);
  int initAuthentication();
  int getAuthenticationStatus();
  CertificateRequest getCertificateRequest();
  SetCertificateResult setCertificate(std::span<const uint8_t> certificate);
  std::shared_ptr<CertificateLink> certificateLink();
  bool setConnectionConfig(uint32_t h, int config, const ConfigValue& v);
  ConfigValueResult getConfigValue(int config, int scope, uint32_t obj);
  bool poll(int timeout_ms);
  bool waitForActivity(int timeout_ms);
  TransportCounters counters();

  // Where a connection comes from, for the per-source caps: an IPv4 address, or the /64 of an
  // IPv6 address (one host or site usually holds a whole /64).
  struct SourceKey {
    std::array<uint8_t, 16> bytes{};
    bool operator==(const SourceKey& o) const { return bytes == o.bytes; }
  };
  struct SourceKeyHash {
    size_t operator()(const SourceKey& k) const;
  };
  static SourceKey sourceOf(const base::SocketAddress& a);

  // ---- ConnectionHost -------------------------------------------------------------------
  uint8_t* datagramBuffer(const net::UdpSocket& socket) override;
  void commitDatagram(const net::UdpSocket& socket, const base::SocketAddress& to, size_t len) override;
  void onStateChanged(Connection& c, int32_t old_state) override;
  void onMessageQueued(Connection& c, uint64_t sequence) override;
  uint64_t nextMessageSequence() override { return ++message_sequence_; }
  void onTimerChanged(Connection& c) override;
  void onNeedsFlush(Connection& c) override;
  void onFinished(Connection& c) override;
  void countDrop(wire::DropReason reason) override;
  void onWritable(Connection& c) override;
  void onPromoted(Connection& c) override;
  Authentication& authentication() override { return auth_; }
  void countCertificateRefusal(cert::CertError why) override;
  void onPeerAuthenticated(Connection& c, base::TimeUs now) override;

 private:
  struct SocketEntry {
    std::unique_ptr<net::UdpSocket> socket;
    uint32_t listen_handle = 0;  // non-zero: accepts handshakes for this listen socket
    bool p2p = false;            // the P2P socket: handshakes only from announced peers (signaling.md §8)
    int users = 0;               // connections of a socket pair still using it
    bool shared_client = false;
  };
  struct SourceCount {
    uint32_t connections = 0;
    uint32_t untrusted = 0;
  };
  struct ListenState {
    uint64_t socket_id = 0;
    bool p2p = false;                // a P2P listen socket: socket_id is the shared P2P socket
    uint32_t auto_accept_group = 0;  // non-zero: accepted by the engine into this poll group
    ConfigLayer layer;
    std::unordered_set<uint32_t> connections;  // local ids
    size_t untrusted = 0;
    std::unordered_map<SourceKey, SourceCount, SourceKeyHash> sources;
    std::deque<uint32_t> untrusted_order;  // local ids, oldest first (stale entries skipped)
  };
  // Makes room under OUTPOST_MAX_UNTRUSTED_CONNECTIONS by evicting the oldest untrusted
  // connections of the listen socket.
  void evictOldestUntrusted(ListenState& ls, uint32_t listen_handle, int32_t limit, base::TimeUs now);
  // The cap that refuses a new connection from `from` (its config id), or 0. The listen
  // socket's untrusted cap does not refuse: it evicts (evictOldestUntrusted).
  int capBrokenBy(ListenState& ls, const base::SocketAddress& from, bool authenticated, std::string* why);
  void countIncoming(ListenState& ls, const Connection& c, int delta_connections, int delta_untrusted);
  struct PollGroup {
    RingBuffer<std::pair<uint32_t, uint64_t>> order;  // (connection handle, message sequence)
  };
  struct TimerEntry {
    base::TimeUs at;
    uint32_t local_id;
    bool operator>(const TimerEntry& o) const { return at > o.at; }
  };
  struct PendingKey {
    base::SocketAddress addr;
    uint32_t client_id;
    bool operator==(const PendingKey& o) const { return client_id == o.client_id && addr == o.addr; }
  };
  struct PendingKeyHash {
    size_t operator()(const PendingKey& k) const { return k.addr.hash() * 31 + k.client_id; }
  };

  using Lock = std::unique_lock<base::AdaptiveMutex>;

  base::TimeUs now() const { return clock_.nowUs(); }
  Connection* byHandle(uint32_t h);
  Connection* byLocalId(uint32_t id);
  uint32_t allocateHandle();
  uint32_t allocateLocalId();
  Connection* newConnection(Connection::Role role, const ConnectionConfig& config, bool with_handle);
  void destroyConnection(uint32_t local_id);
  uint64_t registerSocket(std::unique_ptr<net::UdpSocket> s, uint32_t listen_handle);
  void unregisterSocket(uint64_t id);
  net::UdpSocket* clientSocketFor(const base::SocketAddress& to);
  bool buildLayer(const ConfigOptions& options, ConfigLayer& out, const char* what, bool for_listen_socket);

  void handleDatagram(uint64_t socket_id, const base::SocketAddress& from, const uint8_t* data, size_t len,
                      base::TimeUs now, bool from_fake_queue);
  void handleHello(SocketEntry& e, const base::SocketAddress& from, std::span<const uint8_t> in, base::TimeUs now);
  void handleConnect(SocketEntry& e, const base::SocketAddress& from, std::span<const uint8_t> in, base::TimeUs now);

  // One round of work: read sockets that are ready, release fake-network datagrams, run due
  // timers, send acks and data, flush. Caller holds the lock.
  void processIo(const int* ready_fds_unused, base::TimeUs now);
  void readSocket(uint64_t socket_id, base::TimeUs now);
  void runTimers(base::TimeUs now);
  void releaseFakeNetwork(base::TimeUs now);
  void flushDirty(base::TimeUs now);
  void finishApiCall(base::TimeUs now);
  void reapFinished();
  // Forgets recently closed handshakes whose 10 s are over (oldest first).
  void sweepRecentlyClosed(base::TimeUs now);
  // Gives freed heap pages back to the system after many connections were freed.
  void trimHeapIfMuchFreed(base::TimeUs now);
  void notifyActivity();
  base::TimeUs nextDeadline();
  // Waits in epoll (lock released) for at most max_wait_us or until the next deadline, then
  // processes what is ready. Only one thread polls at a time (in_poll_).
  void pollOnce(Lock& lock, base::TimeUs max_wait_us);
  void serviceLoop();
  void wakeService();
  void pushTimer(Connection& c);
  // P2P and STUN (engine_p2p.cpp). handleP2PDatagram takes STUN and probe datagrams (true when it
  // consumed one); p2pListenFor names the P2P listen socket an announced peer may handshake with.
  bool handleP2PDatagram(SocketEntry& e, const base::SocketAddress& from, std::span<const uint8_t> in,
                         base::TimeUs now);
  uint32_t p2pListenFor(const base::SocketAddress& from, uint32_t client_id);
  uint64_t p2pPeerFor(const base::SocketAddress& from, uint32_t client_id);  // the Steam ID the hub announced
  void onP2PServerConnection(Connection& c, const base::SocketAddress& from, uint32_t client_id);
  void p2pConnectionGone(Connection& c);
  void p2pListenClosed(uint32_t listen_handle);
  uint32_t connectFakeIP(const base::SocketAddress& fake, const ConfigOptions& options);
  void serviceP2P(base::TimeUs now);
  base::TimeUs p2pNextWake() const;
  struct P2PState;
  P2PState& p2p();
  std::unique_ptr<P2PState> p2p_;
  std::vector<FakeIPResultEvent> fake_ip_callbacks_;
  NetworkingSockets::FakeIPResultHandler fake_ip_handler_;
  // Certificates: the hub session's mail, renewals and expiry (authentication.h); status events,
  // revocations of connected peers, and handshakes waiting for this side's certificate.
  void serviceAuthentication(base::TimeUs now);
  void applyAuthentication(Authentication::Changes ch, base::TimeUs now);
  void queueAuthenticationEvents();

  NetworkingSocketsOptions options_;
  const base::Clock& clock_;
  mutable base::AdaptiveMutex mu_;
  std::condition_variable_any activity_cv_;
  int waiters_ = 0;
  uint64_t activity_seq_ = 0;
  uint64_t notified_seq_ = 0;

  crypto::IdentityKeyPair identity_;
  Authentication auth_;  // this instance's certificate, trusted CA keys, revocations
  // Connections whose peer was revoked, closed at `at` unless the application closed them first
  // (it may hear of the same ban through its own channel and close with its own reason).
  struct RevokedPeer {
    uint32_t local_id;
    base::TimeUs at;
  };
  std::vector<RevokedPeer> revoked_peers_;
  CookieJar cookies_;

  int epoll_fd_ = -1;
  int event_fd_ = -1;
  uint64_t next_socket_id_ = 1;
  std::unordered_map<uint64_t, SocketEntry> sockets_;
  uint64_t client_socket_id_ = 0;

  uint32_t next_handle_ = 1;
  std::unordered_map<uint32_t, std::unique_ptr<Connection>> connections_;  // by local id
  std::unordered_map<uint32_t, uint32_t> handles_;                         // handle -> local id
  std::unordered_map<uint32_t, ListenState> listen_sockets_;
  std::unordered_map<uint32_t, PollGroup> poll_groups_;
  std::unordered_map<PendingKey, uint32_t, PendingKeyHash> server_by_client_;
  // Server handshakes that ended recently: replays are dropped, and a refused client that
  // missed its rejection gets it again (a few times).
  struct ClosedHandshake {
    base::TimeUs expires = 0;
    std::vector<uint8_t> rejection;
    int resends = 0;
  };
  std::unordered_map<PendingKey, ClosedHandshake, PendingKeyHash> recently_closed_;
  std::deque<std::pair<base::TimeUs, PendingKey>> recently_closed_order_;  // by expiry
  size_t freed_since_trim_ = 0;
  // The most connections / closed-handshake records held since the last trim: a trim is worth it
  // once one of them has halved (steady churn does not trim every second).
  size_t peak_connections_ = 0, peak_recently_closed_ = 0;
  base::TimeUs last_trim_ = 0;
  std::vector<uint32_t> finished_;
  std::vector<uint32_t> dirty_;
  std::vector<uint32_t> dirty_scratch_;
  std::vector<TimerEntry> timer_scratch_;
  std::vector<Connection*> touched_scratch_;
  std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<TimerEntry>> timers_;

  std::vector<NetworkConnectionStatusChanged> callbacks_;
  std::vector<NetworkAuthenticationStatus> auth_callbacks_;
  NetworkingSockets::StatusChangedHandler status_handler_;
  NetworkingSockets::AuthenticationStatusHandler auth_handler_;
  std::mutex handler_mu_;
  uint64_t message_sequence_ = 0;
  uint64_t queued_messages_ = 0;
  bool writable_pending_ = false;  // a blocked sender may retry (wakes waitForActivity once)

  FakeNetwork fake_;
  std::unique_ptr<net::RxBatch> rx_;
  std::unique_ptr<net::TxBatch> tx_;
  TransportCounters counters_;

  std::thread service_;
  bool stop_ = false;
  bool sleeping_ = false;
  base::TimeUs planned_wake_ = base::kNever;
  bool in_poll_ = false;
  // Application threads blocked in waitForActivity/poll do the I/O themselves (no hand-off to
  // the service thread, which parks meanwhile and for a short grace period after).
  int app_polling_ = 0;
  int app_wants_poll_ = 0;
  base::TimeUs last_app_poll_ = 0;
  std::condition_variable_any service_cv_;
};

// The handle tables' lookups (the rest of the tables: engine_handles.cpp), inline because every
// datagram and every API call goes through them.
inline Connection* Engine::byHandle(uint32_t h) {
  if (h == 0) return nullptr;
  auto it = handles_.find(h);
  if (it == handles_.end()) return nullptr;
  return byLocalId(it->second);
}

inline Connection* Engine::byLocalId(uint32_t id) {
  auto it = connections_.find(id);
  return it == connections_.end() ? nullptr : it->second.get();
}

}  // namespace outpost::transport
