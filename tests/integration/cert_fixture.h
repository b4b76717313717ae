// Test certificate authority: a CA key made at test time (never committed), and certificates for
// real NetworkingSockets instances issued from their getCertificateRequest() blob, exactly as the
// hub and `outpost admin cert sign` would (docs/spec/cert.md). Also a raw-socket handshake forger
// that presents any certificate bytes, signed by its own identity key, so the receiver's checks can
// be exercised with certificates setCertificate would never install.
#pragma once

#include <gtest/gtest.h>

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "cert/cert.h"
#include "crypto/crypto.h"
#include "outpost/networking_sockets.h"
#include "support/raw_socket.h"
#include "transport/wire.h"

namespace outpost::test {

inline int64_t unixNow() { return static_cast<int64_t>(std::time(nullptr)); }

struct TestCa {
  crypto::IdentityKeyPair key = crypto::IdentityKeyPair::generate();

  std::string publicHex() const { return crypto::toHex(key.public_key); }
  // Options for an instance that trusts this CA.
  NetworkingSocketsOptions options() const {
    NetworkingSocketsOptions o;
    o.trusted_ca_keys_hex = {publicHex()};
    return o;
  }
  // A certificate for `public_key`; lifetime and start relative to now.
  std::vector<uint8_t> issue(const std::array<uint8_t, 32>& public_key, uint64_t steam_id,
                             std::vector<uint32_t> apps = {480}, int64_t issued_offset_s = 0, int64_t lifetime_s = 3600,
                             std::vector<cert::AddressPrefix> addresses = {}) const {
    cert::Claims c;
    c.steam_id = steam_id;
    c.public_key = public_key;
    c.app_ids = std::move(apps);
    c.addresses = std::move(addresses);
    c.issued_at = unixNow() + issued_offset_s;
    c.expires_at = c.issued_at + lifetime_s;
    auto r = cert::issue(c, key);
    EXPECT_EQ(r.error, cert::CertError::kNone) << cert::toString(r.error);
    return r.bytes;
  }
  // Certifies `net` (its request names its key) and installs the certificate; returns it.
  std::vector<uint8_t> certify(NetworkingSockets& net, uint64_t steam_id, std::vector<uint32_t> apps = {480}) const {
    auto req = net.getCertificateRequest();
    EXPECT_TRUE(req.has_value());
    auto parsed = cert::parseRequest(req->certificate);
    EXPECT_TRUE(parsed.has_value());
    auto bytes = issue(parsed->public_key, steam_id, std::move(apps));
    auto set = net.setCertificate(bytes);
    EXPECT_TRUE(set && set->response) << (set ? set->error : "no result");
    return bytes;
  }
};

// A hand-driven end of a handshake on a raw UDP socket, with its own identity key.
struct ForgedPeer {
  RawSocket sock;
  crypto::IdentityKeyPair identity = crypto::IdentityKeyPair::generate();
  crypto::KxKeyPair kx = crypto::KxKeyPair::generate();

  // Client side: Hello, Challenge, then a Connect carrying `certificate` and claiming `steam_id`.
  // Returns the server's answer (an Accept, accepted or rejected), or nullopt if none came.
  std::optional<transport::wire::Accept> connect(uint16_t server_port, std::span<const uint8_t> certificate,
                                                 uint64_t steam_id, std::vector<uint8_t>* raw_answer = nullptr) {
    uint32_t id = crypto::randomU32() | 1;
    uint8_t hello[transport::wire::kHelloSize];
    transport::wire::writeHello({transport::wire::kProtocolVersion, id}, hello);
    sock.sendTo(server_port, {hello, hello + sizeof hello});
    auto challenge_bytes = sock.receive(2000);
    auto challenge = transport::wire::parseChallenge(challenge_bytes, nullptr);
    if (!challenge) return std::nullopt;
    transport::wire::Connect m;
    m.cipher_mask = crypto::supportedCipherMask();
    m.client_connection_id = id;
    m.cookie = challenge->cookie;
    m.kx_public = kx.public_key;
    m.identity_public = identity.public_key;
    m.claimed_steam_id = steam_id;
    m.certificate = certificate;
    uint8_t buf[1024];
    size_t n = transport::wire::writeConnectUnsigned(m, buf, sizeof buf - 64);
    uint8_t msg[1200];
    size_t mlen = transport::wire::connectSignedMessage({buf, n}, msg, sizeof msg);
    auto sig = identity.sign({msg, mlen});
    std::vector<uint8_t> connect(buf, buf + n);
    connect.insert(connect.end(), sig.begin(), sig.end());
    sock.sendTo(server_port, connect);
    auto answer = sock.receive(2000);
    if (raw_answer) *raw_answer = answer;
    return transport::wire::parseAccept(answer, nullptr);
  }

  // Server side: answers one client's Hello with a Challenge and its Connect with an accepting
  // Accept that carries `certificate` and claims `steam_id`. false if the client did not come.
  bool serve(std::span<const uint8_t> certificate, uint64_t steam_id) {
    uint16_t client_port = 0;
    auto hello_bytes = sock.receive(3000, &client_port);
    auto hello = transport::wire::parseHello(hello_bytes, nullptr);
    if (!hello) return false;
    transport::wire::Challenge ch;
    ch.client_connection_id = hello->client_connection_id;
    uint8_t cb[transport::wire::kChallengeSize];
    transport::wire::writeChallenge(ch, cb);
    sock.sendTo(client_port, {cb, cb + sizeof cb});
    std::optional<transport::wire::Connect> connect;
    std::vector<uint8_t> connect_bytes;
    for (int i = 0; i < 20 && !connect; ++i) {
      connect_bytes = sock.receive(500, &client_port);
      if (!connect_bytes.empty() && connect_bytes[0] == 0x03)
        connect = transport::wire::parseConnect(connect_bytes, nullptr);
    }
    if (!connect) return false;
    transport::wire::Accept a;
    a.cipher = static_cast<uint8_t>(crypto::chooseCipher(crypto::supportedCipherMask(), connect->cipher_mask));
    a.client_connection_id = connect->client_connection_id;
    a.server_connection_id = 77;
    a.kx_public = kx.public_key;
    a.identity_public = identity.public_key;
    a.claimed_steam_id = steam_id;
    a.certificate = certificate;
    uint8_t buf[1024];
    size_t n = transport::wire::writeAcceptUnsigned(a, buf, sizeof buf - 64);
    uint8_t msg[1200];
    size_t mlen = transport::wire::acceptSignedMessage(connect->kx_public, {buf, n}, msg, sizeof msg);
    auto sig = identity.sign({msg, mlen});
    std::vector<uint8_t> accept(buf, buf + n);
    accept.insert(accept.end(), sig.begin(), sig.end());
    sock.sendTo(client_port, accept);
    return true;
  }
};

}  // namespace outpost::test
