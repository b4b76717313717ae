// Connection: one end of an Outpost transport connection — handshake state, keys, the
// reliability layer (packet numbers, acks, loss detection, retransmission of stream ranges),
// lanes with priorities and weights, Nagle, flow control, the rate controller, keepalive,
// timeouts and graceful close. It builds and parses data packets; the Engine owns sockets,
// handles, timers and callbacks and talks to it through ConnectionHost.
// Runs under the engine lock, on the service thread or on an API caller's thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/address.h"
#include "base/clock.h"
#include "cert/cert.h"
#include "crypto/crypto.h"
#include "outpost/networking_sockets.h"
#include "transport/ack_tracker.h"
#include "transport/config_table.h"
#include "transport/frames.h"
#include "transport/message_queue.h"
#include "transport/rate_control.h"
#include "transport/recv_stream.h"
#include "transport/ring_buffer.h"
#include "transport/send_stream.h"
#include "transport/sent_packets.h"
#include "transport/sparse_bytes.h"
#include "transport/wire.h"

namespace outpost::net {
class UdpSocket;  // net/udp_socket.h
}  // namespace outpost::net

namespace outpost::transport {

class Authentication;
class Connection;

// What a connection needs from its engine.
class ConnectionHost {
 public:
  virtual ~ConnectionHost() = default;
  // A buffer for the next datagram; commitDatagram sends (or batches) it.
  virtual uint8_t* datagramBuffer(const net::UdpSocket& socket) = 0;
  virtual void commitDatagram(const net::UdpSocket& socket, const base::SocketAddress& to, size_t len) = 0;
  virtual void onStateChanged(Connection& c, int32_t old_state) = 0;
  virtual void onMessageQueued(Connection& c, uint64_t sequence) = 0;
  virtual uint64_t nextMessageSequence() = 0;
  virtual void onTimerChanged(Connection& c) = 0;
  virtual void onNeedsFlush(Connection& c) = 0;
  virtual void onFinished(Connection& c) = 0;  // closed and settled: the engine may free it
  virtual void onWritable(Connection& c) = 0;  // a send that hit the buffer limit may retry
  virtual void onPromoted(Connection& c) = 0;  // the peer is trusted now (Connection::promote)
  virtual void countDrop(wire::DropReason reason) = 0;
  // Certificates (connection_auth.cpp): this instance's identity state, a refused peer
  // certificate (counted by reason), and a peer that proved its identity.
  virtual Authentication& authentication() = 0;
  virtual void countCertificateRefusal(cert::CertError why) = 0;
  virtual void onPeerAuthenticated(Connection& c, base::TimeUs now) = 0;
};

struct ConnectionStats {
  uint64_t packets_sent = 0, packets_received = 0, bytes_sent = 0, bytes_received = 0;
  uint64_t packets_lost = 0, packets_retransmitted_bytes = 0, probe_timeouts = 0;
  uint64_t dropped_decrypt = 0, dropped_duplicate = 0, dropped_window = 0;
  uint64_t messages_sent = 0, messages_received = 0;
  uint64_t unreliable_dropped = 0;
  uint64_t over_budget = 0;  // authentic packets dropped unacknowledged: no room to hold them
};

class Connection final : private frames::FrameVisitor {
 public:
  enum class Role : uint8_t { kClient, kServer, kPipe };

  struct Identity {
    crypto::IdentityKeyPair* key = nullptr;  // this instance's identity (owned by the engine)
    uint64_t steam_id = 0;                   // claimed in handshakes
  };

  Connection(ConnectionHost& host, Role role, uint32_t handle, uint32_t local_id, const ConnectionConfig& config,
             base::TimeUs now);
  ~Connection() override;

