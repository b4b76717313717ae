// TicketBook (see ticket_book.h).
#include "hub/ticket_book.h"

#include <cassert>

namespace outpost::hub {

TicketBook::Admit TicketBook::admit(uint64_t holder, int64_t now) {
  expire(now);
  if (holderCount(holder) >= per_holder_) return Admit::kHolderFull;
  if (entries_.size() >= total_) return Admit::kBookFull;
  return Admit::kOk;
}

void TicketBook::add(uint64_t ticket_id, const Entry& entry) {
  if (auto old = entries_.find(ticket_id); old != entries_.end()) erase(old);
  Holder& h = holders_[entry.holder];
  Node n;
  n.entry = entry;
  if (h.count > 0) {
    n.next = h.head;
    n.has_next = true;
    Node& head = entries_.at(h.head);
    head.prev = ticket_id;
    head.has_prev = true;
  }
  h.head = ticket_id;
  ++h.count;
  entries_.emplace(ticket_id, n);
  fifo_.emplace_back(entry.expires_at, ticket_id);
}

TicketBook::Entry* TicketBook::find(uint64_t ticket_id) {
  auto it = entries_.find(ticket_id);
  return it == entries_.end() ? nullptr : &it->second.entry;
}

size_t TicketBook::holderCount(uint64_t holder) const {
  auto it = holders_.find(holder);
  return it == holders_.end() ? 0 : it->second.count;
}

size_t TicketBook::dropHolder(uint64_t holder) {
  auto h = holders_.find(holder);
  if (h == holders_.end()) return 0;
  size_t n = 0;
  // Walk the chain from its head; erase() unlinks each one, so the head moves along.
  while (holders_.count(holder)) {
    erase(entries_.find(holders_.at(holder).head));
    ++n;
  }
  compactFifo();
  return n;
}

void TicketBook::expire(int64_t now) {
  while (!fifo_.empty() && fifo_.front().first <= now) {
    auto [expires_at, id] = fifo_.front();
    fifo_.pop_front();
    auto it = entries_.find(id);
    // Gone already (dropped with its holder, or replaced by a later add of the same id).
    if (it == entries_.end() || it->second.entry.expires_at != expires_at) continue;
    erase(it);
    ++expired_;
  }
}

void TicketBook::erase(std::unordered_map<uint64_t, Node>::iterator it) {
  assert(it != entries_.end() && "TicketBook::erase of an absent ticket");
  const Node& n = it->second;
  auto h = holders_.find(n.entry.holder);
  if (n.has_prev) {
    Node& p = entries_.at(n.prev);
    p.next = n.next;
    p.has_next = n.has_next;
  } else {
    h->second.head = n.next;  // it was the head
  }
  if (n.has_next) {
    Node& x = entries_.at(n.next);
    x.prev = n.prev;
    x.has_prev = n.has_prev;
  }
  if (--h->second.count == 0) holders_.erase(h);
  entries_.erase(it);
}

// Entries dropped before they expire (a holder's tickets) leave their FIFO slot behind. Once the
// stale slots outnumber the live ones, one pass keeps only the live slots, in order: the pass
// costs the slots it removes, so it is amortised O(1) per drop and the FIFO stays within twice
// the table (plus a constant).
void TicketBook::compactFifo() {
  if (fifo_.size() <= 2 * entries_.size() + 1024) return;
  std::deque<std::pair<int64_t, uint64_t>> live;
  for (const auto& slot : fifo_) {
    auto it = entries_.find(slot.second);
    if (it != entries_.end() && it->second.entry.expires_at == slot.first) live.push_back(slot);
  }
  fifo_.swap(live);
}

}  // namespace outpost::hub
