// Integration: what the hub does on its own clock, with the hub's request handling run in this
// process (outpost::hub::Hub, the code the daemon runs, on real UDP sockets and a real SQLite
// file) and its wall clock injected (HubConfig::clock = a ManualHubClock), while game servers,
// players and the `outpost admin` CLI talk to it as they would to the daemon: gameplay statistics
// count the minutes players were in session and rank servers from 0, as the reference does; a
// ticket redemption is pruned once the ticket has expired (and the ticket stays refused);
// statistics not updated within the retention are deleted; expired tickets leave the tables.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "base/clock.h"
#include "hub/hub.h"
#include "hub_fixture.h"
#include "outpost/steam_id.h"
#include "outpost/user.h"

namespace outpost::test {
namespace {

// A Hub in this process, polled by its own thread, on a clock the test moves.
class InProcessHub {
 public:
  // The clock starts at the real time: SDKs check tickets offline against their own clock.
  InProcessHub(const std::string& data_dir, int64_t stats_retention_s) : clock_(std::time(nullptr)) {
    hub::HubConfig config;
    config.data_dir = data_dir;
    config.listen = "127.0.0.1:0";
    config.master = "127.0.0.1:0";
    config.clock = &clock_;
    config.stats_retention_s = stats_retention_s;
    std::string error;
    hub_ = hub::Hub::open(config, &error);
    EXPECT_TRUE(hub_) << error;
    if (!hub_) return;
    address = hub_->listenAddress();
    public_key = hub_->publicKeyHex();
    thread_ = std::thread([this] {
      while (!stop_) hub_->poll(10);
    });
  }
  ~InProcessHub() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  hub::ManualHubClock& clock() { return clock_; }
  explicit operator bool() const { return hub_ != nullptr; }
  std::string address, public_key;