  // ---- Set-up ----------------------------------------------------------------------------
  // Client: start the handshake towards `peer` over `socket`.
  void startClient(const net::UdpSocket* socket, const base::SocketAddress& peer, Identity identity, base::TimeUs now);
  // P2P initiator (docs/spec/signaling.md §1): CONNECTING without a route yet; nothing is sent
  // until startClient() is given the chosen route. setFindingRoute(true) shows FINDING_ROUTE to
  // the application while checks and the handshake run. failP2P ends the attempt locally.
  void beginP2P(base::TimeUs now);
  // P2P initiator: the listener's probe response carried a cookie for this connection, so the
  // handshake starts with the Connect (one peer round trip saved; signaling.md §8).
  void startClientWithCookie(const net::UdpSocket* socket, const base::SocketAddress& peer, Identity identity,
                             const wire::Cookie& cookie, base::TimeUs now);
  void setFindingRoute(bool on, base::TimeUs now);
  void failP2P(int32_t end_reason, const std::string& debug, base::TimeUs now) { problem(end_reason, debug, now); }
  bool awaitingRoute() const { return role_ == Role::kClient && state_ == CONNECTION_STATE_CONNECTING && !socket_; }
  // Server: created from a verified Connect. Returns false (and fills *end_reason, *why) if
  // the connection must be refused.
  bool initServer(const net::UdpSocket* socket, const base::SocketAddress& peer, const wire::Connect& connect,
                  Identity identity, uint32_t listen_socket, int32_t* end_reason, std::string* why);
  // Both ends of a createSocketPair. Pipes exchange messages in memory; loopback pairs get keys
  // here and talk over real sockets.
  static void linkPipe(Connection& a, Connection& b, base::TimeUs now);
  static void linkLoopback(Connection& a, const net::UdpSocket* socket_a, Connection& b, const net::UdpSocket* socket_b,
                           base::TimeUs now);

  // ---- Handshake input -------------------------------------------------------------------
  void onChallenge(const wire::Challenge& c, base::TimeUs now);
  // `raw` is the whole Accept datagram (its signature covers the raw bytes).
  void onAccept(const wire::Accept& a, std::span<const uint8_t> raw, base::TimeUs now);
  // Server: enter CONNECTING (raises the status callback) once initServer succeeded.
  void beginIncoming(base::TimeUs now);
  // Server: a retransmitted Connect for this connection.
  void onConnectRetransmit(base::TimeUs now);
  // Server: the application accepted. Returns a Result.
  int accept(base::TimeUs now);
  // Server: tells the client it is refused (a signed Accept with the rejected flag), and keeps
  // the packet so a retransmitted Connect can be answered again.
  void sendReject(int32_t reason, const std::string& debug);
  const std::vector<uint8_t>& rejectionPacket() const { return rejection_; }
  // Client: the server speaks another protocol version.
  void onVersionMismatch(uint8_t server_version, base::TimeUs now);

  // ---- Certificates (connection_auth.cpp; docs/spec/cert.md §10) ------------------------------
  // This instance's certificate became available, or stopped being awaited: a client waiting to
  // send its Connect, or a server waiting to send its Accept, goes on.
  void onLocalCertificateChanged(base::TimeUs now);
  bool waitingForLocalCertificate() const { return waiting_for_local_cert_; }
  // The peer proved its identity (a good certificate, or the pinned key).
  bool peerAuthenticated() const { return !(info_flags_ & NETWORKING_CONNECTION_INFO_FLAG_UNAUTHENTICATED); }
  // The peer's certificate, when it presented a good one.
  const std::optional<cert::Claims>& peerCertificate() const { return peer_cert_; }
  // The hub revoked the peer's certificate: the connection ends with REMOTE_BAD_CERT.
  void onPeerRevoked(base::TimeUs now);
  // P2P by identity: the peer's certificate must name this Steam ID (0: any).
  void setExpectedPeerIdentity(uint64_t steam_id) { expected_peer_steam_id_ = steam_id; }
  // IP_ALLOW_WITHOUT_AUTH as it applies to this peer: for a loopback peer, the larger of it and
  // IP_LOCAL_HOST_ALLOW_WITHOUT_AUTH (as the reference documents).
  int32_t allowWithoutAuth() const;

  // ---- Data ------------------------------------------------------------------------------
  void onDataPacket(const wire::DataHeader& h, std::span<const uint8_t> packet, base::TimeUs now);
  SendResult send(std::span<const uint8_t> data, int flags, uint16_t lane, base::TimeUs now);
  int flush(base::TimeUs now);
  int configureLanes(std::span<const int> priorities, std::span<const int> weights);
  // Sends whatever the window, pacing and Nagle allow now (and an ack if one is due).
  void transmit(base::TimeUs now, bool ack_now);
  // True when an ack should go out without waiting for data to ride on: two or more
  // ack-eliciting packets unacknowledged, a gap in packet numbers, or a window update.
  bool ackDueNow() const { return acks_.unackedElicitingCount() >= 2 || gap_seen_ || window_update_pending_; }

