// Engine, configuration values (config_table.h): options given to createListenSocketIP and
// connectByIPAddress checked into a layer, setConnectionConfigValue, and getConfigValue with
// its inheritance from listen socket and global values.
#include "transport/engine.h"

#include "base/log.h"
#include "transport/engine_internal.h"

namespace outpost::transport {

bool Engine::buildLayer(const ConfigOptions& options, ConfigLayer& out, const char* what, bool for_listen_socket) {
  for (const auto& [id, value] : options) {
    const ConfigDef* def = findConfig(id);
    if (!def) {
      OUTPOST_LOG_WARN("%s: unknown config value %d in options", what, id);
      return false;
    }
    if (def->scope == ConfigScopeKind::kGlobal) {
      OUTPOST_LOG_WARN("%s: %s can only be set globally", what, def->name);
      return false;
    }
    if (def->scope == ConfigScopeKind::kListenSocket && !for_listen_socket) {
      OUTPOST_LOG_WARN("%s: %s can only be set on a listen socket or globally", what, def->name);
      return false;
    }
    ConfigValue v;
    std::string why;
    if (!validateConfigValue(*def, value, v, why)) {
      OUTPOST_LOG_WARN("%s: %s", what, why.c_str());
      return false;
    }
    out.set(id, v);
  }
  return true;
}

bool Engine::setConnectionConfig(uint32_t h, int config, const ConfigValue& value) {
  const ConfigDef* def = findConfig(config);
  if (!def) {
    OUTPOST_LOG_WARN("setConnectionConfigValue: unknown config value %d", config);
    return false;
  }
  if (def->scope == ConfigScopeKind::kGlobal) {
    OUTPOST_LOG_WARN("setConnectionConfigValue: %s can only be set globally", def->name);
    return false;
  }
  if (def->scope == ConfigScopeKind::kListenSocket) {
    OUTPOST_LOG_WARN("setConnectionConfigValue: %s can only be set on a listen socket or globally", def->name);
    return false;
  }
  ConfigValue v;
  std::string why;
  if (!validateConfigValue(*def, value, v, why)) {
    OUTPOST_LOG_WARN("setConnectionConfigValue: %s", why.c_str());
    return false;
  }
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("setConnectionConfigValue: invalid connection handle %u", h);
    return false;
  }
  c->configLayer().set(config, v);
  const ConfigLayer* listen = nullptr;
  if (c->listenSocket()) {
    auto ls = listen_sockets_.find(c->listenSocket());
    if (ls != listen_sockets_.end()) listen = &ls->second.layer;
  }
  c->applyConfig(resolveConnectionConfig(listen, &c->configLayer()));
  return true;
}

ConfigValueResult Engine::getConfigValue(int config, int scope, uint32_t obj) {
  ConfigValueResult r;
  const ConfigDef* def = findConfig(config);
  if (!def) return r;
  r.type = def->type;
  const ConfigLayer* listen = nullptr;
  const ConfigLayer* conn = nullptr;
  Lock lock(mu_);
  if (scope == NETWORKING_CONFIG_SCOPE_LISTEN_SOCKET) {
    auto ls = listen_sockets_.find(obj);
    if (ls == listen_sockets_.end()) {
      r.result = NETWORKING_GET_CONFIG_VALUE_BAD_SCOPE_OBJ;
      return r;
    }
    listen = &ls->second.layer;
  } else if (scope == NETWORKING_CONFIG_SCOPE_CONNECTION) {
    Connection* c = byHandle(obj);
    if (!c) {
      r.result = NETWORKING_GET_CONFIG_VALUE_BAD_SCOPE_OBJ;
      return r;
    }
    conn = &c->configLayer();
    if (c->listenSocket()) {
      auto ls = listen_sockets_.find(c->listenSocket());
      if (ls != listen_sockets_.end()) listen = &ls->second.layer;
    }
  } else if (scope != NETWORKING_CONFIG_SCOPE_GLOBAL && scope != NETWORKING_CONFIG_SCOPE_SOCKETS_INTERFACE) {
    r.result = NETWORKING_GET_CONFIG_VALUE_BAD_SCOPE_OBJ;
    return r;
  }
  bool inherited = false;
  if (config == NETWORKING_CONFIG_MTU_DATA_SIZE) {
    const ConfigDef* mtu = findConfig(NETWORKING_CONFIG_MTU_PACKET_SIZE);
    r.value = std::get<int32_t>(resolveOne(*mtu, listen, conn, &inherited)) - kDataPacketOverhead;
    r.result = inherited ? NETWORKING_GET_CONFIG_VALUE_OK_INHERITED : NETWORKING_GET_CONFIG_VALUE_OK;
    return r;
  }
  r.value = resolveOne(*def, listen, conn, &inherited);
  r.result = inherited ? NETWORKING_GET_CONFIG_VALUE_OK_INHERITED : NETWORKING_GET_CONFIG_VALUE_OK;
  return r;
}

}  // namespace outpost::transport
