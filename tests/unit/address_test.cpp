// Tests for SocketAddress (src/base/address.h): parsing of the reference's address strings
// (IPv4, bracketed and bare IPv6, ":port", ""), rejection of malformed ones, the require_port
// flag, formatting with and without the port, and IPv4-mapped IPv6 equality.
#include "base/address.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace outpost {
namespace {

TEST(SocketAddressParse, Ipv4WithPort) {
  auto a = base::SocketAddress::parse("1.2.3.4:27015", true);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->valid());
  EXPECT_EQ(a->family(), AF_INET);
  EXPECT_FALSE(a->isV6());
  EXPECT_EQ(a->port(), 27015);
  EXPECT_EQ(*a, base::SocketAddress::ipv4(0x01020304, 27015));
  EXPECT_EQ(a->toString(), "1.2.3.4:27015");
  EXPECT_EQ(a->toString(false), "1.2.3.4");
}

TEST(SocketAddressParse, BracketedIpv6WithPort) {
  auto a = base::SocketAddress::parse("[::1]:27015", true);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->isV6());
  EXPECT_TRUE(a->isLoopback());
  EXPECT_EQ(a->port(), 27015);
  EXPECT_EQ(*a, base::SocketAddress::ipv6Loopback(27015));
  EXPECT_EQ(a->toString(), "[::1]:27015");
  EXPECT_EQ(a->toString(false), "::1");
}

TEST(SocketAddressParse, BareIpv6HasPortZero) {
  auto a = base::SocketAddress::parse("::1", false);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->isV6());
  EXPECT_EQ(a->port(), 0);
  EXPECT_EQ(*a, base::SocketAddress::ipv6Loopback(0));

  auto b = base::SocketAddress::parse("2001:db8::42", false);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->toString(false), "2001:db8::42");
  EXPECT_EQ(b->toString(), "[2001:db8::42]:0");
}

TEST(SocketAddressParse, BareIpv4HasPortZero) {
  auto a = base::SocketAddress::parse("10.0.0.1", false);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->port(), 0);
  EXPECT_EQ(a->toString(false), "10.0.0.1");
}

TEST(SocketAddressParse, PortOnlyMeansAnyAddress) {
  auto a = base::SocketAddress::parse(":27015", true);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->isAny());
  EXPECT_EQ(a->port(), 27015);
  EXPECT_EQ(*a, base::SocketAddress::ipv6Any(27015));
}

TEST(SocketAddressParse, EmptyMeansAnyAddressPortZero) {
  auto a = base::SocketAddress::parse("", false);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->isAny());
  EXPECT_EQ(a->port(), 0);
}

TEST(SocketAddressParse, RequirePortRejectsFormsWithoutAPort) {
  EXPECT_FALSE(base::SocketAddress::parse("", true));
  EXPECT_FALSE(base::SocketAddress::parse("::1", true));
  EXPECT_FALSE(base::SocketAddress::parse("1.2.3.4", true));
  EXPECT_FALSE(base::SocketAddress::parse("[::1]", true));
  EXPECT_FALSE(base::SocketAddress::parse("1.2.3.4:0", true));
  EXPECT_FALSE(base::SocketAddress::parse(":0", true));
  // The same strings are fine when no port is required.
  EXPECT_TRUE(base::SocketAddress::parse("[::1]", false));
  EXPECT_TRUE(base::SocketAddress::parse("1.2.3.4:0", false));
}

TEST(SocketAddressParse, PortBounds) {
  auto max = base::SocketAddress::parse("1.2.3.4:65535", true);
  ASSERT_TRUE(max);
  EXPECT_EQ(max->port(), 65535);
  EXPECT_FALSE(base::SocketAddress::parse("1.2.3.4:65536", false));
  EXPECT_FALSE(base::SocketAddress::parse("1.2.3.4:99999", false));
  EXPECT_FALSE(base::SocketAddress::parse("1.2.3.4:123456", false));
  EXPECT_FALSE(base::SocketAddress::parse("1.2.3.4:-1", false));
  EXPECT_FALSE(base::SocketAddress::parse("1.2.3.4:+1", false));
  EXPECT_FALSE(base::SocketAddress::parse("1.2.3.4: 1", false));
  EXPECT_FALSE(base::SocketAddress::parse("1.2.3.4:1x", false));
}

