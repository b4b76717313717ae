// Engine, timers: the heap of connection deadlines (one live entry per connection, stale ones
// skipped), running what is due, and the next deadline the I/O loop may sleep until (timers,
// the fake network, certificate renewals, revoked peers' grace, pending flushes).
#include "transport/engine.h"

#include <algorithm>
#include <ctime>

#include "transport/engine_internal.h"

namespace outpost::transport {

void Engine::pushTimer(Connection& c) {
  base::TimeUs t = c.nextTimer();
  if (t >= c.scheduled_at) return;
  c.scheduled_at = t;
  timers_.push({t, c.localId()});
  if (sleeping_ && t < planned_wake_) wakeService();
}

void Engine::onTimerChanged(Connection& c) { pushTimer(c); }

void Engine::runTimers(base::TimeUs now) {
  // Collect first: a connection's onTimer may schedule again at `now`, which must wait for the
  // next round rather than loop here.
  std::vector<TimerEntry>& due = timer_scratch_;
  due.clear();
  while (!timers_.empty() && timers_.top().at <= now) {
    due.push_back(timers_.top());
    timers_.pop();
  }
  for (const TimerEntry& e : due) {
    Connection* c = byLocalId(e.local_id);
    if (!c || e.at != c->scheduled_at) continue;
    c->scheduled_at = base::kNever;
    if (c->nextTimer() <= now) c->onTimer(now);
    else pushTimer(*c);
  }
}

base::TimeUs Engine::nextDeadline() {
  base::TimeUs t = fake_.nextRelease();
  // Certificate renewal, retry and expiry are in unix seconds.
  if (int64_t wake = auth_.nextWakeUnix(); wake != Authentication::kNever) {
    int64_t in_s = wake - static_cast<int64_t>(std::time(nullptr));
    t = std::min(t, now() + std::max<int64_t>(0, std::min<int64_t>(in_s, 3600)) * 1000000);
  }
  t = std::min(t, p2pNextWake());
  if (!timers_.empty()) t = std::min(t, timers_.top().at);
  for (const RevokedPeer& r : revoked_peers_) t = std::min(t, r.at);
  if (!dirty_.empty()) t = 0;
  return t;
}

}  // namespace outpost::transport
