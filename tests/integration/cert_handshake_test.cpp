// Integration: certificates in the transport handshake (docs/spec/cert.md §10-§12), with real
// NetworkingSockets instances on real UDP and a test CA made at run time. Both ends authenticated
// by certificate; every bad certificate (another key, expired, wrong app, foreign CA, revoked,
// another identity) refused with CONNECTION_END_REMOTE_BAD_CERT and counted, in both directions;
// the IP_ALLOW_WITHOUT_AUTH defaults off loopback; a revocation closing a live connection; a
// handshake waiting for this side's certificate; renewal without dropping connections;
// setCertificate's refusals; resetIdentity discarding the certificate.
#include <ifaddrs.h>
#include <net/if.h>

#include <cctype>
#include <cstdlib>
#include <future>

#include "cert_fixture.h"
#include "outpost/steam_id.h"
#include "support/harness.h"
#include "transport/certificate_link.h"

namespace outpost::test {
namespace {

const uint64_t kPlayer = steamid::individual(1);
const uint64_t kServer = steamid::gameServer(5);

uint64_t counter(NetworkingSockets& n, const std::string& name) { return n.getTransportCounters()[name]; }

bool unauthenticated(NetworkingSockets& n, uint32_t h) {
  auto i = n.getConnectionInfo(h);
  return i && (i->info_flags & NETWORKING_CONNECTION_INFO_FLAG_UNAUTHENTICATED);
}

// A local IPv4 address that is not loopback (the machine's own interface), or "".
std::string nonLoopbackAddress() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string out;
  for (ifaddrs* a = list; a && out.empty(); a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || !(a->ifa_flags & IFF_UP) || (a->ifa_flags & IFF_LOOPBACK))
      continue;
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, buf, sizeof buf);
    out = buf;
  }
  freeifaddrs(list);
  return out;
}

TEST(CertHandshake, BothEndsAuthenticatedByCertificate) {
  TestCa ca;
  Peer server(true, ca.options()), client(true, ca.options());
  ca.certify(server.net, kServer);
  ca.certify(client.net, kPlayer);
  Link l = connectPeers(server, client);
  auto ci = client.net.getConnectionInfo(l.client);
  auto si = server.net.getConnectionInfo(l.server);
  ASSERT_TRUE(ci && si);
  EXPECT_EQ(ci->identity, kServer);
  EXPECT_EQ(si->identity, kPlayer);
  EXPECT_FALSE(ci->info_flags & NETWORKING_CONNECTION_INFO_FLAG_UNAUTHENTICATED);
  EXPECT_FALSE(si->info_flags & NETWORKING_CONNECTION_INFO_FLAG_UNAUTHENTICATED);
  EXPECT_EQ(counter(server.net, "peers_authenticated"), 1u);
  EXPECT_EQ(counter(client.net, "peers_authenticated"), 1u);
  EXPECT_EQ(client.net.getIdentity(), "steamid:" + std::to_string(kPlayer));
  // Positive control: peers without certificates are connected but flagged (loopback default).
  Peer plain_server, plain_client;
  Link p = connectPeers(plain_server, plain_client);
  EXPECT_TRUE(unauthenticated(plain_client.net, p.client));
  EXPECT_TRUE(unauthenticated(plain_server.net, p.server));
  // A certified server, a client without a certificate that trusts the CA: each side knows what
  // it got.
  Peer trusting(true, ca.options());
  Link mixed = connectPeers(server, trusting);
  EXPECT_FALSE(unauthenticated(trusting.net, mixed.client));
  EXPECT_TRUE(unauthenticated(server.net, mixed.server));
  // One that trusts no CA at all cannot judge a certificate: the server stays unauthenticated.
  Link blind = connectPeers(server, plain_client);
  EXPECT_TRUE(unauthenticated(plain_client.net, blind.client));
}

