// Identity certificates and certificate requests: encoding, signing, parsing and the signature
// checks (see cert.h and the normative docs/spec/cert.md). Stateless: any thread, concurrently.
// Certificate and request bytes are untrusted input here, so every read is bounds-checked by
// ByteReader and nothing asserts on them.
#include "cert/cert.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "base/bytes.h"
#include "outpost/steam_id.h"

namespace outpost::cert {

namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
constexpr size_t kRequestSignedBytes = kRequestBytes - kSignatureBytes;  // 52
constexpr size_t kMaxSignedMessage = 64 + kMaxCertBytes;                 // domain + certificate

bool allZero(const uint8_t* p, size_t n) {
  uint8_t acc = 0;
  for (size_t i = 0; i < n; ++i) acc |= p[i];
  return acc == 0;
}

// A certified identity: a player, a game server with a login token, or an anonymous game server.
bool validIdentity(uint64_t id) {
  return steamid::isValid(id) && (steamid::isIndividual(id) || steamid::isAnyGameServer(id));
}

// The one canonical form of an address restriction (spec §3).
bool validAddress(const AddressPrefix& a) {
  if (a.family == 4) {
    if (a.prefix_bits < 1 || a.prefix_bits > 32) return false;
    if (!allZero(a.address.data() + 4, 12)) return false;
  } else if (a.family == 6) {
    if (a.prefix_bits < 1 || a.prefix_bits > 128) return false;
    // IPv4-mapped addresses are written as family 4, so one restriction has one encoding.
    if (std::memcmp(a.address.data(), kV4MappedPrefix.data(), kV4MappedPrefix.size()) == 0) return false;
  } else {
    return false;
  }
  // Host bits past the prefix are zero.
  size_t bytes = a.family == 4 ? 4 : 16;
  for (size_t bit = a.prefix_bits; bit < bytes * 8; ++bit)
    if (a.address[bit / 8] & (0x80 >> (bit % 8))) return false;
  return true;
}

bool addressLess(const AddressPrefix& a, const AddressPrefix& b) {
  uint8_t x[kAddressBytes], y[kAddressBytes];
  x[0] = a.family;
  x[1] = a.prefix_bits;
  std::memcpy(x + 2, a.address.data(), 16);
  y[0] = b.family;
  y[1] = b.prefix_bits;
  std::memcpy(y + 2, b.address.data(), 16);
  return std::memcmp(x, y, kAddressBytes) < 0;
}

// The semantic checks shared by issue() (before signing) and parse() (after decoding), in the
// order of spec §5 checks 9-12c.
CertError checkClaims(const Claims& c) {
  if (c.serial == 0) return CertError::kZeroSerial;
  if (!validIdentity(c.steam_id)) return CertError::kBadIdentity;
  if (allZero(c.public_key.data(), c.public_key.size())) return CertError::kBadPublicKey;
  if (c.issued_at < 0 || c.expires_at <= c.issued_at || c.expires_at - c.issued_at > kMaxLifetimeSeconds)
    return CertError::kBadLifetime;
  if (c.app_ids.empty() || c.app_ids.size() > kMaxApps) return CertError::kBadCounts;
  for (size_t i = 0; i < c.app_ids.size(); ++i)
    if (c.app_ids[i] == 0 || (i > 0 && c.app_ids[i] <= c.app_ids[i - 1])) return CertError::kBadApps;
  if (c.addresses.size() > kMaxAddresses) return CertError::kBadCounts;
  for (size_t i = 0; i < c.addresses.size(); ++i)
    if (!validAddress(c.addresses[i]) || (i > 0 && !addressLess(c.addresses[i - 1], c.addresses[i])))
      return CertError::kBadAddress;
  return CertError::kNone;
}

// Writes everything up to the signature; returns its length (0 if `out` is too small).
size_t encodeUnsigned(const Claims& c, const KeyId& ca_key_id, uint8_t* out, size_t capacity) {
  base::ByteWriter w(out, capacity);
  w.bytes(kMagic.data(), kMagic.size());
  w.u8(kFormatVersion);
  w.u8(static_cast<uint8_t>(c.app_ids.size()));
  w.u8(static_cast<uint8_t>(c.addresses.size()));
  w.u8(0);
  w.bytes(ca_key_id.data(), ca_key_id.size());
  w.u64(c.serial);
  w.u64(c.steam_id);
  w.bytes(c.public_key.data(), c.public_key.size());
  w.u64(static_cast<uint64_t>(c.issued_at));
  w.u64(static_cast<uint64_t>(c.expires_at));
  for (uint32_t app : c.app_ids) w.u32(app);
  for (const AddressPrefix& a : c.addresses) {
    w.u8(a.family);
    w.u8(a.prefix_bits);
    w.bytes(a.address.data(), a.address.size());
  }
  return w.ok() ? w.size() : 0;
}

// domain ‖ certificate bytes before the signature.
size_t signedMessage(std::string_view domain, std::span<const uint8_t> body, uint8_t* out, size_t capacity) {
  if (domain.size() + body.size() > capacity) return 0;
  std::memcpy(out, domain.data(), domain.size());
  std::memcpy(out + domain.size(), body.data(), body.size());
  return domain.size() + body.size();
}

}  // namespace

