// CookieJar: the server side of the stateless handshake cookie (docs/spec/transport.md §6). A
// cookie is a keyed BLAKE2b-128 MAC over the client's address, port, connection id and a 4-second
// time window; a cookie is good in its own window and the next. The MAC key (the secret) is
// rotated every kWindowsPerSecret windows (60 s): each secret belongs to one epoch of windows,
// the one before the current is kept so that a cookie issued in its last window still verifies
// in the next, and older secrets are forgotten — a leaked secret stops minting cookies within
// two minutes. Time comes from the caller (the engine's injectable clock). Not thread-safe: the
// engine calls it under its lock.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "base/address.h"
#include "base/clock.h"
#include "transport/wire.h"

namespace outpost::transport {

class CookieJar {
 public:
  static constexpr base::TimeUs kWindowUs = 4000000;
  static constexpr uint32_t kWindowsPerSecret = 15;
  using Secret = std::array<uint8_t, 32>;
  // Fills a new secret; libsodium's randombytes by default (tests pass a deterministic one).
  using RandomFn = std::function<void(Secret&)>;

  explicit CookieJar(RandomFn random = {});

  static uint32_t windowOf(base::TimeUs now) { return static_cast<uint32_t>(now / kWindowUs); }
  static uint32_t epochOf(uint32_t window) { return window / kWindowsPerSecret; }

  // The cookie for (from, client_id) in the current window.
  wire::Cookie issue(const base::SocketAddress& from, uint32_t client_id, base::TimeUs now);
  // True if `cookie` was issued to (from, client_id) in the current or the previous window.
  bool verify(const base::SocketAddress& from, uint32_t client_id, const wire::Cookie& cookie, base::TimeUs now);

  // The MAC of a cookie under `secret` (exposed so tests can mint cookies with a known secret).
  static void mac(const Secret& secret, const base::SocketAddress& from, uint32_t client_id, uint32_t window,
                  uint8_t out[16]);
  uint64_t rotations() const { return rotations_; }

 private:
  // Moves the current secret to the epoch of `now` (rotating once or twice as needed).
  void rotate(base::TimeUs now);
  const Secret* secretFor(uint32_t window) const;

  RandomFn random_;
  Secret current_{}, previous_{};
  uint32_t epoch_ = 0;          // epoch of current_
  bool have_previous_ = false;  // previous_ is the secret of epoch_ - 1
  bool started_ = false;
  uint64_t rotations_ = 0;
};

}  // namespace outpost::transport
