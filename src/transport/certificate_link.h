// CertificateLink: the mailbox between one NetworkingSockets instance and the hub session (a
// GameServer or a User, through certifyNetworkingSockets) that certifies its identity key
// (docs/spec/cert.md §7). The instance posts a certificate request; the session sends it to the hub
// once logged on and delivers the answer; the session also passes on the hub's revocations.
//
// Either side may go away first, so neither calls into the other: each writes into the link under
// its mutex and the other takes what waits. The instance's side registers a wake function (an
// eventfd write: no lock of the instance is taken) so it notices mail at once; the session polls
// takeRequest() from its own service thread. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cert/verifier.h"

namespace outpost::transport {

class CertificateLink {
 public:
  // The hub's answer to one request.
  struct Grant {
    int32_t result = 0;  // RESULT_OK with a certificate, else the hub's refusal (or RESULT_NO_CONNECTION)
    std::string error;
    std::vector<uint8_t> certificate;
    std::vector<cert::PublicKey> ca_keys;  // CA keys the hub vouches for (spec §6)
    std::vector<cert::Revocation> revocations;
  };
  // What the session is: attached or not, logged on or not, and as whom.
  struct Session {
    bool attached = false;
    bool logged_on = false;
    uint64_t steam_id = 0;
    uint32_t app_id = 0;
    std::vector<cert::PublicKey> pinned_hub_keys;  // the hub key(s) the session pinned
  };
  struct Mail {
    std::optional<Session> session;  // the latest state, when it changed
    std::vector<Grant> grants;
    std::vector<cert::Revocation> revocations;
  };

  // ---- Session side (GameServer, User); any thread ----------------------------------------------
  void setSession(const Session& s);
  // The session object is going away: the instance falls back to CANNOT_TRY.
  void detachSession();
  // The request waiting to be sent to the hub, taken once.
  std::optional<std::vector<uint8_t>> takeRequest();
  void deliver(Grant g);
  void revoked(std::vector<cert::Revocation> r);

  // ---- Instance side ----------------------------------------------------------------------------
  // Called (under the link's mutex, so it must not block or take other locks) whenever mail
  // arrives; nullptr when the instance goes away.
  void setWake(std::function<void()> wake);
  // Replaces a request the session has not taken yet.
  void post(std::vector<uint8_t> request);
  // Drops a request not yet taken (resetIdentity).
  void withdraw();
  Mail take();
  bool hasMail();

 private:
  void wakeLocked();

  std::mutex mu_;
  std::function<void()> wake_;
  std::optional<std::vector<uint8_t>> request_;
  Mail mail_;
  bool has_mail_ = false;
};

}  // namespace outpost::transport
