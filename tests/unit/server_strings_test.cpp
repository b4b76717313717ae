// Unit: the string rules both the SDK and the hub apply to a game server's logon and listing
// (src/hubrpc/server_strings.h) and the terminal escaping the CLI prints with (src/base/utf8.h).
#include <gtest/gtest.h>

#include "base/utf8.h"
#include "hubrpc/server_strings.h"
#include "outpost/types.h"

namespace outpost {
namespace {

TEST(ServerStrings, BufferSizesIncludeTheNulAndControlCharactersAndBadUtf8AreRefused) {
  EXPECT_EQ(hubrpc::checkServerString(std::string(63, 'n'), MAX_GAME_SERVER_SERVER_NAME), "");
  EXPECT_NE(hubrpc::checkServerString(std::string(64, 'n'), MAX_GAME_SERVER_SERVER_NAME), "");
  EXPECT_EQ(hubrpc::checkServerString("", MAX_GAME_SERVER_SERVER_NAME), "");
  EXPECT_EQ(hubrpc::checkServerString("Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xae", 64), "");  // é € 🎮
  for (const std::string& bad : {std::string("a\nb"), std::string("a\0b", 3), std::string("\x7f"),
                                 std::string("\x1b[0m"), std::string("\xc2\x80"), std::string("\xc2\x9f"),  // C1
                                 std::string("\xc0\xaf"), std::string("\xe0\x80\xaf"),                      // overlong
                                 std::string("\xed\xa0\x80"),                    // a surrogate
                                 std::string("\xf4\x90\x80\x80"),                // above U+10FFFF
                                 std::string("\xe2\x82"), std::string("\xff")})  // cut, not UTF-8
    EXPECT_NE(hubrpc::checkServerString(bad, 64), "") << testing::PrintToString(bad);
}

TEST(ServerStrings, LogOnAndListingNameTheFieldThatIsWrong) {
  hubrpc::ServerLogOn l;
  l.set_server_mode(SERVER_MODE_AUTHENTICATION);
  l.set_game_port(27015);
  EXPECT_EQ(hubrpc::checkServerLogOn(l), "");
  l.set_mod_dir(std::string(MAX_GAME_SERVER_GAME_DIR, 'm'));
  EXPECT_EQ(hubrpc::checkServerLogOn(l).rfind("mod_dir: ", 0), 0u);
  l.set_mod_dir("ok");
  l.set_server_mode(4);
  EXPECT_EQ(hubrpc::checkServerLogOn(l).rfind("server_mode: ", 0), 0u);
  l.set_server_mode(SERVER_MODE_AUTHENTICATION);
  l.set_game_port(0);
  EXPECT_EQ(hubrpc::checkServerLogOn(l).rfind("game_port: ", 0), 0u);

  hubrpc::ServerListing s;
  EXPECT_EQ(hubrpc::checkServerListing(s), "");
  s.set_spectator_name(std::string(MAX_GAME_SERVER_MAP_NAME, 's'));  // the reference's limit for it
  EXPECT_EQ(hubrpc::checkServerListing(s).rfind("spectator_name: ", 0), 0u);
  s.set_spectator_name("");
  s.set_os("x");
  EXPECT_EQ(hubrpc::checkServerListing(s).rfind("os: ", 0), 0u);
  s.set_os("w");
  s.set_bots(65536);
  EXPECT_EQ(hubrpc::checkServerListing(s).rfind("bots: ", 0), 0u);
}

TEST(TerminalEscape, NothingForgesALineOrSendsAnEscape) {
  EXPECT_EQ(base::utf8::escapeForTerminal("plain"), "plain");
  EXPECT_EQ(base::utf8::escapeForTerminal("a\nb\r\tc"), "a\\nb\\r\\tc");
  EXPECT_EQ(base::utf8::escapeForTerminal("say \"hi\" \\o/"), "say \\\"hi\\\" \\\\o/");
  EXPECT_EQ(base::utf8::escapeForTerminal("\x1b[2J"), "\\x1b[2J");
  EXPECT_EQ(base::utf8::escapeForTerminal("\xc2\x9b"
                                          "31m"),
            "\\xc2\\x9b31m");  // C1 CSI, both bytes
  EXPECT_EQ(base::utf8::escapeForTerminal("bad\xff!"), "bad\\xff!");
  EXPECT_EQ(base::utf8::escapeForTerminal("Caf\xc3\xa9"), "Caf\xc3\xa9");  // printable UTF-8 as is
  EXPECT_EQ(base::utf8::escapeForTerminal(std::string("nul\0", 4)), "nul\\x00");
}

}  // namespace
}  // namespace outpost
