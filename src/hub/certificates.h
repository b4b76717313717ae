// Certificates: the hub as certificate authority (docs/spec/cert.md §6, §7, §9). It signs
// certificates with the hub key for logged-on sessions (their identity and app) and for the
// operator offline (`outpost admin cert sign`), refusing identities that lost their standing
// (banned, revoked token, unknown app); it announces the CA keys it vouches for; and it keeps the
// revocations in force — a ban, a revoked token, a deleted app — and pushes each new one to every
// session that holds a certificate. Hub thread only; the caller sends what `send` is given.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <unordered_map>
#include <vector>

#include "cert/verifier.h"
#include "crypto/crypto.h"
#include "hubrpc.pb.h"
#include "store/store.h"

namespace outpost::hub {

class Certificates {
 public:
  static constexpr size_t kMaxRevocations = 65536;
  using Send = std::function<void(uint32_t connection, const hubrpc::Envelope&)>;

  // `also_trusted`: CA keys the operator vouches for besides the hub key (rotation, spec §6).
  Certificates(store::Store& store, const crypto::IdentityKeyPair& hub_key,
               const std::vector<cert::PublicKey>& also_trusted, Send send);

  // A logged-on session (`steam_id`, `app_id`) on `connection` asks for a certificate. The
  // connection then receives every later revocation.
  hubrpc::IdentityCertificateResult issueForSession(uint32_t connection, uint64_t steam_id, uint32_t app_id,
                                                    const std::string& request, int64_t now_unix);
  // The operator's offline signing (behind the admin token).
  hubrpc::AdminResponse signOffline(const hubrpc::SignCertificate& req, int64_t now_unix);

  // Revocation events. Each is recorded and pushed to every session holding a certificate.
  void userBanned(uint32_t app_id, uint32_t account_id, int64_t now_unix);
  void tokenRevoked(uint32_t account_id, int64_t now_unix);
  void appDeleted(uint32_t app_id, int64_t now_unix);
  // After an admin request was answered: the revocations its effect calls for (a ban, a revoked
  // token). One call in the hub's admin path keeps admin.cpp free of certificate concerns.
  void afterAdmin(const hubrpc::AdminRequest& request, const hubrpc::AdminResponse& response, int64_t now_unix);

  void disconnected(uint32_t connection) { holders_.erase(connection); }
  size_t holders() const { return holders_.size(); }
  size_t revocations() const { return revocations_.size(); }

 private:
  // Why `steam_id` may not have a certificate for `app_id` now ("" if it may), and the Result.
  std::string standing(uint64_t steam_id, uint32_t app_id, int32_t* result);
  void revoke(const cert::Revocation& r, int64_t now_unix);
  void prune(int64_t now_unix);
  void fillAnnouncement(hubrpc::IdentityCertificateResult& r, int64_t now_unix);

  store::Store& store_;
  const crypto::IdentityKeyPair& hub_key_;
  std::vector<cert::PublicKey> announced_;  // the hub key first, then the ones also vouched for
  Send send_;
  std::unordered_map<uint32_t, uint32_t> holders_;  // connection -> app of its certificate
  std::deque<cert::Revocation> revocations_;        // in time order; bounded, pruned by age
};

}  // namespace outpost::hub
