// outpost::NetworkingSockets — encrypted, reliable, laned messaging over UDP, with the function
// names, result values and signal of the reference's Networking Sockets class (GodotSteam Server,
// generation C) and the Networking Utils configuration it depends on.
//
// Threading: every public method is thread-safe and never blocks on the network. Each instance
// owns a service thread that does socket I/O and timers (unless constructed with
// `service_thread = false`, in which case the caller drives it with poll()). Signals are queued by
// the service thread and delivered only inside runNetworkingCallbacks(), on the caller's thread.
//
// Errors: nothing throws. Bad handles and misuse return the reference's documented failure value
// (0 handles, false, RESULT_INVALID_PARAM, an empty struct) and log the reason.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "outpost/fake_udp_port.h"
#include "outpost/types.h"

namespace outpost {

// The connection dictionary of getConnectionInfo and network_connection_status_changed.
struct ConnectionInfo {
  uint64_t identity = 0;       // the peer's Steam ID; 0 for a peer known only by IP
  int64_t user_data = -1;      // NETWORKING_CONFIG_CONNECTION_USER_DATA, -1 when unset
  uint32_t listen_socket = 0;  // 0 for outbound connections
  std::string remote_address;  // "ip:port" or "[ipv6]:port" (with the port, unlike GodotSteam)
  uint32_t remote_pop = 0;
  uint32_t pop_relay = 0;
  int32_t connection_state = CONNECTION_STATE_NONE;
  int32_t end_reason = CONNECTION_END_INVALID;
  std::string end_debug;          // <= 128 bytes
  std::string debug_description;  // <= 128 bytes
  int32_t info_flags = 0;         // NETWORKING_CONNECTION_INFO_FLAG_*
};

// Payload of the network_connection_status_changed signal.
struct NetworkConnectionStatusChanged {
  uint32_t connect_handle = 0;
  ConnectionInfo connection;
  int32_t old_state = CONNECTION_STATE_NONE;
};

// Payload of fake_ip_result (never raised until the hub allocates FakeIPs).
struct FakeIPResultEvent {
  int32_t result = RESULT_NO_CONNECTION;
  uint64_t remote_fake_steam_id = 0;
  std::string fake_ip;
  std::vector<int32_t> port_list;
};

// Payload of network_authentication_status: raised whenever this instance's readiness for
// authenticated connections changes (docs/spec/cert.md §11). debug_message <= 255 bytes.
struct NetworkAuthenticationStatus {
  int32_t available = NETWORKING_AVAILABILITY_CANNOT_TRY;
  std::string debug_message;
};

// A received message, with every documented field of the reference's message dictionary, plus
// the lane index the reference leaves out.
struct NetworkingMessage {
  std::vector<uint8_t> payload;
  uint32_t size = 0;
  uint32_t connection = 0;
  uint64_t identity = 0;
  int64_t receiver_user_data = -1;  // the connection's user data when the message was received
  int64_t time_received = 0;        // microseconds, same clock as getLocalTimestamp()
  int64_t message_number = 0;       // per lane, starting at 1
  int32_t channel = 0;              // the lane (the reference fills m_nChannel)
  int32_t flags = 0;                // NETWORKING_SEND_* flags the sender used (reliable bit, ...)
  int64_t sender_user_data = 0;     // always 0 on received messages (as in the reference)
  uint16_t lane = 0;
};

// A received message without an owned copy: `payload` points into the MessageBatch that
// returned it and stays valid until that batch is reused.
struct MessageView {
  std::span<const uint8_t> payload;
  uint32_t connection = 0;
  uint64_t identity = 0;
  int64_t receiver_user_data = -1;
  int64_t time_received = 0;
  int64_t message_number = 0;
  int32_t flags = 0;
  int64_t sender_user_data = 0;
  uint16_t lane = 0;
};

namespace transport {
class MessageBatchWriter;  // fills a MessageBatch (the SDK's internals)
}  // namespace transport

// Reusable receive buffer for the allocation-free receive calls. Its storage grows to the
// largest batch seen and is then reused.
class MessageBatch {
 public:
  std::span<const MessageView> messages() const { return views_; }
  size_t size() const { return views_.size(); }
  bool empty() const { return views_.empty(); }
  const MessageView& operator[](size_t i) const { return views_[i]; }

