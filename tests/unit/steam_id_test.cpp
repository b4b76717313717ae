// Steam ID layout helpers (include/outpost/steam_id.h) against the worked examples of
// backend-anchors.md §1.4 and the SDK's CSteamID rules.
#include "outpost/steam_id.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace outpost {
namespace {

using namespace steamid;

// The layout is usable at compile time (constexpr), e.g. for constants in other headers.
static_assert(make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_GAME_SERVER, 0, 10289330) == 85568392930328754ull);
static_assert(kIndividualBase == 76561197960265728ull);
static_assert(kClanBase == 103582791429521408ull);
static_assert(isValid(individual(1)));

TEST(SteamIdTest, PersistentGameServerWorkedExample) {
  constexpr uint64_t id = 85568392930328754ull;  // [G:1:10289330]
  EXPECT_EQ(universe(id), uint32_t{UNIVERSE_PUBLIC});
  EXPECT_EQ(accountType(id), uint32_t{ACCOUNT_TYPE_GAME_SERVER});
  EXPECT_EQ(instance(id), 0u);
  EXPECT_EQ(accountId(id), 10289330u);
  EXPECT_EQ(toSteam32(id), 10289330u);
  EXPECT_EQ(gameServer(10289330), id);
  EXPECT_EQ(toString(id), "[G:1:10289330]");
  EXPECT_TRUE(isValid(id));
  EXPECT_TRUE(isGameServer(id));
  EXPECT_TRUE(isAnyGameServer(id));
  EXPECT_FALSE(isAnonGameServer(id));
  EXPECT_FALSE(isAnonAccount(id));
  EXPECT_FALSE(isIndividual(id));
  EXPECT_FALSE(isClan(id));
}

TEST(SteamIdTest, AnonymousGameServerWorkedExample) {
  constexpr uint64_t id = 90199325292283935ull;  // [A:1:4144416799:29646]
  EXPECT_EQ(universe(id), uint32_t{UNIVERSE_PUBLIC});
  EXPECT_EQ(accountType(id), uint32_t{ACCOUNT_TYPE_ANON_GAME_SERVER});
  EXPECT_EQ(instance(id), 29646u);
  EXPECT_EQ(accountId(id), 4144416799u);
  EXPECT_EQ(anonGameServer(4144416799u, 29646), id);
  EXPECT_EQ(make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_ANON_GAME_SERVER, 29646, 4144416799u), id);
  EXPECT_EQ(toString(id), "[A:1:4144416799:29646]");
  EXPECT_TRUE(isValid(id));
  EXPECT_TRUE(isAnonGameServer(id));
  EXPECT_TRUE(isAnyGameServer(id));
  EXPECT_TRUE(isAnonAccount(id));
  EXPECT_FALSE(isGameServer(id));
  EXPECT_FALSE(isAnonUser(id));
  // The other two logged examples of §1.4 render the same way.
  EXPECT_EQ(toString(anonGameServer(2271993858u, 11261)), "[A:1:2271993858:11261]");
  EXPECT_EQ(toString(anonGameServer(155311110u, 18312)), "[A:1:155311110:18312]");
}

TEST(SteamIdTest, IndividualBase) {
  EXPECT_EQ(kIndividualBase, 0x0110000100000000ull);
  const uint64_t user = kIndividualBase + 22202;
  EXPECT_EQ(user, individual(22202));
  EXPECT_EQ(toSteam32(user), 22202u);
  EXPECT_EQ(instance(user), STEAM_USER_DESKTOP_INSTANCE);
  EXPECT_EQ(toString(user), "[U:1:22202]");
  EXPECT_TRUE(isValid(user));
  EXPECT_TRUE(isIndividual(user));
  EXPECT_FALSE(isValid(kIndividualBase));  // account id 0
  // Other instances show in the text form; above the web instance the id is invalid.
  const uint64_t console = make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_INDIVIDUAL, 2, 5);
  EXPECT_EQ(toString(console), "[U:1:5:2]");
  EXPECT_TRUE(isValid(make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_INDIVIDUAL, STEAM_USER_WEB_INSTANCE, 5)));
  EXPECT_FALSE(isValid(make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_INDIVIDUAL, 5, 5)));
}

TEST(SteamIdTest, ClanBase) {
  EXPECT_EQ(kClanBase, 103582791429521408ull);
  const uint64_t group = kClanBase + 4;
  EXPECT_EQ(group, clan(4));
  EXPECT_EQ(toString(group), "[g:1:4]");
  EXPECT_TRUE(isClan(group));
  EXPECT_TRUE(isValid(group));
  EXPECT_FALSE(isValid(kClanBase));                                       // account id 0
  EXPECT_FALSE(isValid(make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_CLAN, 1, 4)));  // instance must be 0
}

