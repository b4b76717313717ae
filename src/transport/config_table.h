// The one declaration of every configuration value Outpost implements: id (the reference's
// NetworkingConfigValue), name, type, narrowest scope, default, bounds, unit and description.
// The code (ConnectionConfig, FakeNetworkConfig), runtime introspection
// (NetworkingSockets::listConfigValues / getConfigValueInfo) and docs/config.md all come from
// this table; tests check that docs/config.md matches it.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "outpost/types.h"

namespace outpost::transport {

//  X(id, NAME, type, scope, default, min, max, unit, description)
//  type: INT32 | INT64 | FLOAT | STRING (NetworkingConfigDataType)
//  scope: GLOBAL (process-wide only) | CONNECTION (global default, listen-socket options,
//         per-connection override) | LISTEN (global default, listen-socket options; a property
//         of the listen socket, not of one connection)
#define OUTPOST_CONFIG_TABLE(X)                                                                                      \
  X(2, FAKE_PACKET_LOSS_SEND, FLOAT, GLOBAL, 0, 0, 100, "%",                                                         \
    "Percentage of outgoing datagrams dropped on purpose (tests and benchmarks).")                                   \
  X(3, FAKE_PACKET_LOSS_RECV, FLOAT, GLOBAL, 0, 0, 100, "%", "Percentage of incoming datagrams dropped on purpose.") \
  X(4, FAKE_PACKET_LAG_SEND, INT32, GLOBAL, 0, 0, 5000, "ms", "Delay added to every outgoing datagram.")             \
  X(5, FAKE_PACKET_LAG_RECV, INT32, GLOBAL, 0, 0, 5000, "ms", "Delay added to every incoming datagram.")             \
  X(6, FAKE_PACKET_REORDER_SEND, FLOAT, GLOBAL, 0, 0, 100, "%",                                                      \
    "Percentage of outgoing datagrams held back by FAKE_PACKET_REORDER_TIME so that later "                          \
    "ones overtake them.")                                                                                           \
  X(7, FAKE_PACKET_REORDER_RECV, FLOAT, GLOBAL, 0, 0, 100, "%",                                                      \
    "Percentage of incoming datagrams held back by FAKE_PACKET_REORDER_TIME.")                                       \
  X(8, FAKE_PACKET_REORDER_TIME, INT32, GLOBAL, 15, 0, 5000, "ms", "Extra delay of a reordered datagram.")           \
  X(26, FAKE_PACKET_DUP_SEND, FLOAT, GLOBAL, 0, 0, 100, "%", "Percentage of outgoing datagrams sent twice.")         \
  X(27, FAKE_PACKET_DUP_RECV, FLOAT, GLOBAL, 0, 0, 100, "%", "Percentage of incoming datagrams delivered twice.")    \
  X(28, FAKE_PACKET_DUP_TIME_MAX, INT32, GLOBAL, 10, 0, 5000, "ms",                                                  \
    "The duplicate arrives up to this much later than the original.")                                                \
  X(9, SEND_BUFFER_SIZE, INT32, CONNECTION, 524288, 4096, 268435456, "bytes",                                        \
    "Reliable and unreliable bytes queued but not yet sent; a send past it returns "                                 \
    "RESULT_LIMIT_EXCEEDED (a single message larger than the buffer is accepted into an empty "                      \
    "buffer).")                                                                                                      \
  X(10, SEND_RATE_MIN, INT32, CONNECTION, 262144, 1024, 1073741824, "bytes/s",                                       \
    "Floor of the rate controller: loss and delay never push the send rate below this.")                             \
  X(11, SEND_RATE_MAX, INT32, CONNECTION, 1073741824, 1024, 1073741824, "bytes/s",                                   \
    "Ceiling of the rate controller (pacing rate).")                                                                 \
  X(12, NAGLE_TIME, INT32, CONNECTION, 5000, 0, 20000, "us",                                                         \
    "How long a message smaller than a packet may wait for more data before it is sent.")                            \
  X(23, IP_ALLOW_WITHOUT_AUTH, INT32, CONNECTION, 0, 0, 2, "",                                                       \
    "Peers without a good hub certificate: 0 refused (and a client without a certificate of "                        \
    "its own does not try), 1 allowed with a warning, 2 allowed silently. A certificate that is "                    \
    "presented must be good whatever this says (docs/spec/cert.md section 12).")                                     \
  X(24, TIMEOUT_INITIAL, INT32, CONNECTION, 10000, 100, 600000, "ms",                                                \
    "A connection that is not connected within this time fails with CONNECTION_END_MISC_TIMEOUT.")                   \
  X(25, TIMEOUT_CONNECTED, INT32, CONNECTION, 10000, 100, 600000, "ms",                                              \
    "A connected peer silent for this long is given up with CONNECTION_END_MISC_TIMEOUT.")                           \
  X(32, MTU_PACKET_SIZE, INT32, CONNECTION, 1300, 576, 1472, "bytes", "Largest UDP payload sent.")                   \
  X(33, MTU_DATA_SIZE, INT32, CONNECTION, 1260, 536, 1432, "bytes",                                                  \
    "Read-only: MTU_PACKET_SIZE - 40 (9-byte header, 16-byte tag, 12 bytes of frame header, 3 of "                   \
    "message header): a message this size on lanes 0-63 fits one packet when it has the packet "                     \
    "to itself (an ack or another frame sharing the packet can push it into two).")                                  \
  X(34, UNENCRYPTED, INT32, CONNECTION, 0, 0, 3, "",                                                                 \
    "0 never send plaintext; 1 allow if the peer requires it; 2 prefer; 3 require. Plaintext "                       \
    "is used only when both sides are >= 1 and one side is >= 2 (tests and benchmarks only).")                       \
  X(40, CONNECTION_USER_DATA, INT64, CONNECTION, -1, INT64_MIN, INT64_MAX, "",                                       \
    "Application data attached to a connection, returned by getConnectionUserData and in "                           \
    "every received message.")                                                                                       \
  X(47, RECV_BUFFER_SIZE, INT32, CONNECTION, 1048576, 528384, 268435456, "bytes",                                    \
    "Receive budget of a trusted connection: the flow-control window (reliable bytes received "                      \
    "but not yet taken by the application; the peer stops sending new reliable data when it is "                     \
    "full) and, counted together, messages waiting for the application (payload + 128 bytes "                        \
    "each) and unreliable messages being reassembled (unreliable fragments that do not fit are "                     \
    "dropped). Untrusted connections get 16 KiB and 12 KiB instead (trustConnection).")                              \
  X(49, RECV_MAX_MESSAGE_SIZE, INT32, CONNECTION, 524288, 1, 524288, "bytes",                                        \
    "A peer sending a larger message has its connection closed.")                                                    \
  X(52, IP_LOCAL_HOST_ALLOW_WITHOUT_AUTH, INT32, CONNECTION, 2, 0, 2, "",                                            \
    "IP_ALLOW_WITHOUT_AUTH for peers on a loopback address: the larger of the two applies.")                         \
  X(103, P2P_STUN_SERVER_LIST, STRING, CONNECTION, 0, 0, 0, "",                                                      \
    "Not applicable: the hub's transport port is the STUN server of every P2P socket "                               \
    "(docs/spec/signaling.md section 3); a value is accepted and ignored.")                                          \
  X(104, P2P_TRANSPORT_ICE_ENABLE, INT32, CONNECTION, -1, -1, 2147483647, "",                                        \
    "Which direct candidates a P2P connection offers: 0 none (connectP2P fails with "                                \
    "LOCAL_NETWORK_CONFIG), 2 host (private) only, 4 server-reflexive (public) only, -1 or any "                     \
    "other combination: all.")                                                                                       \
  X(105, P2P_TRANSPORT_ICE_PENALTY, INT32, CONNECTION, 0, 0, 10000, "ms",                                            \
    "Added to a direct route's measured RTT when routes are compared (matters once relay "                           \
    "routes exist).")                                                                                                \
  X(106, P2P_TRANSPORT_SDR_PENALTY, INT32, CONNECTION, 0, 0, 10000, "ms",                                            \
    "Added to a relay route's RTT when routes are compared; accepted now, used once relays "                         \
    "exist.")                                                                                                        \
  X(107, P2P_TURN_SERVER_LIST, STRING, CONNECTION, 0, 0, 0, "",                                                      \
    "Not applicable: relays replace TURN; a value is accepted and ignored.")                                         \
  X(108, P2P_TURN_USER_LIST, STRING, CONNECTION, 0, 0, 0, "",                                                        \
    "Not applicable (see P2P_TURN_SERVER_LIST); accepted and ignored.")                                              \
  X(109, P2P_TURN_PASS_LIST, STRING, CONNECTION, 0, 0, 0, "",                                                        \
    "Not applicable (see P2P_TURN_SERVER_LIST); accepted and ignored.")                                              \
  X(110, P2P_TRANSPORT_ICE_IMPLEMENTATION, INT32, CONNECTION, 0, 0, 2147483647, "",                                  \
    "Not applicable: Outpost has one ICE implementation; accepted and ignored.")                                     \
  X(1001, OUTPOST_PINNED_PEER_KEY, STRING, CONNECTION, 0, 0, 0, "hex",                                               \
    "Outpost extension. The peer's Ed25519 identity public key (64 hex characters) this "                            \
    "connection requires; a handshake signed by any other key fails with "                                           \
    "CONNECTION_END_REMOTE_BAD_CERT; a server with that key is authenticated, and trusted from "                     \
    "the start (trustConnection). Empty: any key.")                                                                  \
  X(1100, OUTPOST_MAX_CONNECTIONS, INT32, LISTEN, 65536, 1, 1048576, "connections",                                  \
    "Outpost extension. Connections one listen socket holds at once, pending or accepted; a "                        \
    "Connect past it is refused (CONNECTION_END_MISC_GENERIC) and counted in "                                       \
    "refused.max_connections.")                                                                                      \
  X(1101, OUTPOST_MAX_CONNECTIONS_PER_SOURCE, INT32, LISTEN, 4096, 1, 1048576, "connections",                        \
    "Outpost extension. The same, per source: one IPv4 address, or one IPv6 /64 "                                    \
    "(refused.max_connections_per_source).")                                                                         \
  X(1102, OUTPOST_MAX_UNTRUSTED_CONNECTIONS, INT32, LISTEN, 4096, 1, 1048576, "connections",                         \
    "Outpost extension. Connections of one listen socket the application has not trusted yet "                       \
    "(trustConnection), each held to the untrusted budget of at most 64 KiB. At the limit a new "                    \
    "connection evicts the oldest untrusted one (it ends with CONNECTION_END_MISC_GENERIC; "                         \
    "evicted.max_untrusted_connections), so a flood cannot lock out peers that soon log on.")                        \
  X(1103, OUTPOST_MAX_UNTRUSTED_CONNECTIONS_PER_SOURCE, INT32, LISTEN, 64, 1, 1048576, "connections",                \
    "Outpost extension. The same, per source: one IPv4 address, or one IPv6 /64 "                                    \
    "(refused.max_untrusted_connections_per_source).")

enum class ConfigScopeKind { kGlobal, kConnection, kListenSocket };

// The NetworkingConfigScope a value can be set at, narrowest first (getConfigValueInfo).
int32_t narrowestScope(ConfigScopeKind kind);

struct ConfigDef {
  int32_t id;
  const char* name;  // without the NETWORKING_CONFIG_ prefix
  int32_t type;      // NetworkingConfigDataType
  ConfigScopeKind scope;
  double default_value, min_value, max_value;
  const char* unit;
  const char* description;
  bool read_only;
};

std::span<const ConfigDef> configTable();
const ConfigDef* findConfig(int32_t id);

// Checks type and bounds; on success writes the value converted to the declared type.
// On failure returns false and fills `why`.
bool validateConfigValue(const ConfigDef& def, const ConfigValue& in, ConfigValue& out, std::string& why);

// A set of explicitly set values (one layer: global, listen socket or connection).
class ConfigLayer {
 public:
  void set(int32_t id, ConfigValue v);
  const ConfigValue* get(int32_t id) const;
  bool empty() const { return values_.empty(); }