 private:
  friend class transport::MessageBatchWriter;
  std::vector<uint8_t> bytes_;
  std::vector<MessageView> views_;
  std::vector<size_t> offsets_;
};

struct SendResult {
  int32_t result = RESULT_INVALID_PARAM;  // RESULT_OK, RESULT_INVALID_PARAM, RESULT_INVALID_STATE,
                                          // RESULT_NO_CONNECTION, RESULT_LIMIT_EXCEEDED, RESULT_IGNORED
  int64_t message_number = 0;             // > 0 when result == RESULT_OK
};

// One message of a sendMessages batch.
struct OutgoingMessage {
  uint32_t connection = 0;
  std::span<const uint8_t> data;
  int32_t flags = NETWORKING_SEND_UNRELIABLE;
  uint16_t lane = 0;
  int64_t user_data = 0;  // local only, as in the reference; not sent to the peer
};

struct LaneStatus {
  int32_t pending_unreliable = 0;
  int32_t pending_reliable = 0;
  int32_t sent_unacknowledged_reliable = 0;
  int64_t queue_time = 0;  // microseconds until queued data would be sent at the current rate
};

struct ConnectionRealTimeStatus {
  int32_t state = CONNECTION_STATE_NONE;
  int32_t ping = 0;  // ms
  float local_quality = -1.f;
  float remote_quality = -1.f;
  float packets_out_per_second = 0.f;
  float bytes_out_per_second = 0.f;
  float packets_in_per_second = 0.f;
  float bytes_in_per_second = 0.f;
  int32_t send_rate = 0;  // bytes/s the rate controller currently allows
  int32_t pending_unreliable = 0;
  int32_t pending_reliable = 0;
  int32_t sent_unacknowledged_reliable = 0;
  int64_t queue_time = 0;
};

struct RealTimeStatusResult {
  int32_t response = RESULT_INVALID_PARAM;
  std::optional<ConnectionRealTimeStatus> connection_status;  // absent when get_status == false
  std::vector<LaneStatus> lanes_status;
};

struct DetailedStatusResult {
  int32_t success = -1;  // -1 invalid handle, 0 OK
  std::string status;
};

struct SocketPairResult {
  bool success = false;
  uint32_t connection1 = 0;
  uint32_t connection2 = 0;
};

struct FakeIPInfo {
  int32_t result = RESULT_NO_CONNECTION;
  int32_t identity_type = IDENTITY_TYPE_INVALID;
  std::string ip;
  std::vector<int32_t> ports;
};

struct RemoteFakeIPResult {
  int32_t result = RESULT_INVALID_PARAM;
  std::string ip_address;
  int32_t port = 0;
  int32_t ip_type = FAKE_IP_TYPE_INVALID;
};

// getCertificateRequest: the request blob (docs/spec/cert.md §4) to have signed offline.
struct CertificateRequest {
  std::vector<uint8_t> certificate;
  std::string error_message;
};

// setCertificate: response true, or false with the reason in error (GodotSteam drops it).
struct SetCertificateResult {
  bool response = false;
  std::string error;
};

struct ConfigValueResult {
  int32_t result = NETWORKING_GET_CONFIG_VALUE_BAD_VALUE;  // NetworkingGetConfigValueResult
  int32_t type = 0;                                        // NetworkingConfigDataType
  ConfigValue value;
};

struct ConfigValueInfo {
  int32_t type = 0;   // NetworkingConfigDataType
  int32_t scope = 0;  // the narrowest NetworkingConfigScope the value can be set at
};

// Introspection of the configuration table (one row per value Outpost implements).
struct ConfigValueDescription {
  int32_t id = 0;
  std::string name;
  int32_t type = 0;
  int32_t scope = 0;
  double default_value = 0, min_value = 0, max_value = 0;
  std::string unit;
  std::string description;
};

struct NetworkingSocketsOptions {
  // true: a service thread does I/O and timers. false: nothing runs until the caller calls poll().
  bool service_thread = true;
  // This instance's Ed25519 identity (64-byte libsodium secret key). Empty: a fresh key is
  // generated. The hub passes its own key so that clients can pin it
  // (NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY).
  std::vector<uint8_t> identity_secret_key;
  // Listen sockets of this instance answer STUN Binding requests (docs/spec/signaling.md §3):
  // the hub sets it so that P2P sockets, and any ICE agent, learn their reflexive address.
  bool answer_stun = false;
  // CA public keys (64 hex characters each) whose certificates this instance accepts from peers
  // (docs/spec/cert.md §6). Empty: the keys of OUTPOST_HUB_KEY (comma-separated). A GameServer or
  // User that certifies this instance adds its pinned hub key, and that hub's announced keys.
  std::vector<std::string> trusted_ca_keys_hex;