  // ---- Trust (budget.h) ------------------------------------------------------------------
  // The peer is trusted from now on: the connection leaves the untrusted budget for its
  // configured one (RECV_BUFFER_SIZE, SEND_BUFFER_SIZE), tells the peer about the wider
  // flow-control window and tells the host (which stops counting it against the untrusted caps).
  // Idempotent. Called by the engine for NetworkingSockets::trustConnection, and the place to
  // call once the transport itself has verified a credential of the peer (a hub certificate in
  // the handshake, docs/spec/transport.md §16.3).
  void promote(base::TimeUs now);
  bool trusted() const { return trusted_; }
  // What this connection holds in memory now: its own state and every buffer's capacity.
  size_t memoryBytes() const;

  // ---- Close -----------------------------------------------------------------------------
  // The application closed the handle. Returns true if the engine can free the connection now.
  bool closeByApp(int32_t reason, const std::string& debug, bool linger, base::TimeUs now);
  // The listen socket went away: drop silently.
  void abandon();
  // Ends the connection as a local problem (resetIdentity): the application is told; the peer
  // gets a CLOSE, or a refusal if it was still waiting to be accepted.
  void endLocally(int32_t reason, const std::string& debug, base::TimeUs now);
  // endLocally, and every buffer is given back at once (the listen socket needs the room for a
  // newer untrusted connection); what is left is the connection's fixed state until the
  // application closes the handle.
  void evict(int32_t reason, const std::string& debug, base::TimeUs now);

  // ---- Timers ----------------------------------------------------------------------------
  base::TimeUs nextTimer() const { return next_timer_; }
  // Recomputes the next deadline from all timers (and tells the host).
  void recomputeTimer(base::TimeUs now);
  void onTimer(base::TimeUs now);

  // ---- Receiving (the engine pops from here) ---------------------------------------------
  MessageQueue& queue() { return queue_; }
  // The application took messages: re-open the flow-control window if it grew enough.
  void onMessagesTaken(base::TimeUs now);
  void noteConsumed(uint64_t stream_bytes) { consumed_stream_bytes_ += stream_bytes; }

  // ---- Introspection ---------------------------------------------------------------------
  uint32_t handle() const { return handle_; }
  void clearHandle() { handle_ = 0; }
  uint32_t localId() const { return local_id_; }
  uint32_t remoteId() const { return remote_id_; }
  uint32_t clientConnectionId() const { return role_ == Role::kClient ? local_id_ : remote_id_; }
  Role role() const { return role_; }
  const base::SocketAddress& peer() const { return peer_; }
  const net::UdpSocket* socket() const { return socket_; }
  int32_t state() const { return state_; }
  // The state the application sees: FINDING_ROUTE while a P2P route is sought (state_ CONNECTING).
  int32_t publicState() const {
    return state_ == CONNECTION_STATE_CONNECTING && finding_route_ ? CONNECTION_STATE_FINDING_ROUTE : state_;
  }
  bool appClosed() const { return app_closed_; }
  bool acceptedByApp() const { return accepted_; }
  uint32_t listenSocket() const { return listen_socket_; }
  uint32_t pollGroup() const { return poll_group_; }
  void setPollGroup(uint32_t g) { poll_group_ = g; }
  ConnectionInfo info() const;
  ConnectionRealTimeStatus realTimeStatus(base::TimeUs now) const;
  LaneStatus laneStatus(int lane, base::TimeUs now) const;
  int laneCount() const { return static_cast<int>(lanes_.size()); }
  std::string detailedStatus(base::TimeUs now) const;
  const std::string& name() const { return name_; }
  void setName(const std::string& n) { name_ = n.substr(0, NETWORKING_MAX_CONNECTION_DESCRIPTION - 1); }
  int64_t userData() const { return config_.user_data; }
  ConfigLayer& configLayer() { return config_layer_; }
  void applyConfig(const ConnectionConfig& c);
  const ConnectionConfig& config() const { return config_; }
  const ConnectionStats& stats() const { return stats_; }
  uint64_t remoteSteamId() const { return remote_steam_id_; }
  void setRemoteSteamId(uint64_t id) { remote_steam_id_ = id; }

 private:
  struct UnreliableMessage {
    int64_t message_number = 0;
    size_t offset = 0;  // into the lane's unreliable arena
    uint32_t size = 0;
    uint32_t sent = 0;
    uint64_t reliable_barrier = 0;  // reliable stream offset queued before this message
  };

