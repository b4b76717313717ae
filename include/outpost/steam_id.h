// Steam IDs: the 64-bit identifiers Outpost uses for users, game servers and groups. The layout is
// Steam's (reference: backend-anchors.md §1.4, CSteamID in the Steamworks SDK), so code written
// against the reference keeps working:
//
//   bits 56..63  universe       8 bits   (UNIVERSE_PUBLIC = 1 for everything the hub issues)
//   bits 52..55  account type   4 bits   (ACCOUNT_TYPE_*)
//   bits 32..51  instance      20 bits   (1 for users, 0 for clans and persistent servers,
//                                          per-logon for anonymous servers)
//   bits  0..31  account id    32 bits
//
// Header-only and constexpr (except the text rendering, which builds a std::string). Pure
// functions of their arguments: safe on any thread. Nothing here allocates except toString().
//
// The GameServer methods of the reference map onto these helpers: getSteamID32 -> toSteam32,
// isIndividualAccount -> isIndividual, isAnonAccount -> isAnonAccount, isAnonUserAccount ->
// isAnonUser, isChatAccount -> isChat, isClanAccount -> isClan, isConsoleUserAccount ->
// isConsoleUser, isLobby -> isLobby.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace outpost {

// EAccountType, with the reference's GDScript names and SDK 1.61 values (godotsteam-api.md §2.2).
enum AccountType : int32_t {
  ACCOUNT_TYPE_INVALID = 0,
  ACCOUNT_TYPE_INDIVIDUAL = 1,
  ACCOUNT_TYPE_MULTISEAT = 2,
  ACCOUNT_TYPE_GAME_SERVER = 3,
  ACCOUNT_TYPE_ANON_GAME_SERVER = 4,
  ACCOUNT_TYPE_PENDING = 5,
  ACCOUNT_TYPE_CONTENT_SERVER = 6,
  ACCOUNT_TYPE_CLAN = 7,
  ACCOUNT_TYPE_CHAT = 8,
  ACCOUNT_TYPE_CONSOLE_USER = 9,
  ACCOUNT_TYPE_ANON_USER = 10,
  ACCOUNT_TYPE_MAX = 11,
};

// EUniverse (godotsteam-api.md §2.2).
enum Universe : int32_t {
  UNIVERSE_INVALID = 0,
  UNIVERSE_PUBLIC = 1,
  UNIVERSE_BETA = 2,
  UNIVERSE_INTERNAL = 3,
  UNIVERSE_DEV = 4,
  UNIVERSE_MAX = 5,
};

// Constants the reference binds for Steam IDs (godotsteam-api.md §2.3).
inline constexpr uint32_t ACCOUNT_ID_INVALID = 0;
inline constexpr uint64_t STEAM_ACCOUNT_ID_MASK = 0xFFFFFFFFull;
inline constexpr uint32_t STEAM_ACCOUNT_INSTANCE_MASK = 0x000FFFFF;
inline constexpr uint32_t STEAM_USER_DESKTOP_INSTANCE = 1;
inline constexpr uint32_t STEAM_USER_CONSOLE_INSTANCE = 2;
inline constexpr uint32_t STEAM_USER_WEB_INSTANCE = 4;

// The SDK's sentinel game-server ids (all of type Invalid; backend-anchors.md §1.4). The newest
// reference docs list them under these names, though GodotSteam does not bind them.
inline constexpr uint64_t STEAM_ID_NIL = 0;
inline constexpr uint64_t STEAM_ID_OUT_OF_DATE_GAME_SERVER = 0;               // (0, 0, Invalid)
inline constexpr uint64_t STEAM_ID_LAN_MODE_GAME_SERVER = uint64_t{1} << 56;  // (0, 0, Public)
inline constexpr uint64_t STEAM_ID_NOT_INIT_YET_GAME_SERVER = 1;              // (1, 0, Invalid)
inline constexpr uint64_t STEAM_ID_NON_GAME_SERVER = 2;                       // (2, 0, Invalid)