TEST(SteamIdTest, ClanIdFromAnyAcceptsFullAndTruncatedIds) {
  const uint64_t full = clan(10289330);
  EXPECT_EQ(clanIdFromAny(full), full);
  // GodotSteam passes only the low 32 bits (its group_id is a C++ int).
  EXPECT_EQ(clanIdFromAny(10289330), full);
  EXPECT_EQ(clanIdFromAny(0xFFFFFFFFull), clan(0xFFFFFFFFu));
  // An account id >= 2^31 that went through int32 arrives sign-extended.
  const uint32_t high = 0x9ABCDEF0u;
  const uint64_t sign_extended = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(high)));
  EXPECT_EQ(clanIdFromAny(sign_extended), clan(high));
  // Nothing else is a clan.
  EXPECT_EQ(clanIdFromAny(0), 0u);
  EXPECT_EQ(clanIdFromAny(individual(10289330)), 0u);
  EXPECT_EQ(clanIdFromAny(gameServer(10289330)), 0u);
  EXPECT_EQ(clanIdFromAny(kClanBase), 0u);  // clan with account 0
  EXPECT_EQ(clanIdFromAny(make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_CLAN, 3, 7)), 0u);
  // Another universe for bare ids.
  EXPECT_EQ(clanIdFromAny(7, UNIVERSE_BETA), make(UNIVERSE_BETA, ACCOUNT_TYPE_CLAN, 0, 7));
}

TEST(SteamIdTest, EnumValuesMatchTheReference) {
  EXPECT_EQ(ACCOUNT_TYPE_INVALID, 0);
  EXPECT_EQ(ACCOUNT_TYPE_INDIVIDUAL, 1);
  EXPECT_EQ(ACCOUNT_TYPE_MULTISEAT, 2);
  EXPECT_EQ(ACCOUNT_TYPE_GAME_SERVER, 3);
  EXPECT_EQ(ACCOUNT_TYPE_ANON_GAME_SERVER, 4);
  EXPECT_EQ(ACCOUNT_TYPE_PENDING, 5);
  EXPECT_EQ(ACCOUNT_TYPE_CONTENT_SERVER, 6);
  EXPECT_EQ(ACCOUNT_TYPE_CLAN, 7);
  EXPECT_EQ(ACCOUNT_TYPE_CHAT, 8);
  EXPECT_EQ(ACCOUNT_TYPE_CONSOLE_USER, 9);
  EXPECT_EQ(ACCOUNT_TYPE_ANON_USER, 10);
  EXPECT_EQ(ACCOUNT_TYPE_MAX, 11);
  EXPECT_EQ(UNIVERSE_INVALID, 0);
  EXPECT_EQ(UNIVERSE_PUBLIC, 1);
  EXPECT_EQ(UNIVERSE_BETA, 2);
  EXPECT_EQ(UNIVERSE_INTERNAL, 3);
  EXPECT_EQ(UNIVERSE_DEV, 4);
  EXPECT_EQ(UNIVERSE_MAX, 5);
  EXPECT_EQ(STEAM_ACCOUNT_ID_MASK, 0xFFFFFFFFull);
  EXPECT_EQ(STEAM_ACCOUNT_INSTANCE_MASK, 0x000FFFFFu);
}

TEST(SteamIdTest, FieldsRoundTripAndAreMasked) {
  const uint64_t id = make(UNIVERSE_DEV, ACCOUNT_TYPE_MULTISEAT, 0xABCDE, 0x12345678);
  EXPECT_EQ(universe(id), uint32_t{UNIVERSE_DEV});
  EXPECT_EQ(accountType(id), uint32_t{ACCOUNT_TYPE_MULTISEAT});
  EXPECT_EQ(instance(id), 0xABCDEu);
  EXPECT_EQ(accountId(id), 0x12345678u);
  EXPECT_EQ(toString(id), "[M:4:305419896:703710]");
  // Bits beyond a field's width do not spill into the neighbouring field.
  EXPECT_EQ(make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_INDIVIDUAL, 0x1FFFFF, 1),
            make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_INDIVIDUAL, 0xFFFFF, 1));
  EXPECT_EQ(accountType(make(UNIVERSE_PUBLIC, 0x13, 0, 1)), 3u);
  // The extremes of every field.
  const uint64_t max = make(0xFF, 0xF, 0xFFFFF, 0xFFFFFFFF);
  EXPECT_EQ(max, ~uint64_t{0});
  EXPECT_EQ(universe(max), 0xFFu);
  EXPECT_EQ(accountType(max), 0xFu);
}

