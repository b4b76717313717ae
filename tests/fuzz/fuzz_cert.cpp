// libFuzzer target for the identity-certificate readers (src/cert): feeds arbitrary bytes to
// cert::parse, cert::Verifier::check (against the fixed CA of cert_seeds.h, the key that signed the
// seed corpus) and cert::parseRequest. Beyond "never crashes, never reads outside the input" it
// checks:
//  - a refused parse names a reason, and the Verifier refuses the same bytes with that reason;
//  - an accepted certificate has the spec's size, claims the issuer accepts, and encodes back to
//    the input byte for byte (canonical); re-issuing its claims with the fixed CA reproduces the
//    input wherever the key allows (all of it when the signature verified);
//  - an authentic certificate passes the Verifier for its own key, identity, app, address and
//    time, and fails with the documented reason for another key, identity, app, an expired clock
//    or a revocation; one that is not authentic never passes;
//  - a request that parses is 116 bytes, names a non-zero key and carries a valid proof.
#include <cstdint>
#include <cstring>
#include <span>

#include "cert/cert.h"
#include "cert/verifier.h"
#include "cert_seeds.h"
#include "fuzz_check.h"

using namespace outpost;
using namespace outpost::cert;

namespace {

const crypto::IdentityKeyPair& caKey() {
  static const crypto::IdentityKeyPair key = fuzzseeds::caKey();
  return key;
}

// The IP of a prefix's first address, in the 16-byte form the transport passes.
std::array<uint8_t, 16> ipOf(const AddressPrefix& a) {
  std::array<uint8_t, 16> ip{};
  if (a.family == 4) {
    ip[10] = ip[11] = 0xff;
    std::memcpy(ip.data() + 12, a.address.data(), 4);
  } else {
    ip = a.address;
  }
  return ip;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  const auto& ca = caKey();
  Verifier v;
  v.setTrusted(Verifier::Source::kConfigured, {ca.public_key});

  // Requests: whatever parses is a real proof of possession.
  CertError rwhy = CertError::kNone;
  if (auto req = parseRequest(in, &rwhy)) {
    FUZZ_CHECK(size == kRequestBytes);
    FUZZ_CHECK(req->public_key != PublicKey{});
  } else {
    FUZZ_CHECK(rwhy != CertError::kNone);
  }

  CertError why = CertError::kNone;
  auto parsed = parse(in, &why);
  if (!parsed) {
    FUZZ_CHECK(why != CertError::kNone);
    Expectations e;
    FUZZ_CHECK(v.check(in, e) == why);
    return 0;
  }
  FUZZ_CHECK(why == CertError::kNone);
  const Claims& c = parsed->claims;
  FUZZ_CHECK(size == 144 + kAppBytes * c.app_ids.size() + kAddressBytes * c.addresses.size());
  FUZZ_CHECK(size >= kMinCertBytes && size <= kMaxCertBytes);
  FUZZ_CHECK(!c.app_ids.empty() && c.app_ids.size() <= kMaxApps && c.addresses.size() <= kMaxAddresses);
  FUZZ_CHECK(c.serial != 0 && c.expires_at > c.issued_at && c.issued_at >= 0);
  FUZZ_CHECK(steamid::isValid(c.steam_id));
  FUZZ_CHECK(parsed->signed_length == size - kSignatureBytes);

  // Canonical: the parse encodes back to the input.
  auto again = encode(*parsed);
  FUZZ_CHECK(again.size() == size && std::memcmp(again.data(), data, size) == 0);

  // Re-issuing the claims with the fixed CA.
  auto reissued = issue(c, ca);
  FUZZ_CHECK(reissued.error == CertError::kNone);
  FUZZ_CHECK(reissued.bytes.size() == size);
  const bool authentic = verifySignature(*parsed, in, ca.public_key) == CertError::kNone;
  const bool our_ca = parsed->ca_key_id == crypto::publicKeyId(ca.public_key);
  if (authentic) {
    FUZZ_CHECK(std::memcmp(reissued.bytes.data(), data, size) == 0);
  } else {
    // Everything but the key id (when another CA's) and the signature.
    FUZZ_CHECK(std::memcmp(reissued.bytes.data(), data, kOffsetCaKeyId) == 0);
    FUZZ_CHECK(std::memcmp(reissued.bytes.data() + kOffsetSerial, data + kOffsetSerial,
                           size - kSignatureBytes - kOffsetSerial) == 0);
    if (our_ca) FUZZ_CHECK(std::memcmp(reissued.bytes.data(), data, size - kSignatureBytes) == 0);
  }

  // The Verifier, with everything the certificate itself names.
  std::vector<uint32_t> apps = {c.app_ids.front()};
  Expectations e;
  e.holder_key = c.public_key;
  e.claimed_steam_id = c.steam_id;
  e.local_apps = apps;
  if (!c.addresses.empty()) e.peer_ip16 = ipOf(c.addresses.front());
  e.now_unix = c.issued_at;
  CertError verdict = v.check(in, e);
  if (!our_ca) FUZZ_CHECK(verdict == CertError::kUnknownCa);
  else if (!authentic) FUZZ_CHECK(verdict == CertError::kBadSignature);
  else FUZZ_CHECK(verdict == CertError::kNone);
  if (!authentic) return 0;

  Expectations other = e;
  other.holder_key[0] ^= 1;
  FUZZ_CHECK(v.check(in, other) == CertError::kWrongKey);
  other = e;
  other.claimed_steam_id = c.steam_id ^ 1;
  FUZZ_CHECK(v.check(in, other) == CertError::kWrongIdentity);
  other = e;
  other.now_unix = c.expires_at;
  FUZZ_CHECK(v.check(in, other) == CertError::kExpired);
  std::vector<uint32_t> no_app = {c.app_ids.back() == UINT32_MAX ? 0u : c.app_ids.back() + 1};
  if (no_app[0] != 0) {
    other = e;
    other.local_apps = no_app;
    FUZZ_CHECK(v.check(in, other) == CertError::kWrongApp);
  }
  FUZZ_CHECK(v.addRevocation({c.steam_id, 0, c.issued_at}, c.issued_at));
  FUZZ_CHECK(v.check(in, e) == CertError::kRevoked);
  return 0;
}
