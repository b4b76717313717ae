// Integration: logon and listing strings. The SDK's setters apply the reference's
// MAX_GAME_SERVER_* as buffer sizes (the NUL included: a name has at most 63 bytes) and refuse
// control characters and what is not UTF-8, as the hub does again (HubRpcRefusals covers the
// hub); and the real `outpost admin` CLI escapes every value it prints, so a value the hub holds
// cannot forge a line of its output.
#include <algorithm>

#include "hub_fixture.h"
#include "outpost/steam_id.h"

namespace outpost::test {
namespace {

class HubStrings : public HubTest {};

TEST_F(HubStrings, SdkSettersUseTheReferencesBufferSizesAndRefuseControlCharacters) {
  HubProcess hub;
  startHub(hub);
  GameServer gs;
  init(gs, hub);
  struct Setter {
    const char* name;
    size_t buffer;
    std::function<bool(const std::string&)> set;
  };
  std::vector<Setter> setters = {
      {"setProduct", 64, [&](const std::string& v) { return gs.setProduct(v); }},
      {"setGameDescription", MAX_GAME_SERVER_GAME_DESCRIPTION,
       [&](const std::string& v) { return gs.setGameDescription(v); }},
      {"setModDir", MAX_GAME_SERVER_GAME_DIR, [&](const std::string& v) { return gs.setModDir(v); }},
      {"setServerName", MAX_GAME_SERVER_SERVER_NAME, [&](const std::string& v) { return gs.setServerName(v); }},
      {"setMapName", MAX_GAME_SERVER_MAP_NAME, [&](const std::string& v) { return gs.setMapName(v); }},
      {"setGameTags", MAX_GAME_SERVER_TAGS, [&](const std::string& v) { return gs.setGameTags(v); }},
      {"setGameData", MAX_GAME_SERVER_GAME_DATA, [&](const std::string& v) { return gs.setGameData(v); }},
      {"setRegion", 33, [&](const std::string& v) { return gs.setRegion(v); }},
  };
  for (const auto& s : setters) {
    SCOPED_TRACE(s.name);
    EXPECT_TRUE(s.set(std::string(s.buffer - 1, 'x')));  // fills the buffer with its NUL
    EXPECT_FALSE(s.set(std::string(s.buffer, 'x')));     // no room for the NUL
    EXPECT_TRUE(s.set("Caf\xc3\xa9"));                   // UTF-8 is fine
    EXPECT_FALSE(s.set("two\nlines"));
    EXPECT_FALSE(s.set(std::string("nul\0inside", 10)));
    EXPECT_FALSE(s.set("esc\x1b[2J"));
    EXPECT_FALSE(s.set("c1\xc2\x9b"));  // U+009B, the 8-bit CSI
    EXPECT_FALSE(s.set("bad\xff"));     // not UTF-8
  }
  GameServer other;
  other.setHub(hub.address, hub.public_key);
  EXPECT_FALSE(other.serverInit("0.0.0.0", 27015, 0, SERVER_MODE_AUTHENTICATION, std::string(32, '1')));
  EXPECT_FALSE(other.serverInit("0.0.0.0", 27015, 0, SERVER_MODE_AUTHENTICATION, "1.0\n"));
  EXPECT_TRUE(other.serverInit("0.0.0.0", 27015, 0, SERVER_MODE_AUTHENTICATION, std::string(31, '1')));
}

TEST_F(HubStrings, TheCliEscapesWhatItPrints) {
  HubProcess hub;
  startHub(hub);
  uint64_t sid = 0;
  std::string token = provision(hub, &sid);
  // An operator's memo with a newline (admin input is not a game server's, but is printed too).
  admin(hub, {"token", "create", "480", "owner", "--memo", "eu-1\ntoken account=99 forged=1"});
  std::string tokens = admin(hub, {"token", "list", "480"});
  EXPECT_EQ(std::count(tokens.begin(), tokens.end(), '\n'), 3) << tokens;  // "ok" and two tokens
  EXPECT_NE(tokens.find("memo=\"eu-1\\ntoken account=99 forged=1\""), std::string::npos) << tokens;
  EXPECT_EQ(tokens.find("\ntoken account=99"), std::string::npos) << tokens;

  // A server name with quotes and backslashes (allowed) stays inside its quotes.
  GameServer gs;
  Observed o;
  o.attach(gs);
  init(gs, hub);
  ASSERT_TRUE(gs.setServerName("a \"b\" \\ c\" map=forged"));
  ASSERT_TRUE(gs.setMapName("de dust"));  // a space: quoted
  gs.logOn(token);
  ASSERT_TRUE(pump({&gs}, [&] { return o.connected == 1; }));
  std::string line;
  ASSERT_TRUE(pump({&gs}, [&] {
    std::string out = admin(hub, {"servers"});
    auto at = out.find("server steam_id=");
    line = at == std::string::npos ? "" : out.substr(at, out.find('\n', at) - at);
    return line.find("de dust") != std::string::npos;
  }));
  EXPECT_NE(line.find("name=\"a \\\"b\\\" \\\\ c\\\" map=forged\" map=\"de dust\" "), std::string::npos) << line;
}

}  // namespace
}  // namespace outpost::test