  // The sending side of a lane: created only by configureConnectionLanes.
  struct Lane {
    int priority = 0;
    int weight = 1;
    uint64_t virtual_time = 0;  // weighted fair queueing among equal priorities
    int64_t next_message_number = 1;
    int64_t last_reliable_number = 0;
    SendStream send;
    std::vector<uint8_t> unreliable_bytes;
    RingBuffer<UnreliableMessage> unreliable;
    uint64_t unreliable_queued_bytes = 0;
  };

  struct Fragments {
    bool used = false;
    uint16_t lane = 0;
    uint64_t message_number = 0;
    uint32_t total = 0;
    base::TimeUs started = 0;
    SparseBytes bytes;  // what arrived so far (fragments may overlap, repeat or come out of order)
  };

  // FrameVisitor
  void onPing() override {}
  void onAck(const frames::AckFrame& f) override;
  void onReliable(const frames::ReliableFrame& f) override;
  void onUnreliable(const frames::UnreliableFrame& f) override;
  void onClose(const frames::CloseFrame& f) override;

  void setState(int32_t s, base::TimeUs now);
  void problem(int32_t end_reason, const std::string& debug, base::TimeUs now);
  void sendHandshake(base::TimeUs now);
  void deriveKeys(const crypto::SessionKeys& keys, crypto::Cipher cipher);
  void deliver(uint16_t lane, int64_t number, int32_t flags, std::span<const uint8_t> payload, uint64_t stream_bytes,
               base::TimeUs now);
  void deliverPipe(std::span<const uint8_t> payload, int32_t flags, uint16_t lane, base::TimeUs now);
  // The receiving side of lane `lane` (the peer decides which lanes it sends on).
  RecvStream& recvLane(uint16_t lane);
  void discardUnsent();
  void tellPeerAndStop(uint32_t reason, const std::string& debug, base::TimeUs now);
  bool hasNewData(base::TimeUs now, bool ignore_nagle) const;
  uint64_t unsentBytes() const;
  uint64_t unackedBytes() const;
  uint64_t flowLimitFor(const Lane& lane) const;
  int pickLane(bool allow_new) const;
  bool buildAndSendPacket(base::TimeUs now, bool allow_data, bool allow_new, bool force_ack);
  void sendRaw(std::span<const uint8_t> datagram);
  int32_t payloadCapacity() const;
  bool flowBlocked() const;
  void detectLosses(base::TimeUs now);
  void declareLost(SentPacket& p, base::TimeUs now, bool congestion_signal);
  uint64_t localMaxData() const;
  // The untrusted budget or the configured one (budget.h).
  uint64_t receiveWindowBytes() const;
  size_t queueLimitBytes() const;
  size_t reassemblyCostBytes() const;
  size_t recvSegmentCount() const;
  bool mayQueue(uint64_t payload_bytes) const;
  bool inFlightFull() const;
  void setTight(bool tight);
  // Before an authentic packet is acknowledged: false if holding its reliable data would break
  // the budget (more out-of-order segments, or an untrusted peer's lane past the limit).
  bool admits(std::span<const uint8_t> frames_payload);
  // Cuts messages left in the streams while the receive queue was full.
  void resumeDelivery(base::TimeUs now);
  bool hasOutstanding() const;
  bool anyRetransmit() const;
  bool allReliableAcked() const;
  void finishClose(base::TimeUs now);
  // connection_auth.cpp
  void buildConnect(base::TimeUs now);
  bool checkServerCertificate(const wire::Accept& a, base::TimeUs now);
  bool checkClientCertificate(const wire::Connect& c, int32_t* end_reason, std::string* why);
  void markPeerAuthenticated(std::optional<cert::Claims> claims);
  void sendAccept(base::TimeUs now);

  ConnectionHost& host_;
  Role role_;
  uint32_t handle_;
  uint32_t local_id_;
  uint32_t remote_id_ = 0;
  uint32_t listen_socket_ = 0;
  uint32_t poll_group_ = 0;
  const net::UdpSocket* socket_ = nullptr;
  base::SocketAddress peer_;
  ConnectionConfig config_;
  ConfigLayer config_layer_;
  std::string name_;
  int32_t state_ = CONNECTION_STATE_NONE;
  bool finding_route_ = false;  // P2P: route checks and handshake in progress
  int32_t end_reason_ = CONNECTION_END_INVALID;
  std::string end_debug_;
  uint64_t remote_steam_id_ = 0;
  std::array<uint8_t, 32> remote_identity_key_{};
  int32_t info_flags_ = NETWORKING_CONNECTION_INFO_FLAG_UNAUTHENTICATED;
  base::TimeUs created_ = 0;

