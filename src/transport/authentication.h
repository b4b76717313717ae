// Authentication: one NetworkingSockets instance's side of identity certificates
// (docs/spec/cert.md §7-§12) — its own certificate (from its hub session through the
// CertificateLink, or set by the application), the reference's availability status and its
// network_authentication_status events, renewal before expiry, the CA keys it trusts and the
// revocations it was told of (cert::Verifier), and the check of a peer's certificate in a
// handshake.
//
// Owned by the Engine and used under its lock only (the link is the one thread-safe part). Time
// is unix seconds passed in by the caller, so tests can drive expiry and renewal.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cert/verifier.h"
#include "crypto/crypto.h"
#include "outpost/networking_sockets.h"
#include "transport/certificate_link.h"

namespace outpost::transport {

class Authentication {
 public:
  static constexpr int64_t kRetrySeconds = 30;
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

  // `trusted_ca_keys_hex`: the configured CA keys (64 hex each); empty: OUTPOST_HUB_KEY (a
  // comma-separated list). Malformed keys are logged and skipped.
  Authentication(const crypto::IdentityKeyPair& key, const std::vector<std::string>& trusted_ca_keys_hex);

  // ---- Identity ---------------------------------------------------------------------------------
  // The Steam ID handshakes claim: the certificate's while one is held, else resetIdentity's.
  uint64_t steamId() const;
  // resetIdentity: claims `steam_id`, discards the certificate and anything pending.
  void resetIdentity(uint64_t steam_id);

  // ---- The public API ---------------------------------------------------------------------------
  int32_t initAuthentication(int64_t now_unix);
  int32_t status() const { return status_; }
  const std::string& statusDebug() const { return status_debug_; }
  CertificateRequest certificateRequest() const;
  SetCertificateResult setCertificate(std::span<const uint8_t> bytes, int64_t now_unix);
  // Created on first use; the engine registers its wake function on it.
  std::shared_ptr<CertificateLink> link();
  std::shared_ptr<CertificateLink> existingLink() const { return link_; }
  // A socket is being created: start fetching a certificate if a session certifies this instance
  // and nothing was asked yet (the implicit initAuthentication of the reference).
  void onSocketCreated(int64_t now_unix);

  // ---- Handshakes -------------------------------------------------------------------------------
  // This instance's certificate, if it holds one valid at now_unix for its key; else empty.
  std::span<const uint8_t> currentCertificate(int64_t now_unix) const;
  // A certificate is with the hub (ATTEMPTING) and none is held: handshakes that want one wait.
  bool pending(int64_t now_unix) const;
  // Whether a peer's certificate can be judged at all (some CA key is trusted).
  bool trustsAnyCa() const { return verifier_.hasTrustedKeys(); }
  // Checks a peer's certificate (spec §5). `e.local_apps` and `e.now_unix` are filled in here.
  cert::CertError verifyPeer(std::span<const uint8_t> bytes, cert::Expectations e, cert::Certificate* out);
  const cert::Verifier& verifier() const { return verifier_; }
  bool isRevoked(const cert::Claims& c) const { return verifier_.isRevoked(c); }

  // ---- The engine's loop ------------------------------------------------------------------------
  struct Changes {
    std::vector<NetworkAuthenticationStatus> events;  // to raise network_authentication_status
    std::vector<cert::Revocation> revocations;        // newly learnt: close matching connections
    bool local_certificate_changed = false;           // waiting handshakes may go on
  };
  bool hasMail();
  // Takes the link's mail and acts on renewal, retry and expiry deadlines.
  Changes poll(int64_t now_unix);
  // When poll() must run next without mail (renewal, retry, expiry), in unix seconds.
  int64_t nextWakeUnix() const;
  // Events produced by API calls (initAuthentication, setCertificate, resetIdentity).
  std::vector<NetworkAuthenticationStatus> takeEvents();

 private:
  void setStatus(int32_t status, const std::string& debug);
  void update(int64_t now_unix);
  void install(std::vector<uint8_t> bytes, cert::Certificate parsed, int64_t now_unix, const char* how);
  void onGrant(CertificateLink::Grant g, int64_t now_unix, Changes& ch);
  void onSession(const CertificateLink::Session& s, int64_t now_unix);
  std::vector<uint32_t> localApps() const;

  const crypto::IdentityKeyPair& key_;
  uint64_t claimed_steam_id_ = 0;
  uint32_t environment_app_id_ = 0;  // OUTPOST_APP_ID / SteamAppId, when neither certificate nor session says

  std::vector<uint8_t> cert_bytes_;
  std::optional<cert::Certificate> cert_;
  int64_t renew_at_ = kNever;

  int32_t status_ = NETWORKING_AVAILABILITY_CANNOT_TRY;
  std::string status_debug_;
  std::vector<NetworkAuthenticationStatus> events_;

  std::shared_ptr<CertificateLink> link_;
  CertificateLink::Session session_;
  bool wanted_ = false;     // initAuthentication (or a session) asked for a certificate
  bool in_flight_ = false;  // a request is posted and unanswered
  int64_t next_attempt_ = 0;

  cert::Verifier verifier_;
};

}  // namespace outpost::transport
