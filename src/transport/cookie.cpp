// CookieJar (see cookie.h).
#include "transport/cookie.h"

#include <cstring>

#include "crypto/crypto.h"

namespace outpost::transport {

CookieJar::CookieJar(RandomFn random) : random_(std::move(random)) {
  if (!random_) random_ = [](Secret& s) { crypto::randomBytes(s.data(), s.size()); };
}

void CookieJar::mac(const Secret& secret, const base::SocketAddress& from, uint32_t client_id, uint32_t window,
                    uint8_t out[16]) {
  uint8_t data[26];
  from.ip16(data);
  uint16_t port = from.port();
  std::memcpy(data + 16, &port, 2);
  std::memcpy(data + 18, &client_id, 4);
  std::memcpy(data + 22, &window, 4);
  crypto::mac16(secret, {data, sizeof data}, out);
}

void CookieJar::rotate(base::TimeUs now) {
  uint32_t epoch = epochOf(windowOf(now));
  if (started_ && epoch <= epoch_) return;  // the clock is monotonic; never go back
  if (started_ && epoch == epoch_ + 1) {
    previous_ = current_;
    have_previous_ = true;
  } else {
    have_previous_ = false;  // first use, or idle for more than an epoch: nothing to keep
  }
  if (started_) ++rotations_;
  random_(current_);
  epoch_ = epoch;
  started_ = true;
}

const CookieJar::Secret* CookieJar::secretFor(uint32_t window) const {
  uint32_t epoch = epochOf(window);
  if (epoch == epoch_) return &current_;
  if (have_previous_ && epoch + 1 == epoch_) return &previous_;
  return nullptr;
}

wire::Cookie CookieJar::issue(const base::SocketAddress& from, uint32_t client_id, base::TimeUs now) {
  rotate(now);
  wire::Cookie c;
  c.window = windowOf(now);
  mac(current_, from, client_id, c.window, c.mac.data());
  return c;
}

bool CookieJar::verify(const base::SocketAddress& from, uint32_t client_id, const wire::Cookie& cookie,
                       base::TimeUs now) {
  rotate(now);
  uint32_t current = windowOf(now);
  if (cookie.window != current && cookie.window + 1 != current) return false;
  const Secret* secret = secretFor(cookie.window);
  if (!secret) return false;
  uint8_t expected[16];
  mac(*secret, from, client_id, cookie.window, expected);
  return crypto::equal16(expected, cookie.mac.data());
}

}  // namespace outpost::transport
