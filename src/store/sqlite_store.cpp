// The embedded store: SQLite in WAL mode with synchronous=FULL (a write is on disk when it
// returns, so SIGKILL loses nothing acknowledged), one connection guarded by a mutex, prepared
// statements per call, and ordered schema migrations recorded in schema_migrations.
#include <sqlite3.h>

#include <mutex>

#include "base/log.h"
#include "store/store.h"

namespace outpost::store {

namespace {

// Each entry moves the schema one version up. Never edit a shipped entry; append a new one.
const char* const kMigrations[] = {
    // 1: the first schema.
    R"sql(
CREATE TABLE apps (
  app_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  required_version TEXT NOT NULL DEFAULT ''
);
CREATE TABLE users (
  account_id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE tokens (
  account_id INTEGER PRIMARY KEY AUTOINCREMENT,
  app_id INTEGER NOT NULL,
  owner_account_id INTEGER NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  memo TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL DEFAULT 0,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE licences (
  account_id INTEGER NOT NULL,
  app_id INTEGER NOT NULL,
  owner_account_id INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, app_id)
);
CREATE TABLE groups (
  clan_account_id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL
);
CREATE TABLE memberships (
  clan_account_id INTEGER NOT NULL,
  account_id INTEGER NOT NULL,
  officer INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (clan_account_id, account_id)
);
CREATE TABLE blocks (
  account_id INTEGER NOT NULL,
  blocked_account_id INTEGER NOT NULL,
  PRIMARY KEY (account_id, blocked_account_id)
);
CREATE TABLE bans (
  app_id INTEGER NOT NULL,
  account_id INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  PRIMARY KEY (app_id, account_id)
);
CREATE TABLE ticket_uses (
  ticket_id INTEGER PRIMARY KEY,
  server_steam_id INTEGER NOT NULL,
  used_at INTEGER NOT NULL
);
CREATE INDEX ticket_uses_by_time ON ticket_uses (used_at);
)sql",
    // 2: gameplay statistics per game server.
    R"sql(
CREATE TABLE server_stats (
  server_steam_id INTEGER PRIMARY KEY,
  app_id INTEGER NOT NULL,
  connects INTEGER NOT NULL DEFAULT 0,
  seconds_played INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX server_stats_by_app ON server_stats (app_id, connects);
)sql",
    // 3: per-app policy for anonymous servers (bit 0 logon, 1 listed, 2 secure; existing apps get
    // the default, logon only: docs/decisions/011), the expiry of each redeemed ticket and the last
    // update of each statistics row (both pruned by the hub).
    R"sql(
ALTER TABLE apps ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 1;
ALTER TABLE ticket_uses ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
UPDATE ticket_uses SET expires_at = used_at + 86400;
CREATE INDEX ticket_uses_by_expiry ON ticket_uses (expires_at);
ALTER TABLE server_stats ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE server_stats SET updated_at = CAST(strftime('%s','now') AS INTEGER);
CREATE INDEX server_stats_by_update ON server_stats (updated_at);
)sql",
};

int anonymousBits(const AnonymousPolicy& p) { return (p.logon ? 1 : 0) | (p.listed ? 2 : 0) | (p.secure ? 4 : 0); }
AnonymousPolicy anonymousPolicy(int64_t bits) { return {(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0}; }

#define OUTPOST_TOKEN_COLUMNS \
  "SELECT account_id, app_id, owner_account_id, token_hash, memo, created_at, last_used_at, revoked FROM tokens"

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { ok_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) == SQLITE_OK; }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return ok_; }
  Stmt& bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  int step() { return sqlite3_step(s_); }
  int64_t i64(int col) { return sqlite3_column_int64(s_, col); }
  std::string text(int col) {
    const unsigned char* t = sqlite3_column_text(s_, col);
    return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(s_, col))) : "";
  }

 private:
  sqlite3_stmt* s_ = nullptr;
  bool ok_ = false;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  ~SqliteStore() override { sqlite3_close(db_); }

  bool migrate(std::string* error) {
    if (!exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER)", error))
      return false;
    int current = schemaVersionLocked();
    int target = static_cast<int>(sizeof kMigrations / sizeof kMigrations[0]);
    for (int v = current + 1; v <= target; ++v) {
      // Each migration and its record commit together or not at all.
      if (!exec("BEGIN IMMEDIATE", error)) return false;
      if (!exec(kMigrations[v - 1], error) ||
          !exec(("INSERT INTO schema_migrations VALUES (" + std::to_string(v) + ", strftime('%s','now'))").c_str(),
                error)) {
        exec("ROLLBACK", nullptr);
        return false;
      }
      if (!exec("COMMIT", error)) return false;
      OUTPOST_LOG_INFO("store: migrated to schema version %d", v);
    }
    return true;
  }

  void beginBatch() override {
    std::lock_guard<std::mutex> l(mu_);
    std::string error;
    in_batch_ = exec("BEGIN", &error);
    if (!in_batch_) OUTPOST_LOG_ERROR("store: cannot begin a batch: %s (writes commit one by one)", error.c_str());
  }

  bool commitBatch(std::string* error) override {
    std::lock_guard<std::mutex> l(mu_);
    if (!in_batch_) return true;  // nothing was batched: every write already committed
    in_batch_ = false;
    if (exec("COMMIT", error)) return true;
    exec("ROLLBACK", nullptr);
    return false;
  }

  int schemaVersion() override {
    std::lock_guard<std::mutex> l(mu_);
    return schemaVersionLocked();
  }

  Status putApp(const App& a) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_,
           "INSERT INTO apps (app_id, name, required_version, anonymous) VALUES (?1, ?2, ?3, ?4) "
           "ON CONFLICT(app_id) DO UPDATE SET name = ?2, required_version = ?3, anonymous = ?4");
    s.bind(1, a.app_id).bind(2, a.name).bind(3, a.required_version).bind(4, anonymousBits(a.anonymous));
    return done(s);
  }
  std::optional<App> getApp(uint32_t app_id) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_, "SELECT app_id, name, required_version, anonymous FROM apps WHERE app_id = ?1");
    s.bind(1, app_id);
    if (s.step() != SQLITE_ROW) return std::nullopt;
    return App{static_cast<uint32_t>(s.i64(0)), s.text(1), s.text(2), anonymousPolicy(s.i64(3))};
  }
  std::vector<App> listApps() override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_, "SELECT app_id, name, required_version, anonymous FROM apps ORDER BY app_id");
    std::vector<App> out;
    while (s.step() == SQLITE_ROW)
      out.push_back({static_cast<uint32_t>(s.i64(0)), s.text(1), s.text(2), anonymousPolicy(s.i64(3))});
    return out;
  }
  Status deleteApp(uint32_t app_id) override {
    std::lock_guard<std::mutex> l(mu_);
    // Inside the hub's batch this is part of its transaction; outside, a savepoint makes the two
    // statements one.
    std::string error;
    if (!exec("SAVEPOINT delete_app", &error)) return Status::failure(error);
    Stmt del(db_, "DELETE FROM apps WHERE app_id = ?1");
    del.bind(1, app_id);
    Status st = done(del);
    if (st.ok && sqlite3_changes(db_) == 0) st = Status::failure("no such record");
    if (st.ok) {
      Stmt revoke(db_, "UPDATE tokens SET revoked = 1 WHERE app_id = ?1");
      revoke.bind(1, app_id);
      st = done(revoke);
    }
    if (!st.ok) exec("ROLLBACK TO delete_app", nullptr);
    exec("RELEASE delete_app", nullptr);
    return st;
  }

  Status createUser(const std::string& name, const std::string& hash, int64_t now, uint32_t* account_id) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_, "INSERT INTO users (name, password_hash, created_at) VALUES (?1, ?2, ?3)");
    s.bind(1, name).bind(2, hash).bind(3, now);
    if (s.step() != SQLITE_DONE) return Status::failure(errorText("user \"" + name + "\""));
    *account_id = static_cast<uint32_t>(sqlite3_last_insert_rowid(db_));
    return {};
  }
  std::optional<User> getUserByName(const std::string& name) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_, "SELECT account_id, name, password_hash, created_at FROM users WHERE name = ?1");
    s.bind(1, name);
    return readUser(s);
  }
  std::optional<User> getUser(uint32_t account_id) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_, "SELECT account_id, name, password_hash, created_at FROM users WHERE account_id = ?1");
    s.bind(1, account_id);
    return readUser(s);
  }

  Status createToken(const Token& t, uint32_t* account_id) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_,
           "INSERT INTO tokens (app_id, owner_account_id, token_hash, memo, created_at) "
           "VALUES (?1, ?2, ?3, ?4, ?5)");
    s.bind(1, t.app_id).bind(2, t.owner_account_id).bind(3, t.token_hash).bind(4, t.memo).bind(5, t.created_at);
    if (s.step() != SQLITE_DONE) return Status::failure(errorText("token"));
    *account_id = static_cast<uint32_t>(sqlite3_last_insert_rowid(db_));
    return {};
  }
  std::optional<Token> getTokenByHash(const std::string& hash) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_, OUTPOST_TOKEN_COLUMNS " WHERE token_hash = ?1");
    s.bind(1, hash);
    if (s.step() != SQLITE_ROW) return std::nullopt;
    return readToken(s);
  }
  std::vector<Token> listTokens(uint32_t app_id) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_, OUTPOST_TOKEN_COLUMNS " WHERE app_id = ?1 ORDER BY account_id");
    s.bind(1, app_id);
    std::vector<Token> out;
    while (s.step() == SQLITE_ROW) out.push_back(readToken(s));
    return out;
  }
  Status revokeToken(uint32_t account_id) override {
    return simple("UPDATE tokens SET revoked = 1 WHERE account_id = ?1", account_id, 0, true);
  }
  Status touchToken(uint32_t account_id, int64_t now) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_, "UPDATE tokens SET last_used_at = ?2 WHERE account_id = ?1");
    s.bind(1, account_id).bind(2, now);
    return done(s);
  }

  Status grantLicence(const Licence& x) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_,
           "INSERT INTO licences (account_id, app_id, owner_account_id, expires_at) VALUES (?1, ?2, ?3, ?4) "
           "ON CONFLICT(account_id, app_id) DO UPDATE SET owner_account_id = ?3, expires_at = ?4");
    s.bind(1, x.account_id).bind(2, x.app_id).bind(3, x.owner_account_id).bind(4, x.expires_at);
    return done(s);
  }
  Status revokeLicence(uint32_t account_id, uint32_t app_id) override {
    return simple("DELETE FROM licences WHERE account_id = ?1 AND app_id = ?2", account_id, app_id, true);
  }
  std::vector<Licence> licences(uint32_t account_id) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_,
           "SELECT account_id, app_id, owner_account_id, expires_at FROM licences WHERE account_id = ?1 "
           "ORDER BY app_id");
    s.bind(1, account_id);
    std::vector<Licence> out;
    while (s.step() == SQLITE_ROW)
      out.push_back({static_cast<uint32_t>(s.i64(0)), static_cast<uint32_t>(s.i64(1)), static_cast<uint32_t>(s.i64(2)),
                     s.i64(3)});
    return out;
  }

  Status createGroup(const std::string& name, uint32_t* clan_account_id) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_, "INSERT INTO groups (name) VALUES (?1)");
    s.bind(1, name);
    if (s.step() != SQLITE_DONE) return Status::failure(errorText("group"));
    *clan_account_id = static_cast<uint32_t>(sqlite3_last_insert_rowid(db_));
    return {};
  }
  std::optional<Group> getGroup(uint32_t clan) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_, "SELECT name FROM groups WHERE clan_account_id = ?1");
    s.bind(1, clan);
    if (s.step() != SQLITE_ROW) return std::nullopt;
    return Group{clan, s.text(0)};
  }
  Status setMembership(const Membership& m) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_,
           "INSERT INTO memberships (clan_account_id, account_id, officer) VALUES (?1, ?2, ?3) "
           "ON CONFLICT(clan_account_id, account_id) DO UPDATE SET officer = ?3");
    s.bind(1, m.clan_account_id).bind(2, m.account_id).bind(3, m.officer ? 1 : 0);
    return done(s);
  }
  Status removeMembership(uint32_t clan, uint32_t account) override {
    return simple("DELETE FROM memberships WHERE clan_account_id = ?1 AND account_id = ?2", clan, account, true);
  }
  std::optional<Membership> membership(uint32_t clan, uint32_t account) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_, "SELECT officer FROM memberships WHERE clan_account_id = ?1 AND account_id = ?2");
    s.bind(1, clan).bind(2, account);
    if (s.step() != SQLITE_ROW) return std::nullopt;
    return Membership{clan, account, s.i64(0) != 0};
  }
  std::vector<Membership> members(uint32_t clan) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_, "SELECT account_id, officer FROM memberships WHERE clan_account_id = ?1 ORDER BY account_id");
    s.bind(1, clan);
    std::vector<Membership> out;
    while (s.step() == SQLITE_ROW) out.push_back({clan, static_cast<uint32_t>(s.i64(0)), s.i64(1) != 0});
    return out;
  }

  Status block(uint32_t a, uint32_t b) override {
    return simple("INSERT OR IGNORE INTO blocks (account_id, blocked_account_id) VALUES (?1, ?2)", a, b, false);
  }
  Status unblock(uint32_t a, uint32_t b) override {
    return simple("DELETE FROM blocks WHERE account_id = ?1 AND blocked_account_id = ?2", a, b, true);
  }
  bool blocks(uint32_t a, uint32_t b) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_, "SELECT 1 FROM blocks WHERE account_id = ?1 AND blocked_account_id = ?2");
    s.bind(1, a).bind(2, b);
    return s.step() == SQLITE_ROW;
  }

  Status ban(const Ban& b) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_,
           "INSERT INTO bans (app_id, account_id, kind, reason, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
           "ON CONFLICT(app_id, account_id) DO UPDATE SET kind = ?3, reason = ?4, created_at = ?5");
    s.bind(1, b.app_id).bind(2, b.account_id).bind(3, static_cast<int>(b.kind)).bind(4, b.reason).bind(5, b.created_at);
    return done(s);
  }
  Status unban(uint32_t app_id, uint32_t account_id) override {
    return simple("DELETE FROM bans WHERE app_id = ?1 AND account_id = ?2", app_id, account_id, true);
  }
  std::optional<Ban> activeBan(uint32_t app_id, uint32_t account_id) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_, "SELECT kind, reason, created_at FROM bans WHERE app_id = ?1 AND account_id = ?2");
    s.bind(1, app_id).bind(2, account_id);
    if (s.step() != SQLITE_ROW) return std::nullopt;
    return Ban{app_id, account_id, static_cast<BanKind>(s.i64(0)), s.text(1), s.i64(2)};
  }

  Status addServerStats(uint64_t server, uint32_t app_id, int64_t connects, int64_t seconds, int64_t now) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_,
           "INSERT INTO server_stats (server_steam_id, app_id, connects, seconds_played, updated_at) "
           "VALUES (?1, ?2, ?3, ?4, ?5) "
           "ON CONFLICT(server_steam_id) DO UPDATE SET connects = connects + ?3, "
           "seconds_played = seconds_played + ?4, app_id = ?2, updated_at = ?5");
    s.bind(1, static_cast<int64_t>(server)).bind(2, app_id).bind(3, connects).bind(4, seconds).bind(5, now);
    return done(s);
  }
  void serverStats(uint64_t server, uint32_t app_id, int64_t* connects, int64_t* seconds, int* rank) override {
    std::lock_guard<std::mutex> l(mu_);
    *connects = *seconds = 0;
    Stmt s(db_, "SELECT connects, seconds_played FROM server_stats WHERE server_steam_id = ?1");
    s.bind(1, static_cast<int64_t>(server));
    if (s.step() == SQLITE_ROW) {
      *connects = s.i64(0);
      *seconds = s.i64(1);
    }
    Stmt r(db_, "SELECT COUNT(*) FROM server_stats WHERE app_id = ?1 AND connects > ?2");
    r.bind(1, app_id).bind(2, *connects);
    *rank = r.step() == SQLITE_ROW ? static_cast<int>(r.i64(0)) : 0;
  }
  uint64_t pruneServerStats(int64_t updated_before, size_t max_rows) override {
    return prune(
        "DELETE FROM server_stats WHERE server_steam_id IN (SELECT server_steam_id FROM server_stats "
        "WHERE updated_at < ?1 LIMIT ?2)",
        updated_before, max_rows);
  }

  std::optional<uint64_t> ticketFirstServer(uint64_t ticket_id) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt q(db_, "SELECT server_steam_id FROM ticket_uses WHERE ticket_id = ?1");
    q.bind(1, static_cast<int64_t>(ticket_id));
    if (q.step() != SQLITE_ROW) return std::nullopt;
    return static_cast<uint64_t>(q.i64(0));
  }

  bool recordTicketUse(uint64_t ticket_id, uint64_t server, int64_t now, int64_t expires_at,
                       uint64_t* first_server) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt ins(db_,
             "INSERT OR IGNORE INTO ticket_uses (ticket_id, server_steam_id, used_at, expires_at) "
             "VALUES (?1, ?2, ?3, ?4)");
    ins.bind(1, static_cast<int64_t>(ticket_id)).bind(2, static_cast<int64_t>(server)).bind(3, now).bind(4, expires_at);
    ins.step();
    if (sqlite3_changes(db_) == 1) return true;
    Stmt q(db_, "SELECT server_steam_id FROM ticket_uses WHERE ticket_id = ?1");
    q.bind(1, static_cast<int64_t>(ticket_id));
    uint64_t first = q.step() == SQLITE_ROW ? static_cast<uint64_t>(q.i64(0)) : 0;
    if (first_server) *first_server = first;
    return first == server;  // the same server redeeming again is not a reuse elsewhere
  }
  uint64_t pruneTicketUses(int64_t expired_before, size_t max_rows) override {
    return prune(
        "DELETE FROM ticket_uses WHERE ticket_id IN (SELECT ticket_id FROM ticket_uses "
        "WHERE expires_at < ?1 LIMIT ?2)",
        expired_before, max_rows);
  }

 private:
  bool exec(const char* sql, std::string* error) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
      if (error) *error = msg ? msg : "sqlite error";
      sqlite3_free(msg);
      return false;
    }
    return true;
  }
  int schemaVersionLocked() {
    Stmt s(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    return s.step() == SQLITE_ROW ? static_cast<int>(s.i64(0)) : 0;
  }
  std::string errorText(const std::string& what) {
    int ext = sqlite3_extended_errcode(db_);
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) return what + " already exists";
    return what + ": " + sqlite3_errmsg(db_);
  }
  Status done(Stmt& s) {
    if (!s.ok()) return Status::failure(sqlite3_errmsg(db_));
    if (s.step() != SQLITE_DONE) return Status::failure(sqlite3_errmsg(db_));
    return {};
  }
  Status simple(const char* sql, int64_t a, int64_t b, bool must_change) {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_, sql);
    s.bind(1, a).bind(2, b);
    Status st = done(s);
    if (st.ok && must_change && sqlite3_changes(db_) == 0) return Status::failure("no such record");
    return st;
  }
  // A bounded DELETE (?1 the time bound, ?2 the row limit): the rows it removed, 0 on failure.
  uint64_t prune(const char* sql, int64_t bound, size_t max_rows) {
    std::lock_guard<std::mutex> l(mu_);
    Stmt s(db_, sql);
    s.bind(1, bound).bind(2, static_cast<int64_t>(max_rows));
    if (!done(s).ok) {
      OUTPOST_LOG_WARN("store: pruning failed: %s", sqlite3_errmsg(db_));
      return 0;
    }
    return static_cast<uint64_t>(sqlite3_changes(db_));
  }
  std::optional<User> readUser(Stmt& s) {
    if (s.step() != SQLITE_ROW) return std::nullopt;
    return User{static_cast<uint32_t>(s.i64(0)), s.text(1), s.text(2), s.i64(3)};
  }
  Token readToken(Stmt& s) {
    Token t;
    t.account_id = static_cast<uint32_t>(s.i64(0));
    t.app_id = static_cast<uint32_t>(s.i64(1));
    t.owner_account_id = static_cast<uint32_t>(s.i64(2));
    t.token_hash = s.text(3);
    t.memo = s.text(4);
    t.created_at = s.i64(5);
    t.last_used_at = s.i64(6);
    t.revoked = s.i64(7) != 0;
    return t;
  }

  std::mutex mu_;
  sqlite3* db_;
  bool in_batch_ = false;
};

}  // namespace

std::unique_ptr<Store> openSqliteStore(const std::string& path, std::string* error) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    if (error) *error = db ? sqlite3_errmsg(db) : "cannot open " + path;
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, 5000);
  auto store = std::make_unique<SqliteStore>(db);
  // WAL: readers do not block the writer; synchronous=FULL: a commit is on disk when it returns.
  char* msg = nullptr;
  if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", nullptr, nullptr,
                   &msg) != SQLITE_OK) {
    if (error) *error = msg ? msg : "pragma failed";
    sqlite3_free(msg);
    return nullptr;
  }
  if (!store->migrate(error)) return nullptr;
  return store;
}

}  // namespace outpost::store
