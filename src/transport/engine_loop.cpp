// Engine, the I/O loop. pollOnce() is the loop body, run by the service thread, by poll() in
// manual mode, or by an application thread blocked in waitForActivity(): wait in epoll without
// the lock, then read ready sockets in batches, release fake-network datagrams, run due timers,
// send acks and data, reap finished connections, and wake threads waiting for messages.
#include "transport/engine.h"

#include <sys/epoll.h>

#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <ctime>

#include "transport/engine_internal.h"

namespace outpost::transport {

void Engine::flushDirty(base::TimeUs now) {
  for (int round = 0; round < 4 && !dirty_.empty(); ++round) {
    std::vector<uint32_t>& work = dirty_scratch_;
    work.clear();
    work.swap(dirty_);  // both vectors keep their capacity across rounds
    for (uint32_t id : work) {
      Connection* c = byLocalId(id);
      if (!c) continue;
      c->dirty = false;
      // Acks wait up to 1 ms for data to ride on unless one is due now (delayed acks).
      c->transmit(now, c->ackDueNow());
      c->recomputeTimer(now);
    }
  }
  tx_->flush();
}

void Engine::reapFinished() {
  while (!finished_.empty()) {
    std::vector<uint32_t> work;
    work.swap(finished_);
    for (uint32_t id : work) destroyConnection(id);
  }
}

void Engine::notifyActivity() {
  if (activity_seq_ != notified_seq_) {
    notified_seq_ = activity_seq_;
    if (waiters_ > 0) activity_cv_.notify_all();
  }
}

void Engine::finishApiCall(base::TimeUs now) {
  flushDirty(now);
  reapFinished();
}

void Engine::wakeService() {
  planned_wake_ = 0;
  uint64_t one = 1;
  ssize_t r = ::write(event_fd_, &one, sizeof one);
  (void)r;
}

void Engine::pollOnce(Lock& lock, base::TimeUs max_wait_us) {
  fake_.refresh();
  base::TimeUs t = now();
  base::TimeUs deadline = nextDeadline();
  base::TimeUs wait_us = std::min<base::TimeUs>(max_wait_us, deadline > t ? deadline - t : 0);
  planned_wake_ = t + wait_us;
  sleeping_ = true;
  in_poll_ = true;
  lock.unlock();

  epoll_event events[64];
  timespec ts{static_cast<time_t>(wait_us / 1000000), static_cast<long>((wait_us % 1000000) * 1000)};
  int n = ::epoll_pwait2(epoll_fd_, events, 64, &ts, nullptr);
  if (n < 0 && errno == ENOSYS) n = ::epoll_wait(epoll_fd_, events, 64, static_cast<int>((wait_us + 999) / 1000));

  lock.lock();
  sleeping_ = false;
  in_poll_ = false;
  planned_wake_ = base::kNever;
  t = now();
  for (int i = 0; i < n; ++i) {
    if (events[i].data.u64 == kEventFdKey) {
      uint64_t v;
      ssize_t r = ::read(event_fd_, &v, sizeof v);
      (void)r;
      continue;
    }
    readSocket(events[i].data.u64, t);
  }
  releaseFakeNetwork(t);
  runTimers(t);
  serviceP2P(t);
  serviceAuthentication(t);
  flushDirty(t);
  reapFinished();
  sweepRecentlyClosed(t);
  trimHeapIfMuchFreed(t);
  notifyActivity();
  // Threads waiting for the poller role may take it now.
  if (waiters_ > 0) activity_cv_.notify_all();
}

void Engine::serviceLoop() {
  constexpr base::TimeUs kAppPollGraceUs = 2000;
  Lock lock(mu_);
  while (!stop_) {
    if (app_polling_ > 0 || app_wants_poll_ > 0 || now() - last_app_poll_ < kAppPollGraceUs) {
      // The application is driving I/O itself; stay out of its way, but never for long, so
      // timers keep running when it stops.
      service_cv_.wait_for(lock, std::chrono::microseconds(1000));
      continue;
    }
    pollOnce(lock, 1000000);
  }
}

bool Engine::poll(int timeout_ms) {
  if (options_.service_thread) return waitForActivity(timeout_ms);
  Lock lock(mu_);
  if (!in_poll_) {
    pollOnce(lock, base::TimeUs{timeout_ms} * 1000);
  } else {
    waiters_++;
    activity_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms));
    waiters_--;
  }
  return queued_messages_ > 0 || !callbacks_.empty() || !fake_ip_callbacks_.empty() || !auth_callbacks_.empty();
}

bool Engine::waitForActivity(int timeout_ms) {
  Lock lock(mu_);
  base::TimeUs deadline = now() + base::TimeUs{timeout_ms} * 1000;
  for (;;) {
    if (queued_messages_ > 0 || !callbacks_.empty() || !fake_ip_callbacks_.empty() || !auth_callbacks_.empty())
      return true;
    if (writable_pending_) {
      writable_pending_ = false;
      return true;
    }
    base::TimeUs t = now();
    if (t >= deadline) return false;
    if (in_poll_) {
      // Another thread is in epoll (usually the service thread): ask it to return, then either
      // take over polling or see what it found.
      app_wants_poll_++;
      waiters_++;
      if (sleeping_) wakeService();
      uint64_t seq = activity_seq_;
      activity_cv_.wait_for(lock, std::chrono::microseconds(deadline - t),
                            [&] { return !in_poll_ || activity_seq_ != seq; });
      waiters_--;
      app_wants_poll_--;
      continue;
    }
    app_polling_++;
    pollOnce(lock, deadline - t);
    app_polling_--;
    last_app_poll_ = now();
  }
}

}  // namespace outpost::transport
