// Connection, certificate side (docs/spec/cert.md §10 and §12): which certificate a handshake
// carries and when it waits for this side's own, the checks of the peer's certificate (or what
// IP_ALLOW_WITHOUT_AUTH says when it has none), and the end of a connection whose peer was
// revoked. Runs under the engine lock like the rest of Connection (connection.cpp); the
// certificate state itself lives in the engine's Authentication.
#include <algorithm>
#include <cstring>
#include <ctime>

#include "base/log.h"
#include "transport/authentication.h"
#include "transport/connection.h"

namespace outpost::transport {

namespace {

// A cookie is accepted for 4 to 8 s (transport.md §6). A client that waited longer than this for
// its certificate asks for a fresh one rather than send a Connect the server would drop.
constexpr base::TimeUs kMaxCookieAgeUs = 3000000;
base::LogLimiter g_auth_log(20);

int64_t unixNow() { return static_cast<int64_t>(std::time(nullptr)); }

std::optional<std::array<uint8_t, 16>> ip16Of(const base::SocketAddress& a) {
  if (!a.valid()) return std::nullopt;
  std::array<uint8_t, 16> ip{};
  a.ip16(ip.data());
  return ip;
}

}  // namespace

int32_t Connection::allowWithoutAuth() const {
  if (peer_.valid() && peer_.isLoopback())
    return std::max(config_.ip_allow_without_auth, config_.ip_local_host_allow_without_auth);
  return config_.ip_allow_without_auth;
}

void Connection::buildConnect(base::TimeUs now) {
  Authentication& auth = host_.authentication();
  int64_t unix_now = unixNow();
  std::span<const uint8_t> certificate = auth.currentCertificate(unix_now);
  int32_t allow = allowWithoutAuth();
  waiting_for_local_cert_ = false;
  if (certificate.empty() && allow < 2) {
    if (auth.pending(unix_now)) {
      // Wait for it (as GameNetworkingSockets does): without it the server refuses us, or takes
      // us unauthenticated, which is not what this side asked for.
      waiting_for_local_cert_ = true;
      handshake_packet_.clear();
      recomputeTimer(now);
      return;
    }
    if (allow == 0) {
      problem(CONNECTION_END_MISC_STEAM_CONNECTIVITY,
              "no certificate (" + auth.statusDebug() + "; IP_ALLOW_WITHOUT_AUTH = 0)", now);
      return;
    }
    if (g_auth_log.allow())
      OUTPOST_LOG_WARN("connection %u: connecting to %s without a certificate (%s; IP_ALLOW_WITHOUT_AUTH = 1)", handle_,
                       peer_.toString().c_str(), auth.statusDebug().c_str());
  }
  wire::Connect m;
  m.cipher_mask = config_.unencrypted >= 3 ? 0 : crypto::supportedCipherMask();
  m.unencrypted_mode = static_cast<uint8_t>(config_.unencrypted);
  m.client_connection_id = local_id_;
  m.cookie = cookie_;
  m.kx_public = kx_.public_key;
  m.identity_public = identity_.key->public_key;
  m.claimed_steam_id = auth.steamId();
  m.certificate = certificate;
  uint8_t buf[1024];
  size_t n = wire::writeConnectUnsigned(m, buf, sizeof buf - crypto::kSignatureBytes);
  uint8_t msg[1200];
  size_t mlen = wire::connectSignedMessage({buf, n}, msg, sizeof msg);
  auto sig = identity_.key->sign({msg, mlen});
  std::memcpy(buf + n, sig.data(), sig.size());
  handshake_packet_.assign(buf, buf + n + sig.size());
  sendHandshake(now);
  recomputeTimer(now);
}

void Connection::onLocalCertificateChanged(base::TimeUs now) {
  if (!waiting_for_local_cert_ || finished_ || state_ != CONNECTION_STATE_CONNECTING) return;
  if (role_ == Role::kClient) {
    if (now - cookie_received_ > kMaxCookieAgeUs) {
      // The cookie is about to expire: start again from the Hello.
      waiting_for_local_cert_ = false;
      have_cookie_ = false;
      sendHandshake(now);
      recomputeTimer(now);
      return;
    }
    buildConnect(now);
  } else if (role_ == Role::kServer && accepted_) {
    sendAccept(now);
  }
}

void Connection::markPeerAuthenticated(std::optional<cert::Claims> claims) {
  info_flags_ &= ~NETWORKING_CONNECTION_INFO_FLAG_UNAUTHENTICATED;
  if (claims) remote_steam_id_ = claims->steam_id;
  peer_cert_ = std::move(claims);
}

bool Connection::checkServerCertificate(const wire::Accept& a, base::TimeUs now) {
  Authentication& auth = host_.authentication();
  if (!a.certificate.empty() && auth.trustsAnyCa()) {
    cert::Expectations e;
    e.holder_key = a.identity_public;
    e.claimed_steam_id = a.claimed_steam_id;
    e.expected_steam_id = expected_peer_steam_id_;
    e.peer_ip16 = ip16Of(peer_);
    cert::Certificate c;
    cert::CertError why = auth.verifyPeer(a.certificate, e, &c);
    if (why != cert::CertError::kNone) {
      host_.countCertificateRefusal(why);
      problem(CONNECTION_END_REMOTE_BAD_CERT, std::string("bad certificate: ") + cert::toString(why), now);
      return false;
    }
    markPeerAuthenticated(std::move(c.claims));
    return true;
  }
  // The pinned key (checked before this) names the server: the hub has no certificate, its key is
  // what the SDK trusts.
  if (!config_.pinned_peer_key_hex.empty()) {
    markPeerAuthenticated(std::nullopt);
    return true;
  }
  if (expected_peer_steam_id_ != 0) {
    host_.countCertificateRefusal(cert::CertError::kNone);
    problem(CONNECTION_END_REMOTE_BAD_CERT, "the peer presented no certificate for the identity asked for", now);
    return false;
  }
  int32_t allow = allowWithoutAuth();
  if (allow == 0) {
    host_.countCertificateRefusal(cert::CertError::kNone);
    problem(CONNECTION_END_REMOTE_BAD_CERT, "the server presented no certificate (IP_ALLOW_WITHOUT_AUTH = 0)", now);
    return false;
  }
  if (allow == 1 && g_auth_log.allow())
    OUTPOST_LOG_WARN("connection %u: server %s is unauthenticated (no certificate; IP_ALLOW_WITHOUT_AUTH = 1)", handle_,
                     peer_.toString().c_str());
  return true;
}

bool Connection::checkClientCertificate(const wire::Connect& connect, int32_t* end_reason, std::string* why) {
  Authentication& auth = host_.authentication();
  if (!connect.certificate.empty() && auth.trustsAnyCa()) {
    cert::Expectations e;
    e.holder_key = connect.identity_public;
    e.claimed_steam_id = connect.claimed_steam_id;
    e.expected_steam_id = expected_peer_steam_id_;  // P2P: the initiator the hub named
    e.peer_ip16 = ip16Of(peer_);
    cert::Certificate c;
    cert::CertError refused = auth.verifyPeer(connect.certificate, e, &c);
    if (refused != cert::CertError::kNone) {
      host_.countCertificateRefusal(refused);
      *end_reason = CONNECTION_END_REMOTE_BAD_CERT;
      *why = std::string("bad certificate: ") + cert::toString(refused);
      return false;
    }
    markPeerAuthenticated(std::move(c.claims));
    return true;
  }
  if (expected_peer_steam_id_ != 0) {  // a P2P listener knows whom the hub announced
    host_.countCertificateRefusal(cert::CertError::kNone);
    *end_reason = CONNECTION_END_REMOTE_BAD_CERT;
    *why = "no certificate for the identity the hub announced";
    return false;
  }
  if (allowWithoutAuth() == 0) {
    host_.countCertificateRefusal(cert::CertError::kNone);
    *end_reason = CONNECTION_END_REMOTE_BAD_CERT;
    *why = "no certificate (IP_ALLOW_WITHOUT_AUTH = 0)";
    return false;
  }
  return true;
}

void Connection::onPeerRevoked(base::TimeUs now) {
  problem(CONNECTION_END_REMOTE_BAD_CERT, "the peer's certificate was revoked", now);
}

}  // namespace outpost::transport
