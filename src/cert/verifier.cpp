// cert::Verifier (see verifier.h): trusted CA keys by source, revocations indexed by identity and
// by app with a first-in-first-out bound, and the ordered certificate checks with a cache of
// verified signatures. One thread at a time (the transport engine's lock).
#include "cert/verifier.h"

#include <algorithm>
#include <cstring>

#include "base/log.h"

namespace outpost::cert {

bool matches(const Revocation& r, const Claims& c) {
  if (r.steam_id != 0 && r.steam_id != c.steam_id) return false;
  if (r.app_id != 0 && !listsApp(c, r.app_id)) return false;
  return c.issued_at <= r.revoked_at;
}

size_t Verifier::KeyHash::operator()(const std::array<uint8_t, 16>& k) const {
  uint64_t h;
  std::memcpy(&h, k.data(), sizeof h);  // already a keyed hash: its bytes are uniform
  return static_cast<size_t>(h);
}

Verifier::Verifier() { crypto::randomBytes(cache_secret_.data(), cache_secret_.size()); }

// ---- Trusted keys ----------------------------------------------------------------------------

void Verifier::setTrusted(Source source, std::vector<PublicKey> keys) {
  by_source_[static_cast<size_t>(source)] = std::move(keys);
  rebuildKeys();
}

void Verifier::rebuildKeys() {
  keys_.clear();
  for (const auto& list : by_source_) {
    for (const PublicKey& k : list) {
      KeyId id = crypto::publicKeyId(k);
      bool known = std::any_of(keys_.begin(), keys_.end(), [&](const auto& e) { return e.second == k; });
      if (known) continue;
      if (keys_.size() >= kMaxTrustedKeys) {
        OUTPOST_LOG_WARN("certificates: more than %zu trusted CA keys; ignoring %s", kMaxTrustedKeys,
                         crypto::toHex(k).c_str());
        continue;
      }
      keys_.emplace_back(id, k);
    }
  }
  // A certificate verified under a key no longer trusted must be checked again.
  cache_.clear();
  cache_order_.clear();
}

std::vector<PublicKey> Verifier::trustedKeys() const {
  std::vector<PublicKey> out;
  for (const auto& e : keys_) out.push_back(e.second);
  return out;
}

const PublicKey* Verifier::trustedKey(const KeyId& id) const {
  for (const auto& e : keys_)
    if (e.first == id) return &e.second;
  return nullptr;
}

// ---- Revocations -----------------------------------------------------------------------------

bool Verifier::addRevocation(const Revocation& r, int64_t now_unix) {
  if (r.steam_id == 0 && r.app_id == 0) return false;  // would void everything: never sent, never taken
  if (r.revoked_at + kMaxLifetimeSeconds <= now_unix) return false;
  pruneRevocations(now_unix);
  // The same subject again: keep the later time (it voids more). The earlier record stays in
  // order_ but no longer matches the index, so dropping it later leaves the newer one in place.
  bool updated = false;
  if (r.steam_id != 0) {
    if (auto it = by_identity_.find(r.steam_id); it != by_identity_.end())
      for (AppRevocation& a : it->second)
        if (a.app_id == r.app_id) {
          if (r.revoked_at <= a.revoked_at) return false;
          a.revoked_at = r.revoked_at;
          updated = true;
        }
  } else if (auto it = by_app_.find(r.app_id); it != by_app_.end()) {
    if (r.revoked_at <= it->second) return false;
    it->second = r.revoked_at;
    updated = true;
  }
  if (order_.size() >= kMaxRevocations) {
    removeIndexed(order_.front());
    order_.pop_front();
    ++evicted_;
  }
  order_.push_back(r);
  if (updated) return true;
  if (r.steam_id != 0) by_identity_[r.steam_id].push_back({r.app_id, r.revoked_at});
  else by_app_[r.app_id] = r.revoked_at;
  return true;
}

void Verifier::removeIndexed(const Revocation& r) {
  // Only the index entry this record made (a later revocation of the same subject replaced the
  // time and has a record of its own).
  if (r.steam_id == 0) {
    if (auto it = by_app_.find(r.app_id); it != by_app_.end() && it->second == r.revoked_at) by_app_.erase(it);
    return;
  }
  auto it = by_identity_.find(r.steam_id);
  if (it == by_identity_.end()) return;
  auto& v = it->second;
  v.erase(std::remove_if(v.begin(), v.end(),
                         [&](const AppRevocation& a) { return a.app_id == r.app_id && a.revoked_at == r.revoked_at; }),
          v.end());
  if (v.empty()) by_identity_.erase(it);
}

void Verifier::pruneRevocations(int64_t now_unix) {
  // Revocations arrive in time order (the hub stamps them); one that has aged past the longest
  // lifetime voids nothing any more.
  while (!order_.empty() && order_.front().revoked_at + kMaxLifetimeSeconds <= now_unix) {
    removeIndexed(order_.front());
    order_.pop_front();
  }
}

bool Verifier::isRevoked(const Claims& c) const {
  if (auto it = by_identity_.find(c.steam_id); it != by_identity_.end())
    for (const AppRevocation& a : it->second)
      if ((a.app_id == 0 || listsApp(c, a.app_id)) && c.issued_at <= a.revoked_at) return true;
  if (!by_app_.empty())
    for (uint32_t app : c.app_ids)
      if (auto it = by_app_.find(app); it != by_app_.end() && c.issued_at <= it->second) return true;
  return false;
}

// ---- Checks ----------------------------------------------------------------------------------

std::array<uint8_t, 16> Verifier::cacheKey(std::span<const uint8_t> bytes) const {
  std::array<uint8_t, 16> k{};
  crypto::mac16(cache_secret_, bytes, k.data());
  return k;
}

CertError Verifier::check(std::span<const uint8_t> bytes, const Expectations& e, Certificate* out) {
  CertError why = CertError::kNone;
  auto parsed = parse(bytes, &why);
  if (!parsed) return why;
  const Claims& c = parsed->claims;
  const PublicKey* ca = trustedKey(parsed->ca_key_id);
  if (!ca) return CertError::kUnknownCa;
  if (c.public_key != e.holder_key) return CertError::kWrongKey;
  if ((e.claimed_steam_id != 0 && e.claimed_steam_id != c.steam_id) ||
      (e.expected_steam_id != 0 && e.expected_steam_id != c.steam_id))
    return CertError::kWrongIdentity;
  if (e.now_unix >= c.expires_at) return CertError::kExpired;
  if (c.issued_at > e.now_unix + kMaxClockSkewSeconds) return CertError::kNotYetValid;
  if (!e.local_apps.empty() &&
      std::none_of(e.local_apps.begin(), e.local_apps.end(), [&](uint32_t app) { return listsApp(c, app); }))
    return CertError::kWrongApp;
  if (!c.addresses.empty() && e.peer_ip16 &&
      std::none_of(c.addresses.begin(), c.addresses.end(),
                   [&](const AddressPrefix& a) { return a.contains(*e.peer_ip16); }))
    return CertError::kWrongAddress;
  if (isRevoked(c)) return CertError::kRevoked;
  // The one expensive step, last, and only once per certificate.
  auto key = cacheKey(bytes);
  if (cache_.count(key)) {
    ++cache_hits_;
  } else {
    ++signature_checks_;
    if (CertError s = verifySignature(*parsed, bytes, *ca); s != CertError::kNone) return s;
    if (cache_order_.size() >= kCacheEntries) {
      cache_.erase(cache_order_.front());
      cache_order_.pop_front();
    }
    cache_.insert(key);
    cache_order_.push_back(key);
  }
  if (out) *out = std::move(*parsed);
  return CertError::kNone;
}

}  // namespace outpost::cert
