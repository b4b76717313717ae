// GameServer: certifying the game's NetworkingSockets (certifyNetworkingSockets; docs/spec/cert.md
// §7, §9). The instance posts a certificate request into the CertificateLink; the service thread
// (tick) sends it over the hub session once logged on and hands back the hub's answer, and passes
// on every revocation the hub pushes. Everything here runs with mu_ held.
#include "base/log.h"
#include "crypto/crypto.h"
#include "server/game_server_impl.h"

namespace outpost::server {

namespace {

transport::CertificateLink::Grant grantOf(const hubrpc::IdentityCertificateResult& r) {
  transport::CertificateLink::Grant g;
  g.result = r.result();
  g.error = r.error();
  g.certificate.assign(r.certificate().begin(), r.certificate().end());
  for (const auto& k : r.ca_keys()) {
    cert::PublicKey key{};
    if (k.size() != key.size()) continue;  // not a key: ignored
    std::copy(k.begin(), k.end(), key.begin());
    g.ca_keys.push_back(key);
  }
  for (const auto& v : r.revocations()) g.revocations.push_back({v.steam_id(), v.app_id(), v.revoked_at()});
  return g;
}

}  // namespace

void GameServerImpl::certify(NetworkingSockets& net) {
  std::lock_guard<std::mutex> l(mu_);
  if (cert_link_) cert_link_->detachSession();
  cert_link_ = net.certificateLink();
  pump_.attach(net.signalingLink(), nullptr);  // P2P signals: the service thread passes them each tick
  cert_published_ = false;
  tickCertificates();  // attached now: the instance waits for the logon (WAITING)
}

void GameServerImpl::tickCertificates() {
  if (!cert_link_) return;
  bool logged_on = state_ == State::kLoggedOn;
  if (!cert_published_ || logged_on != cert_published_logged_on_ || steam_id_ != cert_published_steam_id_ ||
      hub_key_ != cert_published_hub_key_) {
    transport::CertificateLink::Session s;
    s.logged_on = logged_on;
    s.steam_id = steam_id_;
    s.app_id = logon_.app_id() ? logon_.app_id() : appIdFromEnvironment();
    cert::PublicKey key{};
    if (crypto::fromHex(hub_key_, key)) s.pinned_hub_keys.push_back(key);
    cert_link_->setSession(s);
    cert_published_ = true;
    cert_published_logged_on_ = logged_on;
    cert_published_steam_id_ = steam_id_;
    cert_published_hub_key_ = hub_key_;
  }
  if (!logged_on) {
    if (cert_request_id_) {
      // The session dropped before the hub answered: the instance retries later.
      transport::CertificateLink::Grant g;
      g.result = RESULT_NO_CONNECTION;
      g.error = "the hub session dropped";
      cert_link_->deliver(std::move(g));
      cert_request_id_ = 0;
    }
    return;
  }
  if (cert_request_id_) return;  // one at a time
  if (auto req = cert_link_->takeRequest()) {
    hubrpc::Envelope e;
    cert_request_id_ = ++request_id_;
    e.set_request_id(cert_request_id_);
    e.mutable_identity_certificate_request()->set_request(req->data(), req->size());
    send(e);
  }
}

bool GameServerImpl::handleCertificates(const hubrpc::Envelope& e) {
  if (e.has_identity_certificate_result()) {
    if (cert_link_ && e.request_id() == cert_request_id_ && cert_request_id_ != 0) {
      cert_link_->deliver(grantOf(e.identity_certificate_result()));
      cert_request_id_ = 0;
    }
    return true;
  }
  if (e.has_certificate_revocations()) {
    if (cert_link_) {
      std::vector<cert::Revocation> r;
      for (const auto& v : e.certificate_revocations().revocations())
        r.push_back({v.steam_id(), v.app_id(), v.revoked_at()});
      cert_link_->revoked(std::move(r));
    }
    return true;
  }
  return false;
}

void GameServerImpl::detachCertificates() {
  std::lock_guard<std::mutex> l(mu_);
  if (cert_link_) cert_link_->detachSession();
  cert_link_.reset();
}

}  // namespace outpost::server