  static NetworkingSocketsOptions manual() {
    NetworkingSocketsOptions o;
    o.service_thread = false;
    return o;
  }
};

namespace transport {
class Engine;
class SignalingLink;
class FakeUDPPorts;
class CertificateLink;
}  // namespace transport

class NetworkingSockets {
 public:
  explicit NetworkingSockets(NetworkingSocketsOptions options = {});
  ~NetworkingSockets();
  NetworkingSockets(const NetworkingSockets&) = delete;
  NetworkingSockets& operator=(const NetworkingSockets&) = delete;

  // ---- Listen sockets and connections over IP --------------------------------------------
  // "addr:port", "[v6]:port", ":port" or "" (all interfaces, IPv6 dual-stack, ephemeral port).
  // Returns LISTEN_SOCKET_INVALID on a malformed address or a bind failure (reason logged).
  uint32_t createListenSocketIP(const std::string& ip_address, const ConfigOptions& options = {});
  // Returns NETWORKING_CONNECTION_INVALID on a malformed address (an address without a port, a
  // port of 0) or bad options.
  uint32_t connectByIPAddress(const std::string& ip_address_with_port, const ConfigOptions& options = {});
  // RESULT_OK; RESULT_INVALID_PARAM for a bad handle; RESULT_INVALID_STATE when the connection is
  // not an incoming one waiting in CONNECTING.
  int acceptConnection(uint32_t connection_handle);
  // reason: 0 (= CONNECTION_END_APP_GENERIC) or an application code 1000-2999; debug_message is
  // limited to 128 bytes (longer gives false). linger=true delivers queued reliable data first.
  // The handle is invalid afterwards. false for a bad handle or bad arguments.
  bool closeConnection(uint32_t peer, int reason, const std::string& debug_message, bool linger);
  // Closes the socket and, ungracefully, every connection accepted or pending on it.
  bool closeListenSocket(uint32_t socket);
  // "ip:port" of the local bind (IPv6 in brackets); the IP only when with_port is false.
  // "" for a bad handle.
  std::string getListenSocketAddress(uint32_t socket, bool with_port = true);

  // ---- Sending ---------------------------------------------------------------------------
  // flags: NETWORKING_SEND_*. Message size 0..MAX_STEAM_PACKET_SIZE (larger: RESULT_INVALID_PARAM).
  // RESULT_INVALID_PARAM (bad handle or size), RESULT_INVALID_STATE (connection closing or dead),
  // RESULT_NO_CONNECTION (closed by peer / problem detected), RESULT_LIMIT_EXCEEDED (send buffer
  // full), RESULT_IGNORED (unreliable NO_DELAY that could not go out immediately).
  SendResult sendMessageToConnection(uint32_t connection_handle, std::span<const uint8_t> data, int flags,
                                     uint16_t lane = 0);
  // One result per message, in order.
  std::vector<SendResult> sendMessages(std::span<const OutgoingMessage> messages);
  // Sends whatever waits on the Nagle timer now. RESULT_OK or RESULT_INVALID_PARAM.
  int flushMessagesOnConnection(uint32_t connection_handle);
  // Lane count 1..255; priorities: higher value served first; weights > 0 (uint16) share the
  // bandwidth among lanes of equal priority. RESULT_OK, RESULT_INVALID_PARAM.
  int configureConnectionLanes(uint32_t connection, int lanes, std::span<const int> priorities,
                               std::span<const int> weights);

  // ---- Receiving -------------------------------------------------------------------------
  // Up to max_messages messages, oldest first. Empty for a bad handle or no data.
  std::vector<NetworkingMessage> receiveMessagesOnConnection(uint32_t connection, int max_messages);
  std::vector<NetworkingMessage> receiveMessagesOnPollGroup(uint32_t poll_group, int max_messages);
  // Allocation-free variants (extension): fill `out` (cleared first); return the count, or -1
  // for a bad handle.
  int receiveMessagesOnConnection(uint32_t connection, MessageBatch& out, int max_messages);
  int receiveMessagesOnPollGroup(uint32_t poll_group, MessageBatch& out, int max_messages);

  uint32_t createPollGroup();
  bool destroyPollGroup(uint32_t poll_group);
  // poll_group 0 removes the connection from its group. false for a bad handle.
  bool setConnectionPollGroup(uint32_t connection_handle, uint32_t poll_group);

