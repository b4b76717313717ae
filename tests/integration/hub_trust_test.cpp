// Integration: which hub the SDK trusts (issue 11, "trust the right hub"). Against real
// outpost-hub processes: a rogue hub with a fresh key, answering at the address the SDK was given,
// receives no game-server login token and no player password — whether the SDK was given the
// genuine hub's key or no key at all — and the SDK logs why; the development opt-out
// (allowUnpinnedHub) does reach an unpinned hub and logs a warning at every logon; the hub's
// copyable contact (KEY@IP:PORT, printed and written to hub.address) works as OUTPOST_HUB; and a
// key written in upper case matches (it is normalised where it is parsed).
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "hub_fixture.h"
#include "outpost/user.h"

namespace outpost::test {
namespace {

// Collects what this process writes to stderr (the SDK's log) while it lives.
class StderrCapture {
 public:
  StderrCapture() {
    path_ = makeTempDir() + "/stderr.log";
    std::fflush(stderr);
    saved_ = ::dup(2);
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~StderrCapture() {
    restore();
    std::filesystem::remove_all(std::filesystem::path(path_).parent_path());
  }
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
    saved_ = -1;
  }
  std::string text() const {
    std::ifstream f(path_);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  size_t count(const std::string& needle) const {
    std::string t = text();
    size_t n = 0;
    for (size_t at = t.find(needle); at != std::string::npos; at = t.find(needle, at + 1)) ++n;
    return n;
  }

 private:
  std::string path_;
  int saved_ = -1;
};

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The hub's counters (`outpost admin status`); a counter the hub never counted reads 0.
struct Counters {
  std::string text;
  uint64_t operator[](const std::string& name) const {
    auto at = text.find("\n" + name + " ");
    return at == std::string::npos ? 0 : std::stoull(text.substr(at + name.size() + 2));
  }
};
Counters counters(const std::string& hub_address, const std::string& data_dir) {
  auto r = runAdmin(hub_address, data_dir, {"status"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  return {r.out};
}

class HubTrust : public HubTest {
 protected:
  void SetUp() override {
    HubTest::SetUp();
    unsetenv("OUTPOST_HUB");
    unsetenv("OUTPOST_HUB_KEY");
    unsetenv("OUTPOST_HUB_ALLOW_UNPINNED");
  }
  void TearDown() override {
    unsetenv("OUTPOST_HUB");
    unsetenv("OUTPOST_HUB_KEY");
    unsetenv("OUTPOST_HUB_ALLOW_UNPINNED");
    HubTest::TearDown();
  }
  // Starts the genuine hub with app 480, a token and alice (licensed); returns the token.
  std::string genuine(HubProcess& hub) {
    startHub(hub);
    uint64_t sid = 0;
    std::string token = provision(hub, &sid);
    admin(hub, {"user", "create", "alice", "--password-file", passwordFile("alice-password")});
    admin(hub, {"licence", "grant", "alice", "480"});
    return token;
  }
  std::string passwordFile(const std::string& password) {
    std::string path = std::filesystem::path(dir_).parent_path().string() + "/password";
    std::ofstream(path) << password << "\n";
    return path;
  }
  // Logs a server on; returns its first failure (result -1 if it connected or nothing came).
  ServerConnectFailure serverAttempt(GameServer& gs, Observed& o, const std::string& token) {
    o.attach(gs);
    EXPECT_TRUE(gs.serverInit("0.0.0.0", 27015, 0, SERVER_MODE_AUTHENTICATION_AND_SECURE, "1.0.0.0"));
    if (token.empty()) gs.logOnAnonymous();
    else gs.logOn(token);
    EXPECT_TRUE(pump(
        {&gs}, [&] { return !o.failures.empty() || o.connected; }, 15000));
    return o.failures.empty() ? ServerConnectFailure{-1, false} : o.failures[0];
  }
};

TEST_F(HubTrust, ARogueHubGetsNoTokenAndNoPasswordAndTheSdkSaysWhy) {
  HubProcess hub;
  std::string token = genuine(hub);
  // The rogue: a real outpost-hub with a fresh key, at the address the SDK is pointed to.
  std::string rogue_dir = makeTempDir() + "/rogue";
  HubProcess rogue;
  ASSERT_TRUE(rogue.start(rogue_dir)) << rogue.banner;
  ASSERT_NE(rogue.public_key, hub.public_key);

  StderrCapture log;
  {  // Given the genuine key: the rogue cannot present it, so nothing is sent.
    GameServer gs;
    Observed o;
    gs.setHub(rogue.address, hub.public_key);
    auto f = serverAttempt(gs, o, token);
    EXPECT_EQ(f.result, RESULT_NO_CONNECTION);
    EXPECT_TRUE(f.retrying);
    EXPECT_EQ(o.connected, 0);
    User u;
    u.setHub(rogue.address, hub.public_key);
    EXPECT_EQ(u.logOn("alice", "alice-password", 480), RESULT_NO_CONNECTION);
  }
  {  // Given no key at all: the SDK does not even try (before the fix it logged on to the rogue).
    GameServer gs;
    Observed o;
    gs.setHub(rogue.address, "");
    auto f = serverAttempt(gs, o, token);
    EXPECT_EQ(f.result, RESULT_NO_CONNECTION);
    EXPECT_FALSE(f.retrying);
    EXPECT_EQ(o.connected, 0);
    User u;
    u.setHub(rogue.address, "");
    EXPECT_EQ(u.logOn("alice", "alice-password", 480), RESULT_NO_CONNECTION);
  }
  {  // The same through the environment (OUTPOST_HUB without OUTPOST_HUB_KEY).
    setenv("OUTPOST_HUB", rogue.address.c_str(), 1);
    GameServer gs;
    Observed o;
    auto f = serverAttempt(gs, o, token);
    EXPECT_EQ(f.result, RESULT_NO_CONNECTION);
    EXPECT_FALSE(f.retrying);
    User u;
    EXPECT_EQ(u.logOn("alice", "alice-password", 480), RESULT_NO_CONNECTION);
    unsetenv("OUTPOST_HUB");
  }
  log.restore();
  std::string text = log.text();
  EXPECT_NE(text.find("is not the hub whose key was given"), std::string::npos) << text;
  EXPECT_NE(text.find("no hub key was given, so whoever answers there would receive this server's login token"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("refusing to contact the hub at " + rogue.address + " without its key"), std::string::npos)
      << text;
  // The rogue never received a logon of either kind.
  Counters c = counters(rogue.address, rogue_dir);
  EXPECT_EQ(c["rpc.server_log_on"], 0u) << c.text;
  EXPECT_EQ(c["rpc.user_log_on"], 0u) << c.text;
  EXPECT_EQ(c["rpc.messages"], 1u) << c.text;  // only the status request that asked
  std::filesystem::remove_all(std::filesystem::path(rogue_dir).parent_path());
}

TEST_F(HubTrust, TheDevelopmentOptOutReachesAnUnpinnedHubAndWarnsAtEveryLogon) {
  HubProcess hub;
  std::string token = genuine(hub);
  StderrCapture log;
  GameServer gs;
  Observed o;
  gs.allowUnpinnedHub(true);
  gs.setHub(hub.address, "");
  EXPECT_EQ(serverAttempt(gs, o, token).result, -1);
  EXPECT_EQ(o.connected, 1);
  gs.logOff();
  gs.logOn(token);
  ASSERT_TRUE(pump({&gs}, [&] { return o.connected == 2; }));
  EXPECT_EQ(log.count("WITHOUT checking its key"), 2u) << log.text();

  User u;
  u.allowUnpinnedHub(true);
  u.setHub(hub.address, "");
  EXPECT_EQ(u.logOn("alice", "alice-password", 480), RESULT_OK);
  u.logOff();
  setenv("OUTPOST_HUB_ALLOW_UNPINNED", "1", 1);  // the environment's form of the same option
  User v;
  v.setHub(hub.address, "");
  EXPECT_EQ(v.logOn("alice", "alice-password", 480), RESULT_OK);
  log.restore();
  EXPECT_EQ(log.count("WITHOUT checking its key"), 4u) << log.text();
  Counters c = counters(hub.address, dir_);
  EXPECT_EQ(c["rpc.server_log_on"], 2u) << c.text;  // the logons did reach the hub
  EXPECT_EQ(c["rpc.user_log_on"], 2u) << c.text;
}

TEST_F(HubTrust, TheContactValueWorksAsOutpostHubAndUpperCaseKeysMatch) {
  HubProcess hub;
  std::string token = genuine(hub);
  std::ifstream f(dir_ + "/hub.address");
  std::string contact;
  std::getline(f, contact);
  EXPECT_EQ(contact, hub.public_key + "@" + hub.address);
  {  // OUTPOST_HUB=KEY@IP:PORT alone, with the key in upper case.
    setenv("OUTPOST_HUB", upper(contact).c_str(), 1);
    GameServer gs;
    Observed o;
    EXPECT_EQ(serverAttempt(gs, o, token).result, -1);
    EXPECT_EQ(o.connected, 1);
    User u;
    EXPECT_EQ(u.logOn("alice", "alice-password", 480), RESULT_OK);
    // beginAuthSession checks offline against the key from the contact.
    AuthTicket t = u.getAuthSessionTicket(gs.getSteamID());
    ASSERT_GT(t.size, 0u);
    EXPECT_EQ(gs.beginAuthSession(t.buffer, u.getSteamID()), BEGIN_AUTH_SESSION_RESULT_OK);
    unsetenv("OUTPOST_HUB");
  }
  {  // The older pair, with an upper-case key (it used to pass validation and never match).
    GameServer gs;
    Observed o;
    gs.setHub(hub.address, upper(hub.public_key));
    EXPECT_EQ(serverAttempt(gs, o, token).result, -1);
    EXPECT_EQ(o.connected, 1);
    auto r = runProcess({OUTPOST_CLI_BINARY, "admin", "--hub", hub.address, "--hub-key", upper(hub.public_key),
                         "--data-dir", dir_, "status"});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    r = runProcess({OUTPOST_CLI_BINARY, "admin", "--hub", upper(contact), "--data-dir", dir_, "app", "list"});
    EXPECT_EQ(r.exit_code, 0) << r.out;
  }
  {  // Two different keys (the contact's and OUTPOST_HUB_KEY): refused, with the reason.
    setenv("OUTPOST_HUB", contact.c_str(), 1);
    setenv("OUTPOST_HUB_KEY", std::string(64, 'a').c_str(), 1);
    StderrCapture log;
    User u;
    EXPECT_EQ(u.logOn("alice", "alice-password", 480), RESULT_NO_CONNECTION);
    log.restore();
    EXPECT_NE(log.text().find("two different hub keys"), std::string::npos) << log.text();
  }
}

}  // namespace
}  // namespace outpost::test
