// Tests for the configuration table (src/transport/config_table.h): the table is consistent
// (unique ids and names, defaults inside their bounds), validateConfigValue enforces type and
// bounds with a reason, and values resolve connection > listen socket > global > default. Global
// values changed here are put back at the end of each test.
#include "transport/config_table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>

namespace outpost {
namespace {

// Restores a global value when the test ends, whatever its outcome. GlobalConfig cannot forget
// a value, so one that was never set is put back as its table default, which resolves the same.
class GlobalRestore {
 public:
  explicit GlobalRestore(int32_t id) : id_(id) {
    auto v = GlobalConfig::instance().get(id);
    if (v) {
      saved_ = *v;
    } else {
      const ConfigDef* d = findConfig(id);
      switch (d->type) {
        case NETWORKING_CONFIG_TYPE_INT32: saved_ = static_cast<int32_t>(d->default_value); break;
        case NETWORKING_CONFIG_TYPE_INT64: saved_ = static_cast<int64_t>(d->default_value); break;
        case NETWORKING_CONFIG_TYPE_FLOAT: saved_ = static_cast<float>(d->default_value); break;
        default: saved_ = std::string(); break;
      }
    }
  }
  ~GlobalRestore() { GlobalConfig::instance().set(id_, saved_); }

 private:
  int32_t id_;
  ConfigValue saved_;
};

const ConfigDef& def(int32_t id) {
  const ConfigDef* d = findConfig(id);
  EXPECT_NE(d, nullptr) << id;
  return *d;
}

TEST(ConfigTable, IdsAndNamesAreUniqueAndDefaultsInBounds) {
  std::set<int32_t> ids;
  std::set<std::string> names;
  ASSERT_FALSE(configTable().empty());
  for (const ConfigDef& d : configTable()) {
    EXPECT_TRUE(ids.insert(d.id).second) << d.name;
    EXPECT_TRUE(names.insert(d.name).second) << d.name;
    EXPECT_LE(d.min_value, d.default_value) << d.name;
    EXPECT_LE(d.default_value, d.max_value) << d.name;
    EXPECT_NE(std::string(d.description), "") << d.name;
    EXPECT_EQ(findConfig(d.id), &d);
  }
  EXPECT_EQ(findConfig(0), nullptr);
  EXPECT_EQ(findConfig(9999), nullptr);
}

TEST(ConfigTable, MtuDataSizeIsDerivedAndReadOnly) {
  const ConfigDef& data = def(NETWORKING_CONFIG_MTU_DATA_SIZE);
  const ConfigDef& packet = def(NETWORKING_CONFIG_MTU_PACKET_SIZE);
  EXPECT_TRUE(data.read_only);
  EXPECT_FALSE(packet.read_only);
  EXPECT_EQ(data.default_value, packet.default_value - kDataPacketOverhead);
  EXPECT_EQ(data.min_value, packet.min_value - kDataPacketOverhead);
  EXPECT_EQ(data.max_value, packet.max_value - kDataPacketOverhead);
  ConfigValue out;
  std::string why;
  EXPECT_FALSE(validateConfigValue(data, int32_t{1000}, out, why));
  EXPECT_NE(why.find("read-only"), std::string::npos) << why;
}

TEST(ConfigValidate, Int32BoundsAreInclusive) {
  const ConfigDef& d = def(NETWORKING_CONFIG_MTU_PACKET_SIZE);  // [576, 1472]
  ConfigValue out;
  std::string why;
  EXPECT_TRUE(validateConfigValue(d, int32_t{576}, out, why));
  EXPECT_EQ(std::get<int32_t>(out), 576);
  EXPECT_TRUE(validateConfigValue(d, int32_t{1472}, out, why));
  EXPECT_EQ(std::get<int32_t>(out), 1472);

  out = int32_t{-7};
  EXPECT_FALSE(validateConfigValue(d, int32_t{575}, out, why));
  EXPECT_NE(why.find("MTU_PACKET_SIZE"), std::string::npos) << why;
  EXPECT_NE(why.find("outside"), std::string::npos) << why;
  EXPECT_EQ(std::get<int32_t>(out), -7);  // untouched on failure
  EXPECT_FALSE(validateConfigValue(d, int32_t{1473}, out, why));
}

TEST(ConfigValidate, Int32AcceptsInt64InRangeOnly) {
  const ConfigDef& d = def(NETWORKING_CONFIG_SEND_BUFFER_SIZE);
  ConfigValue out;
  std::string why;
  ASSERT_TRUE(validateConfigValue(d, int64_t{65536}, out, why));
  ASSERT_TRUE(std::holds_alternative<int32_t>(out));  // converted to the declared type
  EXPECT_EQ(std::get<int32_t>(out), 65536);
  EXPECT_FALSE(validateConfigValue(d, int64_t{1} << 40, out, why));  // would truncate
}

TEST(ConfigValidate, TypeErrors) {
  ConfigValue out;
  std::string why;
  const ConfigDef& i32 = def(NETWORKING_CONFIG_NAGLE_TIME);
  EXPECT_FALSE(validateConfigValue(i32, std::string("5000"), out, why));
  EXPECT_NE(why.find("string"), std::string::npos) << why;
  EXPECT_FALSE(validateConfigValue(i32, 5000.0f, out, why));
  EXPECT_NE(why.find("integer"), std::string::npos) << why;

  const ConfigDef& i64 = def(NETWORKING_CONFIG_CONNECTION_USER_DATA);
  EXPECT_FALSE(validateConfigValue(i64, 1.5f, out, why));
  EXPECT_FALSE(validateConfigValue(i64, std::string("x"), out, why));
}

TEST(ConfigValidate, Int64TakesTheWholeRange) {
  const ConfigDef& d = def(NETWORKING_CONFIG_CONNECTION_USER_DATA);
  ConfigValue out;
  std::string why;
  ASSERT_TRUE(validateConfigValue(d, std::numeric_limits<int64_t>::min(), out, why));
  EXPECT_EQ(std::get<int64_t>(out), std::numeric_limits<int64_t>::min());
  ASSERT_TRUE(validateConfigValue(d, std::numeric_limits<int64_t>::max(), out, why));
  EXPECT_EQ(std::get<int64_t>(out), std::numeric_limits<int64_t>::max());
  ASSERT_TRUE(validateConfigValue(d, int32_t{-5}, out, why));
  ASSERT_TRUE(std::holds_alternative<int64_t>(out));  // widened
  EXPECT_EQ(std::get<int64_t>(out), -5);
}

TEST(ConfigValidate, FloatBoundsIntegersAndNaN) {
  const ConfigDef& d = def(NETWORKING_CONFIG_FAKE_PACKET_LOSS_SEND);  // [0, 100] %
  ConfigValue out;
  std::string why;
  ASSERT_TRUE(validateConfigValue(d, 12.5f, out, why));
  EXPECT_EQ(std::get<float>(out), 12.5f);
  ASSERT_TRUE(validateConfigValue(d, int32_t{100}, out, why));  // an integer is widened
  ASSERT_TRUE(std::holds_alternative<float>(out));
  EXPECT_EQ(std::get<float>(out), 100.0f);
  EXPECT_FALSE(validateConfigValue(d, 100.01f, out, why));
  EXPECT_FALSE(validateConfigValue(d, -0.01f, out, why));
  EXPECT_FALSE(validateConfigValue(d, std::nanf(""), out, why));
  EXPECT_FALSE(validateConfigValue(d, std::numeric_limits<float>::infinity(), out, why));
}

TEST(ConfigLayer, SetReplacesAndGetFinds) {
  ConfigLayer layer;
  EXPECT_TRUE(layer.empty());
  EXPECT_EQ(layer.get(9), nullptr);
  layer.set(9, int32_t{1});
  layer.set(9, int32_t{2});
  layer.set(10, int32_t{3});
  ASSERT_NE(layer.get(9), nullptr);
  EXPECT_EQ(std::get<int32_t>(*layer.get(9)), 2);
  EXPECT_EQ(std::get<int32_t>(*layer.get(10)), 3);
}

TEST(ConfigResolve, DefaultsWhenNothingIsSet) {
  ConnectionConfig c = resolveConnectionConfig(nullptr, nullptr);
  // Only values no other test leaves changed are checked against the table.
  EXPECT_EQ(c.recv_max_message_size,
            static_cast<int32_t>(def(NETWORKING_CONFIG_RECV_MAX_MESSAGE_SIZE).default_value));
  EXPECT_EQ(c.user_data, -1);
  EXPECT_EQ(c.mtu_packet_size, 1300);
}

TEST(ConfigResolve, ConnectionOverListenOverGlobalOverDefault) {
  const int32_t id = NETWORKING_CONFIG_SEND_BUFFER_SIZE;
  GlobalRestore restore(id);
  const auto dflt = static_cast<int32_t>(def(id).default_value);
  GlobalConfig::instance().set(id, static_cast<int32_t>(dflt));  // start from a known state

  ConfigLayer listen, conn;
  bool inherited = false;
  EXPECT_EQ(resolveConnectionConfig(&listen, &conn).send_buffer_size, dflt);

  GlobalConfig::instance().set(id, int32_t{100000});
  EXPECT_EQ(resolveConnectionConfig(&listen, &conn).send_buffer_size, 100000);
  EXPECT_EQ(std::get<int32_t>(resolveOne(def(id), &listen, &conn, &inherited)), 100000);
  EXPECT_TRUE(inherited);

  listen.set(id, int32_t{200000});
  EXPECT_EQ(resolveConnectionConfig(&listen, &conn).send_buffer_size, 200000);
  EXPECT_EQ(resolveConnectionConfig(&listen, nullptr).send_buffer_size, 200000);
  EXPECT_EQ(resolveConnectionConfig(nullptr, &conn).send_buffer_size, 100000);

  conn.set(id, int32_t{300000});
  EXPECT_EQ(resolveConnectionConfig(&listen, &conn).send_buffer_size, 300000);
  EXPECT_EQ(std::get<int32_t>(resolveOne(def(id), &listen, &conn, &inherited)), 300000);
  EXPECT_FALSE(inherited);  // set on the connection itself
  EXPECT_EQ(std::get<int32_t>(resolveOne(def(id), &listen, nullptr, &inherited)), 200000);
  EXPECT_FALSE(inherited);  // set on the listen socket, asked about the listen socket

  // Other values are unaffected by a layer that sets only this one.
  EXPECT_EQ(resolveConnectionConfig(&listen, &conn).mtu_packet_size, 1300);
}

TEST(ConfigResolve, RateMaxIsRaisedToRateMin) {
  ConfigLayer conn;
  conn.set(NETWORKING_CONFIG_SEND_RATE_MIN, int32_t{5000000});
  conn.set(NETWORKING_CONFIG_SEND_RATE_MAX, int32_t{1000000});
  ConnectionConfig c = resolveConnectionConfig(nullptr, &conn);
  EXPECT_EQ(c.send_rate_min, 5000000);
  EXPECT_EQ(c.send_rate_max, 5000000);
}

TEST(ConfigGlobal, FakeNetworkReflectsGlobalValuesAndVersionBumps) {
  GlobalRestore r1(NETWORKING_CONFIG_FAKE_PACKET_LOSS_SEND);
  GlobalRestore r2(NETWORKING_CONFIG_FAKE_PACKET_LAG_RECV);
  uint64_t v0 = GlobalConfig::instance().version();
  GlobalConfig::instance().set(NETWORKING_CONFIG_FAKE_PACKET_LOSS_SEND, 25.0f);
  GlobalConfig::instance().set(NETWORKING_CONFIG_FAKE_PACKET_LAG_RECV, int32_t{40});
  EXPECT_GE(GlobalConfig::instance().version(), v0 + 2);
  FakeNetworkConfig f = GlobalConfig::instance().fakeNetwork();
  EXPECT_EQ(f.loss_send, 25.0f);
  EXPECT_EQ(f.lag_recv_ms, 40);
  EXPECT_TRUE(f.active());
  auto got = GlobalConfig::instance().get(NETWORKING_CONFIG_FAKE_PACKET_LOSS_SEND);
  ASSERT_TRUE(got);
  EXPECT_EQ(std::get<float>(*got), 25.0f);
}

TEST(ConfigGlobal, DefaultFakeNetworkIsInactive) {
  EXPECT_FALSE(FakeNetworkConfig{}.active());
  EXPECT_EQ(FakeNetworkConfig{}.reorder_time_ms,
            static_cast<int32_t>(def(NETWORKING_CONFIG_FAKE_PACKET_REORDER_TIME).default_value));
  EXPECT_EQ(FakeNetworkConfig{}.dup_time_max_ms,
            static_cast<int32_t>(def(NETWORKING_CONFIG_FAKE_PACKET_DUP_TIME_MAX).default_value));
}

}  // namespace
}  // namespace outpost
