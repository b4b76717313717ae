// Connection, the handshake (docs/spec/transport.md §5-§9, drop checks in §13.3-§13.5 and
// §13.8): the client's Hello, its Connect once a Challenge brings a cookie, and the checks of the
// server's Accept (signature, pinned key, cipher) that end in session keys; the server's side
// once the engine verified the cookie (initServer: cipher choice and keys), its Accept or signed
// refusal, and answers to retransmitted Connects; in-process pipes and loopback pairs linked
// without a handshake. Certificates in the handshake: connection_auth.cpp. Runs under the engine
// lock like the rest of Connection (connection.cpp).
#include <algorithm>
#include <cstring>
#include <ctime>
#include <string>

#include "net/udp_socket.h"
#include "transport/authentication.h"
#include "transport/connection.h"

namespace outpost::transport {

namespace {

constexpr base::TimeUs kHandshakeRetryUs = 250000;

}  // namespace

void Connection::sendRaw(std::span<const uint8_t> datagram) {
  if (!socket_) return;
  uint8_t* out = host_.datagramBuffer(*socket_);
  std::memcpy(out, datagram.data(), datagram.size());
  host_.commitDatagram(*socket_, peer_, datagram.size());
  stats_.packets_sent++;
  stats_.bytes_sent += datagram.size();
}

void Connection::startClient(const net::UdpSocket* socket, const base::SocketAddress& peer, Identity identity,
                             base::TimeUs now) {
  socket_ = socket;
  peer_ = peer;
  identity_ = identity;
  kx_ = crypto::KxKeyPair::generate();
  setState(CONNECTION_STATE_CONNECTING, now);
  sendHandshake(now);
  recomputeTimer(now);
}

void Connection::beginP2P(base::TimeUs now) {
  next_handshake_send_ = base::kNever;  // no route yet: startClient() sends the first Hello
  setState(CONNECTION_STATE_CONNECTING, now);
  recomputeTimer(now);
}

void Connection::startClientWithCookie(const net::UdpSocket* socket, const base::SocketAddress& peer, Identity identity,
                                       const wire::Cookie& cookie, base::TimeUs now) {
  socket_ = socket;
  peer_ = peer;
  identity_ = identity;
  kx_ = crypto::KxKeyPair::generate();
  setState(CONNECTION_STATE_CONNECTING, now);
  wire::Challenge c;
  c.client_connection_id = local_id_;
  c.cookie = cookie;
  onChallenge(c, now);  // builds and sends the Connect, and schedules its resends
  recomputeTimer(now);
}

void Connection::setFindingRoute(bool on, base::TimeUs now) {
  (void)now;
  if (state_ != CONNECTION_STATE_CONNECTING || finding_route_ == on) return;
  int32_t old = publicState();
  finding_route_ = on;
  if (handle_ != 0) host_.onStateChanged(*this, old);
}

void Connection::sendHandshake(base::TimeUs now) {
  if (!have_cookie_) {
    uint8_t buf[wire::kHelloSize];
    wire::Hello h;
    h.client_connection_id = local_id_;
    size_t n = wire::writeHello(h, buf);
    sendRaw({buf, n});
  } else if (!handshake_packet_.empty()) {  // empty while waiting for this side's certificate
    sendRaw(handshake_packet_);
  }
  next_handshake_send_ = now + kHandshakeRetryUs;
}

void Connection::onChallenge(const wire::Challenge& c, base::TimeUs now) {
  if (role_ != Role::kClient || state_ != CONNECTION_STATE_CONNECTING || keys_ready_) return;
  cookie_ = c.cookie;
  have_cookie_ = true;
  cookie_received_ = now;
  buildConnect(now);  // connection_auth.cpp: with this instance's certificate, or waits for it
}

void Connection::deriveKeys(const crypto::SessionKeys& keys, crypto::Cipher cipher) {
  cipher_ = cipher;
  tx_.init(cipher, keys.tx);
  rx_.init(cipher, keys.rx);
  keys_ready_ = true;
  if (cipher == crypto::Cipher::kNone) info_flags_ |= NETWORKING_CONNECTION_INFO_FLAG_UNENCRYPTED;
}

void Connection::onAccept(const wire::Accept& a, std::span<const uint8_t> raw, base::TimeUs now) {
  if (role_ != Role::kClient || state_ != CONNECTION_STATE_CONNECTING || keys_ready_ || !have_cookie_) return;
  uint8_t msg[1400];
  size_t mlen = wire::acceptSignedMessage(kx_.public_key, raw.first(a.signed_length), msg, sizeof msg);
  if (mlen == 0 || !crypto::verifySignature(a.identity_public, {msg, mlen}, a.signature)) {
    host_.countDrop(wire::DropReason::kBadSignature);
    return;
  }
  if (!config_.pinned_peer_key_hex.empty() && crypto::toHex(a.identity_public) != config_.pinned_peer_key_hex) {
    // Not the server we were told to expect (a man in the middle, or the wrong hub). A refusal
    // signed by the wrong key is ignored the same way.
    if (a.flags & wire::kAcceptRejected) {
      host_.countDrop(wire::DropReason::kBadSignature);
      return;
    }
    problem(CONNECTION_END_REMOTE_BAD_CERT, "the server's identity key is not the pinned one", now);
    return;
  }
  // A P2P connection knows whom it asked for; a server claiming nothing does not erase that.
  if (a.claimed_steam_id != 0 || remote_steam_id_ == 0) remote_steam_id_ = a.claimed_steam_id;
  remote_identity_key_ = a.identity_public;
  last_received_ = now;
  // The server's certificate, or IP_ALLOW_WITHOUT_AUTH (connection_auth.cpp). A refusal needs
  // none: it ends the attempt either way.
  if (!(a.flags & wire::kAcceptRejected) && !checkServerCertificate(a, now)) return;
  if (a.flags & wire::kAcceptRejected) {
    end_reason_ = static_cast<int32_t>(a.reject_reason);
    end_debug_ = a.reject_debug;
    setState(CONNECTION_STATE_CLOSED_BY_PEER, now);
    recomputeTimer(now);
    return;
  }
  auto cipher = static_cast<crypto::Cipher>(a.cipher);
  if (cipher == crypto::Cipher::kNone && config_.unencrypted == 0) {
    problem(CONNECTION_END_REMOTE_BAD_CRYPT, "peer chose no encryption, which this side forbids", now);
    return;
  }
  if (cipher != crypto::Cipher::kNone && !(crypto::supportedCipherMask() & (1u << static_cast<int>(cipher)))) {
    problem(CONNECTION_END_REMOTE_BAD_CRYPT, "peer chose a cipher this side does not offer", now);
    return;
  }
  crypto::SessionKeys keys;
  if (!crypto::deriveClientKeys(kx_, a.kx_public, keys)) {
    problem(CONNECTION_END_REMOTE_BAD_CRYPT, "key exchange failed", now);
    return;
  }
  deriveKeys(keys, cipher);
  remote_id_ = a.server_connection_id;
  handshake_packet_.clear();
  if (peerAuthenticated()) host_.onPeerAuthenticated(*this, now);
  setState(CONNECTION_STATE_CONNECTED, now);
  transmit(now, false);
  recomputeTimer(now);
}

bool Connection::initServer(const net::UdpSocket* socket, const base::SocketAddress& peer, const wire::Connect& connect,
                            Identity identity, uint32_t listen_socket, int32_t* end_reason, std::string* why) {
  socket_ = socket;
  peer_ = peer;
  identity_ = identity;
  listen_socket_ = listen_socket;
  remote_id_ = connect.client_connection_id;
  remote_steam_id_ = connect.claimed_steam_id;
  remote_identity_key_ = connect.identity_public;
  peer_kx_public_ = connect.kx_public;
  kx_ = crypto::KxKeyPair::generate();

  // The client's certificate, or IP_ALLOW_WITHOUT_AUTH (connection_auth.cpp).
  if (!checkClientCertificate(connect, end_reason, why)) return false;
  int local_unenc = config_.unencrypted;
  int remote_unenc = connect.unencrypted_mode;
  bool plaintext = std::min(local_unenc, remote_unenc) >= 1 && std::max(local_unenc, remote_unenc) >= 2;
  if (!plaintext && (local_unenc == 3 || remote_unenc == 3)) {
    *end_reason = CONNECTION_END_REMOTE_BAD_CRYPT;
    *why = "one side requires plaintext and the other forbids it";
    return false;
  }
  crypto::Cipher cipher =
      plaintext ? crypto::Cipher::kNone : crypto::chooseCipher(crypto::supportedCipherMask(), connect.cipher_mask);
  if (!plaintext && cipher == crypto::Cipher::kNone) {
    *end_reason = CONNECTION_END_REMOTE_BAD_CRYPT;
    *why = "no cipher in common";
    return false;
  }
  crypto::SessionKeys keys;
  if (!crypto::deriveServerKeys(kx_, connect.kx_public, keys)) {
    *end_reason = CONNECTION_END_REMOTE_BAD_CRYPT;
    *why = "key exchange failed";
    return false;
  }
  deriveKeys(keys, cipher);
  return true;  // the engine reports an authenticated client (Engine::handleConnect)
}

void Connection::beginIncoming(base::TimeUs now) {
  setState(CONNECTION_STATE_CONNECTING, now);
  recomputeTimer(now);
}

void Connection::sendReject(int32_t reason, const std::string& debug) {
  wire::Accept a;
  a.flags = wire::kAcceptRejected;
  a.client_connection_id = remote_id_;
  a.kx_public = kx_.public_key;
  a.identity_public = identity_.key->public_key;
  a.claimed_steam_id = host_.authentication().steamId();
  a.reject_reason = static_cast<uint32_t>(reason);
  a.reject_debug = debug.substr(0, wire::kMaxRejectDebug);
  uint8_t buf[1024];
  size_t n = wire::writeAcceptUnsigned(a, buf, sizeof buf - crypto::kSignatureBytes);
  uint8_t msg[1200];
  size_t mlen = wire::acceptSignedMessage(peer_kx_public_, {buf, n}, msg, sizeof msg);
  auto sig = identity_.key->sign({msg, mlen});
  std::memcpy(buf + n, sig.data(), sig.size());
  rejection_.assign(buf, buf + n + sig.size());
  sendRaw(rejection_);
}

void Connection::onVersionMismatch(uint8_t server_version, base::TimeUs now) {
  if (role_ != Role::kClient || state_ != CONNECTION_STATE_CONNECTING || keys_ready_) return;
  problem(CONNECTION_END_BAD_PROTOCOL_VERSION,
          "the server speaks transport protocol version " + std::to_string(server_version) + ", this side " +
              std::to_string(wire::kProtocolVersion),
          now);
}

int Connection::accept(base::TimeUs now) {
  if (role_ != Role::kServer || state_ != CONNECTION_STATE_CONNECTING || accepted_) return RESULT_INVALID_STATE;
  accepted_ = true;
  // The Accept carries this side's certificate: if one is on its way, it waits for it
  // (onLocalCertificateChanged), within TIMEOUT_INITIAL.
  if (host_.authentication().pending(static_cast<int64_t>(std::time(nullptr)))) {
    waiting_for_local_cert_ = true;
    return RESULT_OK;
  }
  sendAccept(now);
  return RESULT_OK;
}

void Connection::sendAccept(base::TimeUs now) {
  waiting_for_local_cert_ = false;
  wire::Accept a;
  a.cipher = static_cast<uint8_t>(cipher_);
  a.client_connection_id = remote_id_;
  a.server_connection_id = local_id_;
  a.kx_public = kx_.public_key;
  a.identity_public = identity_.key->public_key;
  a.claimed_steam_id = host_.authentication().steamId();
  a.certificate = host_.authentication().currentCertificate(static_cast<int64_t>(std::time(nullptr)));
  uint8_t buf[1024];
  size_t n = wire::writeAcceptUnsigned(a, buf, sizeof buf - crypto::kSignatureBytes);
  uint8_t msg[1200];
  size_t mlen = wire::acceptSignedMessage(peer_kx_public_, {buf, n}, msg, sizeof msg);
  auto sig = identity_.key->sign({msg, mlen});
  std::memcpy(buf + n, sig.data(), sig.size());
  handshake_packet_.assign(buf, buf + n + sig.size());
  sendRaw(handshake_packet_);
  last_received_ = now;
  setState(CONNECTION_STATE_CONNECTED, now);
  transmit(now, false);
  recomputeTimer(now);
}

void Connection::onConnectRetransmit(base::TimeUs now) {
  // The client did not get our Accept yet. The Accept is never larger than the Connect that
  // asks for it, and the address was verified by the cookie.
  if (accepted_ && !handshake_packet_.empty() && state_ == CONNECTION_STATE_CONNECTED) sendRaw(handshake_packet_);
  (void)now;
}

void Connection::linkPipe(Connection& a, Connection& b, base::TimeUs now) {
  a.pipe_peer_ = &b;
  b.pipe_peer_ = &a;
  for (Connection* c : {&a, &b}) {
    c->info_flags_ |= NETWORKING_CONNECTION_INFO_FLAG_LOOPBACK_BUFFERS;
    c->state_ = CONNECTION_STATE_CONNECTED;
    c->last_received_ = now;
    c->trusted_ = true;  // both ends belong to this process
    c->setTight(false);
  }
}

void Connection::linkLoopback(Connection& a, const net::UdpSocket* socket_a, Connection& b,
                              const net::UdpSocket* socket_b, base::TimeUs now) {
  a.socket_ = socket_a;
  b.socket_ = socket_b;
  a.peer_ = socket_b->localAddress();
  b.peer_ = socket_a->localAddress();
  a.remote_id_ = b.local_id_;
  b.remote_id_ = a.local_id_;
  a.kx_ = crypto::KxKeyPair::generate();
  b.kx_ = crypto::KxKeyPair::generate();
  crypto::SessionKeys ka, kb;
  crypto::deriveClientKeys(a.kx_, b.kx_.public_key, ka);
  crypto::deriveServerKeys(b.kx_, a.kx_.public_key, kb);
  crypto::Cipher cipher = crypto::chooseCipher(crypto::supportedCipherMask(), crypto::supportedCipherMask());
  a.deriveKeys(ka, cipher);
  b.deriveKeys(kb, cipher);
  for (Connection* c : {&a, &b}) {
    c->state_ = CONNECTION_STATE_CONNECTED;
    c->accepted_ = true;
    c->last_received_ = now;
    c->trusted_ = true;  // both ends belong to this process
    c->setTight(false);
    c->recomputeTimer(now);
  }
}

}  // namespace outpost::transport