// Each way a client's certificate can be bad, presented by a forged client to a real server.
TEST(CertHandshake, ServerRefusesEachBadClientCertificate) {
  TestCa ca, foreign;
  Peer server(true, ca.options());
  ca.certify(server.net, kServer);
  uint32_t ls = server.net.createListenSocketIP("127.0.0.1:0");
  uint16_t port = portOf(server.net.getListenSocketAddress(ls, true));
  auto other_key = crypto::IdentityKeyPair::generate().public_key;
  const uint64_t kRevoked = steamid::individual(66);
  server.net.certificateLink()->revoked({{kRevoked, 0, unixNow()}});
  ASSERT_TRUE(pumpUntil({&server}, [&] { return counter(server.net, "cert_revocations") == 1; }));

  struct Case {
    const char* name;
    std::function<std::vector<uint8_t>(ForgedPeer&)> cert;
    uint64_t claimed;
  };
  std::vector<Case> cases = {
      {"wrong_key", [&](ForgedPeer&) { return ca.issue(other_key, kPlayer); }, kPlayer},
      {"expired", [&](ForgedPeer& f) { return ca.issue(f.identity.public_key, kPlayer, {480}, -7200, 3600); }, kPlayer},
      {"wrong_app", [&](ForgedPeer& f) { return ca.issue(f.identity.public_key, kPlayer, {999}); }, kPlayer},
      {"unknown_ca", [&](ForgedPeer& f) { return foreign.issue(f.identity.public_key, kPlayer); }, kPlayer},
      {"revoked", [&](ForgedPeer& f) { return ca.issue(f.identity.public_key, kRevoked, {480}, -10); }, kRevoked},
      {"wrong_identity", [&](ForgedPeer& f) { return ca.issue(f.identity.public_key, kPlayer); },
       steamid::individual(2)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ForgedPeer forger;
    auto answer = forger.connect(port, c.cert(forger), c.claimed);
    ASSERT_TRUE(answer.has_value());
    EXPECT_TRUE(answer->flags & transport::wire::kAcceptRejected);
    EXPECT_EQ(answer->reject_reason, static_cast<uint32_t>(CONNECTION_END_REMOTE_BAD_CERT));
    EXPECT_EQ(answer->reject_debug, std::string("bad certificate: ") + c.name);
    EXPECT_EQ(counter(server.net, std::string("cert_refused.") + c.name), 1u);
  }
  EXPECT_EQ(counter(server.net, "connections_created"), 0u);
  // Positive control: a forger with a good certificate is accepted (the application accepts it
  // in a callback, so callbacks run meanwhile).
  ForgedPeer good;
  auto pending = std::async(std::launch::async,
                            [&] { return good.connect(port, ca.issue(good.identity.public_key, kPlayer), kPlayer); });
  ASSERT_TRUE(pumpUntil({&server}, [&] { return pending.wait_for(Ms(0)) == std::future_status::ready; }));
  auto answer = pending.get();
  ASSERT_TRUE(answer.has_value());
  EXPECT_FALSE(answer->flags & transport::wire::kAcceptRejected);
  ASSERT_TRUE(pumpUntil({&server}, [&] { return !server.incoming.empty(); }));
  EXPECT_EQ(server.net.getConnectionInfo(server.incoming[0])->identity, kPlayer);
  EXPECT_FALSE(unauthenticated(server.net, server.incoming[0]));
}

// Each way a server's certificate can be bad, presented by a forged server to a real client.
TEST(CertHandshake, ClientRefusesEachBadServerCertificate) {
  TestCa ca, foreign;
  Peer client(true, ca.options());
  ca.certify(client.net, kPlayer);
  auto other_key = crypto::IdentityKeyPair::generate().public_key;
  const uint64_t kRevoked = steamid::gameServer(66);
  client.net.certificateLink()->revoked({{kRevoked, 0, unixNow()}});
  ASSERT_TRUE(pumpUntil({&client}, [&] { return counter(client.net, "cert_revocations") == 1; }));

  struct Case {
    const char* name;
    std::function<std::vector<uint8_t>(ForgedPeer&)> cert;
    uint64_t claimed;
  };
  std::vector<Case> cases = {
      {"wrong_key", [&](ForgedPeer&) { return ca.issue(other_key, kServer); }, kServer},
      {"expired", [&](ForgedPeer& f) { return ca.issue(f.identity.public_key, kServer, {480}, -7200, 3600); }, kServer},
      {"wrong_app", [&](ForgedPeer& f) { return ca.issue(f.identity.public_key, kServer, {999}); }, kServer},
      {"unknown_ca", [&](ForgedPeer& f) { return foreign.issue(f.identity.public_key, kServer); }, kServer},
      {"revoked", [&](ForgedPeer& f) { return ca.issue(f.identity.public_key, kRevoked, {480}, -10); }, kRevoked},
      {"wrong_identity", [&](ForgedPeer& f) { return ca.issue(f.identity.public_key, kServer); },
       steamid::gameServer(6)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ForgedPeer forger;
    auto cert = c.cert(forger);
    uint32_t h = client.net.connectByIPAddress("127.0.0.1:" + std::to_string(forger.sock.port));
    ASSERT_TRUE(forger.serve(cert, c.claimed));
    ASSERT_TRUE(
        pumpUntil({&client}, [&] { return client.reportedState(h) == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY; }));
    auto info = client.net.getConnectionInfo(h);
    EXPECT_EQ(info->end_reason, CONNECTION_END_REMOTE_BAD_CERT);
    EXPECT_EQ(info->end_debug, std::string("bad certificate: ") + c.name);
    EXPECT_EQ(counter(client.net, std::string("cert_refused.") + c.name), 1u);
    client.net.closeConnection(h, 0, "", false);
  }
  // Positive control: a forged server with a good certificate of its own key is authenticated.
  ForgedPeer good;
  uint32_t h = client.net.connectByIPAddress("127.0.0.1:" + std::to_string(good.sock.port));
  ASSERT_TRUE(good.serve(ca.issue(good.identity.public_key, kServer), kServer));
  ASSERT_TRUE(pumpUntil({&client}, [&] { return client.reportedState(h) == CONNECTION_STATE_CONNECTED; }));
  EXPECT_EQ(client.net.getConnectionInfo(h)->identity, kServer);
  EXPECT_FALSE(unauthenticated(client.net, h));
}

// IP_ALLOW_WITHOUT_AUTH defaults to 0 off loopback: an uncertified client does not try, and a
// server refuses an uncertified client (docs/decisions/006-ip-allow-without-auth.md).
TEST(CertHandshake, DefaultRefusesUncertifiedPeersOffLoopback) {
  std::string ip = nonLoopbackAddress();
  if (ip.empty()) GTEST_SKIP() << "this machine has no non-loopback IPv4 address";
  TestCa ca;
  Peer server(true, ca.options()), plain_client;
  ca.certify(server.net, kServer);
  uint32_t ls = server.net.createListenSocketIP(ip + ":0");
  ASSERT_NE(ls, 0u);
  std::string address = server.net.getListenSocketAddress(ls, true);
  // A client without a certificate does not even try.
  uint32_t c1 = plain_client.net.connectByIPAddress(address);
  ASSERT_TRUE(pumpUntil({&server, &plain_client},
                        [&] { return plain_client.reportedState(c1) == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY; }));
  EXPECT_EQ(plain_client.net.getConnectionInfo(c1)->end_reason, CONNECTION_END_MISC_STEAM_CONNECTIVITY);
  // One that tries anyway (2) is refused by the server.
  uint32_t c2 = plain_client.net.connectByIPAddress(address, {{NETWORKING_CONFIG_IP_ALLOW_WITHOUT_AUTH, int32_t{2}}});
  ASSERT_TRUE(pumpUntil({&server, &plain_client},
                        [&] { return plain_client.reportedState(c2) == CONNECTION_STATE_CLOSED_BY_PEER; }));
  auto info = plain_client.net.getConnectionInfo(c2);
  EXPECT_EQ(info->end_reason, CONNECTION_END_REMOTE_BAD_CERT);
  EXPECT_NE(info->end_debug.find("no certificate"), std::string::npos) << info->end_debug;
  EXPECT_EQ(counter(server.net, "cert_refused.missing"), 1u);
  EXPECT_EQ(counter(server.net, "connections_created"), 0u);
  // Positive controls: a certified client is accepted, and so is the uncertified one where the
  // server allows it.
  Peer certified(true, ca.options());
  ca.certify(certified.net, kPlayer);
  uint32_t c3 = certified.net.connectByIPAddress(address);
  ASSERT_TRUE(
      pumpUntil({&server, &certified}, [&] { return certified.reportedState(c3) == CONNECTION_STATE_CONNECTED; }));
  EXPECT_FALSE(unauthenticated(certified.net, c3));
  uint32_t open = server.net.createListenSocketIP(ip + ":0", {{NETWORKING_CONFIG_IP_ALLOW_WITHOUT_AUTH, int32_t{2}}});
  uint32_t c4 = plain_client.net.connectByIPAddress(server.net.getListenSocketAddress(open, true),
                                                    {{NETWORKING_CONFIG_IP_ALLOW_WITHOUT_AUTH, int32_t{2}}});
  ASSERT_TRUE(pumpUntil({&server, &plain_client},
                        [&] { return plain_client.reportedState(c4) == CONNECTION_STATE_CONNECTED; }));
}

TEST(CertHandshake, RevocationClosesALiveConnection) {
  TestCa ca;
  Peer server(true, ca.options()), client(true, ca.options()), bystander(true, ca.options());
  ca.certify(server.net, kServer);
  ca.certify(client.net, kPlayer);
  ca.certify(bystander.net, steamid::individual(3));
  Link l = connectPeers(server, client);
  Link b = connectPeers(server, bystander, "127.0.0.1:0");
  // The hub banned the player (the session passes it on: cert_hub_test.cpp does it for real).
  server.net.certificateLink()->revoked({{kPlayer, 480, unixNow()}});
  ASSERT_TRUE(
      pumpUntil({&server, &client}, [&] { return client.reportedState(l.client) == CONNECTION_STATE_CLOSED_BY_PEER; }));
  EXPECT_EQ(client.net.getConnectionInfo(l.client)->end_reason, CONNECTION_END_REMOTE_BAD_CERT);
  EXPECT_EQ(server.net.getConnectionInfo(l.server)->end_debug, "the peer's certificate was revoked");
  EXPECT_EQ(counter(server.net, "closed_revoked"), 1u);
  EXPECT_EQ(server.state(b.server), CONNECTION_STATE_CONNECTED);  // only the revoked peer
  // And it cannot come back with the same certificate.
  uint32_t again = client.net.connectByIPAddress(l.address);
  ASSERT_TRUE(
      pumpUntil({&server, &client}, [&] { return client.reportedState(again) == CONNECTION_STATE_CLOSED_BY_PEER; }));
  EXPECT_EQ(client.net.getConnectionInfo(again)->end_debug, "bad certificate: revoked");
}

// The test plays the hub session: it takes the instance's request from the link and delivers
// certificates, as GameServer and User do.
struct FakeSession {
  TestCa& ca;
  std::shared_ptr<transport::CertificateLink> link;
  FakeSession(TestCa& c, NetworkingSockets& net, uint64_t id) : ca(c), link(net.certificateLink()) {
    transport::CertificateLink::Session s;
    s.logged_on = true;
    s.steam_id = id;
    s.app_id = 480;
    s.pinned_hub_keys = {ca.key.public_key};
    link->setSession(s);
  }
  // Waits for a request and answers it with a certificate of `lifetime_s`.
  bool answer(std::initializer_list<Peer*> pump, uint64_t id, int64_t lifetime_s = 3600, Ms limit = Ms(5000)) {
    std::optional<std::vector<uint8_t>> req;
    if (!pumpUntil(
            pump, [&] { return (req = link->takeRequest()).has_value(); }, limit))
      return false;
    auto parsed = cert::parseRequest(*req);
    if (!parsed) return false;
    transport::CertificateLink::Grant g;
    g.result = RESULT_OK;
    g.certificate = ca.issue(parsed->public_key, id, {480}, 0, lifetime_s);
    g.ca_keys = {ca.key.public_key};
    link->deliver(std::move(g));
    return true;
  }
};

TEST(CertHandshake, HandshakeWaitsForItsOwnCertificate) {
  TestCa ca;
  Peer server(true, ca.options());
  ca.certify(server.net, kServer);
  Peer client;  // trusts nothing yet: its session brings the pinned hub key
  std::vector<NetworkAuthenticationStatus> statuses;
  client.net.connect_network_authentication_status(
      [&](const NetworkAuthenticationStatus& s) { statuses.push_back(s); });
  FakeSession session(ca, client.net, kPlayer);
  uint32_t ls = server.net.createListenSocketIP("127.0.0.1:0");
  uint32_t c = client.net.connectByIPAddress(server.net.getListenSocketAddress(ls, true),
                                             {{NETWORKING_CONFIG_IP_LOCAL_HOST_ALLOW_WITHOUT_AUTH, int32_t{0}}});
  ASSERT_TRUE(
      pumpUntil({&client}, [&] { return client.net.getAuthenticationStatus() == NETWORKING_AVAILABILITY_ATTEMPTING; }));
  // Nothing reaches the server while the certificate is on its way...
  pumpUntil(
      {&server, &client}, [] { return false; }, Ms(300));
  EXPECT_EQ(counter(server.net, "connections_created"), 0u);
  EXPECT_EQ(client.state(c), CONNECTION_STATE_CONNECTING);
  // ...and once it arrives, the handshake goes on with it.
  ASSERT_TRUE(session.answer({&client}, kPlayer));
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] { return client.reportedState(c) == CONNECTION_STATE_CONNECTED; }));
  ASSERT_FALSE(server.incoming.empty());
  EXPECT_EQ(server.net.getConnectionInfo(server.incoming[0])->identity, kPlayer);
  EXPECT_FALSE(unauthenticated(server.net, server.incoming[0]));
  EXPECT_FALSE(unauthenticated(client.net, c));  // the session's pinned hub key is trusted
  EXPECT_EQ(client.net.getAuthenticationStatus(), NETWORKING_AVAILABILITY_CURRENT);
  ASSERT_GE(statuses.size(), 2u);
  EXPECT_EQ(statuses.front().available, NETWORKING_AVAILABILITY_ATTEMPTING);
  EXPECT_EQ(statuses.back().available, NETWORKING_AVAILABILITY_CURRENT);
  EXPECT_NE(statuses.back().debug_message.find("expires in"), std::string::npos) << statuses.back().debug_message;
}

