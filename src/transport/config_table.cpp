// The configuration table's storage, validation and resolution (see config_table.h). Global
// values are guarded by one mutex; connections resolve their values once, at creation and on a
// connection-scope set, so the data path reads plain fields.
#include "transport/config_table.h"

#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace outpost::transport {

namespace {

#define OUTPOST_CONFIG_TYPE_INT32 NETWORKING_CONFIG_TYPE_INT32
#define OUTPOST_CONFIG_TYPE_INT64 NETWORKING_CONFIG_TYPE_INT64
#define OUTPOST_CONFIG_TYPE_FLOAT NETWORKING_CONFIG_TYPE_FLOAT
#define OUTPOST_CONFIG_TYPE_STRING NETWORKING_CONFIG_TYPE_STRING
#define OUTPOST_CONFIG_SCOPE_GLOBAL ConfigScopeKind::kGlobal
#define OUTPOST_CONFIG_SCOPE_CONNECTION ConfigScopeKind::kConnection
#define OUTPOST_CONFIG_SCOPE_LISTEN ConfigScopeKind::kListenSocket

#define OUTPOST_CONFIG_ROW(id, name, type, scope, def, lo, hi, unit, desc) \
  ConfigDef{id,                                                            \
            #name,                                                         \
            OUTPOST_CONFIG_TYPE_##type,                                    \
            OUTPOST_CONFIG_SCOPE_##scope,                                  \
            static_cast<double>(def),                                      \
            static_cast<double>(lo),                                       \
            static_cast<double>(hi),                                       \
            unit,                                                          \
            desc,                                                          \
            (id) == NETWORKING_CONFIG_MTU_DATA_SIZE},

const ConfigDef kTable[] = {OUTPOST_CONFIG_TABLE(OUTPOST_CONFIG_ROW)};

double numericOf(const ConfigValue& v) {
  if (auto p = std::get_if<int32_t>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return static_cast<double>(*p);
  if (auto p = std::get_if<float>(&v)) return *p;
  return NAN;
}

ConfigValue defaultOf(const ConfigDef& def) {
  switch (def.type) {
    case NETWORKING_CONFIG_TYPE_INT32: return static_cast<int32_t>(def.default_value);
    case NETWORKING_CONFIG_TYPE_INT64: return static_cast<int64_t>(def.default_value);
    case NETWORKING_CONFIG_TYPE_FLOAT: return static_cast<float>(def.default_value);
    default: return std::string();
  }
}

int32_t asInt32(const ConfigValue& v) { return std::get<int32_t>(v); }

}  // namespace

std::span<const ConfigDef> configTable() { return kTable; }

int32_t narrowestScope(ConfigScopeKind kind) {
  switch (kind) {
    case ConfigScopeKind::kGlobal: return NETWORKING_CONFIG_SCOPE_GLOBAL;
    case ConfigScopeKind::kListenSocket: return NETWORKING_CONFIG_SCOPE_LISTEN_SOCKET;
    case ConfigScopeKind::kConnection: break;
  }
  return NETWORKING_CONFIG_SCOPE_CONNECTION;
}

const ConfigDef* findConfig(int32_t id) {
  for (const auto& d : kTable)
    if (d.id == id) return &d;
  return nullptr;
}

bool validateConfigValue(const ConfigDef& def, const ConfigValue& in, ConfigValue& out, std::string& why) {
  if (def.read_only) {
    why = std::string(def.name) + " is read-only";
    return false;
  }
  if (def.type == NETWORKING_CONFIG_TYPE_STRING) {
    if (!std::holds_alternative<std::string>(in)) {
      why = std::string(def.name) + " takes a string";
      return false;
    }
    if (def.id == NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY) {
      const std::string& hex = std::get<std::string>(in);
      bool ok = hex.empty() || hex.size() == 64;
      for (char c : hex) ok = ok && std::isxdigit(static_cast<unsigned char>(c));
      if (!ok) {
        why = std::string(def.name) + " must be empty or 64 hex characters";
        return false;
      }
      // Normalised here, where it is parsed: the handshake compares it with the lower-case hex
      // of the key the peer presents, so a key given in upper case must still match.
      std::string lower = hex;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out = lower;
      return true;
    }
    if (std::get<std::string>(in).size() > 1024) {
      why = std::string(def.name) + " is longer than 1024 bytes";
      return false;
    }
    out = in;
    return true;
  }
  if (std::holds_alternative<std::string>(in)) {
    why = std::string(def.name) + " takes a number, not a string";
    return false;
  }
  if (def.type != NETWORKING_CONFIG_TYPE_FLOAT && std::holds_alternative<float>(in)) {
    why = std::string(def.name) + " takes an integer";
    return false;
  }
  double v = numericOf(in);
  if (def.type == NETWORKING_CONFIG_TYPE_INT64) {
    out = std::holds_alternative<int64_t>(in) ? std::get<int64_t>(in) : static_cast<int64_t>(std::get<int32_t>(in));
    return true;
  }
  if (!(v >= def.min_value && v <= def.max_value)) {
    char buf[200];
    if (def.type == NETWORKING_CONFIG_TYPE_FLOAT)
      std::snprintf(buf, sizeof buf, "%s = %g is outside [%g, %g]", def.name, v, def.min_value, def.max_value);
    else std::snprintf(buf, sizeof buf, "%s = %.0f is outside [%.0f, %.0f]", def.name, v, def.min_value, def.max_value);
    why = buf;
    return false;
  }
  if (def.type == NETWORKING_CONFIG_TYPE_FLOAT) out = static_cast<float>(v);
  else out = static_cast<int32_t>(v);
  return true;
}

void ConfigLayer::set(int32_t id, ConfigValue v) {
  for (auto& [k, val] : values_) {
    if (k == id) {
      val = std::move(v);
      return;
    }
  }
  values_.emplace_back(id, std::move(v));
}

const ConfigValue* ConfigLayer::get(int32_t id) const {
  for (const auto& [k, val] : values_)
    if (k == id) return &val;
  return nullptr;
}

GlobalConfig& GlobalConfig::instance() {
  static GlobalConfig g;
  return g;
}

void GlobalConfig::set(int32_t id, const ConfigValue& v) {
  std::lock_guard<std::mutex> lock(mu_);
  layer_.set(id, v);
  version_.fetch_add(1, std::memory_order_release);
}

std::optional<ConfigValue> GlobalConfig::get(int32_t id) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (const ConfigValue* v = layer_.get(id)) return *v;
  return std::nullopt;
}

