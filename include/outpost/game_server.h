// outpost::GameServer — the reference's Game Server class (GodotSteam Server "SteamServer"
// game-server and main-server functions) against an Outpost hub instead of Steam: initialisation,
// logon (token or anonymous) with the session signals, the secure policy, the public IP, the
// restart request, the server-browser listing that the hub publishes to Valve master-server
// queries, auth sessions (beginAuthSession and the hub's verdicts), licences, groups, clans,
// player compatibility and gameplay statistics, the older auth API (sendUserConnectAndAuthenticate
// with client_approved / client_denied), the server's own session tickets, A2S queries and
// GameSocketShare (docs/api-map.md says which test proves each function).
//
// The hub is found from OUTPOST_HUB — the contact outpost-hub prints at start, KEY@IP:PORT, or
// IP:PORT with the key in OUTPOST_HUB_KEY — or from setHub(). Its key is pinned: logOn refuses to
// contact a hub whose key it was not given (server_connect_failure(RESULT_NO_CONNECTION,
// retrying = false), reason logged) unless allowUnpinnedHub(true) is called. Without a hub, logOn
// reports server_connect_failure(RESULT_NO_CONNECTION, retrying = true), as the reference does
// when Steam is unreachable.
//
// Threading: methods are thread-safe; network I/O runs on an internal service thread; signals
// are queued and delivered only inside run_callbacks(), on the caller's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "outpost/types.h"

namespace outpost {

// ServerMode and the MAX_GAME_SERVER_* string limits are in outpost/types.h (the hub checks them too).

enum SteamAPIInitResult : int32_t {
  STEAM_API_INIT_RESULT_OK = 0,
  STEAM_API_INIT_RESULT_FAILED_GENERIC = 1,
  STEAM_API_INIT_RESULT_NO_STEAM_CLIENT = 2,
  STEAM_API_INIT_RESULT_VERSION_MISMATCH = 3,
};

inline constexpr uint16_t QUERY_PORT_SHARED = 0xFFFF;

struct ServerInitResult {
  int32_t status = STEAM_API_INIT_RESULT_FAILED_GENERIC;
  std::string verbal;
};

struct PublicIP {
  std::string ipv4;  // dotted quad, "" if unknown
  std::string ipv6;
  int32_t type = 0;  // IP_TYPE_IPV4 = 0, IP_TYPE_IPV6 = 1
};

enum UserHasLicenseForAppResult : int32_t {
  USER_HAS_LICENSE_RESULT_HAS_LICENSE = 0,
  USER_HAS_LICENSE_RESULT_DOES_NOT_HAVE_LICENSE = 1,
  USER_HAS_LICENSE_RESULT_NO_AUTH = 2,
};

struct ValidateAuthTicketResponse {
  uint64_t auth_id = 0;  // the user
  int32_t response = AUTH_SESSION_RESPONSE_OK;
  uint64_t owner_id = 0;  // the licence owner (differs when borrowed)
};

struct ClientApproved {
  uint64_t steam_id = 0;
  uint64_t owner_id = 0;  // the licence owner (differs when borrowed)
};

struct ClientDenied {
  uint64_t steam_id = 0;
  int32_t deny_reason = DENY_INVALID;
  std::string optional_message;  // the SDK's m_rgchOptionalText (GodotSteam drops it)
};

struct ClientKick {
  uint64_t steam_id = 0;
  int32_t deny_reason = DENY_INVALID;
};

struct ClientGroupStatus {
  uint64_t steam_id = 0;
  uint64_t group_id = 0;  // the full clan SteamID
  bool member = false;
  bool officer = false;
};

struct PlayerCompat {
  int32_t result = RESULT_NONE;
  int32_t players_dont_like_candidate = 0;
  int32_t players_candidate_doesnt_like = 0;
  int32_t clan_players_dont_like_candidate = 0;
  uint64_t steam_id = 0;
};

struct GameplayStats {
  int32_t result = RESULT_NONE;
  int32_t rank = 0;
  uint32_t total_connects = 0;
  uint32_t total_minutes_played = 0;
};

// getNextOutgoingPacket's dictionary: a reply to send from the game socket.
struct OutgoingPacket {
  std::vector<uint8_t> data;  // empty when nothing is waiting
  std::string address;        // dotted IPv4 (or IPv6) of the querier
  uint16_t port = 0;
};

struct ServerConnectFailure {
  int32_t result = RESULT_NONE;
  bool retrying = false;
};

namespace server {
class GameServerImpl;  // src/server (internal)
}
class NetworkingSockets;

class GameServer {
 public:
  GameServer();
  ~GameServer();
  GameServer(const GameServer&) = delete;
  GameServer& operator=(const GameServer&) = delete;

