// Unit: the hub's bounded ticket tables (src/hub/ticket_book.h) and their limits
// (src/hub/ticket_limits.h) — caps per holder and in all, expiry in issue order without a scan,
// dropping a holder's tickets, the FIFO staying bounded when holders come and go, strict parsing
// of --ticket-limit, and the per-session rate bucket.
#include <gtest/gtest.h>

#include "hub/ticket_book.h"
#include "hub/ticket_limits.h"

namespace outpost::hub {
namespace {

using Admit = TicketBook::Admit;

TEST(TicketBook, CapsPerHolderAndInAll) {
  TicketBook book(2, 3);
  ASSERT_EQ(book.admit(1, 100), Admit::kOk);
  book.add(11, {1, 0, 200, false});
  ASSERT_EQ(book.admit(1, 100), Admit::kOk);
  book.add(12, {1, 0, 200, false});
  EXPECT_EQ(book.admit(1, 100), Admit::kHolderFull);
  ASSERT_EQ(book.admit(2, 100), Admit::kOk);
  book.add(21, {2, 0, 200, false});
  EXPECT_EQ(book.admit(3, 100), Admit::kBookFull);
  EXPECT_EQ(book.size(), 3u);
  EXPECT_EQ(book.holderCount(1), 2u);
  ASSERT_NE(book.find(12), nullptr);
  EXPECT_EQ(book.find(12)->holder, 1u);
  EXPECT_EQ(book.find(99), nullptr);
}

TEST(TicketBook, ExpiredTicketsLeaveInIssueOrderWhenTheNextOneIsAdmitted) {
  TicketBook book(10, 10);
  for (uint64_t id = 1; id <= 5; ++id) {
    ASSERT_EQ(book.admit(1, 0), Admit::kOk);
    book.add(id, {1, 0, static_cast<int64_t>(100 * id), false});  // expires 100, 200, ... 500
  }
  EXPECT_EQ(book.admit(1, 250), Admit::kOk);  // drops the first two
  EXPECT_EQ(book.size(), 3u);
  EXPECT_EQ(book.find(1), nullptr);
  EXPECT_EQ(book.find(2), nullptr);
  EXPECT_NE(book.find(3), nullptr);
  EXPECT_EQ(book.expiredDropped(), 2u);
  EXPECT_EQ(book.holderCount(1), 3u);
  EXPECT_EQ(book.admit(1, 500), Admit::kOk);  // expiry is inclusive
  EXPECT_EQ(book.size(), 0u);
  EXPECT_EQ(book.holderCount(1), 0u);
}

TEST(TicketBook, DroppingAHolderLeavesTheOthersAndFreesItsSlots) {
  TicketBook book(3, 100);
  for (uint64_t id = 1; id <= 3; ++id) book.add(id, {7, 0, 1000, false});
  for (uint64_t id = 4; id <= 5; ++id) book.add(id, {8, 0, 1000, false});
  book.find(2)->cancelled = true;
  EXPECT_EQ(book.admit(7, 0), Admit::kHolderFull);
  EXPECT_EQ(book.dropHolder(7), 3u);
  EXPECT_EQ(book.dropHolder(7), 0u);
  for (uint64_t id = 1; id <= 3; ++id) EXPECT_EQ(book.find(id), nullptr);
  EXPECT_NE(book.find(4), nullptr);
  EXPECT_NE(book.find(5), nullptr);
  EXPECT_EQ(book.admit(7, 0), Admit::kOk);
  // Dropping from the middle of a chain keeps it intact.
  for (uint64_t id = 10; id <= 12; ++id) book.add(id, {9, 0, 1000, false});
  book.add(10, {9, 1, 1000, false});  // the same id again: replaced, not doubled
  EXPECT_EQ(book.holderCount(9), 3u);
  EXPECT_EQ(book.find(10)->tag, 1u);
  EXPECT_EQ(book.dropHolder(9), 3u);
  EXPECT_EQ(book.size(), 2u);
}

TEST(TicketBook, TheExpiryQueueStaysBoundedWhileHoldersComeAndGo) {
  // A server session that takes its tickets and logs off, over and over: the stale FIFO slots
  // are compacted away, so memory follows the live table, not the history.
  TicketBook book(16, 1000);
  uint64_t id = 1;
  for (int session = 0; session < 2000; ++session) {
    for (int i = 0; i < 16; ++i) {
      ASSERT_EQ(book.admit(session, 0), Admit::kOk);
      book.add(id++, {static_cast<uint64_t>(session), 0, 86400, false});
    }
    book.dropHolder(session);
    ASSERT_LE(book.fifoSlots(), 2 * book.size() + 1024 + 16);
  }
  EXPECT_EQ(book.size(), 0u);
}

TEST(TicketLimits, DefaultsAreValidAndEveryLimitIsParsedStrictly) {
  TicketLimits l;
  EXPECT_EQ(validateTicketLimits(l), "");
  std::string error;
  EXPECT_TRUE(setTicketLimit("per_user=5", l, &error));
  EXPECT_EQ(l.per_user, 5u);
  EXPECT_TRUE(setTicketLimit("requests_per_sec=1000000000", l, &error));
  for (const char* bad : {"per_user=0", "per_user=-1", "per_user=5x", "per_user=", "per_user", "per_user=10000001",
                          "users_total=99999999999", "request_burst=1e3", "nonsense=4", "=4"}) {
    TicketLimits before = l;
    EXPECT_FALSE(setTicketLimit(bad, l, &error)) << bad;
    EXPECT_NE(error.find("--ticket-limit"), std::string::npos) << error;
    EXPECT_EQ(l.per_user, before.per_user) << bad;
  }
  EXPECT_TRUE(setTicketLimit("per_user=7", l, &error));
  EXPECT_FALSE(setTicketLimit("per_user=0", l, &error));
  EXPECT_NE(error.find("1..10000000"), std::string::npos) << error;  // names the range
}

TEST(RateBucket, ABurstThenTheRatePerSecondAndNoCreditFromAClockThatSteppedBack) {
  RateBucket b;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(b.take(1000, 2, 3)) << i;
  EXPECT_FALSE(b.take(1000, 2, 3));
  EXPECT_TRUE(b.take(1001, 2, 3));  // two more a second later
  EXPECT_TRUE(b.take(1001, 2, 3));
  EXPECT_FALSE(b.take(1001, 2, 3));
  EXPECT_FALSE(b.take(900, 2, 3));       // stepped back: nothing refilled
  EXPECT_TRUE(b.take(901, 2, 3));        // counted from where it stepped back to
  EXPECT_TRUE(b.take(100000000, 2, 3));  // a long pause refills to the burst, not more
  EXPECT_TRUE(b.take(100000000, 2, 3));
  EXPECT_TRUE(b.take(100000000, 2, 3));
  EXPECT_FALSE(b.take(100000000, 2, 3));
}

}  // namespace
}  // namespace outpost::hub