uint64_t GlobalConfig::version() const { return version_.load(std::memory_order_acquire); }

FakeNetworkConfig GlobalConfig::fakeNetwork() const {
  std::lock_guard<std::mutex> lock(mu_);
  FakeNetworkConfig f;
  auto fl = [&](int32_t id, float& out) {
    if (auto* v = layer_.get(id)) out = std::get<float>(*v);
  };
  auto in = [&](int32_t id, int32_t& out) {
    if (auto* v = layer_.get(id)) out = std::get<int32_t>(*v);
  };
  fl(NETWORKING_CONFIG_FAKE_PACKET_LOSS_SEND, f.loss_send);
  fl(NETWORKING_CONFIG_FAKE_PACKET_LOSS_RECV, f.loss_recv);
  fl(NETWORKING_CONFIG_FAKE_PACKET_REORDER_SEND, f.reorder_send);
  fl(NETWORKING_CONFIG_FAKE_PACKET_REORDER_RECV, f.reorder_recv);
  fl(NETWORKING_CONFIG_FAKE_PACKET_DUP_SEND, f.dup_send);
  fl(NETWORKING_CONFIG_FAKE_PACKET_DUP_RECV, f.dup_recv);
  in(NETWORKING_CONFIG_FAKE_PACKET_LAG_SEND, f.lag_send_ms);
  in(NETWORKING_CONFIG_FAKE_PACKET_LAG_RECV, f.lag_recv_ms);
  in(NETWORKING_CONFIG_FAKE_PACKET_REORDER_TIME, f.reorder_time_ms);
  in(NETWORKING_CONFIG_FAKE_PACKET_DUP_TIME_MAX, f.dup_time_max_ms);
  return f;
}

ConfigValue resolveOne(const ConfigDef& def, const ConfigLayer* listen_layer, const ConfigLayer* connection_layer,
                       bool* inherited) {
  if (inherited) *inherited = false;
  if (connection_layer)
    if (const ConfigValue* v = connection_layer->get(def.id)) return *v;
  if (inherited) *inherited = connection_layer != nullptr;
  if (listen_layer)
    if (const ConfigValue* v = listen_layer->get(def.id)) return *v;
  if (inherited) *inherited = connection_layer != nullptr || listen_layer != nullptr;
  if (auto g = GlobalConfig::instance().get(def.id)) return *g;
  if (inherited) *inherited = true;
  return defaultOf(def);
}

ListenLimits resolveListenLimits(const ConfigLayer* listen_layer) {
  auto i32 = [&](int32_t id) { return asInt32(resolveOne(*findConfig(id), listen_layer, nullptr, nullptr)); };
  ListenLimits l{};
  l.max_connections = i32(NETWORKING_CONFIG_OUTPOST_MAX_CONNECTIONS);
  l.max_connections_per_source = i32(NETWORKING_CONFIG_OUTPOST_MAX_CONNECTIONS_PER_SOURCE);
  l.max_untrusted_connections = i32(NETWORKING_CONFIG_OUTPOST_MAX_UNTRUSTED_CONNECTIONS);
  l.max_untrusted_connections_per_source = i32(NETWORKING_CONFIG_OUTPOST_MAX_UNTRUSTED_CONNECTIONS_PER_SOURCE);
  return l;
}