  // ---- Main-server functions ----------------------------------------------------------------
  // ip: "" or "0.0.0.0" for any. query_port: the UDP port A2S answers on (bound here; false if
  // it cannot be), QUERY_PORT_SHARED for GameSocketShare, or 0 for no A2S at all.
  // version "x.y.z.w". false (and a logged reason) for a bad mode, a second init or a busy
  // query port.
  bool serverInit(const std::string& ip, uint16_t game_port, uint16_t query_port, int server_mode,
                  const std::string& version);
  ServerInitResult serverInitEx(const std::string& ip, uint16_t game_port, uint16_t query_port, int server_mode,
                                const std::string& version);
  void serverShutdown();
  void run_callbacks();
  bool isServerSecure();
  uint64_t getServerSteamID();
  // The reference frees the calling thread's Steam API memory; Outpost keeps no per-thread
  // state, so there is nothing to free (kept so ported code compiles and calls it freely).
  void serverReleaseCurrentThreadMemory() {}
  void releaseCurrentThreadMemory() {}  // the newest docs' name
  // The reference's Steam ID helpers (the same as outpost/steam_id.h's steamid:: functions).
  uint32_t getSteamID32(uint64_t steam_id);
  bool isAnonAccount(uint64_t steam_id);
  bool isAnonUserAccount(uint64_t steam_id);
  bool isChatAccount(uint64_t steam_id);
  bool isClanAccount(uint64_t steam_id);
  bool isConsoleUserAccount(uint64_t steam_id);
  bool isIndividualAccount(uint64_t steam_id);
  bool isLobby(uint64_t steam_id);
  // Extension: the hub to use, overriding OUTPOST_HUB: "KEY@IP:PORT" (public_key_hex may then be
  // ""), or "IP:PORT" and its 64-hex public key (any case). A malformed value makes logOn fail
  // with server_connect_failure(RESULT_NO_CONNECTION, false) and a logged reason.
  void setHub(const std::string& address, const std::string& public_key_hex);
  // Extension: this game server's hub session certifies `net`'s identity key as the server's
  // Steam ID, for its app (docs/spec/cert.md §7) — what the reference's game-server
  // NetworkingSockets interface gets upon logon. `net` asks for a certificate at once (status
  // WAITING until the logon, then CURRENT), renews it, trusts the pinned hub key, and hears of
  // revocations; players' connections then authenticate the server and the server them. The same
  // session carries `net`'s P2P signaling and FakeIP requests (docs/spec/signaling.md). Call
  // once, any time; `net` may outlive this object or not.
  void certifyNetworkingSockets(NetworkingSockets& net);
  // Extension, development only: with true, logOn also talks to a hub whose key was not given and
  // logs a warning at every logon (the login token goes to whoever answers at the address). Also
  // set by OUTPOST_HUB_ALLOW_UNPINNED=1. Default false. A given key is always checked.
  void allowUnpinnedHub(bool allow);

  // ---- Game Server functions (this part) ----------------------------------------------------
  void logOn(const std::string& token);
  void logOnAnonymous();
  void logOff();
  bool loggedOn();
  bool secure();
  uint64_t getSteamID();
  PublicIP getPublicIP();
  bool wasRestartRequested();
  // Before logOn only (false and a logged reason afterwards or over the limit).
  bool setProduct(const std::string& product);
  bool setGameDescription(const std::string& description);
  bool setModDir(const std::string& mod_dir);
  bool setDedicatedServer(bool dedicated);
  // Any time; over-limit strings are refused (false), never truncated.
  bool setServerName(const std::string& name);
  bool setMapName(const std::string& map);
  bool setGameTags(const std::string& tags);
  bool setGameData(const std::string& data);
  bool setRegion(const std::string& region);
  void setMaxPlayerCount(int max_players);
  void setBotPlayerCount(int bots);
  void setPasswordProtected(bool password);
  void setSpectatorPort(uint16_t port);
  void setSpectatorServerName(const std::string& name);  // <= MAX_GAME_SERVER_SERVER_NAME
  // The listing's player count is the A2S one: auth sessions plus unauthenticated players.
  void setAdvertiseServerActive(bool active);

