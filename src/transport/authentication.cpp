// Authentication (see authentication.h): the availability state machine of docs/spec/cert.md §11,
// requests and renewals through the CertificateLink, setCertificate, and peer checks through the
// cert::Verifier. Engine lock held by every caller.
#include "transport/authentication.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sstream>

#include "base/log.h"
#include "outpost/steam_id.h"

namespace outpost::transport {

namespace {

constexpr size_t kMaxStatusDebug = 255;  // the reference's 256-byte buffer, NUL included

std::vector<cert::PublicKey> parseKeys(const std::vector<std::string>& hex_keys, const char* source) {
  std::vector<cert::PublicKey> out;
  for (const std::string& hex : hex_keys) {
    cert::PublicKey k{};
    if (hex.empty()) continue;
    if (!crypto::fromHex(hex, k)) {
      OUTPOST_LOG_WARN("certificates: ignoring CA key \"%s\" from %s (not 64 hex characters)", hex.c_str(), source);
      continue;
    }
    out.push_back(k);
  }
  return out;
}

std::vector<std::string> splitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

uint32_t appFromEnvironment() {
  for (const char* name : {"OUTPOST_APP_ID", "SteamAppId"})
    if (const char* v = std::getenv(name)) {
      char* end = nullptr;
      unsigned long app = std::strtoul(v, &end, 10);
      if (end && *end == '\0' && app > 0 && app <= 0xFFFFFFFFul) return static_cast<uint32_t>(app);
    }
  return 0;
}

}  // namespace

Authentication::Authentication(const crypto::IdentityKeyPair& key, const std::vector<std::string>& trusted_ca_keys_hex)
    : key_(key), environment_app_id_(appFromEnvironment()) {
  if (!trusted_ca_keys_hex.empty()) {
    verifier_.setTrusted(cert::Verifier::Source::kConfigured, parseKeys(trusted_ca_keys_hex, "the options"));
  } else if (const char* env = std::getenv("OUTPOST_HUB_KEY")) {
    verifier_.setTrusted(cert::Verifier::Source::kConfigured, parseKeys(splitComma(env), "OUTPOST_HUB_KEY"));
  } else if (const char* contact = std::getenv("OUTPOST_HUB"); contact && std::strchr(contact, '@')) {
    // The one-value form KEY@IP:PORT (docs/operations.md): its key is the hub's, so the CA's.
    std::string key(contact, std::strchr(contact, '@'));
    verifier_.setTrusted(cert::Verifier::Source::kConfigured, parseKeys({key}, "OUTPOST_HUB"));
  }
  status_debug_ = "no certificate, and no hub session certifies this instance";
}

uint64_t Authentication::steamId() const { return cert_ ? cert_->claims.steam_id : claimed_steam_id_; }

void Authentication::setStatus(int32_t status, const std::string& debug) {
  std::string d = debug.substr(0, kMaxStatusDebug);
  if (status == status_ && d == status_debug_) return;
  status_ = status;
  status_debug_ = d;
  events_.push_back({status_, status_debug_});
  OUTPOST_LOG_INFO("authentication status %d: %s", status_, status_debug_.c_str());
}

std::vector<NetworkAuthenticationStatus> Authentication::takeEvents() {
  std::vector<NetworkAuthenticationStatus> out;
  out.swap(events_);
  return out;
}

std::shared_ptr<CertificateLink> Authentication::link() {
  if (!link_) link_ = std::make_shared<CertificateLink>();
  return link_;
}

std::vector<uint32_t> Authentication::localApps() const {
  if (cert_) return cert_->claims.app_ids;
  if (session_.app_id) return {session_.app_id};
  if (environment_app_id_) return {environment_app_id_};
  return {};
}

// ---- Identity and the public API -------------------------------------------------------------

void Authentication::resetIdentity(uint64_t steam_id) {
  claimed_steam_id_ = steam_id;
  cert_.reset();
  cert_bytes_.clear();
  renew_at_ = kNever;
  wanted_ = false;
  in_flight_ = false;
  next_attempt_ = 0;
  if (link_) link_->withdraw();
  if (session_.attached)
    setStatus(NETWORKING_AVAILABILITY_NEVER_TRIED, "identity reset; call initAuthentication for a new certificate");
  else setStatus(NETWORKING_AVAILABILITY_CANNOT_TRY, "identity reset; no hub session certifies this instance");
}

int32_t Authentication::initAuthentication(int64_t now_unix) {
  wanted_ = true;
  if (status_ == NETWORKING_AVAILABILITY_FAILED || status_ == NETWORKING_AVAILABILITY_PREVIOUSLY) next_attempt_ = 0;
  update(now_unix);
  return status_;
}

void Authentication::onSocketCreated(int64_t now_unix) {
  if (session_.attached && !wanted_ && !cert_) initAuthentication(now_unix);
}

CertificateRequest Authentication::certificateRequest() const {
  CertificateRequest r;
  auto apps = localApps();
  r.certificate = cert::makeRequest(key_, steamId(), apps.empty() ? 0 : apps.front());
  return r;
}

SetCertificateResult Authentication::setCertificate(std::span<const uint8_t> bytes, int64_t now_unix) {
  SetCertificateResult r;
  cert::CertError why = cert::CertError::kNone;
  auto parsed = cert::parse(bytes, &why);
  if (!parsed) {
    r.error = std::string("malformed certificate (") + cert::toString(why) + ")";
    return r;
  }
  const cert::Claims& c = parsed->claims;
  if (c.public_key != key_.public_key) {
    r.error = "the certificate is for another key than this instance's (getCertificateRequest names it)";
    return r;
  }
  if (now_unix >= c.expires_at) {
    r.error = "the certificate has expired";
    return r;
  }
  if (c.issued_at > now_unix + cert::kMaxClockSkewSeconds) {
    r.error = "the certificate is not valid yet (is this machine's clock behind?)";
    return r;
  }
  if (verifier_.hasTrustedKeys()) {
    const cert::PublicKey* ca = verifier_.trustedKey(parsed->ca_key_id);
    if (!ca) {
      r.error = "the certificate is signed by a CA key this instance does not trust";
      return r;
    }
    if (cert::verifySignature(*parsed, bytes, *ca) != cert::CertError::kNone) {
      r.error = "the certificate's signature does not verify";
      return r;
    }
    if (verifier_.isRevoked(c)) {
      r.error = "the certificate has been revoked";
      return r;
    }
  } else {
    OUTPOST_LOG_WARN(
        "setCertificate: no CA key is trusted (OUTPOST_HUB_KEY), so the certificate's signature is "
        "not checked here; peers will check it");
  }
  install(std::vector<uint8_t>(bytes.begin(), bytes.end()), std::move(*parsed), now_unix, "set by the application");
  wanted_ = true;
  r.response = true;
  return r;
}

void Authentication::install(std::vector<uint8_t> bytes, cert::Certificate parsed, int64_t now_unix, const char* how) {
  const cert::Claims& c = parsed.claims;
  int64_t lifetime = c.expires_at - c.issued_at;
  // Renew after two thirds of the lifetime (only a hub session can renew).
  renew_at_ = c.issued_at + lifetime * 2 / 3;
  std::string debug = std::string("certificate ") + how + " for " + steamid::toString(c.steam_id) + ", expires in " +
                      std::to_string(std::max<int64_t>(0, c.expires_at - now_unix)) + " s";
  cert_bytes_ = std::move(bytes);
  cert_ = std::move(parsed);
  setStatus(NETWORKING_AVAILABILITY_CURRENT, debug);
}

// ---- Handshakes ------------------------------------------------------------------------------

std::span<const uint8_t> Authentication::currentCertificate(int64_t now_unix) const {
  if (!cert_ || now_unix >= cert_->claims.expires_at) return {};
  return cert_bytes_;
}

bool Authentication::pending(int64_t now_unix) const {
  // Only while the hub has the request (ATTEMPTING): a session that is not logged on may stay so
  // for long, and handshakes do not wait for that.
  return in_flight_ && session_.logged_on && currentCertificate(now_unix).empty();
}

cert::CertError Authentication::verifyPeer(std::span<const uint8_t> bytes, cert::Expectations e,
                                           cert::Certificate* out) {
  std::vector<uint32_t> apps = localApps();
  e.local_apps = apps;
  e.now_unix = e.now_unix ? e.now_unix : static_cast<int64_t>(std::time(nullptr));
  return verifier_.check(bytes, e, out);
}

// ---- The loop --------------------------------------------------------------------------------

bool Authentication::hasMail() { return link_ && link_->hasMail(); }

int64_t Authentication::nextWakeUnix() const {
  int64_t t = kNever;
  if (cert_) {
    t = std::min(t, cert_->claims.expires_at);
    if (session_.attached && wanted_ && !in_flight_) t = std::min(t, std::max(renew_at_, next_attempt_));
  } else if (session_.attached && wanted_ && !in_flight_ && next_attempt_ > 0) {
    t = std::min(t, next_attempt_);
  }
  return t;
}

Authentication::Changes Authentication::poll(int64_t now_unix) {
  Changes ch;
  bool had = !currentCertificate(now_unix).empty();
  bool was_pending = pending(now_unix);
  if (link_) {
    CertificateLink::Mail mail = link_->take();
    if (mail.session) onSession(*mail.session, now_unix);
    for (auto& g : mail.grants) onGrant(std::move(g), now_unix, ch);
    for (const auto& r : mail.revocations)
      if (verifier_.addRevocation(r, now_unix)) ch.revocations.push_back(r);
  }
  update(now_unix);
  if (had != !currentCertificate(now_unix).empty() || was_pending != pending(now_unix))
    ch.local_certificate_changed = true;
  ch.events = takeEvents();
  return ch;
}

void Authentication::onSession(const CertificateLink::Session& s, int64_t now_unix) {
  bool identity_changed = session_.steam_id != s.steam_id && s.steam_id != 0;
  bool attached_now = s.attached && !session_.attached;
  session_ = s;
  verifier_.setTrusted(cert::Verifier::Source::kSession, s.pinned_hub_keys);
  if (!s.attached) {
    in_flight_ = false;
    verifier_.setTrusted(cert::Verifier::Source::kAnnounced, {});
    return;
  }
  // A session certifies this instance: it wants a certificate (the reference's game-server
  // interface gets one upon logon without being asked).
  if (attached_now) wanted_ = true;
  // A new logon under another identity (an anonymous server reconnects as a new [A:...]): the
  // certificate held names the old one, so ask again.
  if (identity_changed && cert_ && cert_->claims.steam_id != s.steam_id) {
    next_attempt_ = 0;
    renew_at_ = now_unix;
  }
  if (s.logged_on && in_flight_ && status_ == NETWORKING_AVAILABILITY_WAITING)
    setStatus(NETWORKING_AVAILABILITY_ATTEMPTING, "asking the hub for a certificate");
}

void Authentication::onGrant(CertificateLink::Grant g, int64_t now_unix, Changes& ch) {
  if (!in_flight_) return;  // an answer to a request withdrawn by resetIdentity
  in_flight_ = false;
  if (!g.ca_keys.empty()) verifier_.setTrusted(cert::Verifier::Source::kAnnounced, g.ca_keys);
  for (const auto& r : g.revocations)
    if (verifier_.addRevocation(r, now_unix)) ch.revocations.push_back(r);
  if (g.result == RESULT_OK) {
    cert::CertError why = cert::CertError::kNone;
    auto parsed = cert::parse(g.certificate, &why);
    const char* problem = !parsed                                        ? cert::toString(why)
                          : parsed->claims.public_key != key_.public_key ? "it is for another key"
                          : now_unix >= parsed->claims.expires_at        ? "it has already expired"
                                                                         : nullptr;
    if (!problem) {
      next_attempt_ = 0;
      install(std::move(g.certificate), std::move(*parsed), now_unix, "issued by the hub");
      return;
    }
    g.result = RESULT_FAIL;
    g.error = std::string("the hub's certificate is unusable: ") + problem;
  }
  if (g.result == RESULT_NO_CONNECTION || g.result == RESULT_TIMEOUT || g.result == RESULT_SERVICE_UNAVAILABLE) {
    // For want of a hub connection: try again.
    next_attempt_ = now_unix + kRetrySeconds;
    if (!cert_)  // a renewal that failed keeps the current certificate (and CURRENT) meanwhile
      setStatus(NETWORKING_AVAILABILITY_RETRYING,
                "no answer from the hub (" + g.error + "); retrying in " + std::to_string(kRetrySeconds) + " s");
    return;
  }
  // Refused: as the reference, no automatic retry for a first certificate until
  // initAuthentication is called again; a renewal keeps the current certificate until it expires.
  OUTPOST_LOG_WARN("the hub refused a certificate (%d): %s", g.result, g.error.c_str());
  if (cert_) {
    next_attempt_ = now_unix + kRetrySeconds;
    return;
  }
  wanted_ = false;
  setStatus(NETWORKING_AVAILABILITY_FAILED,
            "the hub refused a certificate (result " + std::to_string(g.result) + "): " + g.error);
}

void Authentication::update(int64_t now_unix) {
  // An expired certificate is of no use any more.
  if (cert_ && now_unix >= cert_->claims.expires_at) {
    cert_.reset();
    cert_bytes_.clear();
    renew_at_ = kNever;
    setStatus(NETWORKING_AVAILABILITY_PREVIOUSLY, "the certificate expired and no new one came");
  }
  if (!wanted_) {
    if (!cert_ && status_ != NETWORKING_AVAILABILITY_FAILED && status_ != NETWORKING_AVAILABILITY_PREVIOUSLY) {
      if (session_.attached)
        setStatus(NETWORKING_AVAILABILITY_NEVER_TRIED, "a hub session certifies this instance; nothing asked yet");
      else setStatus(NETWORKING_AVAILABILITY_CANNOT_TRY, "no certificate, and no hub session certifies this instance");
    }
    return;
  }
  bool need = !cert_ || now_unix >= renew_at_;
  if (!need || in_flight_ || now_unix < next_attempt_) return;
  if (!session_.attached) {
    if (!cert_)
      setStatus(
          NETWORKING_AVAILABILITY_CANNOT_TRY,
          "no hub session certifies this instance (GameServer/User::certifyNetworkingSockets, or setCertificate)");
    return;
  }
  uint32_t app = session_.app_id;
  link_->post(cert::makeRequest(key_, session_.steam_id, app));
  in_flight_ = true;
  if (cert_) return;  // a renewal: stay CURRENT meanwhile
  if (session_.logged_on) setStatus(NETWORKING_AVAILABILITY_ATTEMPTING, "asking the hub for a certificate");
  else setStatus(NETWORKING_AVAILABILITY_WAITING, "waiting for the hub session to log on");
}

}  // namespace outpost::transport
