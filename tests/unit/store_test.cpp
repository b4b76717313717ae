// Unit: the SQLite store on a real file — migrations, every record kind, uniqueness, reuse
// detection for tickets, and that everything is still there after the store is reopened.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "store/store.h"

namespace outpost::store {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/outpost-store-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/hub.sqlite";
    reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void reopen() {
    store_.reset();
    std::string error;
    store_ = openSqliteStore(path_, &error);
    ASSERT_TRUE(store_) << error;
  }
  std::string dir_, path_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, MigratesToTheLatestSchemaOnceAndInWalMode) {
  EXPECT_EQ(store_->schemaVersion(), 3);
  reopen();
  EXPECT_EQ(store_->schemaVersion(), 3);
  EXPECT_TRUE(std::filesystem::exists(path_ + "-wal") || std::filesystem::exists(path_));
}

TEST_F(StoreTest, ABatchCommitsItsWritesTogetherOrNotAtAll) {
  store_->beginBatch();
  ASSERT_TRUE(store_->putApp({480, "Spacewar", "", {}}).ok);
  uint64_t first = 0;
  EXPECT_TRUE(store_->recordTicketUse(77, 1001, 10, 10 + 86400, &first));
  EXPECT_FALSE(store_->recordTicketUse(77, 1002, 11, 11 + 86400, &first));  // visible inside the batch already
  EXPECT_EQ(first, 1001u);
  std::string error;
  ASSERT_TRUE(store_->commitBatch(&error)) << error;
  reopen();
  EXPECT_TRUE(store_->getApp(480).has_value());
  EXPECT_EQ(store_->ticketFirstServer(77), std::optional<uint64_t>(1001));

  // A batch that never commits (the process dies first) leaves nothing behind.
  store_->beginBatch();
  ASSERT_TRUE(store_->putApp({730, "Other", "", {}}).ok);
  EXPECT_TRUE(store_->recordTicketUse(78, 1001, 12, 12 + 86400, &first));
  reopen();  // closes the database with the transaction open
  EXPECT_FALSE(store_->getApp(730).has_value());
  EXPECT_FALSE(store_->ticketFirstServer(78).has_value());
  EXPECT_TRUE(store_->commitBatch(&error));  // no batch open: nothing to do
}

TEST_F(StoreTest, AppsUsersAndUniqueNames) {
  ASSERT_TRUE(store_->putApp({480, "Spacewar", "1.0.0", {}}).ok);
  ASSERT_TRUE(store_->putApp({480, "Spacewar", "1.2.0", {}}).ok);  // update
  EXPECT_EQ(store_->getApp(480)->required_version, "1.2.0");
  EXPECT_FALSE(store_->getApp(481));
  uint32_t alice = 0, bob = 0, again = 0;
  ASSERT_TRUE(store_->createUser("alice", "$argon2id$x", 100, &alice).ok);
  ASSERT_TRUE(store_->createUser("bob", "$argon2id$y", 101, &bob).ok);
  EXPECT_NE(alice, bob);
  Status dup = store_->createUser("alice", "z", 102, &again);
  EXPECT_FALSE(dup.ok);
  EXPECT_NE(dup.error.find("already exists"), std::string::npos);
  EXPECT_EQ(store_->getUserByName("bob")->account_id, bob);
  EXPECT_EQ(store_->getUser(alice)->name, "alice");
}