  // ---- Connection information -----------------------------------------------------------
  std::optional<ConnectionInfo> getConnectionInfo(uint32_t connection_handle);
  RealTimeStatusResult getConnectionRealTimeStatus(uint32_t connection_handle, int lanes, bool get_status = true);
  DetailedStatusResult getDetailedConnectionStatus(uint32_t connection_handle);
  std::string getConnectionName(uint32_t peer);
  void setConnectionName(uint32_t peer, const std::string& name);
  // -1 for a bad handle or when no user data was set.
  int64_t getConnectionUserData(uint32_t peer);

  // ---- Pairs and identity ---------------------------------------------------------------
  // loopback=true: two real connections through 127.0.0.1 (crypto, fake network apply).
  // false: in-memory buffers. Both sides start CONNECTED.
  SocketPairResult createSocketPair(bool loopback, uint64_t remote_steam_id1, uint64_t remote_steam_id2);
  // "steamid:<id>": the certificate's identity while one is held, else the one resetIdentity
  // set; "invalid" when neither.
  std::string getIdentity();
  // As the reference: discards this instance's certificate (and any request in flight) and
  // claims `remote_steam_id` (0: none) until a certificate names an identity, for connections
  // created afterwards. As the reference says, every open connection is closed: each ends in
  // CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY with CONNECTION_END_MISC_GENERIC ("the local
  // identity was reset"), raising the status signal; the peer is told (a CLOSE, or a refusal if
  // it was waiting to be accepted). Handles stay valid until closeConnection. Listen sockets stay
  // open.
  void resetIdentity(uint64_t remote_steam_id);

  // ---- Extension: trusting a peer (docs/spec/transport.md §16.3) -------------------------
  // Until the application trusts it, a connection holds its peer to a small budget: at most
  // 64 KiB of memory in all (a 16 KiB flow-control window, so a larger reliable message waits;
  // 12 KiB of queued or partly reassembled messages, so larger unreliable messages are
  // dropped; 8 KiB unsent or unacknowledged towards it, so a larger send returns
  // RESULT_LIMIT_EXCEEDED), and it counts against the listen socket's untrusted caps
  // (NETWORKING_CONFIG_OUTPOST_MAX_UNTRUSTED_CONNECTIONS*). Call this once the peer has shown a
  // credential the application checked — a hub logon, an auth session answered OK — to give
  // the connection its configured budget (RECV_BUFFER_SIZE, SEND_BUFFER_SIZE). The client end of
  // a connection made with NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY and both ends of a socket
  // pair are trusted from the start. Idempotent; false (logged) for a bad handle. Thread-safe.
  bool trustConnection(uint32_t connection);

  // ---- Callbacks --------------------------------------------------------------------------
  void runNetworkingCallbacks();
  using StatusChangedHandler = std::function<void(const NetworkConnectionStatusChanged&)>;
  using AuthenticationStatusHandler = std::function<void(const NetworkAuthenticationStatus&)>;
  void connect_network_connection_status_changed(StatusChangedHandler handler);
  void connect_network_authentication_status(AuthenticationStatusHandler handler);
  using FakeIPResultHandler = std::function<void(const FakeIPResultEvent&)>;
  void connect_fake_ip_result(FakeIPResultHandler handler);

  // ---- Certificates (docs/spec/cert.md) ----------------------------------------------------
  // Starts fetching a certificate through the hub session that certifies this instance
  // (GameServer/User::certifyNetworkingSockets) and returns the NetworkingAvailability now
  // (CURRENT, ATTEMPTING, WAITING, CANNOT_TRY without a session, FAILED after a refusal ...).
  // network_authentication_status reports every change. Creating a socket does the same
  // implicitly. Thread-safe.
  int initAuthentication();
  int getAuthenticationStatus();
  // The request blob for this instance's key (docs/spec/cert.md §4), to be signed offline with
  // `outpost admin cert sign`. Always present (error_message empty).
  std::optional<CertificateRequest> getCertificateRequest();
  // Installs a certificate for this instance's key. Always present: {response: true}, or
  // {response: false, error: why} for a malformed, expired, not-yet-valid, revoked certificate,
  // one for another key, or one signed by a CA key this instance does not trust.
  std::optional<SetCertificateResult> setCertificate(std::span<const uint8_t> certificate);
  // Extension, for GameServer and User (certifyNetworkingSockets): the mailbox through which a
  // hub session certifies this instance (src/transport/certificate_link.h). Not for games.
  std::shared_ptr<transport::CertificateLink> certificateLink();