TEST(SteamIdTest, ValidityRules) {
  EXPECT_FALSE(isValid(0));
  EXPECT_FALSE(isValid(make(UNIVERSE_INVALID, ACCOUNT_TYPE_INDIVIDUAL, 1, 1)));
  EXPECT_FALSE(isValid(make(UNIVERSE_MAX, ACCOUNT_TYPE_INDIVIDUAL, 1, 1)));
  EXPECT_FALSE(isValid(make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_INVALID, 1, 1)));
  EXPECT_FALSE(isValid(make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_MAX, 1, 1)));
  EXPECT_FALSE(isValid(make(UNIVERSE_PUBLIC, 15, 1, 1)));
  EXPECT_FALSE(isValid(gameServer(0)));  // a persistent server needs an account id
  // An anonymous server may have account 0 (before logon), so it is valid.
  EXPECT_TRUE(isValid(blankAnonLogon()));
  EXPECT_TRUE(isBlankAnonAccount(blankAnonLogon()));
  EXPECT_FALSE(isBlankAnonAccount(anonGameServer(1, 0)));
  // The SDK's sentinel game-server ids are all invalid.
  EXPECT_FALSE(isValid(STEAM_ID_NIL));
  EXPECT_FALSE(isValid(STEAM_ID_OUT_OF_DATE_GAME_SERVER));
  EXPECT_FALSE(isValid(STEAM_ID_LAN_MODE_GAME_SERVER));
  EXPECT_FALSE(isValid(STEAM_ID_NOT_INIT_YET_GAME_SERVER));
  EXPECT_FALSE(isValid(STEAM_ID_NON_GAME_SERVER));
  EXPECT_EQ(universe(STEAM_ID_LAN_MODE_GAME_SERVER), uint32_t{UNIVERSE_PUBLIC});
  EXPECT_EQ(accountId(STEAM_ID_NON_GAME_SERVER), 2u);
}

TEST(SteamIdTest, PredicatesFollowTheSdk) {
  const uint64_t console_user = make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_CONSOLE_USER, 0, 9);
  EXPECT_TRUE(isIndividual(console_user));  // BIndividualAccount includes console users
  EXPECT_TRUE(isConsoleUser(console_user));
  const uint64_t anon_user = make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_ANON_USER, 0, 9);
  EXPECT_TRUE(isAnonUser(anon_user));
  EXPECT_TRUE(isAnonAccount(anon_user));
  EXPECT_FALSE(isAnyGameServer(anon_user));
  const uint64_t lobby = make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_CHAT, kChatInstanceFlagLobby, 77);
  EXPECT_TRUE(isChat(lobby));
  EXPECT_TRUE(isLobby(lobby));
  const uint64_t clan_chat = make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_CHAT, kChatInstanceFlagClan, 77);
  EXPECT_TRUE(isChat(clan_chat));
  EXPECT_FALSE(isLobby(clan_chat));
  EXPECT_FALSE(isLobby(clan(77)));
  EXPECT_TRUE(isContentServer(make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_CONTENT_SERVER, 0, 1)));
}

TEST(SteamIdTest, TextFormsOfEveryType) {
  EXPECT_EQ(toString(make(1, ACCOUNT_TYPE_CHAT, kChatInstanceFlagClan, 3)), "[c:1:3]");
  EXPECT_EQ(toString(make(1, ACCOUNT_TYPE_CHAT, kChatInstanceFlagLobby, 3)), "[L:1:3]");
  EXPECT_EQ(toString(make(1, ACCOUNT_TYPE_CHAT, 0, 3)), "[T:1:3]");
  EXPECT_EQ(toString(make(1, ACCOUNT_TYPE_PENDING, 0, 3)), "[P:1:3]");
  EXPECT_EQ(toString(make(1, ACCOUNT_TYPE_CONTENT_SERVER, 0, 3)), "[C:1:3]");
  EXPECT_EQ(toString(make(1, ACCOUNT_TYPE_ANON_USER, 0, 3)), "[a:1:3]");
  EXPECT_EQ(toString(make(1, ACCOUNT_TYPE_INVALID, 0, 3)), "[I:1:3]");
  EXPECT_EQ(toString(make(1, ACCOUNT_TYPE_CONSOLE_USER, 0, 3)), "[i:1:3]");
  EXPECT_EQ(toString(make(1, 14, 0, 3)), "[i:1:3]");
  // The longest form fits: every number at its maximum.
  EXPECT_EQ(toString(make(255, ACCOUNT_TYPE_ANON_GAME_SERVER, 0xFFFFF, 0xFFFFFFFF)), "[A:255:4294967295:1048575]");
}

}  // namespace
}  // namespace outpost
