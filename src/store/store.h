// Store: everything the hub persists — apps, users, game-server login tokens, licences, groups,
// blocks, bans and ticket use — behind one interface, so that the embedded SQLite store and
// (later) a PostgreSQL store are interchangeable. Every write is durable when it returns
// (acknowledged writes survive SIGKILL) — or, inside a batch (group commit), when commitBatch()
// returns true, before which the caller acknowledges none of them. Implementations are safe to
// call from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace outpost::store {

// Outcome of a write. `ok` false comes with a reason an operator can read.
struct Status {
  bool ok = true;
  std::string error;
  static Status failure(std::string why) { return {false, std::move(why)}; }
};

// What anonymous game servers (logOnAnonymous) of an app may do
// (docs/decisions/011-anonymous-servers-per-app.md). The default is a production one: they may log
// on (and validate their players' tickets), but are not listed and never get the secure policy.
struct AnonymousPolicy {
  bool logon = true;
  bool listed = false;
  bool secure = false;
  bool operator==(const AnonymousPolicy&) const = default;
};

struct App {
  uint32_t app_id = 0;
  std::string name;
  std::string required_version;  // servers older than this are asked to restart ("" = none)
  AnonymousPolicy anonymous;
};

struct User {
  uint32_t account_id = 0;  // the account part of the user's SteamID (Individual)
  std::string name;
  std::string password_hash;  // Argon2id, libsodium's crypto_pwhash_str format
  int64_t created_at = 0;
};

// One game-server login token = one persistent game-server account ([G:1:account_id]).
struct Token {
  uint32_t account_id = 0;  // the game server's persistent account id
  uint32_t app_id = 0;
  uint32_t owner_account_id = 0;  // the user who owns the token
  std::string token_hash;         // BLAKE2b of the token; the token itself is shown once at creation
  std::string memo;
  int64_t created_at = 0;
  int64_t last_used_at = 0;  // 0 = never logged on
  bool revoked = false;
};

struct Licence {
  uint32_t account_id = 0;
  uint32_t app_id = 0;            // the app or DLC owned
  uint32_t owner_account_id = 0;  // non-zero when borrowed (family sharing): the lender
  int64_t expires_at = 0;         // 0 = permanent
};

struct Group {
  uint32_t clan_account_id = 0;
  std::string name;
};

struct Membership {
  uint32_t clan_account_id = 0;
  uint32_t account_id = 0;
  bool officer = false;
};

enum class BanKind : int { kVac = 1, kPublisher = 2 };

struct Ban {
  uint32_t app_id = 0;
  uint32_t account_id = 0;
  BanKind kind = BanKind::kVac;
  std::string reason;
  int64_t created_at = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Schema version after migrations.
  virtual int schemaVersion() = 0;

  // Group commit: the writes between beginBatch() and commitBatch() share one transaction (one
  // fsync instead of one each). Durable when commitBatch() returns true; on false none of them
  // happened. Not nested. The hub opens one batch per poll.
  virtual void beginBatch() = 0;
  virtual bool commitBatch(std::string* error) = 0;

  virtual Status putApp(const App& app) = 0;
  virtual std::optional<App> getApp(uint32_t app_id) = 0;
  virtual std::vector<App> listApps() = 0;
  // Deletes the app and revokes every login token of it in one transaction (a later app with the
  // same id does not bring the tokens back). Fails with "no such record" for an unknown app.
  virtual Status deleteApp(uint32_t app_id) = 0;

  // Fails if the name is taken. The account id is assigned by the store.
  virtual Status createUser(const std::string& name, const std::string& password_hash, int64_t now,
                            uint32_t* account_id) = 0;
  virtual std::optional<User> getUserByName(const std::string& name) = 0;
  virtual std::optional<User> getUser(uint32_t account_id) = 0;

  // The account id of the new persistent game-server account is assigned by the store.
  virtual Status createToken(const Token& token, uint32_t* account_id) = 0;
  virtual std::optional<Token> getTokenByHash(const std::string& token_hash) = 0;
  virtual std::vector<Token> listTokens(uint32_t app_id) = 0;
  virtual Status revokeToken(uint32_t account_id) = 0;
  virtual Status touchToken(uint32_t account_id, int64_t now) = 0;

  virtual Status grantLicence(const Licence& licence) = 0;
  virtual Status revokeLicence(uint32_t account_id, uint32_t app_id) = 0;
  virtual std::vector<Licence> licences(uint32_t account_id) = 0;

  virtual Status createGroup(const std::string& name, uint32_t* clan_account_id) = 0;
  virtual std::optional<Group> getGroup(uint32_t clan_account_id) = 0;
  virtual Status setMembership(const Membership& m) = 0;
  virtual Status removeMembership(uint32_t clan_account_id, uint32_t account_id) = 0;
  virtual std::optional<Membership> membership(uint32_t clan_account_id, uint32_t account_id) = 0;
  virtual std::vector<Membership> members(uint32_t clan_account_id) = 0;

  virtual Status block(uint32_t account_id, uint32_t blocked_account_id) = 0;
  virtual Status unblock(uint32_t account_id, uint32_t blocked_account_id) = 0;
  virtual bool blocks(uint32_t account_id, uint32_t blocked_account_id) = 0;

  virtual Status ban(const Ban& ban) = 0;
  virtual Status unban(uint32_t app_id, uint32_t account_id) = 0;
  virtual std::optional<Ban> activeBan(uint32_t app_id, uint32_t account_id) = 0;

  // Gameplay statistics of a game server (Steam ID), accumulated: players who authenticated,
  // and seconds they played; the row's update time is `now`.
  virtual Status addServerStats(uint64_t server_steam_id, uint32_t app_id, int64_t connects, int64_t seconds,
                                int64_t now) = 0;
  // Totals (0 without a row), and the server's 0-based rank among app_id's servers by connects, as
  // the reference's GSGameplayStats_t: how many of them have more connects (0 = the most).
  virtual void serverStats(uint64_t server_steam_id, uint32_t app_id, int64_t* connects, int64_t* seconds,
                           int* rank) = 0;
  // Deletes up to max_rows statistics rows last updated before `updated_before` (retention).
  // Returns how many it deleted.
  virtual uint64_t pruneServerStats(int64_t updated_before, size_t max_rows) = 0;

  // The server that first redeemed a ticket, if any (read-only).
  virtual std::optional<uint64_t> ticketFirstServer(uint64_t ticket_id) = 0;
  // Records the first redemption of a ticket that expires at `expires_at`. Returns false (and
  // the server that used it) if the ticket id was already used on another server.
  virtual bool recordTicketUse(uint64_t ticket_id, uint64_t server_steam_id, int64_t now, int64_t expires_at,
                               uint64_t* first_server) = 0;
  // Deletes up to max_rows redemptions of tickets that expired before `expired_before` (once a
  // ticket has expired, every check refuses it before the reuse record matters). Returns how
  // many it deleted.
  virtual uint64_t pruneTicketUses(int64_t expired_before, size_t max_rows) = 0;
};

// Opens (creating if needed) the SQLite store at `path`, in WAL mode with synchronous=FULL, and
// runs pending migrations. nullptr and *error on failure.
std::unique_ptr<Store> openSqliteStore(const std::string& path, std::string* error);

}  // namespace outpost::store