TEST(CertHandshake, RenewedBeforeExpiryWithoutDroppingConnections) {
  TestCa ca;
  Peer server(true, ca.options());
  ca.certify(server.net, kServer);
  Peer client;
  FakeSession session(ca, client.net, kPlayer);
  client.net.initAuthentication();
  ASSERT_TRUE(session.answer({&client}, kPlayer, /*lifetime_s=*/3));  // renewal due after 2 s
  Link l = connectPeers(server, client);
  ASSERT_FALSE(unauthenticated(server.net, l.server));
  // The instance asks again before the certificate expires, and keeps it meanwhile.
  ASSERT_TRUE(session.answer({&client, &server}, kPlayer, 3600, Ms(6000)));
  pumpUntil(
      {&client, &server}, [] { return false; }, Ms(1500));  // past the first one's expiry
  EXPECT_EQ(client.net.getAuthenticationStatus(), NETWORKING_AVAILABILITY_CURRENT);
  EXPECT_EQ(client.state(l.client), CONNECTION_STATE_CONNECTED);
  EXPECT_EQ(server.state(l.server), CONNECTION_STATE_CONNECTED);
  // New handshakes carry the renewed certificate.
  uint32_t again = client.net.connectByIPAddress(l.address);
  ASSERT_TRUE(pumpUntil({&client, &server}, [&] { return client.reportedState(again) == CONNECTION_STATE_CONNECTED; }));
  EXPECT_FALSE(unauthenticated(server.net, server.incoming.back()));
}