const char* toString(CertError e) {
  switch (e) {
    case CertError::kNone: return "ok";
    case CertError::kTooLong: return "too_long";
    case CertError::kTooShort: return "too_short";
    case CertError::kBadMagic: return "bad_magic";
    case CertError::kUnknownVersion: return "unknown_version";
    case CertError::kBadCounts: return "bad_counts";
    case CertError::kLengthMismatch: return "length_mismatch";
    case CertError::kReservedNotZero: return "reserved_not_zero";
    case CertError::kZeroSerial: return "zero_serial";
    case CertError::kBadIdentity: return "bad_identity";
    case CertError::kBadPublicKey: return "bad_public_key";
    case CertError::kBadLifetime: return "bad_lifetime";
    case CertError::kBadApps: return "bad_apps";
    case CertError::kBadAddress: return "bad_address";
    case CertError::kUnknownCa: return "unknown_ca";
    case CertError::kWrongKey: return "wrong_key";
    case CertError::kWrongIdentity: return "wrong_identity";
    case CertError::kExpired: return "expired";
    case CertError::kNotYetValid: return "not_yet_valid";
    case CertError::kWrongApp: return "wrong_app";
    case CertError::kWrongAddress: return "wrong_address";
    case CertError::kRevoked: return "revoked";
    case CertError::kBadSignature: return "bad_signature";
    case CertError::kBadCaKey: return "bad_ca_key";
    case CertError::kBadRequestSignature: return "bad_request_signature";
    case CertError::kCount: break;
  }
  return "unknown";
}

// ---- AddressPrefix ---------------------------------------------------------------------------

std::optional<AddressPrefix> AddressPrefix::parse(std::string_view text) {
  std::string s(text);
  int prefix = -1;
  if (auto slash = s.find('/'); slash != std::string::npos) {
    std::string bits = s.substr(slash + 1);
    if (bits.empty() || bits.size() > 3 ||
        !std::all_of(bits.begin(), bits.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      return std::nullopt;
    prefix = std::stoi(bits);
    s = s.substr(0, slash);
  }
  AddressPrefix a;
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    a.family = 4;
    a.prefix_bits = static_cast<uint8_t>(prefix < 0 ? 32 : prefix);
    if (prefix > 32) return std::nullopt;
    std::memcpy(a.address.data(), &v4, 4);
  } else if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    a.family = 6;
    if (prefix > 128) return std::nullopt;
    a.prefix_bits = static_cast<uint8_t>(prefix < 0 ? 128 : prefix);
    std::memcpy(a.address.data(), &v6, 16);
  } else {
    return std::nullopt;
  }
  if (prefix == 0 || !validAddress(a)) return std::nullopt;
  return a;
}

std::string AddressPrefix::toString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == 4 ? AF_INET : AF_INET6, address.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(prefix_bits);
}