  // Handshake
  Identity identity_;
  crypto::KxKeyPair kx_;
  wire::Cookie cookie_;
  bool have_cookie_ = false;
  std::vector<uint8_t> handshake_packet_;  // client: Hello/Connect to resend; server: Accept
  std::vector<uint8_t> rejection_;         // server: the signed refusal, if one was sent
  base::TimeUs next_handshake_send_ = 0;
  bool accepted_ = false;
  // A client with a cookie waiting for its own certificate before the Connect; a server accepted
  // by the application waiting for its own certificate before the Accept.
  bool waiting_for_local_cert_ = false;
  base::TimeUs cookie_received_ = 0;
  uint64_t expected_peer_steam_id_ = 0;
  std::optional<cert::Claims> peer_cert_;
  crypto::Cipher cipher_ = crypto::Cipher::kAes256Gcm;
  crypto::Aead tx_, rx_;
  bool keys_ready_ = false;

  // Reliability
  uint64_t next_packet_number_ = 1;
  AckTracker acks_;
  SentPacketLog sent_;
  RateController rate_;
  uint64_t largest_acked_ = 0;
  bool have_largest_acked_ = false;
  base::TimeUs last_ack_eliciting_sent_ = 0;
  int pto_count_ = 0;
  base::TimeUs loss_time_ = 0;  // earliest time-threshold loss among outstanding packets
  std::vector<frames::AckRange> ack_scratch_;
  std::vector<SentPacket*> lost_scratch_;

  // Lanes and queues
  std::vector<Lane> lanes_;
  std::vector<RecvStream> recv_lanes_;
  std::array<Fragments, 4> fragments_;
  MessageQueue queue_;
  base::TimeUs nagle_deadline_ = base::kNever;
  bool flush_requested_ = false;

  bool trusted_ = false;

  // Flow control
  uint64_t peer_max_data_ = 0;      // total reliable stream bytes we may send (all lanes)
  uint64_t sent_stream_bytes_ = 0;  // total new reliable stream bytes sent (all lanes)
  uint64_t delivered_bytes_ = 0;    // total reliable stream bytes cut into messages here
  uint64_t advertised_max_data_ = 0;

  // Liveness and close
  base::TimeUs last_received_ = 0;
  base::TimeUs last_sent_ = 0;
  bool ping_pending_ = false;
  bool app_closed_ = false;
  bool lingering_ = false;
  bool close_pending_ = false;  // a Close frame must go out
  bool close_sent_ = false;
  base::TimeUs close_deadline_ = base::kNever;
  uint32_t close_reason_ = 0;
  std::string close_debug_;
  bool finished_ = false;

  // Pipes (in-memory socket pairs)
  Connection* pipe_peer_ = nullptr;

  base::TimeUs next_timer_ = base::kNever;
  ConnectionStats stats_;
  std::array<uint8_t, 32> peer_kx_public_{};
  bool violated_ = false;              // the peer broke the protocol inside an authentic packet
  uint64_t sum_highest_received_ = 0;  // sum over lanes of the highest reliable offset received
  uint64_t consumed_stream_bytes_ = 0;
  uint64_t wfq_clock_ = 0;
  bool window_update_pending_ = false;
  // A send returned RESULT_LIMIT_EXCEEDED: tell the host when the buffer has room again.
  bool send_blocked_ = false;
  // A packet arrived out of order since the last ack: acknowledge at once.
  bool gap_seen_ = false;
  base::TimeUs now_ = 0;  // time of the packet being processed (frame visitors)

 public:
  base::TimeUs scheduled_at = base::kNever;  // engine bookkeeping: the deadline queued in its timer heap
  bool dirty = false;                        // engine bookkeeping: queued for a transmit at batch end
  bool counted_untrusted = false;            // engine bookkeeping: counts against its listen socket's untrusted caps

 private:
  // Rolling rates for getConnectionRealTimeStatus
  base::TimeUs rate_window_start_ = 0;
  uint64_t window_packets_out_ = 0, window_bytes_out_ = 0, window_packets_in_ = 0, window_bytes_in_ = 0;
  float packets_out_per_sec_ = 0, bytes_out_per_sec_ = 0, packets_in_per_sec_ = 0, bytes_in_per_sec_ = 0;
  void updateRates(base::TimeUs now);
};

}  // namespace outpost::transport