 private:
  hub::ManualHubClock clock_;
  std::unique_ptr<hub::Hub> hub_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class HubClock : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("OUTPOST_APP_ID", "480", 1);
    root_ = makeTempDir();
    dir_ = root_ + "/data";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string admin(InProcessHub& hub, const std::vector<std::string>& words) {
    auto r = runAdmin(hub.address, dir_, words);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return r.out;
  }
  // A counter from `outpost admin status` (-1 if absent).
  long long counter(InProcessHub& hub, const std::string& name) {
    std::string out = admin(hub, {"status"});
    auto at = out.find("\n" + name + " ");
    return at == std::string::npos ? -1 : std::stoll(out.substr(at + name.size() + 2));
  }
  // App 480; users alice (2) and bob (3) with a licence; tokens A and B of owner (1).
  void provision(InProcessHub& hub) {
    admin(hub, {"app", "put", "480", "Spacewar"});
    for (const char* name : {"owner", "alice", "bob"})
      admin(hub, {"user", "create", name, std::string(name) + "-password"});
    for (const char* name : {"alice", "bob"}) admin(hub, {"licence", "grant", name, "480"});
    for (auto* token : {&token_a_, &token_b_}) {
      std::string out = admin(hub, {"token", "create", "480", "owner"});
      *token = out.substr(out.find("token=") + 6, 48);
    }
  }
  struct Server {
    GameServer gs;
    Observed o;
    std::vector<ValidateAuthTicketResponse> verdicts;
    std::vector<GameplayStats> stats;
    Server() {
      o.attach(gs);
      gs.connect_validate_auth_ticket_response([this](const ValidateAuthTicketResponse& v) { verdicts.push_back(v); });
      gs.connect_gameplay_stats([this](const GameplayStats& s) { stats.push_back(s); });
    }
    void logOn(InProcessHub& hub, const std::string& token) {
      gs.setHub(hub.address, hub.public_key);
      ASSERT_TRUE(gs.serverInit("0.0.0.0", 27015, 0, SERVER_MODE_AUTHENTICATION, "1.0.0.0"));
      gs.logOn(token);
      ASSERT_TRUE(pump({&gs}, [&] { return o.connected == 1; }));
    }
    int admit(User& u, uint64_t id) {
      verdicts.clear();
      if (gs.beginAuthSession(u.getAuthSessionTicket().buffer, id) != BEGIN_AUTH_SESSION_RESULT_OK) return -1;
      pump({&gs}, [&] { return !verdicts.empty(); });
      return verdicts.empty() ? -1 : verdicts[0].response;
    }
    GameplayStats statsNow() {
      stats.clear();
      gs.getGameplayStats();
      pump({&gs}, [&] { return !stats.empty(); });
      return stats.empty() ? GameplayStats{} : stats[0];
    }
  };
  void logOnUser(User& u, InProcessHub& hub, const std::string& name) {
    u.setHub(hub.address, hub.public_key);
    ASSERT_EQ(u.logOn(name, name + "-password", 480), RESULT_OK);
  }
  std::string root_, dir_, token_a_, token_b_;
  const uint64_t alice_ = steamid::individual(2), bob_ = steamid::individual(3);
};

TEST_F(HubClock, GameplayStatsCountMinutesInSessionAndRankFromZero) {
  InProcessHub hub(dir_, 90LL * 24 * 3600);
  ASSERT_TRUE(hub);
  provision(hub);
  Server a, b;
  ASSERT_NO_FATAL_FAILURE(a.logOn(hub, token_a_));
  ASSERT_NO_FATAL_FAILURE(b.logOn(hub, token_b_));
  User alice, bob;
  logOnUser(alice, hub, "alice");
  logOnUser(bob, hub, "bob");
  ASSERT_EQ(a.admit(alice, alice_), AUTH_SESSION_RESPONSE_OK);
  ASSERT_EQ(a.admit(bob, bob_), AUTH_SESSION_RESPONSE_OK);
  ASSERT_EQ(b.admit(alice, alice_), AUTH_SESSION_RESPONSE_OK);
  hub.clock().advance(3 * 60);  // three minutes of play on both servers
  b.gs.endAuthSession(alice_);
  GameplayStats sb = b.statsNow();  // answered after the end (one ordered connection)
  hub.clock().advance(4 * 60);      // alice and bob stay on A four more minutes
  a.gs.endAuthSession(alice_);
  a.gs.endAuthSession(bob_);
  GameplayStats sa = a.statsNow();
  EXPECT_EQ(sa.result, RESULT_OK);
  EXPECT_EQ(sa.total_connects, 2u);
  EXPECT_EQ(sa.total_minutes_played, 14u);  // 7 + 7
  EXPECT_EQ(sa.rank, 0);                    // the most connects: first, counted from 0
  EXPECT_EQ(sb.result, RESULT_OK);
  EXPECT_EQ(sb.total_connects, 1u);
  EXPECT_EQ(sb.total_minutes_played, 3u);
  EXPECT_EQ(sb.rank, 1);
}

TEST_F(HubClock, ExpiredRedemptionsStaleStatisticsAndExpiredTicketsAreDropped) {
  InProcessHub hub(dir_, 2 * 24 * 3600);  // statistics kept two days
  ASSERT_TRUE(hub);
  provision(hub);
  Server a;
  ASSERT_NO_FATAL_FAILURE(a.logOn(hub, token_a_));
  User alice;
  logOnUser(alice, hub, "alice");
  AuthTicket t = alice.getAuthSessionTicket();
  ASSERT_EQ(a.gs.beginAuthSession(t.buffer, alice_), BEGIN_AUTH_SESSION_RESULT_OK);
  ASSERT_TRUE(pump({&a.gs}, [&] { return !a.verdicts.empty(); }));
  ASSERT_EQ(a.verdicts[0].response, AUTH_SESSION_RESPONSE_OK);
  a.gs.endAuthSession(alice_);
  ASSERT_EQ(a.statsNow().total_connects, 1u);  // flushed to the store now
  EXPECT_EQ(counter(hub, "tickets.players_tracked"), 1);
  EXPECT_EQ(counter(hub, "store.ticket_uses_pruned"), 0);

  // A day later the ticket has expired, but its redemption is kept for the skew margin.
  long long passes = counter(hub, "store.prune_passes");
  hub.clock().advance(24 * 3600 + 120);
  ASSERT_TRUE(pump({}, [&] { return counter(hub, "store.prune_passes") > passes; }));
  EXPECT_EQ(counter(hub, "store.ticket_uses_pruned"), 0);
  // Past the margin (one hour): the next pruning pass drops it...
  hub.clock().advance(3600);
  EXPECT_TRUE(pump({}, [&] { return counter(hub, "store.ticket_uses_pruned") == 1; }));
  // ... and the ticket is refused all the same: the hub's clock says it expired.
  a.verdicts.clear();
  User bob;
  logOnUser(bob, hub, "bob");  // an issue after expiry drops alice's expired ticket from the table
  EXPECT_EQ(bob.getAuthSessionTicket().result, RESULT_OK);
  EXPECT_EQ(counter(hub, "tickets.players_tracked"), 1);
  EXPECT_EQ(counter(hub, "tickets.players_expired"), 1);
  ASSERT_EQ(a.gs.beginAuthSession(t.buffer, alice_), BEGIN_AUTH_SESSION_RESULT_OK);  // offline: real time
  ASSERT_TRUE(pump({&a.gs}, [&] { return !a.verdicts.empty(); }));
  EXPECT_EQ(a.verdicts[0].response, AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID);

  // Statistics last updated over two days ago are deleted.
  EXPECT_EQ(counter(hub, "store.server_stats_pruned"), 0);
  hub.clock().advance(24 * 3600);
  EXPECT_TRUE(pump({}, [&] { return counter(hub, "store.server_stats_pruned") == 1; }));
  EXPECT_EQ(a.statsNow().total_connects, 0u);
}

}  // namespace
}  // namespace outpost::test
