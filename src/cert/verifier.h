// cert::Verifier: everything a NetworkingSockets instance needs to judge a peer's certificate —
// the CA keys it trusts (at most 8, from three sources so a hub's announcement replaces only what
// the previous one added), the revocations its hub session told it of (bounded, expiring), and a
// cache of certificates whose signature already verified — and the ordered checks of
// docs/spec/cert.md §5.
//
// Pure (no sockets, no clocks: callers pass unix seconds) but stateful: one owner, one thread at a
// time (the transport engine calls it under its lock).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "cert/cert.h"

namespace outpost::cert {

using PublicKey = std::array<uint8_t, crypto::kSignPublicKeyBytes>;

// "Certificates of `steam_id` (any identity when 0) listing `app_id` (any app when 0) issued at or
// before `revoked_at` are void" (spec §9).
struct Revocation {
  uint64_t steam_id = 0;
  uint32_t app_id = 0;
  int64_t revoked_at = 0;
  bool operator==(const Revocation&) const = default;
};
bool matches(const Revocation& r, const Claims& c);

// What the handshake says about the peer, against which its certificate is checked.
struct Expectations {
  PublicKey holder_key{};                            // the key whose signature the handshake carries
  uint64_t claimed_steam_id = 0;                     // what the peer claims; 0: nothing claimed
  uint64_t expected_steam_id = 0;                    // who the caller wants (P2P by identity); 0: anyone
  std::span<const uint32_t> local_apps;              // the verifier's apps; empty: no app check
  std::optional<std::array<uint8_t, 16>> peer_ip16;  // the peer's IP (SocketAddress::ip16); none: no address check
  int64_t now_unix = 0;
};

class Verifier {
 public:
  static constexpr size_t kMaxTrustedKeys = 8;
  static constexpr size_t kMaxRevocations = 65536;
  static constexpr size_t kCacheEntries = 4096;

  enum class Source : uint8_t { kConfigured = 0, kSession = 1, kAnnounced = 2 };

  Verifier();

  // Replaces the keys trusted from `source`. The union over sources is capped at kMaxTrustedKeys
  // (later sources lose first; each key dropped is logged). Clears the cache.
  void setTrusted(Source source, std::vector<PublicKey> keys);
  bool hasTrustedKeys() const { return !keys_.empty(); }
  std::vector<PublicKey> trustedKeys() const;
  // The trusted key with this id, or nullptr.
  const PublicKey* trustedKey(const KeyId& id) const;

  // Records a revocation. Returns false (and keeps nothing) when it is malformed (both ids 0) or
  // older than kMaxLifetimeSeconds (every certificate it could void has expired). When full, the
  // oldest is dropped (evicted()).
  bool addRevocation(const Revocation& r, int64_t now_unix);
  bool isRevoked(const Claims& c) const;
  size_t revocationCount() const { return order_.size(); }
  uint64_t evicted() const { return evicted_; }

  // The checks of spec §5 in order. kNone and *out (if given) on success.
  CertError check(std::span<const uint8_t> bytes, const Expectations& e, Certificate* out = nullptr);

  uint64_t cacheHits() const { return cache_hits_; }
  uint64_t signatureChecks() const { return signature_checks_; }

 private:
  struct AppRevocation {
    uint32_t app_id;
    int64_t revoked_at;
  };
  void rebuildKeys();
  void pruneRevocations(int64_t now_unix);
  void removeIndexed(const Revocation& r);
  std::array<uint8_t, 16> cacheKey(std::span<const uint8_t> bytes) const;

  std::vector<PublicKey> by_source_[3];
  std::vector<std::pair<KeyId, PublicKey>> keys_;

  std::deque<Revocation> order_;                                          // insertion order, for expiry and eviction
  std::unordered_map<uint64_t, std::vector<AppRevocation>> by_identity_;  // steam_id != 0
  std::unordered_map<uint32_t, int64_t> by_app_;                          // steam_id == 0
  uint64_t evicted_ = 0;

  struct KeyHash {
    size_t operator()(const std::array<uint8_t, 16>& k) const;
  };
  std::array<uint8_t, 32> cache_secret_{};
  std::unordered_set<std::array<uint8_t, 16>, KeyHash> cache_;
  std::deque<std::array<uint8_t, 16>> cache_order_;
  uint64_t cache_hits_ = 0;
  uint64_t signature_checks_ = 0;
};

}  // namespace outpost::cert