namespace steamid {

// Chat instance flags (top bits of the 20-bit instance of a Chat id).
inline constexpr uint32_t kChatInstanceFlagClan = 0x80000;
inline constexpr uint32_t kChatInstanceFlagLobby = 0x40000;
inline constexpr uint32_t kChatInstanceFlagMmsLobby = 0x20000;

// Builds an id from its four fields. Bits beyond a field's width are dropped (instance keeps its
// low 20 bits, type its low 4); callers that take fields from untrusted input check them first,
// or check isValid() on the result.
constexpr uint64_t make(uint32_t universe, uint32_t account_type, uint32_t instance, uint32_t account_id) {
  return (uint64_t{universe & 0xFFu} << 56) | (uint64_t{account_type & 0xFu} << 52) |
         (uint64_t{instance & STEAM_ACCOUNT_INSTANCE_MASK} << 32) | uint64_t{account_id};
}

constexpr uint32_t universe(uint64_t id) { return static_cast<uint32_t>(id >> 56); }
constexpr uint32_t accountType(uint64_t id) { return static_cast<uint32_t>((id >> 52) & 0xFu); }
constexpr uint32_t instance(uint64_t id) { return static_cast<uint32_t>(id >> 32) & STEAM_ACCOUNT_INSTANCE_MASK; }
constexpr uint32_t accountId(uint64_t id) { return static_cast<uint32_t>(id & STEAM_ACCOUNT_ID_MASK); }

// The reference's getSteamID32: the account id (low 32 bits).
constexpr uint32_t toSteam32(uint64_t id) { return accountId(id); }

// Common constructors (universe defaults to Public, the only one the hub issues).
constexpr uint64_t individual(uint32_t account_id, uint32_t universe = UNIVERSE_PUBLIC) {
  return make(universe, ACCOUNT_TYPE_INDIVIDUAL, STEAM_USER_DESKTOP_INSTANCE, account_id);
}
constexpr uint64_t gameServer(uint32_t account_id, uint32_t universe = UNIVERSE_PUBLIC) {
  return make(universe, ACCOUNT_TYPE_GAME_SERVER, 0, account_id);
}
constexpr uint64_t anonGameServer(uint32_t account_id, uint32_t instance, uint32_t universe = UNIVERSE_PUBLIC) {
  return make(universe, ACCOUNT_TYPE_ANON_GAME_SERVER, instance, account_id);
}
constexpr uint64_t clan(uint32_t account_id, uint32_t universe = UNIVERSE_PUBLIC) {
  return make(universe, ACCOUNT_TYPE_CLAN, 0, account_id);
}
// The id a server holds before logon (the SDK's CreateBlankAnonLogon): AnonGameServer, account
// 0, instance 0.
constexpr uint64_t blankAnonLogon(uint32_t universe = UNIVERSE_PUBLIC) {
  return make(universe, ACCOUNT_TYPE_ANON_GAME_SERVER, 0, 0);
}

// Handy bases (backend-anchors.md §1.4): id = base + account id.
inline constexpr uint64_t kIndividualBase = individual(0);  // 76561197960265728
inline constexpr uint64_t kClanBase = clan(0);              // 103582791429521408

// CSteamID::IsValid: a known type and universe; an individual has a non-zero account and an
// instance of at most STEAM_USER_WEB_INSTANCE; a clan has a non-zero account and instance 0; a
// persistent game server has a non-zero account.
constexpr bool isValid(uint64_t id) {
  const uint32_t type = accountType(id);
  const uint32_t uni = universe(id);
  if (type <= ACCOUNT_TYPE_INVALID || type >= ACCOUNT_TYPE_MAX) return false;
  if (uni <= UNIVERSE_INVALID || uni >= UNIVERSE_MAX) return false;
  if (type == ACCOUNT_TYPE_INDIVIDUAL && (accountId(id) == 0 || instance(id) > STEAM_USER_WEB_INSTANCE)) return false;
  if (type == ACCOUNT_TYPE_CLAN && (accountId(id) == 0 || instance(id) != 0)) return false;
  if (type == ACCOUNT_TYPE_GAME_SERVER && accountId(id) == 0) return false;
  return true;
}

// Type predicates. They test the type field only, as the SDK's do; combine with isValid() to
// also check the other fields.
// BIndividualAccount: an Individual or a ConsoleUser.
constexpr bool isIndividual(uint64_t id) {
  return accountType(id) == ACCOUNT_TYPE_INDIVIDUAL || accountType(id) == ACCOUNT_TYPE_CONSOLE_USER;
}
// BPersistentGameServerAccount: a token-backed server (type 3), stable across restarts.
constexpr bool isGameServer(uint64_t id) { return accountType(id) == ACCOUNT_TYPE_GAME_SERVER; }
// BAnonGameServerAccount: an anonymous server (type 4), a new id on each logon.
constexpr bool isAnonGameServer(uint64_t id) { return accountType(id) == ACCOUNT_TYPE_ANON_GAME_SERVER; }
// BGameServerAccount: either kind of game server.
constexpr bool isAnyGameServer(uint64_t id) { return isGameServer(id) || isAnonGameServer(id); }
constexpr bool isClan(uint64_t id) { return accountType(id) == ACCOUNT_TYPE_CLAN; }
constexpr bool isChat(uint64_t id) { return accountType(id) == ACCOUNT_TYPE_CHAT; }
constexpr bool isLobby(uint64_t id) { return isChat(id) && (instance(id) & kChatInstanceFlagLobby) != 0; }
// BAnonAccount: an anonymous user or an anonymous game server.
constexpr bool isAnonAccount(uint64_t id) { return accountType(id) == ACCOUNT_TYPE_ANON_USER || isAnonGameServer(id); }
constexpr bool isAnonUser(uint64_t id) { return accountType(id) == ACCOUNT_TYPE_ANON_USER; }
constexpr bool isConsoleUser(uint64_t id) { return accountType(id) == ACCOUNT_TYPE_CONSOLE_USER; }
constexpr bool isContentServer(uint64_t id) { return accountType(id) == ACCOUNT_TYPE_CONTENT_SERVER; }
// BBlankAnonAccount: an anonymous id with account 0 and instance 0 (a server not yet logged on).
constexpr bool isBlankAnonAccount(uint64_t id) { return isAnonAccount(id) && accountId(id) == 0 && instance(id) == 0; }

// Accepts a group (clan) id in either form the API receives and returns the full 64-bit clan id,
// or 0 when the value cannot be a clan:
//  - a full clan id (type Clan, valid per isValid) is returned unchanged;
//  - a bare 32-bit account id (value <= 0xFFFFFFFF, non-zero) becomes clan(value, universe).
//    GodotSteam binds requestUserGroupStatus's group_id as a 32-bit int, so scripts written
//    against it pass the account id only;
//  - the same 32-bit id sign-extended to 64 bits (an int32 >= 2^31 widened to uint64, the other
//    way the truncation shows up) is read as that account id;
//  - anything else (0, another account type, an invalid clan) gives 0.
constexpr uint64_t clanIdFromAny(uint64_t value, uint32_t universe = UNIVERSE_PUBLIC) {
  if (value == 0) return 0;
  if (value <= STEAM_ACCOUNT_ID_MASK) return clan(static_cast<uint32_t>(value), universe);
  if ((value >> 31) == 0x1FFFFFFFFull) return clan(static_cast<uint32_t>(value), universe);
  if (isClan(value) && isValid(value)) return value;
  return 0;
}

// Text form as Steam renders it (GameNetworkingSockets steamid.cpp): "[U:1:n]" for a desktop
// user ("[U:1:n:inst]" for another instance), "[G:1:n]" persistent server, "[A:1:n:inst]"
// anonymous server, "[g:1:n]" clan, "[M:1:n:inst]" multiseat, "[P:1:n]" pending, "[C:1:n]"
// content server, "[c:1:n]" / "[L:1:n]" / "[T:1:n]" clan chat / lobby / other chat, "[a:1:n]"
// anonymous user, "[I:1:n]" invalid type, "[i:1:n]" any other type.
inline std::string toString(uint64_t id) {
  const unsigned u = universe(id);
  const unsigned a = accountId(id);
  const unsigned inst = instance(id);
  char buf[48];
  int n = 0;
  switch (accountType(id)) {
    case ACCOUNT_TYPE_ANON_GAME_SERVER: n = std::snprintf(buf, sizeof buf, "[A:%u:%u:%u]", u, a, inst); break;
    case ACCOUNT_TYPE_GAME_SERVER: n = std::snprintf(buf, sizeof buf, "[G:%u:%u]", u, a); break;
    case ACCOUNT_TYPE_MULTISEAT: n = std::snprintf(buf, sizeof buf, "[M:%u:%u:%u]", u, a, inst); break;
    case ACCOUNT_TYPE_PENDING: n = std::snprintf(buf, sizeof buf, "[P:%u:%u]", u, a); break;
    case ACCOUNT_TYPE_CONTENT_SERVER: n = std::snprintf(buf, sizeof buf, "[C:%u:%u]", u, a); break;
    case ACCOUNT_TYPE_CLAN: n = std::snprintf(buf, sizeof buf, "[g:%u:%u]", u, a); break;
    case ACCOUNT_TYPE_CHAT: {
      const char c = (inst & kChatInstanceFlagClan) ? 'c' : (inst & kChatInstanceFlagLobby) ? 'L' : 'T';
      n = std::snprintf(buf, sizeof buf, "[%c:%u:%u]", c, u, a);
      break;
    }
    case ACCOUNT_TYPE_INVALID: n = std::snprintf(buf, sizeof buf, "[I:%u:%u]", u, a); break;
    case ACCOUNT_TYPE_INDIVIDUAL:
      n = inst != STEAM_USER_DESKTOP_INSTANCE ? std::snprintf(buf, sizeof buf, "[U:%u:%u:%u]", u, a, inst)
                                              : std::snprintf(buf, sizeof buf, "[U:%u:%u]", u, a);
      break;
    case ACCOUNT_TYPE_ANON_USER: n = std::snprintf(buf, sizeof buf, "[a:%u:%u]", u, a); break;
    default: n = std::snprintf(buf, sizeof buf, "[i:%u:%u]", u, a); break;
  }
  return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

}  // namespace steamid
}  // namespace outpost