  // ---- Auth sessions ------------------------------------------------------------------------
  // The synchronous checks (format and signature against the pinned hub key, user, app,
  // expiry, a second session for the same user); then the hub's verdict arrives as
  // validate_auth_ticket_response, and again later if a cancel, logoff or ban changes it.
  int beginAuthSession(const std::vector<uint8_t>& ticket, uint64_t steam_id);
  void endAuthSession(uint64_t steam_id);
  // After beginAuthSession: whether the ticket lists app_id; NO_AUTH without a session.
  int userHasLicenseForApp(uint64_t steam_id, uint32_t app_id);
  int userHasLicenceForApp(uint64_t steam_id, uint32_t app_id) { return userHasLicenseForApp(steam_id, app_id); }
  // The SDK's older flow (SendUserConnectAndAuthenticate_DEPRECATED): the user's Steam ID is read
  // from the ticket into *steam_id_user; false (logged) when the ticket fails the offline checks
  // or a session for that user is open. The hub's verdict then arrives as client_approved or
  // client_denied (with the reason and a message). ip_client (host order) is only logged.
  bool sendUserConnectAndAuthenticate(uint32_t ip_client, const std::vector<uint8_t>& auth_blob,
                                      uint64_t* steam_id_user);

  // ---- The server's own tickets --------------------------------------------------------------
  // A hub-signed ticket naming this server, for a player to check with User::beginAuthSession.
  // identity: "" (any player), "steamid:<player Steam ID>"; the uint64 form is the reference's
  // (0 = any). Blocks until the hub answers (at most 5 s); id 0 when not logged on or refused.
  AuthTicket getAuthSessionTicket(const std::string& identity = "");
  AuthTicket getAuthSessionTicket(uint64_t remote_steam_id);
  // Players checking the ticket afterwards hear AUTH_TICKET_CANCELED. Unknown handles are logged.
  void cancelAuthTicket(uint32_t id);

  // ---- Groups, clans, compatibility, statistics ----------------------------------------------
  // group_id: a full clan SteamID or a bare clan account id (GodotSteam passes 32 bits). false
  // when not logged on to the hub (as the reference: "cannot ask"). Answer: client_group_status.
  bool requestUserGroupStatus(uint64_t steam_id, uint64_t group_id);
  void associateWithClan(uint64_t clan_id);               // answer: associate_clan
  void computeNewPlayerCompatibility(uint64_t steam_id);  // answer: player_compat
  void getGameplayStats();                                // answer: gameplay_stats

  // ---- Server queries (A2S) --------------------------------------------------------------------
  // With a query port, A2S answers on it by itself; with QUERY_PORT_SHARED (GameSocketShare) the
  // game passes every packet starting with FF FF FF FF to handleIncomingPacket and sends what
  // getNextOutgoingPacket returns from its game socket. Unchallenged queries get only a
  // challenge (docs/spec/a2s.md).
  bool handleIncomingPacket(const std::vector<uint8_t>& packet, const std::string& ip, uint16_t port);
  OutgoingPacket getNextOutgoingPacket();
  // Extension: the query responder's counters by name (replies by type, challenges sent, every
  // dropped_* reason for malformed, unchallenged-limit or rate-limited packets, fragments sent);
  // empty without A2S (query port 0 or before serverInit). docs/spec/a2s.md §5 lists them.
  std::map<std::string, uint64_t> getQueryCounters();
  // A2S_RULES. false (logged) for an empty or over-long key or value.
  bool setKeyValue(const std::string& key, const std::string& value);
  void clearAllKeyValues();
  // Name and score of a player in A2S_PLAYER (an authenticated player, or one added by
  // createUnauthenticatedUserConnection). false for an unknown Steam ID.
  bool updateUserData(uint64_t steam_id, const std::string& name, uint32_t score);
  // A bot or other unauthenticated player: listed in A2S_PLAYER; its Steam ID (AnonUser type).
  uint64_t createUnauthenticatedUserConnection();
  // Removes a player added by createUnauthenticatedUserConnection (or ends an auth session).
  void sendUserDisconnect(uint64_t steam_id);

  // ---- Signals --------------------------------------------------------------------------------
  void connect_server_connected(std::function<void()> handler);
  void connect_server_connect_failure(std::function<void(const ServerConnectFailure&)> handler);
  void connect_server_disconnected(std::function<void(int32_t result)> handler);
  void connect_policy_response(std::function<void(bool secure)> handler);
  void connect_validate_auth_ticket_response(std::function<void(const ValidateAuthTicketResponse&)> handler);
  void connect_client_kick(std::function<void(const ClientKick&)> handler);
  void connect_client_approved(std::function<void(const ClientApproved&)> handler);
  void connect_client_denied(std::function<void(const ClientDenied&)> handler);
  void connect_client_group_status(std::function<void(const ClientGroupStatus&)> handler);
  void connect_associate_clan(std::function<void(int32_t result)> handler);
  void connect_player_compat(std::function<void(const PlayerCompat&)> handler);
  void connect_gameplay_stats(std::function<void(const GameplayStats&)> handler);

 private:
  std::unique_ptr<server::GameServerImpl> impl_;
};

}  // namespace outpost