TEST(CertHandshake, SetCertificateRefusalsCarryTheReason) {
  TestCa ca, foreign;
  Peer p(true, ca.options());
  auto req = cert::parseRequest(p.net.getCertificateRequest()->certificate);
  ASSERT_TRUE(req);
  auto refused = [&](const std::vector<uint8_t>& bytes) {
    auto r = p.net.setCertificate(bytes);
    EXPECT_TRUE(r.has_value());
    EXPECT_FALSE(r->response);
    return r->error;
  };
  EXPECT_NE(refused(ca.issue(crypto::IdentityKeyPair::generate().public_key, kPlayer)).find("another key"),
            std::string::npos);
  EXPECT_NE(refused(ca.issue(req->public_key, kPlayer, {480}, -7200, 3600)).find("expired"), std::string::npos);
  EXPECT_NE(refused(ca.issue(req->public_key, kPlayer, {480}, 3600, 3600)).find("not valid yet"), std::string::npos);
  EXPECT_NE(refused(foreign.issue(req->public_key, kPlayer)).find("does not trust"), std::string::npos);
  auto tampered = ca.issue(req->public_key, kPlayer);
  tampered.back() ^= 1;
  EXPECT_NE(refused(tampered).find("signature"), std::string::npos);
  EXPECT_EQ(p.net.getAuthenticationStatus(), NETWORKING_AVAILABILITY_CANNOT_TRY);
  std::vector<NetworkAuthenticationStatus> statuses;
  p.net.connect_network_authentication_status([&](const NetworkAuthenticationStatus& s) { statuses.push_back(s); });
  auto ok = p.net.setCertificate(ca.issue(req->public_key, kPlayer));
  ASSERT_TRUE(ok && ok->response) << ok->error;
  EXPECT_EQ(p.net.getAuthenticationStatus(), NETWORKING_AVAILABILITY_CURRENT);
  p.net.runNetworkingCallbacks();
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0].available, NETWORKING_AVAILABILITY_CURRENT);
  EXPECT_EQ(p.net.getIdentity(), "steamid:" + std::to_string(kPlayer));
}

