// Engine, identity and certificates (authentication.h, docs/spec/cert.md): the identity
// strings, resetIdentity, the hub session's mail and renewals, revoked peers cut off after a
// grace period, handshakes waiting for this side's certificate, and the certificate API.
#include "transport/engine.h"

#include <unistd.h>
#include <ctime>

#include "transport/engine_internal.h"

namespace outpost::transport {

std::string Engine::getIdentity() {
  Lock lock(mu_);
  uint64_t id = auth_.steamId();
  if (id == 0) return "invalid";
  return "steamid:" + std::to_string(id);
}

std::string Engine::identityPublicKeyHex() {
  Lock lock(mu_);
  return crypto::toHex(identity_.public_key);
}

void Engine::resetIdentity(uint64_t steam_id) {
  Lock lock(mu_);
  auth_.resetIdentity(steam_id);  // drops the certificate and any request in flight
  queueAuthenticationEvents();
  // As the reference says, any open connection is closed: each ends as a local problem (the
  // application is told and still closes the handle), the peer is told why when it can be (a
  // CLOSE frame, or a refusal for a connection not yet accepted).
  base::TimeUs t = now();
  std::vector<uint32_t> handles;
  for (auto& [h, id] : handles_) handles.push_back(h);
  for (uint32_t h : handles)
    if (Connection* c = byHandle(h)) c->endLocally(CONNECTION_END_MISC_GENERIC, "the local identity was reset", t);
  finishApiCall(t);
}

void Engine::queueAuthenticationEvents() {
  for (auto& e : auth_.takeEvents()) {
    auth_callbacks_.push_back(std::move(e));
    activity_seq_++;
  }
}

void Engine::serviceAuthentication(base::TimeUs now) {
  if (!revoked_peers_.empty()) {
    std::vector<RevokedPeer> keep;
    for (const RevokedPeer& r : revoked_peers_) {
      if (r.at > now) {
        keep.push_back(r);
        continue;
      }
      Connection* c = byLocalId(r.local_id);
      if (!c || c->appClosed() || c->state() == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY ||
          c->state() == CONNECTION_STATE_CLOSED_BY_PEER)
        continue;  // the application (or the peer) ended it meanwhile
      counters_.closed_revoked++;
      c->onPeerRevoked(now);
    }
    revoked_peers_.swap(keep);
  }
  int64_t unix_now = static_cast<int64_t>(std::time(nullptr));
  if (!auth_.hasMail() && unix_now < auth_.nextWakeUnix()) return;
  applyAuthentication(auth_.poll(unix_now), now);
}

void Engine::applyAuthentication(Authentication::Changes ch, base::TimeUs now) {
  for (auto& e : ch.events) {
    auth_callbacks_.push_back(std::move(e));
    activity_seq_++;
  }
  counters_.cert_revocations += ch.revocations.size();
  if (!ch.revocations.empty() || ch.local_certificate_changed) {
    std::vector<Connection*> touched;
    for (auto& [id, c] : connections_) touched.push_back(c.get());
    for (Connection* c : touched) {
      if (!ch.revocations.empty() && c->peerCertificate() && auth_.isRevoked(*c->peerCertificate()) &&
          c->state() != CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY && c->state() != CONNECTION_STATE_CLOSED_BY_PEER) {
        // A peer the hub revoked (ban, revoked token, deleted app) is cut off shortly, unless the
        // application ends the connection first with a reason of its own.
        revoked_peers_.push_back({c->localId(), now + kRevocationGraceUs});
      }
      if (ch.local_certificate_changed && c->waitingForLocalCertificate()) c->onLocalCertificateChanged(now);
    }
  }
}

int Engine::initAuthentication() {
  Lock lock(mu_);
  int r = auth_.initAuthentication(static_cast<int64_t>(std::time(nullptr)));
  queueAuthenticationEvents();
  return r;
}

int Engine::getAuthenticationStatus() {
  Lock lock(mu_);
  return auth_.status();
}

CertificateRequest Engine::getCertificateRequest() {
  Lock lock(mu_);
  return auth_.certificateRequest();
}

SetCertificateResult Engine::setCertificate(std::span<const uint8_t> certificate) {
  Lock lock(mu_);
  base::TimeUs t = now();
  SetCertificateResult r = auth_.setCertificate(certificate, static_cast<int64_t>(std::time(nullptr)));
  queueAuthenticationEvents();
  // Handshakes waiting for a certificate of this side's own go on with it.
  Authentication::Changes ch;
  ch.local_certificate_changed = r.response;
  applyAuthentication(std::move(ch), t);
  finishApiCall(t);
  return r;
}

std::shared_ptr<CertificateLink> Engine::certificateLink() {
  Lock lock(mu_);
  auto link = auth_.link();
  int fd = event_fd_;
  // Only an eventfd write: no lock of this engine is taken from the session's thread.
  link->setWake([fd] {
    uint64_t one = 1;
    ssize_t r = ::write(fd, &one, sizeof one);
    (void)r;
  });
  return link;
}

}  // namespace outpost::transport
