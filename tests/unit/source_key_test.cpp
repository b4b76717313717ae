// Tests for what counts as one source for a listen socket's per-source caps (Engine::sourceOf):
// an IPv4 address (any port), or the /64 prefix of an IPv6 address.
#include <gtest/gtest.h>

#include "transport/engine.h"

namespace outpost::transport {
namespace {

Engine::SourceKey key(const char* text) { return Engine::sourceOf(*base::SocketAddress::parse(text, true)); }

TEST(SourceKey, IPv4AddressWhateverThePort) {
  EXPECT_EQ(key("192.0.2.7:1000"), key("192.0.2.7:2000"));
  EXPECT_FALSE(key("192.0.2.7:1000") == key("192.0.2.8:1000"));
}

TEST(SourceKey, IPv6Slash64) {
  EXPECT_EQ(key("[2001:db8:1:2::1]:1"), key("[2001:db8:1:2:ffff:eeee:dddd:cccc]:2"));
  EXPECT_FALSE(key("[2001:db8:1:2::1]:1") == key("[2001:db8:1:3::1]:1"));
  // A v4-mapped address is the IPv4 address, not a /64.
  EXPECT_FALSE(key("[::ffff:192.0.2.7]:1") == key("[::ffff:192.0.2.8]:1"));
  EXPECT_EQ(key("[::ffff:192.0.2.7]:1"), key("192.0.2.7:9"));
}

}  // namespace
}  // namespace outpost::transport
