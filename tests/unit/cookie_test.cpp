// Tests for the handshake cookie (src/transport/cookie.h) with the time injected: a cookie is
// good in its window and the next; the secret rotates every 15 windows (60 s); a cookie issued in
// the last window of a secret still verifies in the first window of the next; a cookie minted
// with an old secret stops working once that secret is two rotations old, even with a current
// window value (what a leaked secret would be used for); and a real handshake between two
// engines on one manual clock completes across a rotation.
#include "transport/cookie.h"

#include <gtest/gtest.h>

#include "transport/engine.h"

namespace outpost::transport {
namespace {

// Secrets 1, 2, 3... (byte 0 holds the count), so a test can mint cookies with a known secret.
CookieJar::RandomFn countingSecrets(int* made) {
  return [made](CookieJar::Secret& s) {
    s.fill(0);
    s[0] = static_cast<uint8_t>(++*made);
  };
}

CookieJar::Secret secretNumber(int n) {
  CookieJar::Secret s{};
  s[0] = static_cast<uint8_t>(n);
  return s;
}

constexpr base::TimeUs kWindow = CookieJar::kWindowUs;
constexpr base::TimeUs kEpoch = kWindow * CookieJar::kWindowsPerSecret;

TEST(Cookie, GoodInItsWindowAndTheNextOnly) {
  int made = 0;
  CookieJar jar(countingSecrets(&made));
  auto from = *base::SocketAddress::parse("127.0.0.1:4000", true);
  base::TimeUs t = 100 * kEpoch + kWindow;  // the second window of an epoch
  wire::Cookie c = jar.issue(from, 77, t);
  EXPECT_TRUE(jar.verify(from, 77, c, t));
  EXPECT_TRUE(jar.verify(from, 77, c, t + kWindow));
  EXPECT_FALSE(jar.verify(from, 77, c, t + 2 * kWindow));
  EXPECT_FALSE(jar.verify(from, 78, c, t));                                                 // another connection id
  EXPECT_FALSE(jar.verify(*base::SocketAddress::parse("127.0.0.1:4001", true), 77, c, t));  // another port
}

TEST(Cookie, ThePreviousSecretVerifiesItsLastWindowAfterARotation) {
  int made = 0;
  CookieJar jar(countingSecrets(&made));
  auto from = *base::SocketAddress::parse("[::1]:5000", true);
  base::TimeUs last_window_of_epoch = 200 * kEpoch + (CookieJar::kWindowsPerSecret - 1) * kWindow;
  wire::Cookie c = jar.issue(from, 9, last_window_of_epoch);
  EXPECT_EQ(jar.rotations(), 0u);
  EXPECT_TRUE(jar.verify(from, 9, c, last_window_of_epoch + kWindow));  // next epoch, next window
  EXPECT_EQ(jar.rotations(), 1u);
  EXPECT_EQ(made, 2);
}

TEST(Cookie, TheSecretRotatesSoAnOldSecretMintsNothing) {
  int made = 0;
  CookieJar jar(countingSecrets(&made));
  auto from = *base::SocketAddress::parse("10.0.0.1:27015", true);
  base::TimeUs t0 = 300 * kEpoch;
  jar.issue(from, 1, t0);  // secret 1 for epoch 300
  ASSERT_EQ(made, 1);
  // Someone who learned secret 1 mints a cookie for a current window: good while it is current.
  auto minted = [&](int secret, base::TimeUs now) {
    wire::Cookie c;
    c.window = CookieJar::windowOf(now);
    CookieJar::mac(secretNumber(secret), from, 1, c.window, c.mac.data());
    return c;
  };
  EXPECT_TRUE(jar.verify(from, 1, minted(1, t0 + kWindow), t0 + kWindow));
  // 60 s later the secret rotated (secret 2); secret 1 only covers epoch 300's windows.
  base::TimeUs t1 = t0 + kEpoch + kWindow;
  EXPECT_FALSE(jar.verify(from, 1, minted(1, t1), t1));
  EXPECT_TRUE(jar.verify(from, 1, minted(2, t1), t1));
  EXPECT_EQ(made, 2);
  // Two rotations on, neither old secret works; a cookie the jar issues does.
  base::TimeUs t2 = t0 + 3 * kEpoch;
  EXPECT_FALSE(jar.verify(from, 1, minted(1, t2), t2));
  EXPECT_FALSE(jar.verify(from, 1, minted(2, t2), t2));
  EXPECT_TRUE(jar.verify(from, 1, jar.issue(from, 1, t2), t2));
  EXPECT_GE(jar.rotations(), 2u);
}

// Two engines on one manual clock: the client's Connect reaches the server in the first window
// after a rotation, with a cookie issued in the last window before it.
TEST(Cookie, AHandshakeCompletesAcrossARotation) {
  base::ManualClock clock(400 * kEpoch + (CookieJar::kWindowsPerSecret - 1) * kWindow + kWindow / 2);
  Engine server(NetworkingSocketsOptions::manual(), clock);
  Engine client(NetworkingSocketsOptions::manual(), clock);
  uint32_t ls = server.createListenSocketIP("127.0.0.1:0", {});
  ASSERT_NE(ls, 0u);
  std::string addr = server.getListenSocketAddress(ls, true);
  uint32_t c = client.connectByIPAddress(addr, {{NETWORKING_CONFIG_TIMEOUT_INITIAL, int32_t{600000}}});
  ASSERT_NE(c, 0u);
  // Hello -> Challenge (issued in the epoch's last window).
  for (int i = 0; i < 50 && server.counters().challenges_sent == 0; ++i) server.poll(5);
  ASSERT_EQ(server.counters().challenges_sent, 1u);
  // The Challenge arrives; the Connect goes out. Then the clock crosses into the next epoch
  // before the server reads it.
  for (int i = 0; i < 50 && client.counters().datagrams_received == 0; ++i) client.poll(5);
  clock.advance(kWindow);
  for (int i = 0; i < 50 && server.counters().connections_created == 0; ++i) server.poll(5);
  EXPECT_EQ(server.counters().connections_created, 1u);
  EXPECT_EQ(server.counters().dropped[static_cast<size_t>(wire::DropReason::kBadCookie)], 0u);
}

}  // namespace
}  // namespace outpost::transport