// An instance made without options trusts the hub key the environment names: OUTPOST_HUB_KEY, or
// the key part of the one-value contact OUTPOST_HUB=KEY@IP:PORT. Trusting a CA shows as refusing
// another CA's certificate; an instance that trusts none takes any (unchecked: peers check it).
TEST(CertHandshake, TheEnvironmentsHubKeyIsTheTrustedCa) {
  TestCa ca, foreign;
  auto trustsOnlyCa = [&]() {
    NetworkingSockets net;
    auto req = cert::parseRequest(net.getCertificateRequest()->certificate);
    EXPECT_TRUE(req);
    if (!req) return false;
    auto other = net.setCertificate(foreign.issue(req->public_key, kPlayer));
    auto own = net.setCertificate(ca.issue(req->public_key, kPlayer));
    EXPECT_TRUE(other && own);
    if (!other || !own) return false;
    EXPECT_TRUE(own->response) << own->error;
    return !other->response;
  };
  unsetenv("OUTPOST_HUB_KEY");
  unsetenv("OUTPOST_HUB");
  EXPECT_FALSE(trustsOnlyCa());
  setenv("OUTPOST_HUB", "127.0.0.1:27100", 1);  // an address alone names no key
  EXPECT_FALSE(trustsOnlyCa());
  std::string upper = ca.publicHex();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  setenv("OUTPOST_HUB", (upper + "@127.0.0.1:27100").c_str(), 1);
  EXPECT_TRUE(trustsOnlyCa());
  unsetenv("OUTPOST_HUB");
  setenv("OUTPOST_HUB_KEY", ca.publicHex().c_str(), 1);
  EXPECT_TRUE(trustsOnlyCa());
  unsetenv("OUTPOST_HUB_KEY");
}

TEST(CertHandshake, ResetIdentityDiscardsTheCertificate) {
  TestCa ca;
  Peer server(true, ca.options()), client(true, ca.options());
  ca.certify(client.net, kPlayer);
  ASSERT_EQ(client.net.getAuthenticationStatus(), NETWORKING_AVAILABILITY_CURRENT);
  client.net.resetIdentity(steamid::individual(9));
  EXPECT_EQ(client.net.getAuthenticationStatus(), NETWORKING_AVAILABILITY_CANNOT_TRY);
  EXPECT_EQ(client.net.getIdentity(), "steamid:" + std::to_string(steamid::individual(9)));
  Link l = connectPeers(server, client);  // loopback default: allowed, but no longer authenticated
  EXPECT_TRUE(unauthenticated(server.net, l.server));
  EXPECT_EQ(server.net.getConnectionInfo(l.server)->identity, steamid::individual(9));  // only a claim
}

}  // namespace
}  // namespace outpost::test