TEST_F(StoreTest, TokensLicencesGroupsBlocksBans) {
  Token t;
  t.app_id = 480;
  t.owner_account_id = 7;
  t.token_hash = "h1";
  t.memo = "eu-1";
  t.created_at = 5;
  uint32_t gs = 0;
  ASSERT_TRUE(store_->createToken(t, &gs).ok);
  EXPECT_GT(gs, 0u);
  ASSERT_TRUE(store_->touchToken(gs, 99).ok);
  auto got = store_->getTokenByHash("h1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->account_id, gs);
  EXPECT_EQ(got->last_used_at, 99);
  ASSERT_TRUE(store_->revokeToken(gs).ok);
  EXPECT_TRUE(store_->getTokenByHash("h1")->revoked);
  EXPECT_FALSE(store_->revokeToken(gs + 100).ok);
  EXPECT_EQ(store_->listTokens(480).size(), 1u);

  ASSERT_TRUE(store_->grantLicence({7, 480, 0, 0}).ok);
  ASSERT_TRUE(store_->grantLicence({7, 481, 9, 0}).ok);  // borrowed from 9
  auto lic = store_->licences(7);
  ASSERT_EQ(lic.size(), 2u);
  EXPECT_EQ(lic[1].owner_account_id, 9u);
  ASSERT_TRUE(store_->revokeLicence(7, 481).ok);
  EXPECT_EQ(store_->licences(7).size(), 1u);

  uint32_t clan = 0;
  ASSERT_TRUE(store_->createGroup("the clan", &clan).ok);
  ASSERT_TRUE(store_->setMembership({clan, 7, false}).ok);
  ASSERT_TRUE(store_->setMembership({clan, 8, true}).ok);
  EXPECT_TRUE(store_->membership(clan, 8)->officer);
  EXPECT_FALSE(store_->membership(clan, 9));
  EXPECT_EQ(store_->members(clan).size(), 2u);

  ASSERT_TRUE(store_->block(7, 8).ok);
  EXPECT_TRUE(store_->blocks(7, 8));
  EXPECT_FALSE(store_->blocks(8, 7));

  ASSERT_TRUE(store_->ban({480, 7, BanKind::kPublisher, "cheating", 10}).ok);
  EXPECT_EQ(store_->activeBan(480, 7)->kind, BanKind::kPublisher);
  EXPECT_FALSE(store_->activeBan(481, 7));
  ASSERT_TRUE(store_->unban(480, 7).ok);
  EXPECT_FALSE(store_->activeBan(480, 7));
}

TEST_F(StoreTest, TicketReuseIsDetectedAcrossServers) {
  uint64_t first = 0;
  EXPECT_FALSE(store_->ticketFirstServer(0xABCDEF));
  EXPECT_TRUE(store_->recordTicketUse(0xABCDEF, 1001, 1, 1 + 86400, &first));
  EXPECT_EQ(store_->ticketFirstServer(0xABCDEF), 1001u);
  EXPECT_TRUE(store_->recordTicketUse(0xABCDEF, 1001, 2, 2 + 86400, &first));  // same server again
  EXPECT_FALSE(store_->recordTicketUse(0xABCDEF, 2002, 3, 3 + 86400, &first));
  EXPECT_EQ(first, 1001u);
  EXPECT_TRUE(store_->recordTicketUse(0xFFFFFFFFFFFFFFFFull, 2002, 4, 4 + 86400, &first));  // full 64-bit ids
}

TEST_F(StoreTest, ServerStatsAccumulateAndRankFromZero) {
  ASSERT_TRUE(store_->addServerStats(1001, 480, 3, 600, 100).ok);
  ASSERT_TRUE(store_->addServerStats(1001, 480, 2, 60, 200).ok);
  ASSERT_TRUE(store_->addServerStats(1002, 480, 9, 10, 100).ok);
  ASSERT_TRUE(store_->addServerStats(1003, 730, 100, 10, 100).ok);  // another app does not count
  int64_t connects = 0, seconds = 0;
  int rank = -1;
  store_->serverStats(1001, 480, &connects, &seconds, &rank);
  EXPECT_EQ(connects, 5);
  EXPECT_EQ(seconds, 660);
  EXPECT_EQ(rank, 1);  // 0-based (GSGameplayStats_t): one server has more connects
  store_->serverStats(1002, 480, &connects, &seconds, &rank);
  EXPECT_EQ(rank, 0);  // the most connects
  store_->serverStats(4242, 480, &connects, &seconds, &rank);
  EXPECT_EQ(connects, 0);
  EXPECT_EQ(rank, 2);  // no connects yet: behind both servers that have some
}

TEST_F(StoreTest, PruningDropsExpiredRedemptionsAndStaleStatisticsOnly) {
  uint64_t first = 0;
  ASSERT_TRUE(store_->recordTicketUse(1, 1001, 100, 1000, &first));
  ASSERT_TRUE(store_->recordTicketUse(2, 1001, 100, 2000, &first));
  ASSERT_TRUE(store_->recordTicketUse(3, 1001, 100, 3000, &first));
  EXPECT_EQ(store_->pruneTicketUses(2001, 1), 1u);  // bounded: one row per call here
  EXPECT_EQ(store_->pruneTicketUses(2001, 100), 1u);
  EXPECT_EQ(store_->pruneTicketUses(2001, 100), 0u);
  EXPECT_FALSE(store_->ticketFirstServer(1));
  EXPECT_FALSE(store_->ticketFirstServer(2));
  EXPECT_EQ(store_->ticketFirstServer(3), std::optional<uint64_t>(1001));  // not expired yet

  ASSERT_TRUE(store_->addServerStats(1001, 480, 1, 60, 100).ok);
  ASSERT_TRUE(store_->addServerStats(1002, 480, 1, 60, 100).ok);
  ASSERT_TRUE(store_->addServerStats(1002, 480, 1, 60, 500).ok);  // updated later: kept
  EXPECT_EQ(store_->pruneServerStats(400, 100), 1u);
  int64_t connects = 0, seconds = 0;
  int rank = 0;
  store_->serverStats(1001, 480, &connects, &seconds, &rank);
  EXPECT_EQ(connects, 0);
  store_->serverStats(1002, 480, &connects, &seconds, &rank);
  EXPECT_EQ(connects, 2);
}

TEST_F(StoreTest, AppsKeepTheirAnonymousPolicyAndDeletingOneRevokesItsTokens) {
  App app{480, "Spacewar", "", {}};
  ASSERT_TRUE(store_->putApp(app).ok);
  EXPECT_EQ(store_->getApp(480)->anonymous, (AnonymousPolicy{true, false, false}));  // the default
  app.anonymous = {true, true, true};
  ASSERT_TRUE(store_->putApp(app).ok);
  reopen();
  EXPECT_EQ(store_->getApp(480)->anonymous, (AnonymousPolicy{true, true, true}));
  EXPECT_EQ(store_->listApps()[0].anonymous, (AnonymousPolicy{true, true, true}));

  Token t;
  t.app_id = 480;
  t.owner_account_id = 1;
  t.token_hash = "h1";
  uint32_t account = 0;
  ASSERT_TRUE(store_->createToken(t, &account).ok);
  ASSERT_TRUE(store_->deleteApp(480).ok);
  EXPECT_FALSE(store_->getApp(480));
  EXPECT_TRUE(store_->getTokenByHash("h1")->revoked);
  EXPECT_FALSE(store_->deleteApp(480).ok);  // no such app
  ASSERT_TRUE(store_->putApp({480, "Spacewar again", "", {}}).ok);
  EXPECT_TRUE(store_->getTokenByHash("h1")->revoked);  // the old tokens do not come back
}

// A database written by schema version 2 (before per-app policies, ticket expiry and statistics
// times): the migration keeps its rows and fills the new columns.
TEST_F(StoreTest, MigrationFromVersionTwoKeepsRowsAndFillsTheNewColumns) {
  store_.reset();
  std::filesystem::remove(path_);
  const char* sql =
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER);"
      "INSERT INTO schema_migrations VALUES (1, 0), (2, 0);"
      "CREATE TABLE apps (app_id INTEGER PRIMARY KEY, name TEXT NOT NULL, required_version TEXT NOT NULL DEFAULT '');"
      "CREATE TABLE ticket_uses (ticket_id INTEGER PRIMARY KEY, server_steam_id INTEGER NOT NULL, used_at INTEGER NOT NULL);"
      "CREATE TABLE server_stats (server_steam_id INTEGER PRIMARY KEY, app_id INTEGER NOT NULL, connects INTEGER NOT NULL DEFAULT 0, seconds_played INTEGER NOT NULL DEFAULT 0);"
      "INSERT INTO apps VALUES (480, 'Spacewar', '');"
      "INSERT INTO ticket_uses VALUES (9, 1001, 1000);"
      "INSERT INTO server_stats VALUES (1001, 480, 4, 240);";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
  reopen();
  EXPECT_EQ(store_->schemaVersion(), 3);
  EXPECT_EQ(store_->getApp(480)->anonymous, (AnonymousPolicy{true, false, false}));
  EXPECT_EQ(store_->pruneTicketUses(1000 + 86400, 10), 0u);  // expires used_at + 24 h
  EXPECT_EQ(store_->pruneTicketUses(1000 + 86401, 10), 1u);
  int64_t connects = 0, seconds = 0;
  int rank = 0;
  store_->serverStats(1001, 480, &connects, &seconds, &rank);
  EXPECT_EQ(connects, 4);
  EXPECT_EQ(store_->pruneServerStats(1000, 10), 0u);  // stamped with the migration's time
}

TEST_F(StoreTest, EverythingSurvivesReopening) {
  uint32_t alice = 0;
  ASSERT_TRUE(store_->createUser("alice", "hash", 1, &alice).ok);
  ASSERT_TRUE(store_->putApp({730, "Game", "", {}}).ok);
  reopen();
  EXPECT_EQ(store_->getUserByName("alice")->account_id, alice);
  EXPECT_EQ(store_->listApps().size(), 1u);
}

TEST(StoreOpen, UnwritablePathFailsWithAReason) {
  std::string error;
  auto s = openSqliteStore("/nonexistent-dir/hub.sqlite", &error);
  EXPECT_FALSE(s);
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace outpost::store
