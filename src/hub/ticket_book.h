// TicketBook: the tickets the hub signed and still tracks for one kind of holder (players:
// holder = user account; game servers: holder = the session's connection). By ticket id, with a
// count per holder, a hard cap per holder and in all (TicketLimits), and expired entries dropped
// in amortised O(1): tickets go into a FIFO of expiry times as they are issued (all with the same
// lifetime, so it is in order), and each admission first pops what has expired. A holder's
// tickets are chained through their entries, so dropping them all (a server logged off) costs
// O(its tickets) and dropping one O(1). Nothing here scans the table.
//
// A wall clock that steps back can put a later expiry before an earlier one in the FIFO; such an
// entry is then dropped late (when the entries ahead of it expire), never early, and the caps
// still hold. Hub thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <utility>

namespace outpost::hub {

class TicketBook {
 public:
  struct Entry {
    uint64_t holder = 0;
    uint64_t tag = 0;  // the owner's detail: a player's logon generation, a server's Steam ID
    int64_t expires_at = 0;
    bool cancelled = false;
  };
  enum class Admit { kOk, kHolderFull, kBookFull };

  TicketBook(size_t per_holder, size_t total) : per_holder_(per_holder), total_(total) {}

  // Drops what expired by `now`, then says whether one more ticket of `holder` fits.
  Admit admit(uint64_t holder, int64_t now_unix);
  // Adds a ticket (after admit() said kOk). An id already present is replaced.
  void add(uint64_t ticket_id, const Entry& entry);
  // The tracked ticket, or nullptr (never issued, expired and dropped, or dropped with its holder).
  Entry* find(uint64_t ticket_id);
  // Drops every ticket of `holder`; returns how many.
  size_t dropHolder(uint64_t holder);

  size_t size() const { return entries_.size(); }
  size_t holderCount(uint64_t holder) const;
  uint64_t expiredDropped() const { return expired_; }
  // Slots in the expiry FIFO (live and stale): at most 2 * size() + 1024 after a drop.
  size_t fifoSlots() const { return fifo_.size(); }

 private:
  struct Node {
    Entry entry;
    uint64_t prev = 0, next = 0;  // the holder's chain (ticket ids; has_prev/has_next say if set)
    bool has_prev = false, has_next = false;
  };
  struct Holder {
    size_t count = 0;
    uint64_t head = 0;
  };
  void expire(int64_t now_unix);
  void erase(std::unordered_map<uint64_t, Node>::iterator it);
  void compactFifo();

  size_t per_holder_, total_;
  std::unordered_map<uint64_t, Node> entries_;
  std::unordered_map<uint64_t, Holder> holders_;
  std::deque<std::pair<int64_t, uint64_t>> fifo_;  // (expires_at, ticket id), oldest first
  uint64_t expired_ = 0;
};

}  // namespace outpost::hub