 private:
  std::vector<std::pair<int32_t, ConfigValue>> values_;
};

// Every per-connection value, resolved from its layers.
struct ConnectionConfig {
  int32_t send_buffer_size;
  int32_t send_rate_min;
  int32_t send_rate_max;
  int32_t nagle_time_us;
  int32_t ip_allow_without_auth;
  int32_t ip_local_host_allow_without_auth;
  int32_t timeout_initial_ms;
  int32_t timeout_connected_ms;
  int32_t mtu_packet_size;
  int32_t unencrypted;
  int64_t user_data;
  int32_t recv_buffer_size;
  int32_t recv_max_message_size;
  std::string pinned_peer_key_hex;  // empty = no pin
  int32_t p2p_ice_enable = -1;      // P2P_TRANSPORT_ICE_ENABLE
  int32_t p2p_ice_penalty_ms = 0;   // P2P_TRANSPORT_ICE_PENALTY
};

// The caps of one listen socket (the LISTEN values), resolved from its layer.
struct ListenLimits {
  int32_t max_connections;
  int32_t max_connections_per_source;
  int32_t max_untrusted_connections;
  int32_t max_untrusted_connections_per_source;
};

struct FakeNetworkConfig {
  float loss_send = 0, loss_recv = 0, reorder_send = 0, reorder_recv = 0, dup_send = 0, dup_recv = 0;
  int32_t lag_send_ms = 0, lag_recv_ms = 0, reorder_time_ms = 15, dup_time_max_ms = 10;
  bool active() const {
    return loss_send > 0 || loss_recv > 0 || reorder_send > 0 || reorder_recv > 0 || dup_send > 0 || dup_recv > 0 ||
           lag_send_ms > 0 || lag_recv_ms > 0;
  }
};

// The process-wide (global scope) layer.
class GlobalConfig {
 public:
  static GlobalConfig& instance();
  void set(int32_t id, const ConfigValue& v);
  std::optional<ConfigValue> get(int32_t id) const;
  FakeNetworkConfig fakeNetwork() const;
  // Bumped on every change so readers can cache snapshots cheaply.
  uint64_t version() const;

