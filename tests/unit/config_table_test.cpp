// Tests for the configuration table (src/transport/config_table.h): the table is consistent
// (unique ids and names, defaults inside their bounds), validateConfigValue enforces type and
// bounds with a reason, and values resolve connection > listen socket > global > default. Global
// values changed here are put back at the end of each test.
#include "transport/config_table.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "outpost/networking_sockets.h"

#include <cmath>
#include <limits>
#include <set>
#include <string>

namespace outpost::transport {
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
  EXPECT_EQ(c.recv_max_message_size, static_cast<int32_t>(def(NETWORKING_CONFIG_RECV_MAX_MESSAGE_SIZE).default_value));
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
}  // namespace outpost::transport

namespace outpost::transport {
namespace {

// listConfigValues() is the table, row for row, as the public API shows it: the same ids, names
// (with the NETWORKING_CONFIG_ prefix), types, scopes, defaults, bounds, units and texts; and
// getConfigValueInfo / getConfigValue agree with it for every row.
TEST(ConfigIntrospection, ListConfigValuesIsTheTable) {
  auto list = NetworkingSockets::listConfigValues();
  auto table = configTable();
  ASSERT_EQ(list.size(), table.size());
  NetworkingSockets net(NetworkingSocketsOptions::manual());
  for (size_t i = 0; i < list.size(); ++i) {
    const ConfigValueDescription& d = list[i];
    const ConfigDef& t = table[i];
    EXPECT_EQ(d.id, t.id);
    EXPECT_EQ(d.name, std::string("NETWORKING_CONFIG_") + t.name);
    EXPECT_EQ(d.type, t.type) << d.name;
    EXPECT_EQ(d.scope, narrowestScope(t.scope)) << d.name;
    EXPECT_EQ(d.default_value, t.default_value) << d.name;
    EXPECT_EQ(d.min_value, t.min_value) << d.name;
    EXPECT_EQ(d.max_value, t.max_value) << d.name;
    EXPECT_EQ(d.unit, t.unit);
    EXPECT_EQ(d.description, t.description);
    auto info = net.getConfigValueInfo(d.id);
    ASSERT_TRUE(info) << d.name;
    EXPECT_EQ(info->type, d.type) << d.name;
    EXPECT_EQ(info->scope, d.scope) << d.name;
    if (GlobalConfig::instance().get(d.id)) continue;  // set by another test of this process
    auto v = net.getConfigValue(d.id, NETWORKING_CONFIG_SCOPE_GLOBAL, 0);
    EXPECT_EQ(v.result, NETWORKING_GET_CONFIG_VALUE_OK_INHERITED) << d.name;
    switch (d.type) {
      case NETWORKING_CONFIG_TYPE_INT32:
        EXPECT_EQ(std::get<int32_t>(v.value), static_cast<int32_t>(d.default_value)) << d.name;
        break;
      case NETWORKING_CONFIG_TYPE_INT64:
        EXPECT_EQ(std::get<int64_t>(v.value), static_cast<int64_t>(d.default_value)) << d.name;
        break;
      case NETWORKING_CONFIG_TYPE_FLOAT:
        EXPECT_EQ(std::get<float>(v.value), static_cast<float>(d.default_value)) << d.name;
        break;
      default: EXPECT_EQ(std::get<std::string>(v.value), "") << d.name; break;
    }
  }
  // A few rows by value, so a wrong table cannot pass by agreeing with itself.
  auto find = [&](int id) { return *std::find_if(list.begin(), list.end(), [&](auto& d) { return d.id == id; }); };
  EXPECT_EQ(find(NETWORKING_CONFIG_RECV_BUFFER_SIZE).default_value, 1048576);
  EXPECT_EQ(find(NETWORKING_CONFIG_FAKE_PACKET_LOSS_SEND).scope, NETWORKING_CONFIG_SCOPE_GLOBAL);
  EXPECT_EQ(find(NETWORKING_CONFIG_NAGLE_TIME).scope, NETWORKING_CONFIG_SCOPE_CONNECTION);
  EXPECT_EQ(find(NETWORKING_CONFIG_OUTPOST_MAX_UNTRUSTED_CONNECTIONS_PER_SOURCE).scope,
            NETWORKING_CONFIG_SCOPE_LISTEN_SOCKET);
  EXPECT_EQ(find(NETWORKING_CONFIG_OUTPOST_MAX_UNTRUSTED_CONNECTIONS_PER_SOURCE).default_value, 64);
}

// The reference has no float value of connection scope (its floats are the global FAKE_PACKET_*
// percentages), so setConnectionConfigValueFloat has nothing it may set: it refuses every value,
// and the connection's values stay as they were.
TEST(ConfigIntrospection, NoFloatValueCanBeSetOnAConnection) {
  for (const ConfigDef& d : configTable()) {
    if (d.type == NETWORKING_CONFIG_TYPE_FLOAT) {
      EXPECT_EQ(d.scope, ConfigScopeKind::kGlobal) << d.name;
    }
  }
  NetworkingSockets net(NetworkingSocketsOptions::manual());
  auto pair = net.createSocketPair(false, 1, 2);
  ASSERT_TRUE(pair.success);
  EXPECT_FALSE(net.setConnectionConfigValueFloat(pair.connection1, NETWORKING_CONFIG_FAKE_PACKET_LOSS_SEND, 5.f));
  EXPECT_FALSE(net.setConnectionConfigValueFloat(pair.connection1, NETWORKING_CONFIG_NAGLE_TIME, 1000.f));
  EXPECT_FALSE(net.setConnectionConfigValueFloat(0, NETWORKING_CONFIG_NAGLE_TIME, 1000.f));
  auto v = net.getConfigValue(NETWORKING_CONFIG_NAGLE_TIME, NETWORKING_CONFIG_SCOPE_CONNECTION, pair.connection1);
  EXPECT_EQ(v.result, NETWORKING_GET_CONFIG_VALUE_OK_INHERITED);
  // Positive control: the integer setter does change it.
  EXPECT_TRUE(net.setConnectionConfigValueInt32(pair.connection1, NETWORKING_CONFIG_NAGLE_TIME, 1000));
  v = net.getConfigValue(NETWORKING_CONFIG_NAGLE_TIME, NETWORKING_CONFIG_SCOPE_CONNECTION, pair.connection1);
  EXPECT_EQ(v.result, NETWORKING_GET_CONFIG_VALUE_OK);
  EXPECT_EQ(std::get<int32_t>(v.value), 1000);
}

// NAME=VALUE as outpost-hub --transport takes it: strict numbers, the range named on error,
// process-wide and read-only values refused.
TEST(ConfigAssignment, ParsesStrictlyAndNamesTheRange) {
  ConfigOptions o;
  std::string why;
  EXPECT_TRUE(parseConfigAssignment("OUTPOST_MAX_UNTRUSTED_CONNECTIONS_PER_SOURCE=128", o, &why)) << why;
  EXPECT_EQ(std::get<int32_t>(o[NETWORKING_CONFIG_OUTPOST_MAX_UNTRUSTED_CONNECTIONS_PER_SOURCE]), 128);
  EXPECT_TRUE(parseConfigAssignment("networking_config_recv_buffer_size=2097152", o, &why)) << why;
  EXPECT_EQ(std::get<int32_t>(o[NETWORKING_CONFIG_RECV_BUFFER_SIZE]), 2097152);
  EXPECT_FALSE(parseConfigAssignment("OUTPOST_MAX_CONNECTIONS=0", o, &why));
  EXPECT_NE(why.find("OUTPOST_MAX_CONNECTIONS = 0 is outside [1, 1048576]"), std::string::npos) << why;
  for (const char* bad : {"OUTPOST_MAX_CONNECTIONS=12x", "OUTPOST_MAX_CONNECTIONS=", "OUTPOST_MAX_CONNECTIONS=1e3",
                          "OUTPOST_MAX_CONNECTIONS=99999999999"}) {
    EXPECT_FALSE(parseConfigAssignment(bad, o, &why)) << bad;
    EXPECT_NE(why.find("between 1 and 1048576"), std::string::npos) << bad << ": " << why;
  }
  EXPECT_FALSE(parseConfigAssignment("NO_SUCH_VALUE=1", o, &why));
  EXPECT_NE(why.find("NO_SUCH_VALUE"), std::string::npos);
  EXPECT_FALSE(parseConfigAssignment("FAKE_PACKET_LOSS_SEND=5", o, &why));  // process-wide
  EXPECT_FALSE(parseConfigAssignment("MTU_DATA_SIZE=1000", o, &why));       // read-only
  EXPECT_FALSE(parseConfigAssignment("OUTPOST_MAX_CONNECTIONS", o, &why));  // no '='
}

}  // namespace
}  // namespace outpost::transport