bool parseConfigAssignment(const std::string& text, ConfigOptions& options, std::string* why) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    *why = "\"" + text + "\": expected NAME=VALUE (a name from docs/config.md)";
    return false;
  }
  std::string name = text.substr(0, eq);
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (name.rfind("NETWORKING_CONFIG_", 0) == 0) name = name.substr(18);
  const ConfigDef* def = nullptr;
  for (const ConfigDef& d : kTable)
    if (name == d.name) def = &d;
  if (!def) {
    *why = "\"" + text.substr(0, eq) + "\" is not a configuration value (see docs/config.md)";
    return false;
  }
  if (def->scope == ConfigScopeKind::kGlobal || def->read_only) {
    *why = std::string(def->name) +
           (def->read_only ? " is read-only" : " is process-wide and cannot be set on a listen socket");
    return false;
  }
  std::string value = text.substr(eq + 1);
  ConfigValue in;
  if (def->type == NETWORKING_CONFIG_TYPE_STRING) {
    in = value;
  } else {
    // Strict: the whole text must be a number (no trailing characters, no empty value).
    const char* begin = value.c_str();
    char* end = nullptr;
    errno = 0;
    if (def->type == NETWORKING_CONFIG_TYPE_FLOAT) {
      double v = std::strtod(begin, &end);
      in = static_cast<float>(v);
    } else {
      long long v = std::strtoll(begin, &end, 10);
      if (def->type == NETWORKING_CONFIG_TYPE_INT64) in = static_cast<int64_t>(v);
      else if (v < INT32_MIN || v > INT32_MAX) end = const_cast<char*>(begin);  // reported below
      else in = static_cast<int32_t>(v);
    }
    if (value.empty() || errno == ERANGE || end != begin + value.size()) {
      char range[96];
      if (def->type == NETWORKING_CONFIG_TYPE_FLOAT)
        std::snprintf(range, sizeof range, "%g and %g", def->min_value, def->max_value);
      else std::snprintf(range, sizeof range, "%.0f and %.0f", def->min_value, def->max_value);
      *why = std::string(def->name) + " = \"" + value + "\" is not a number between " + range;
      return false;
    }
  }
  ConfigValue out;
  if (!validateConfigValue(*def, in, out, *why)) return false;
  options[def->id] = out;
  return true;
}

ConnectionConfig resolveConnectionConfig(const ConfigLayer* listen_layer, const ConfigLayer* connection_layer) {
  auto i32 = [&](int32_t id) { return asInt32(resolveOne(*findConfig(id), listen_layer, connection_layer, nullptr)); };
  ConnectionConfig c{};
  c.send_buffer_size = i32(NETWORKING_CONFIG_SEND_BUFFER_SIZE);
  c.send_rate_min = i32(NETWORKING_CONFIG_SEND_RATE_MIN);
  c.send_rate_max = i32(NETWORKING_CONFIG_SEND_RATE_MAX);
  if (c.send_rate_max < c.send_rate_min) c.send_rate_max = c.send_rate_min;
  c.nagle_time_us = i32(NETWORKING_CONFIG_NAGLE_TIME);
  c.ip_allow_without_auth = i32(NETWORKING_CONFIG_IP_ALLOW_WITHOUT_AUTH);
  c.ip_local_host_allow_without_auth = i32(NETWORKING_CONFIG_IP_LOCAL_HOST_ALLOW_WITHOUT_AUTH);
  c.timeout_initial_ms = i32(NETWORKING_CONFIG_TIMEOUT_INITIAL);
  c.timeout_connected_ms = i32(NETWORKING_CONFIG_TIMEOUT_CONNECTED);
  c.mtu_packet_size = i32(NETWORKING_CONFIG_MTU_PACKET_SIZE);
  c.unencrypted = i32(NETWORKING_CONFIG_UNENCRYPTED);
  c.user_data = std::get<int64_t>(
      resolveOne(*findConfig(NETWORKING_CONFIG_CONNECTION_USER_DATA), listen_layer, connection_layer, nullptr));
  c.recv_buffer_size = i32(NETWORKING_CONFIG_RECV_BUFFER_SIZE);
  c.recv_max_message_size = i32(NETWORKING_CONFIG_RECV_MAX_MESSAGE_SIZE);
  c.pinned_peer_key_hex = std::get<std::string>(
      resolveOne(*findConfig(NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY), listen_layer, connection_layer, nullptr));
  c.p2p_ice_enable = i32(NETWORKING_CONFIG_P2P_TRANSPORT_ICE_ENABLE);
  c.p2p_ice_penalty_ms = i32(NETWORKING_CONFIG_P2P_TRANSPORT_ICE_PENALTY);
  return c;
}

}  // namespace outpost::transport
