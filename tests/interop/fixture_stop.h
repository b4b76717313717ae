// How the interop fixtures stop: SIGTERM or SIGINT (the test scripts' cleanup) sets g_stop, which
// the fixtures' loops poll, and serveFor() idles until then or until the fixture's lifetime ends.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <chrono>

namespace outpost::interop {

inline volatile sig_atomic_t g_stop = 0;
inline void requestStop(int) { g_stop = 1; }

// SIGTERM and SIGINT set g_stop (interrupting a blocking call rather than restarting it).
inline void stopOnSignals() {
  struct sigaction sa {};
  sa.sa_handler = requestStop;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

// Sleeps in 20 ms steps until a signal asks to stop or `seconds` have passed.
inline void serveFor(int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!g_stop && std::chrono::steady_clock::now() < deadline) usleep(20 * 1000);
}

}  // namespace outpost::interop
