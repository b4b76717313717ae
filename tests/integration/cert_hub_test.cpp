// Integration: the hub as certificate authority (docs/spec/cert.md §6-§11), against a real
// outpost-hub process with its SQLite store and the real `outpost admin` CLI. A game server's and a
// player's NetworkingSockets are certified through their hub sessions (initAuthentication,
// getAuthenticationStatus, network_authentication_status) and authenticate each other; a ban and a
// token revocation cut authenticated connections at once; a banned user's next request is refused;
// the offline path getCertificateRequest -> `outpost admin cert sign` -> setCertificate; the
// hub's announced CA keys (rotation); a request from a connection that is not logged on.
#include <functional>

#include "cert_fixture.h"
#include "hub_fixture.h"
#include "hubrpc/hub_client.h"
#include "outpost/steam_id.h"
#include "outpost/user.h"
#include "support/harness.h"

namespace outpost::test {
namespace {

// Pumps the game servers' and the sockets' callbacks until `done` or `limit_ms`.
bool pumpAll(std::initializer_list<GameServer*> servers, std::initializer_list<NetworkingSockets*> nets,
             const std::function<bool()>& done, int limit_ms = 10000) {
  auto deadline = Clock::now() + std::chrono::milliseconds(limit_ms);
  for (;;) {
    for (auto* s : servers) s->run_callbacks();
    for (auto* n : nets) n->runNetworkingCallbacks();
    if (done()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

int stateOf(NetworkingSockets& n, uint32_t h) {
  auto i = n.getConnectionInfo(h);
  return i ? i->connection_state : CONNECTION_STATE_NONE;
}

bool authenticated(NetworkingSockets& n, uint32_t h) {
  auto i = n.getConnectionInfo(h);
  return i && !(i->info_flags & NETWORKING_CONNECTION_INFO_FLAG_UNAUTHENTICATED);
}

class CertHub : public HubTest {
 protected:
  void SetUp() override {
    HubTest::SetUp();
    startHub(hub_, extra_hub_args_);
    token_ = provision(hub_, &server_id_);
    for (const char* name : {"alice", "bob"}) {
      admin(hub_, {"user", "create", name, std::string(name) + "-password"});
      admin(hub_, {"licence", "grant", name, "480"});
    }
    // The game's side: a certified listen socket, accepting whatever connects.
    server_net_.connect_network_connection_status_changed([this](const NetworkConnectionStatusChanged& s) {
      if (s.connection.listen_socket != 0 && s.connection.connection_state == CONNECTION_STATE_CONNECTING &&
          s.old_state == CONNECTION_STATE_NONE) {
        incoming_.push_back(s.connect_handle);
        server_net_.acceptConnection(s.connect_handle);
      }
    });
  }
  // Logs the game server on with a certified NetworkingSockets; returns its game address.
  std::string startServer() {
    init(gs_, hub_);
    gs_.certifyNetworkingSockets(server_net_);
    listen_ = server_net_.createListenSocketIP("127.0.0.1:0");
    gs_.logOn(token_);
    EXPECT_TRUE(pumpAll({&gs_}, {&server_net_}, [&] {
      return server_net_.getAuthenticationStatus() == NETWORKING_AVAILABILITY_CURRENT;
    })) << server_net_.getAuthenticationStatus();
    return server_net_.getListenSocketAddress(listen_, true);
  }
  // A player logged on and certified.
  struct Player {
    User user;
    NetworkingSockets net;
  };
  std::unique_ptr<Player> player(const std::string& name) {
    auto p = std::make_unique<Player>();
    p->user.setHub(hub_.address, hub_.public_key);
    EXPECT_EQ(p->user.logOn(name, name + "-password", 480), RESULT_OK);
    p->user.certifyNetworkingSockets(p->net);
    p->net.initAuthentication();
    EXPECT_TRUE(pumpAll({}, {&p->net}, [&] {
      return p->net.getAuthenticationStatus() == NETWORKING_AVAILABILITY_CURRENT;
    })) << p->net.getAuthenticationStatus();
    return p;
  }
  // Connects and waits until both ends are up; returns the player's handle (server's in *server).
  uint32_t join(Player& p, const std::string& address, uint32_t* server) {
    size_t before = incoming_.size();
    uint32_t c = p.net.connectByIPAddress(address);
    EXPECT_TRUE(pumpAll({&gs_}, {&p.net, &server_net_}, [&] {
      return stateOf(p.net, c) == CONNECTION_STATE_CONNECTED && incoming_.size() > before &&
             stateOf(server_net_, incoming_.back()) == CONNECTION_STATE_CONNECTED;
    }));
    *server = incoming_.empty() ? 0 : incoming_.back();
    return c;
  }

  std::vector<std::string> extra_hub_args_;
  HubProcess hub_;
  std::string token_;
  uint64_t server_id_ = 0;
  GameServer gs_;
  NetworkingSockets server_net_;
  uint32_t listen_ = 0;
  std::vector<uint32_t> incoming_;
};

TEST_F(CertHub, SessionsCertifyAGameServerAndAPlayerWhoThenAuthenticateEachOther) {
  std::vector<NetworkAuthenticationStatus> statuses;
  server_net_.connect_network_authentication_status(
      [&](const NetworkAuthenticationStatus& s) { statuses.push_back(s); });
  EXPECT_EQ(server_net_.getAuthenticationStatus(), NETWORKING_AVAILABILITY_CANNOT_TRY);  // no session yet
  std::string address = startServer();
  EXPECT_EQ(server_net_.getIdentity(), "steamid:" + std::to_string(server_id_));
  ASSERT_GE(statuses.size(), 2u);
  EXPECT_EQ(statuses.front().available, NETWORKING_AVAILABILITY_WAITING);  // certified before the logon
  EXPECT_EQ(statuses.back().available, NETWORKING_AVAILABILITY_CURRENT);
  EXPECT_NE(statuses.back().debug_message.find(steamid::toString(server_id_)), std::string::npos)
      << statuses.back().debug_message;
  EXPECT_EQ(server_net_.initAuthentication(), NETWORKING_AVAILABILITY_CURRENT);

  auto alice = player("alice");
  uint32_t server_side = 0;
  uint32_t c = join(*alice, address, &server_side);
  // Each end knows who the other is, by certificate.
  EXPECT_TRUE(authenticated(alice->net, c));
  EXPECT_EQ(alice->net.getConnectionInfo(c)->identity, server_id_);
  EXPECT_TRUE(authenticated(server_net_, server_side));
  EXPECT_EQ(server_net_.getConnectionInfo(server_side)->identity, alice->user.getSteamID());
  auto counters = runAdmin(hub_.address, dir_, {"status"}).out;
  EXPECT_NE(counters.find("certificates.issued 2"), std::string::npos) << counters;
  EXPECT_NE(counters.find("certificates.holders 2"), std::string::npos) << counters;
}

TEST_F(CertHub, ABanAndATokenRevocationCutAuthenticatedConnections) {
  std::string address = startServer();
  auto alice = player("alice");
  auto bob = player("bob");
  uint32_t alice_server = 0, bob_server = 0;
  uint32_t a = join(*alice, address, &alice_server);
  uint32_t b = join(*bob, address, &bob_server);
  ASSERT_TRUE(authenticated(server_net_, alice_server) && authenticated(server_net_, bob_server));

  // A ban: the server's certified instance closes alice's connection at once; bob plays on.
  admin(hub_, {"ban", "alice", "480", "--publisher", "--reason", "cheating"});
  ASSERT_TRUE(pumpAll(
      {&gs_}, {&alice->net, &server_net_}, [&] { return stateOf(alice->net, a) == CONNECTION_STATE_CLOSED_BY_PEER; },
      5000));
  EXPECT_EQ(alice->net.getConnectionInfo(a)->end_reason, CONNECTION_END_REMOTE_BAD_CERT);
  EXPECT_EQ(server_net_.getConnectionInfo(alice_server)->end_debug, "the peer's certificate was revoked");
  EXPECT_EQ(stateOf(server_net_, bob_server), CONNECTION_STATE_CONNECTED);
  // Alice gets no new certificate.
  alice->net.resetIdentity(0);
  alice->net.initAuthentication();
  ASSERT_TRUE(pumpAll({}, {&alice->net},
                      [&] { return alice->net.getAuthenticationStatus() == NETWORKING_AVAILABILITY_FAILED; }));

  // A token revocation: bob's certified instance drops the server.
  std::string account = std::to_string(steamid::accountId(server_id_));
  admin(hub_, {"token", "revoke", account});
  ASSERT_TRUE(pumpAll(
      {&gs_}, {&bob->net, &server_net_},
      [&] { return stateOf(bob->net, b) == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY; }, 5000));
  EXPECT_EQ(bob->net.getConnectionInfo(b)->end_reason, CONNECTION_END_REMOTE_BAD_CERT);
  EXPECT_EQ(bob->net.getConnectionInfo(b)->end_debug, "the peer's certificate was revoked");
  EXPECT_EQ(bob->net.getTransportCounters()["closed_revoked"], 1u);
}

TEST_F(CertHub, OfflineCertificateThroughTheCli) {
  std::string address = startServer();
  uint64_t carol_id = 0;
  {
    std::string out = admin(hub_, {"user", "create", "carol", "carol-password"});
    carol_id = std::stoull(out.substr(out.find("steam_id=") + 9));
  }
  // A machine without a hub session: it trusts the hub key and has its request signed offline.
  NetworkingSocketsOptions o;
  o.trusted_ca_keys_hex = {hub_.public_key};
  NetworkingSockets offline(o);
  auto request = offline.getCertificateRequest();
  ASSERT_TRUE(request);
  std::string hex = crypto::toHex(request->certificate);
  std::string file = std::filesystem::path(dir_).parent_path().string() + "/carol.cert";
  auto signed_out = admin(hub_, {"cert", "sign", "--request", hex, "--app", "480", "--steam-id",
                                 std::to_string(carol_id), "--lifetime", "3600", "--out", file});
  auto at = signed_out.find("certificate=");
  ASSERT_NE(at, std::string::npos) << signed_out;
  std::string cert_hex = signed_out.substr(at + 12, signed_out.find_first_of(" \n", at) - at - 12);
  std::vector<uint8_t> cert(cert_hex.size() / 2);
  ASSERT_TRUE(crypto::fromHex(cert_hex, cert)) << cert_hex;
  ASSERT_TRUE(std::filesystem::exists(file));
  auto set = offline.setCertificate(cert);
  ASSERT_TRUE(set && set->response) << (set ? set->error : "");
  EXPECT_EQ(offline.getAuthenticationStatus(), NETWORKING_AVAILABILITY_CURRENT);
  EXPECT_EQ(offline.getIdentity(), "steamid:" + std::to_string(carol_id));
  // It and the session-certified server authenticate each other.
  size_t before = incoming_.size();
  uint32_t c = offline.connectByIPAddress(address);
  ASSERT_TRUE(pumpAll({&gs_}, {&offline, &server_net_},
                      [&] { return stateOf(offline, c) == CONNECTION_STATE_CONNECTED && incoming_.size() > before; }));
  EXPECT_TRUE(authenticated(offline, c));
  EXPECT_EQ(offline.getConnectionInfo(c)->identity, server_id_);
  EXPECT_EQ(server_net_.getConnectionInfo(incoming_.back())->identity, carol_id);
  EXPECT_TRUE(authenticated(server_net_, incoming_.back()));

  // Refusals, each with its reason.
  auto refused = [&](std::vector<std::string> words, const std::string& why) {
    auto r = runAdmin(hub_.address, dir_, words);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find(why), std::string::npos) << r.out;
  };
  refused({"cert", "sign", "--request", hex, "--app", "999", "--steam-id", std::to_string(carol_id)}, "no app 999");
  refused(
      {"cert", "sign", "--request", hex, "--app", "480", "--steam-id", std::to_string(steamid::anonGameServer(1, 1))},
      "anonymous");
  refused({"cert", "sign", "--request", hex, "--app", "480", "--steam-id", std::to_string(steamid::individual(9999))},
          "no user");
  std::string tampered = hex;
  tampered[60] = tampered[60] == '0' ? '1' : '0';  // inside the public key: the proof fails
  refused({"cert", "sign", "--request", tampered, "--app", "480", "--steam-id", std::to_string(carol_id)},
          "bad_request_signature");
  admin(hub_, {"ban", "carol", "480"});
  refused({"cert", "sign", "--request", hex, "--app", "480", "--steam-id", std::to_string(carol_id)}, "banned");
  EXPECT_EQ(runAdmin(hub_.address, dir_, {"cert", "sign", "--app", "480"}).exit_code, 2);  // no request: usage
}

class CertHubRotation : public CertHub {
 protected:
  void SetUp() override {
    extra_hub_args_ = {"--also-trusted-ca-key", next_.publicHex()};
    CertHub::SetUp();
  }
  TestCa next_;  // the key the operator is rotating to
};

TEST_F(CertHubRotation, AnnouncedCaKeysAreTrustedBySessionsOnly) {
  std::string address = startServer();
  // A peer certified by the next key (as after the switch) is authenticated by the
  // session-certified server, which learnt the key from its hub.
  NetworkingSocketsOptions trusting = next_.options();
  trusting.trusted_ca_keys_hex.push_back(hub_.public_key);  // it checks the server's certificate too
  Peer next_peer(true, trusting);
  next_.certify(next_peer.net, steamid::individual(77));
  size_t before = incoming_.size();
  uint32_t c = next_peer.net.connectByIPAddress(address);
  ASSERT_TRUE(pumpAll({&gs_}, {&next_peer.net, &server_net_},
                      [&] { return next_peer.state(c) == CONNECTION_STATE_CONNECTED && incoming_.size() > before; }));
  EXPECT_TRUE(authenticated(server_net_, incoming_.back()));
  EXPECT_EQ(server_net_.getConnectionInfo(incoming_.back())->identity, steamid::individual(77));
  // Positive control: a key nobody announced is refused as a foreign CA.
  TestCa stranger;
  NetworkingSocketsOptions o = stranger.options();
  o.trusted_ca_keys_hex.push_back(hub_.public_key);  // so that it checks the server and goes on
  Peer stranger_peer(true, o);
  stranger.certify(stranger_peer.net, steamid::individual(78));
  uint32_t s = stranger_peer.net.connectByIPAddress(address);
  ASSERT_TRUE(pumpAll({&gs_}, {&stranger_peer.net, &server_net_},
                      [&] { return stranger_peer.state(s) == CONNECTION_STATE_CLOSED_BY_PEER; }));
  EXPECT_EQ(stranger_peer.net.getConnectionInfo(s)->end_debug, "bad certificate: unknown_ca");
}

TEST_F(CertHub, ARequestFromAConnectionNotLoggedOnIsRefused) {
  hubrpc::HubClient client;
  std::string error;
  ASSERT_TRUE(client.connect(hub_.address, hub_.public_key, 5000, &error)) << error;
  auto holder = crypto::IdentityKeyPair::generate();
  auto blob = cert::makeRequest(holder, 0, 480);
  hubrpc::Envelope e;
  e.mutable_identity_certificate_request()->set_request(blob.data(), blob.size());
  auto r = client.call(e, 5000, &error);
  ASSERT_TRUE(r && r->has_identity_certificate_result()) << error;
  EXPECT_EQ(r->identity_certificate_result().result(), RESULT_NOT_LOGGED_ON);
  EXPECT_TRUE(r->identity_certificate_result().certificate().empty());
}

}  // namespace
}  // namespace outpost::test
