// AdaptiveMutex: a mutex that spins briefly before sleeping (glibc's PTHREAD_MUTEX_ADAPTIVE_NP).
// The engine lock is held for microseconds at a time by the service thread and application
// threads; sleeping on every contention costs two context switches where a short spin costs
// none. BasicLockable, so it works with std::unique_lock and std::condition_variable_any.
#pragma once

#include <pthread.h>

namespace outpost::base {

class AdaptiveMutex {
 public:
  AdaptiveMutex() {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
    pthread_mutex_init(&m_, &attr);
    pthread_mutexattr_destroy(&attr);
  }
  ~AdaptiveMutex() { pthread_mutex_destroy(&m_); }
  AdaptiveMutex(const AdaptiveMutex&) = delete;
  AdaptiveMutex& operator=(const AdaptiveMutex&) = delete;

  void lock() { pthread_mutex_lock(&m_); }
  bool try_lock() { return pthread_mutex_trylock(&m_) == 0; }
  void unlock() { pthread_mutex_unlock(&m_); }

 private:
  pthread_mutex_t m_;
};

}  // namespace outpost::base