TEST(SocketAddressParse, MalformedStringsAreRejected) {
  for (const char* s :
       {"1.2.3.4:", "1.2.3.4:99999", "[::1", "[::1]:", "[::1]x", "[::1]:x", "[]:5", "[]", "abc:1", "abc", "1.2.3:5",
        "1.2.3.256:5", "::1:", "[::1]]:5", "localhost:27015", "1.2.3.4:5:6x", "[fe80::1%lo]:5"}) {
    EXPECT_FALSE(base::SocketAddress::parse(s, false)) << s;
  }
}

TEST(SocketAddressParse, OverlongHostIsRejectedWithoutOverflow) {
  std::string host(200, '1');
  EXPECT_FALSE(base::SocketAddress::parse(host + ":5", false));
  EXPECT_FALSE(base::SocketAddress::parse("[" + host + "]:5", false));
  EXPECT_FALSE(base::SocketAddress::parse(std::string(46, ':'), false));
}

TEST(SocketAddress, V4MappedEqualsIpv4AndPrintsAsIpv4) {
  auto mapped = base::SocketAddress::parse("[::ffff:1.2.3.4]:5000", true);
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->family(), AF_INET6);
  EXPECT_FALSE(mapped->isV6());  // prints and compares as IPv4
  auto v4 = base::SocketAddress::ipv4(0x01020304, 5000);
  EXPECT_EQ(*mapped, v4);
  EXPECT_EQ(v4, *mapped);
  EXPECT_EQ(mapped->hash(), v4.hash());
  EXPECT_EQ(mapped->toString(), "1.2.3.4:5000");
  EXPECT_EQ(mapped->toString(false), "1.2.3.4");
  // asV6Mapped produces the same mapped form.
  base::SocketAddress as6 = v4.asV6Mapped();
  EXPECT_EQ(as6.family(), AF_INET6);
  EXPECT_EQ(as6, v4);
  EXPECT_EQ(as6.port(), 5000);
  // A different port or address is a different endpoint.
  EXPECT_NE(*mapped, base::SocketAddress::ipv4(0x01020304, 5001));
  EXPECT_NE(*mapped, base::SocketAddress::ipv4(0x01020305, 5000));
}

TEST(SocketAddress, V4MappedLoopbackIsLoopback) {
  auto a = base::SocketAddress::parse("[::ffff:127.0.0.1]:1", true);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->isLoopback());
  EXPECT_TRUE(base::SocketAddress::ipv4(0x7F000001, 1).isLoopback());
  EXPECT_FALSE(base::SocketAddress::ipv4(0x08080808, 1).isLoopback());
}

TEST(SocketAddress, InvalidAddressesCompareEqualOnlyToEachOther) {
  base::SocketAddress a, b;
  EXPECT_FALSE(a.valid());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, base::SocketAddress::ipv4(0, 0));
  EXPECT_EQ(a.toString(), "");
}

TEST(SocketAddress, SetPortAndHashSet) {
  auto a = *base::SocketAddress::parse("[2001:db8::1]:1", true);
  a.setPort(2);
  EXPECT_EQ(a.port(), 2);
  EXPECT_EQ(a.toString(), "[2001:db8::1]:2");
  std::unordered_set<base::SocketAddress, base::SocketAddressHash> set;
  set.insert(base::SocketAddress::ipv4(0x01020304, 5000));
  EXPECT_TRUE(set.count(*base::SocketAddress::parse("[::ffff:1.2.3.4]:5000", true)));
  EXPECT_FALSE(set.count(base::SocketAddress::ipv4(0x01020304, 5001)));
}

TEST(SocketAddress, ToStringParsesBack) {
  for (const char* s : {"1.2.3.4:27015", "[::1]:27015", "[2001:db8::1:2]:9", "0.0.0.0:1"}) {
    auto a = base::SocketAddress::parse(s, true);
    ASSERT_TRUE(a) << s;
    EXPECT_EQ(a->toString(), s);
    auto b = base::SocketAddress::parse(a->toString(), true);
    ASSERT_TRUE(b);
    EXPECT_EQ(*a, *b);
  }
}

}  // namespace
}  // namespace outpost
