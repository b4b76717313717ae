// Certificates (see certificates.h). Issue order for a session, each refusal with its Result:
// request malformed or not signed by the key it names (InvalidParam); app unknown (InvalidParam);
// the identity banned for the app (Banned) or its token revoked (Revoked); then sign.
#include "hub/certificates.h"

#include <algorithm>

#include "base/log.h"
#include "cert/cert.h"
#include "outpost/steam_id.h"
#include "outpost/types.h"

namespace outpost::hub {

namespace {

constexpr int64_t kMinOfflineLifetimeSeconds = 60;

hubrpc::AdminResponse adminFail(int32_t result, const std::string& why) {
  hubrpc::AdminResponse r;
  r.set_result(result);
  r.set_error(why);
  return r;
}

}  // namespace

Certificates::Certificates(store::Store& store, const crypto::IdentityKeyPair& hub_key,
                           const std::vector<cert::PublicKey>& also_trusted, Send send)
    : store_(store), hub_key_(hub_key), send_(std::move(send)) {
  announced_.push_back(hub_key.public_key);
  for (const auto& k : also_trusted)
    if (std::find(announced_.begin(), announced_.end(), k) == announced_.end() &&
        announced_.size() < cert::Verifier::kMaxTrustedKeys)
      announced_.push_back(k);
}

std::string Certificates::standing(uint64_t steam_id, uint32_t app_id, int32_t* result) {
  *result = RESULT_INVALID_PARAM;
  if (!store_.getApp(app_id)) return "no app " + std::to_string(app_id);
  uint32_t account = steamid::accountId(steam_id);
  if (steamid::isIndividual(steam_id)) {
    if (!store_.getUser(account)) {
      *result = RESULT_ACCOUNT_NOT_FOUND;
      return "no user " + steamid::toString(steam_id);
    }
    if (store_.activeBan(app_id, account)) {
      *result = RESULT_BANNED;
      return steamid::toString(steam_id) + " is banned from app " + std::to_string(app_id);
    }
  } else if (steamid::isGameServer(steam_id)) {
    auto tokens = store_.listTokens(app_id);
    auto t = std::find_if(tokens.begin(), tokens.end(), [&](const store::Token& x) { return x.account_id == account; });
    if (t == tokens.end()) {
      *result = RESULT_ACCOUNT_NOT_FOUND;
      return "no login token of app " + std::to_string(app_id) + " has the account " + steamid::toString(steam_id);
    }
    if (t->revoked) {
      *result = RESULT_REVOKED;
      return "the login token of " + steamid::toString(steam_id) + " is revoked";
    }
  }
  *result = RESULT_OK;
  return "";
}

void Certificates::fillAnnouncement(hubrpc::IdentityCertificateResult& r, int64_t now_unix) {
  for (const auto& k : announced_) r.add_ca_keys(k.data(), k.size());
  prune(now_unix);
  for (const auto& v : revocations_) {
    auto* out = r.add_revocations();
    out->set_steam_id(v.steam_id);
    out->set_app_id(v.app_id);
    out->set_revoked_at(v.revoked_at);
  }
}

hubrpc::IdentityCertificateResult Certificates::issueForSession(uint32_t connection, uint64_t steam_id, uint32_t app_id,
                                                                const std::string& request, int64_t now_unix) {
  hubrpc::IdentityCertificateResult r;
  fillAnnouncement(r, now_unix);
  cert::CertError why = cert::CertError::kNone;
  auto req = cert::parseRequest({reinterpret_cast<const uint8_t*>(request.data()), request.size()}, &why);
  if (!req) {
    r.set_result(RESULT_INVALID_PARAM);
    r.set_error(std::string("bad certificate request (") + cert::toString(why) + ")");
    return r;
  }
  int32_t result = RESULT_OK;
  std::string refusal = standing(steam_id, app_id, &result);
  if (!refusal.empty()) {
    r.set_result(result);
    r.set_error(refusal);
    return r;
  }
  cert::Claims c;
  c.steam_id = steam_id;
  c.public_key = req->public_key;
  c.app_ids = {app_id};
  c.issued_at = now_unix;
  c.expires_at = now_unix + cert::kSessionLifetimeSeconds;
  auto issued = cert::issue(c, hub_key_);
  if (issued.error != cert::CertError::kNone) {
    r.set_result(RESULT_INVALID_PARAM);
    r.set_error(std::string("cannot certify this identity (") + cert::toString(issued.error) + ")");
    return r;
  }
  holders_[connection] = app_id;
  r.set_result(RESULT_OK);
  r.set_certificate(issued.bytes.data(), issued.bytes.size());
  return r;
}

hubrpc::AdminResponse Certificates::signOffline(const hubrpc::SignCertificate& q, int64_t now_unix) {
  cert::CertError why = cert::CertError::kNone;
  const std::string& bytes = q.request();
  auto req = cert::parseRequest({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, &why);
  if (!req)
    return adminFail(RESULT_INVALID_PARAM, std::string("bad certificate request (") + cert::toString(why) + ")");
  uint64_t steam_id = q.steam_id() ? q.steam_id() : req->steam_id;
  if (!steamid::isValid(steam_id) || !(steamid::isIndividual(steam_id) || steamid::isGameServer(steam_id)))
    return adminFail(RESULT_INVALID_STEAMID,
                     "certify a user [U:1:n] or a token's game server [G:1:n] (anonymous servers are certified only "
                     "over a live session); the request names " +
                         steamid::toString(steam_id));
  std::vector<uint32_t> apps(q.app_ids().begin(), q.app_ids().end());
  if (apps.empty() && req->app_id) apps.push_back(req->app_id);
  if (apps.empty()) return adminFail(RESULT_INVALID_PARAM, "name the app(s) to certify for (--app)");
  if (apps.size() > cert::kMaxApps)
    return adminFail(RESULT_INVALID_PARAM, "at most " + std::to_string(cert::kMaxApps) + " apps per certificate");
  for (uint32_t app : apps) {
    int32_t result = RESULT_OK;
    std::string refusal = standing(steam_id, app, &result);
    if (!refusal.empty()) return adminFail(result, refusal);
  }
  int64_t lifetime = q.lifetime_s() ? q.lifetime_s() : cert::kOfflineDefaultLifetimeSeconds;
  if (lifetime < kMinOfflineLifetimeSeconds || lifetime > cert::kMaxLifetimeSeconds)
    return adminFail(RESULT_INVALID_PARAM, "lifetime " + std::to_string(lifetime) + " s is outside " +
                                               std::to_string(kMinOfflineLifetimeSeconds) + ".." +
                                               std::to_string(cert::kMaxLifetimeSeconds));
  cert::Claims c;
  c.steam_id = steam_id;
  c.public_key = req->public_key;
  c.app_ids = apps;
  for (const auto& text : q.addresses()) {
    auto a = cert::AddressPrefix::parse(text);
    if (!a) return adminFail(RESULT_INVALID_PARAM, "address \"" + text + "\" is not an IP or CIDR prefix");
    c.addresses.push_back(*a);
  }
  c.issued_at = now_unix;
  c.expires_at = now_unix + lifetime;
  auto issued = cert::issue(c, hub_key_);
  if (issued.error != cert::CertError::kNone)
    return adminFail(RESULT_INVALID_PARAM, std::string("cannot issue (") + cert::toString(issued.error) + ")");
  OUTPOST_LOG_INFO("hub: certificate for %s (apps %zu, %lld s) signed offline", steamid::toString(steam_id).c_str(),
                   apps.size(), static_cast<long long>(lifetime));
  hubrpc::AdminResponse r;
  r.set_result(RESULT_OK);
  r.set_steam_id(steam_id);
  r.set_certificate(issued.bytes.data(), issued.bytes.size());
  return r;
}

// ---- Revocation ------------------------------------------------------------------------------

void Certificates::prune(int64_t now_unix) {
  while (!revocations_.empty() && revocations_.front().revoked_at + cert::kMaxLifetimeSeconds <= now_unix)
    revocations_.pop_front();
}

void Certificates::revoke(const cert::Revocation& r, int64_t now_unix) {
  prune(now_unix);
  if (revocations_.size() >= kMaxRevocations) revocations_.pop_front();
  revocations_.push_back(r);
  hubrpc::Envelope push;
  auto* out = push.mutable_certificate_revocations()->add_revocations();
  out->set_steam_id(r.steam_id);
  out->set_app_id(r.app_id);
  out->set_revoked_at(r.revoked_at);
  size_t told = 0;
  for (const auto& [connection, app] : holders_)
    if (r.app_id == 0 || r.app_id == app) {
      send_(connection, push);
      ++told;
    }
  OUTPOST_LOG_INFO("hub: certificates of %s (app %u) revoked; %zu session(s) told",
                   r.steam_id ? steamid::toString(r.steam_id).c_str() : "everyone", r.app_id, told);
}

void Certificates::userBanned(uint32_t app_id, uint32_t account_id, int64_t now_unix) {
  revoke({steamid::individual(account_id), app_id, now_unix}, now_unix);
}

void Certificates::tokenRevoked(uint32_t account_id, int64_t now_unix) {
  revoke({steamid::gameServer(account_id), 0, now_unix}, now_unix);
}

void Certificates::appDeleted(uint32_t app_id, int64_t now_unix) { revoke({0, app_id, now_unix}, now_unix); }

void Certificates::afterAdmin(const hubrpc::AdminRequest& request, const hubrpc::AdminResponse& response,
                              int64_t now_unix) {
  if (response.result() != RESULT_OK) return;
  switch (request.op_case()) {
    case hubrpc::AdminRequest::kBan: {
      if (auto u = store_.getUserByName(request.ban().user()))
        userBanned(request.ban().app_id(), u->account_id, now_unix);
      break;
    }
    case hubrpc::AdminRequest::kRevokeToken: tokenRevoked(request.revoke_token(), now_unix); break;
    case hubrpc::AdminRequest::kDeleteApp: appDeleted(request.delete_app(), now_unix); break;
    default: break;
  }
}

}  // namespace outpost::hub
