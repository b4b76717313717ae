// The memory one connection may make this process hold, before and after its peer is trusted
// (docs/spec/transport.md §16.3, docs/decisions/010-memory-before-trust.md).
//
// Every connection starts *untrusted* — except the client end of a connection whose server key
// is pinned (NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY) and both ends of a socket pair — and
// holds at most kUntrustedTotalBytes on its peer's behalf: these limits, exact-size buffers
// (no doubling slack) and the connection's fixed state. It is promoted to its configured
// budget (RECV_BUFFER_SIZE, SEND_BUFFER_SIZE) when the application calls
// NetworkingSockets::trustConnection (the hub after a logon, a game server once a player's auth
// session is OK) or when the transport itself verifies a credential the peer presented
// (a peer certificate or the pinned key: Engine::onPeerAuthenticated calls Connection::promote). Whoever sees these numbers: they are part of the
// protocol only through kUntrustedWindowBytes, the flow-control credit both sides assume before
// the first ACK.
#pragma once

#include <cstddef>
#include <cstdint>

namespace outpost::transport::budget {

// The whole of what an untrusted connection may cost: fixed state included (the integration test
// HostileMemory.* measures it on a real outpost-hub).
inline constexpr size_t kUntrustedTotalBytes = 65536;

// Reliable flow-control credit (bytes received but not yet taken by the application, all lanes).
// Also the credit both sides assume before the first ACK, so a peer can never make a fresh
// connection buffer more. A reliable message larger than this waits until the peer is trusted.
inline constexpr uint64_t kUntrustedWindowBytes = 16384;
// Received messages waiting for the application (payload plus MessageQueue::kMessageCostBytes
// each) together with unreliable messages being reassembled (bytes held plus
// SparseBytes::kSegmentOverheadBytes per fragment run). Unreliable fragments that do not fit are
// dropped (counted); reliable messages stay in the stream until the queue has room.
inline constexpr size_t kUntrustedQueueBytes = 12288;
// Out-of-order reliable segments held (all lanes), and receive lanes (0..kUntrustedLanes-1).
// A packet that would exceed them is dropped unacknowledged (dropped.over_budget): the peer
// sends it again.
inline constexpr size_t kUntrustedSegments = 16;
inline constexpr uint16_t kUntrustedLanes = 8;
// Data queued for sending or sent and not acknowledged (reliable and unreliable, all lanes): a
// send past it returns RESULT_LIMIT_EXCEEDED, except that one message of any size goes into an
// empty queue (so the application can always answer once; what it sends is its choice).
inline constexpr size_t kUntrustedSendBytes = 8192;
// Ack-eliciting packets in flight (each keeps a 152-byte record until acknowledged or lost).
inline constexpr size_t kUntrustedPacketsInFlight = 16;

// Trusted connections: out-of-order reliable segments held (all lanes). Everything else is
// bounded by the configuration (RECV_BUFFER_SIZE, SEND_BUFFER_SIZE, the congestion window).
inline constexpr size_t kTrustedSegments = 4096;

}  // namespace outpost::transport::budget