bool AddressPrefix::contains(const std::array<uint8_t, 16>& ip16) const {
  bool v4 = std::memcmp(ip16.data(), kV4MappedPrefix.data(), kV4MappedPrefix.size()) == 0;
  if (v4 != (family == 4)) return false;
  const uint8_t* ip = v4 ? ip16.data() + 12 : ip16.data();
  for (size_t bit = 0; bit < prefix_bits; ++bit) {
    uint8_t mask = static_cast<uint8_t>(0x80 >> (bit % 8));
    if ((ip[bit / 8] & mask) != (address[bit / 8] & mask)) return false;
  }
  return true;
}

bool listsApp(const Claims& claims, uint32_t app_id) {
  return std::binary_search(claims.app_ids.begin(), claims.app_ids.end(), app_id);
}

// ---- Issuing ---------------------------------------------------------------------------------

IssueResult issue(const Claims& in, const crypto::IdentityKeyPair& ca_key) {
  IssueResult out;
  crypto::IdentityKeyPair check;
  if (!crypto::identityFromSecretKey(ca_key.secret_key, check) || check.public_key != ca_key.public_key) {
    out.error = CertError::kBadCaKey;
    return out;
  }
  Claims c = in;
  std::sort(c.app_ids.begin(), c.app_ids.end());
  c.app_ids.erase(std::unique(c.app_ids.begin(), c.app_ids.end()), c.app_ids.end());
  std::sort(c.addresses.begin(), c.addresses.end(), addressLess);
  c.addresses.erase(std::unique(c.addresses.begin(), c.addresses.end()), c.addresses.end());
  while (c.serial == 0) c.serial = crypto::randomU64();
  if (CertError e = checkClaims(c); e != CertError::kNone) {
    out.error = e;
    return out;
  }
  uint8_t body[kMaxCertBytes];
  size_t n = encodeUnsigned(c, crypto::publicKeyId(ca_key.public_key), body, sizeof body - kSignatureBytes);
  uint8_t msg[kMaxSignedMessage];
  size_t m = signedMessage(kSignatureDomain, {body, n}, msg, sizeof msg);
  auto sig = ca_key.sign({msg, m});
  out.bytes.assign(body, body + n);
  out.bytes.insert(out.bytes.end(), sig.begin(), sig.end());
  out.serial = c.serial;
  return out;
}

// ---- Reading ---------------------------------------------------------------------------------

std::optional<Certificate> parse(std::span<const uint8_t> bytes, CertError* why) {
  auto fail = [&](CertError e) -> std::optional<Certificate> {
    if (why) *why = e;
    return std::nullopt;
  };
  if (bytes.size() > kMaxCertBytes) return fail(CertError::kTooLong);
  if (bytes.size() < kOffsetVersion + 1) return fail(CertError::kTooShort);
  if (std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0) return fail(CertError::kBadMagic);
  if (bytes[kOffsetVersion] != kFormatVersion) return fail(CertError::kUnknownVersion);
  if (bytes.size() < kMinCertBytes) return fail(CertError::kTooShort);
  size_t apps = bytes[kOffsetAppCount];
  size_t addresses = bytes[kOffsetAddressCount];
  if (apps == 0 || apps > kMaxApps || addresses > kMaxAddresses) return fail(CertError::kBadCounts);
  size_t body = kFixedBytes + apps * kAppBytes + addresses * kAddressBytes;
  if (bytes.size() != body + kSignatureBytes) return fail(CertError::kLengthMismatch);
  if (bytes[kOffsetReserved] != 0) return fail(CertError::kReservedNotZero);

  Certificate out;
  base::ByteReader r(bytes.data(), bytes.size());
  r.bytes(kOffsetCaKeyId);
  r.copy(out.ca_key_id.data(), out.ca_key_id.size());
  Claims& c = out.claims;
  c.serial = r.u64();
  c.steam_id = r.u64();
  r.copy(c.public_key.data(), c.public_key.size());
  c.issued_at = static_cast<int64_t>(r.u64());
  c.expires_at = static_cast<int64_t>(r.u64());
  c.app_ids.resize(apps);
  for (auto& a : c.app_ids) a = r.u32();
  c.addresses.resize(addresses);
  for (auto& a : c.addresses) {
    a.family = r.u8();
    a.prefix_bits = r.u8();
    r.copy(a.address.data(), a.address.size());
  }
  out.signed_length = r.position();
  r.copy(out.signature.data(), out.signature.size());
  if (!r.atEnd()) return fail(CertError::kLengthMismatch);  // unreachable after the size check
  if (CertError e = checkClaims(c); e != CertError::kNone) return fail(e);
  if (why) *why = CertError::kNone;
  return out;
}