  // ---- Hub-bound functions (P2P, FakeIP, hosted dedicated servers) --------------------------
  // Not available until the hub signals P2P and allocates FakeIPs; each returns the documented
  // failure value and logs why.
  uint32_t connectP2P(uint64_t remote_steam_id, int virtual_port, const ConfigOptions& options = {});
  uint32_t createListenSocketP2P(int virtual_port, const ConfigOptions& options = {});
  uint32_t createListenSocketP2PFakeIP(int fake_port, const ConfigOptions& options = {});
  uint32_t connectToHostedDedicatedServer(uint64_t remote_steam_id, int virtual_port,
                                          const ConfigOptions& options = {});
  uint32_t createHostedDedicatedServerListenSocket(int virtual_port, const ConfigOptions& options = {});
  uint32_t getHostedDedicatedServerPOPId();
  int getHostedDedicatedServerPort();
  bool beginAsyncRequestFakeIP(int num_ports);
  FakeIPInfo getFakeIP(int first_port = 0);
  RemoteFakeIPResult getRemoteFakeIPForConnection(uint32_t connection);
  // A datagram port over P2P (include/outpost/fake_udp_port.h; GodotSteam's returns nothing).
  // fake_server_port >= 0: a server port listening on that index of this instance's FakeIP
  // (beginAsyncRequestFakeIP; the request need not have completed); the same object for the same
  // index. -1: a client port, a new object each call. nullptr for another negative value or an
  // index over 7. Owned by this instance (free it with destroyFakeUDPPort()).
  FakeUDPPort* createFakeUDPPort(int fake_server_port);

  // Extension, for GameServer and User (certifyNetworkingSockets): the mailbox through which a
  // hub session carries this instance's P2P signal messages (src/transport/signaling_link.h).
  // Not for games.
  std::shared_ptr<transport::SignalingLink> signalingLink();

  // ---- Networking Utils: configuration ---------------------------------------------------
  // Global scope is process-wide, as in the reference. Listen-socket scope is set through the
  // options of createListenSocketIP and inherited by its connections.
  bool setGlobalConfigValueInt32(int config, int32_t value);
  bool setGlobalConfigValueFloat(int config, float value);
  bool setGlobalConfigValueString(int config, const std::string& value);
  bool setConnectionConfigValueInt32(uint32_t connection, int config, int32_t value);
  bool setConnectionConfigValueFloat(uint32_t connection, int config, float value);
  bool setConnectionConfigValueString(uint32_t connection, int config, const std::string& value);
  // The generic setter the reference leaves disabled. scope_obj is the handle for the listen
  // socket / connection scopes and ignored otherwise.
  bool setConfigValue(int config, int scope_type, uint32_t scope_obj, const ConfigValue& value);
  ConfigValueResult getConfigValue(int config, int scope_type, uint32_t scope_obj);
  std::optional<ConfigValueInfo> getConfigValueInfo(int config);
  static std::vector<ConfigValueDescription> listConfigValues();
  // Microseconds on a monotonic clock (the time_received clock).
  int64_t getLocalTimestamp();
  // Extension: this instance's Ed25519 identity public key, 64 hex characters (what a peer
  // pins with NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY).
  std::string getIdentityPublicKeyHex();

  // ---- Extensions for callers that drive I/O themselves ----------------------------------
  // Manual mode (service_thread = false): waits up to timeout_ms for network activity and
  // processes it on the calling thread. With a service thread it only waits (like
  // waitForActivity). Returns true if something happened.
  bool poll(int timeout_ms);
  // Blocks until a message or callback is queued, or a connection whose send returned
  // RESULT_LIMIT_EXCEEDED has room again (its unsent bytes fell to half the send buffer), or
  // timeout_ms passes. true unless it timed out. While it waits, the calling thread does the
  // network I/O itself (the service thread steps aside), which removes a thread hand-off.
  bool waitForActivity(int timeout_ms);

  // ---- Extension: operational counters ------------------------------------------------------
  // Datagrams received and sent, handshake and connection counts, and every dropped datagram by
  // reason ("dropped.decrypt_failed", "dropped.bad_cookie", ...); connections refused by a
  // listen socket's caps ("refused.max_untrusted_connections_per_source", ...); incoming
  // connections now and those not trusted yet ("connections.incoming", "connections.untrusted").
  // Names are stable (docs/spec/transport.md §13.9).
  std::map<std::string, uint64_t> getTransportCounters();

 private:
  std::unique_ptr<transport::Engine> engine_;
  std::unique_ptr<transport::FakeUDPPorts> fake_ports_;  // destroyed before the engine
};

}  // namespace outpost