 private:
  mutable std::mutex mu_;
  ConfigLayer layer_;
  std::atomic<uint64_t> version_{0};
};

// Resolves connection values: connection layer, then listen-socket layer, then global, then the
// table default.
ConnectionConfig resolveConnectionConfig(const ConfigLayer* listen_layer, const ConfigLayer* connection_layer);
ListenLimits resolveListenLimits(const ConfigLayer* listen_layer);
// Parses "NAME=VALUE" (NAME with or without the NETWORKING_CONFIG_ prefix, any case) into
// listen-socket `options`, checking the value's type and range against the table, for
// command-line flags (outpost-hub --transport, the example server's --transport). Process-wide
// and read-only values are refused. On failure returns false and says why, naming the value
// and its range.
bool parseConfigAssignment(const std::string& text, ConfigOptions& options, std::string* why);
// The value of one id as seen through the same layers (for getConfigValue). `inherited` tells
// whether it came from a parent layer or the default.
ConfigValue resolveOne(const ConfigDef& def, const ConfigLayer* listen_layer, const ConfigLayer* connection_layer,
                       bool* inherited);

// MTU_PACKET_SIZE - MTU_DATA_SIZE: data-packet header (9), AEAD tag (16), the largest
// reliable frame header (12) and the largest message header for one packet (3).
inline constexpr int32_t kDataPacketOverhead = 40;

}  // namespace outpost::transport