std::vector<uint8_t> encode(const Certificate& parsed) {
  uint8_t body[kMaxCertBytes];
  size_t n = encodeUnsigned(parsed.claims, parsed.ca_key_id, body, sizeof body - kSignatureBytes);
  std::vector<uint8_t> out(body, body + n);
  if (n) out.insert(out.end(), parsed.signature.begin(), parsed.signature.end());
  return out;
}

CertError verifySignature(const Certificate& parsed, std::span<const uint8_t> bytes,
                          std::span<const uint8_t, crypto::kSignPublicKeyBytes> ca_public_key) {
  if (parsed.ca_key_id != crypto::publicKeyId(ca_public_key)) return CertError::kUnknownCa;
  if (parsed.signed_length == 0 || parsed.signed_length > bytes.size()) return CertError::kBadSignature;
  uint8_t msg[kMaxSignedMessage];
  size_t m = signedMessage(kSignatureDomain, bytes.first(parsed.signed_length), msg, sizeof msg);
  if (m == 0 || !crypto::verifySignature(ca_public_key, {msg, m}, parsed.signature)) return CertError::kBadSignature;
  return CertError::kNone;
}

// ---- Requests --------------------------------------------------------------------------------

std::vector<uint8_t> makeRequest(const crypto::IdentityKeyPair& holder, uint64_t steam_id, uint32_t app_id) {
  std::vector<uint8_t> out(kRequestBytes);
  base::ByteWriter w(out.data(), out.size());
  w.bytes(kRequestMagic.data(), kRequestMagic.size());
  w.u8(kFormatVersion);
  w.zeros(3);
  w.u32(app_id);
  w.u64(steam_id);
  w.bytes(holder.public_key.data(), holder.public_key.size());
  uint8_t msg[64 + kRequestSignedBytes];
  size_t m = signedMessage(kRequestSignatureDomain, {out.data(), kRequestSignedBytes}, msg, sizeof msg);
  auto sig = holder.sign({msg, m});
  w.bytes(sig.data(), sig.size());
  return out;
}

std::optional<Request> parseRequest(std::span<const uint8_t> bytes, CertError* why) {
  auto fail = [&](CertError e) -> std::optional<Request> {
    if (why) *why = e;
    return std::nullopt;
  };
  if (bytes.size() > kRequestBytes) return fail(CertError::kTooLong);
  if (bytes.size() < kOffsetVersion + 1) return fail(CertError::kTooShort);
  if (std::memcmp(bytes.data(), kRequestMagic.data(), kRequestMagic.size()) != 0) return fail(CertError::kBadMagic);
  if (bytes[kOffsetVersion] != kFormatVersion) return fail(CertError::kUnknownVersion);
  if (bytes.size() < kRequestBytes) return fail(CertError::kTooShort);
  if (!allZero(bytes.data() + 5, 3)) return fail(CertError::kReservedNotZero);
  base::ByteReader r(bytes.data(), bytes.size());
  r.bytes(8);
  Request q;
  q.app_id = r.u32();
  q.steam_id = r.u64();
  r.copy(q.public_key.data(), q.public_key.size());
  std::array<uint8_t, kSignatureBytes> sig{};
  r.copy(sig.data(), sig.size());
  if (!r.atEnd()) return fail(CertError::kLengthMismatch);
  if (allZero(q.public_key.data(), q.public_key.size())) return fail(CertError::kBadPublicKey);
  uint8_t msg[64 + kRequestSignedBytes];
  size_t m = signedMessage(kRequestSignatureDomain, bytes.first(kRequestSignedBytes), msg, sizeof msg);
  if (!crypto::verifySignature(q.public_key, {msg, m}, sig)) return fail(CertError::kBadRequestSignature);
  if (why) *why = CertError::kNone;
  return q;
}

}  // namespace outpost::cert
