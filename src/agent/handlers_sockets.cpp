// Networking Sockets and Networking Utils handlers, shared by both singletons (each side has its
// own NetworkingSockets, Host::sockets). Shapes are generation C's (godotsteam-api.md §3.2):
// connection dictionaries, message dictionaries with `payload` as bytes, options as a Dictionary
// {NetworkingConfigValue: value} (int -> int32, except CONNECTION_USER_DATA -> int64; float; String).
// Loop thread only.
#include <limits>

#include "agent/handlers.h"

namespace outpost::agent::handlers {
namespace {

NetworkingSockets& ns(Call& c) { return c.host.sockets(c.client_side); }

// The options Dictionary (already checked by the dispatcher: integer keys, int/float/String values).
ConfigOptions options(const Value& v) {
  ConfigOptions out;
  for (const auto& [k, value] : v.items()) {
    const int32_t id = static_cast<int32_t>(std::stol(k));
    if (value.is_number_integer()) {
      const int64_t n = value.get<int64_t>();
      if (id == NETWORKING_CONFIG_CONNECTION_USER_DATA) out[id] = n;
      else out[id] = static_cast<int32_t>(n);
    } else if (value.is_number_float()) {
      out[id] = static_cast<float>(value.get<double>());
    } else {
      out[id] = value.get<std::string>();
    }
  }
  return out;
}

Value messages(std::vector<NetworkingMessage>&& list) {
  Value out = Value::array();
  for (auto& m : list) out.push_back(messageValue(m));
  return out;
}

Value configValue(const ConfigValue& v) {
  if (const auto* i = std::get_if<int32_t>(&v)) return *i;
  if (const auto* l = std::get_if<int64_t>(&v)) return *l;
  if (const auto* f = std::get_if<float>(&v)) return static_cast<double>(*f);
  return std::get<std::string>(v);
}

}  // namespace

Value acceptConnection(Call& c) { return ns(c).acceptConnection(c.u32(0)); }
Value beginAsyncRequestFakeIP(Call& c) { return ns(c).beginAsyncRequestFakeIP(c.i32(0)); }
Value closeConnection(Call& c) { return ns(c).closeConnection(c.u32(0), c.i32(1), c.str(2), c.boolean(3)); }
Value closeListenSocket(Call& c) { return ns(c).closeListenSocket(c.u32(0)); }
Value configureConnectionLanes(Call& c) {
  std::vector<int> priorities, weights;
  for (const auto& p : c.args[2]) priorities.push_back(static_cast<int>(p.get<int64_t>()));
  for (const auto& w : c.args[3]) weights.push_back(static_cast<int>(w.get<int64_t>()));
  return ns(c).configureConnectionLanes(c.u32(0), c.i32(1), priorities, weights);
}
Value connectP2P(Call& c) { return ns(c).connectP2P(c.u64(0), c.i32(1), options(c.args[2])); }
Value connectByIPAddress(Call& c) { return ns(c).connectByIPAddress(c.str(0), options(c.args[1])); }
Value connectToHostedDedicatedServer(Call& c) {
  return ns(c).connectToHostedDedicatedServer(c.u64(0), c.i32(1), options(c.args[2]));
}
Value createFakeUDPPort(Call& c) {
  ns(c).createFakeUDPPort(c.i32(0));
  return nullptr;
}
Value createHostedDedicatedServerListenSocket(Call& c) {
  return ns(c).createHostedDedicatedServerListenSocket(c.i32(0), options(c.args[1]));
}
Value createListenSocketIP(Call& c) { return ns(c).createListenSocketIP(c.str(0), options(c.args[1])); }
Value createListenSocketP2P(Call& c) { return ns(c).createListenSocketP2P(c.i32(0), options(c.args[1])); }
Value createListenSocketP2PFakeIP(Call& c) { return ns(c).createListenSocketP2PFakeIP(c.i32(0), options(c.args[1])); }
Value createPollGroup(Call& c) { return ns(c).createPollGroup(); }
Value createSocketPair(Call& c) {
  SocketPairResult r = ns(c).createSocketPair(c.boolean(0), c.u64(1), c.u64(2));
  return {{"success", r.success}, {"connection1", r.connection1}, {"connection2", r.connection2}};
}
Value destroyPollGroup(Call& c) { return ns(c).destroyPollGroup(c.u32(0)); }
Value flushMessagesOnConnection(Call& c) { return ns(c).flushMessagesOnConnection(c.u32(0)); }
Value getAuthenticationStatus(Call& c) { return ns(c).getAuthenticationStatus(); }
Value getCertificateRequest(Call& c) {
  auto r = ns(c).getCertificateRequest();
  if (!r) return Value::object();
  return {{"certificate", bytesValue(std::move(r->certificate))}, {"error_message", r->error_message}};
}
Value getConnectionInfo(Call& c) {
  auto info = ns(c).getConnectionInfo(c.u32(0));
  if (!info) return Value::object();
  return connectionInfoValue(*info, true);
}
Value getConnectionName(Call& c) { return ns(c).getConnectionName(c.u32(0)); }
Value getConnectionRealTimeStatus(Call& c) {
  RealTimeStatusResult r = ns(c).getConnectionRealTimeStatus(c.u32(0), c.i32(1), c.boolean(2));
  Value out = {{"response", r.response}};
  if (r.response != RESULT_OK) return out;
  Value status = Value::object();
  if (r.connection_status) {
    const auto& s = *r.connection_status;
    status = {{"state", s.state},
              {"ping", s.ping},
              {"local_quality", s.local_quality},
              {"remote_quality", s.remote_quality},
              {"packets_out_per_second", s.packets_out_per_second},
              {"bytes_out_per_second", s.bytes_out_per_second},
              {"packets_in_per_second", s.packets_in_per_second},
              {"bytes_in_per_second", s.bytes_in_per_second},
              {"send_rate", s.send_rate},
              {"pending_unreliable", s.pending_unreliable},
              {"pending_reliable", s.pending_reliable},
              {"sent_unacknowledged_reliable", s.sent_unacknowledged_reliable},
              {"queue_time", s.queue_time}};
  }
  Value lanes = Value::array();
  for (const auto& l : r.lanes_status)
    lanes.push_back({{"pending_unreliable", l.pending_unreliable},
                     {"pending_reliable", l.pending_reliable},
                     {"sent_unacknowledged_reliable", l.sent_unacknowledged_reliable},
                     {"queue_time", l.queue_time}});
  out["connection_status"] = std::move(status);
  out["lanes_status"] = std::move(lanes);
  return out;
}
Value getConnectionUserData(Call& c) { return ns(c).getConnectionUserData(c.u32(0)); }
Value getDetailedConnectionStatus(Call& c) {
  DetailedStatusResult r = ns(c).getDetailedConnectionStatus(c.u32(0));
  return {{"success", r.success}, {"status", r.status}};
}
Value getFakeIP(Call& c) {
  FakeIPInfo f = ns(c).getFakeIP(c.i32(0));
  return {{"result", f.result}, {"identity_type", f.identity_type}, {"ip", f.ip}, {"ports", f.ports}};
}
Value getHostedDedicatedServerPOPId(Call& c) { return ns(c).getHostedDedicatedServerPOPId(); }
Value getIdentity(Call& c) { return ns(c).getIdentity(); }
// "Currently not enabled" in the reference (and not offered by GodotSteam): the failure values,
// 0 ("no ticket", "no login blob", "no address") and an empty Dictionary.
Value findRelayAuthTicketForServer(Call&) { return 0; }
Value getGameCoordinatorServerLogin(Call&) { return 0; }
Value getHostedDedicatedServerAddress(Call&) { return 0; }
Value receivedRelayAuthTicket(Call&) { return Value::object(); }
Value getHostedDedicatedServerPort(Call& c) { return ns(c).getHostedDedicatedServerPort(); }
Value getListenSocketAddress(Call& c) { return ns(c).getListenSocketAddress(c.u32(0), c.boolean(1)); }
Value getRemoteFakeIPForConnection(Call& c) {
  RemoteFakeIPResult r = ns(c).getRemoteFakeIPForConnection(c.u32(0));
  return {{"result", r.result}, {"ip_address", r.ip_address}, {"port", r.port}, {"ip_type", r.ip_type}};
}
Value initAuthentication(Call& c) { return ns(c).initAuthentication(); }
// The receive calls write Godot sessions' replies straight from the SDK's reusable batch (no
// per-message copy into a Value); JSON sessions get the same dictionaries as Values.
Value receiveMessagesOnConnection(Call& c) {
  if (!c.raw) return messages(ns(c).receiveMessagesOnConnection(c.u32(0), c.i32(1)));
  MessageBatch& batch = c.host.messageBatch();
  const int n = ns(c).receiveMessagesOnConnection(c.u32(0), batch, c.i32(1));
  GodotWriter w(*c.raw);
  w.arrayHeader(n > 0 ? static_cast<uint32_t>(n) : 0);
  for (int i = 0; i < n; ++i) writeMessage(w, batch[static_cast<size_t>(i)]);
  c.raw_written = true;
  return nullptr;
}
Value receiveMessagesOnPollGroup(Call& c) {
  if (!c.raw) return messages(ns(c).receiveMessagesOnPollGroup(c.u32(0), c.i32(1)));
  MessageBatch& batch = c.host.messageBatch();
  const int n = ns(c).receiveMessagesOnPollGroup(c.u32(0), batch, c.i32(1));
  GodotWriter w(*c.raw);
  w.arrayHeader(n > 0 ? static_cast<uint32_t>(n) : 0);
  for (int i = 0; i < n; ++i) writeMessage(w, batch[static_cast<size_t>(i)]);
  c.raw_written = true;
  return nullptr;
}
// Extension: only the payloads, oldest first (an Array of PoolByteArray): the cheapest shape for
// a GDScript loop, which pays for every Dictionary it decodes.
Value receiveMessagePayloadsOnConnection(Call& c) {
  MessageBatch& batch = c.host.messageBatch();
  const int n = ns(c).receiveMessagesOnConnection(c.u32(0), batch, c.i32(1));
  if (c.raw) {
    GodotWriter w(*c.raw);
    w.arrayHeader(n > 0 ? static_cast<uint32_t>(n) : 0);
    for (int i = 0; i < n; ++i) w.bytes(batch[static_cast<size_t>(i)].payload);
    c.raw_written = true;
    return nullptr;
  }
  Value out = Value::array();
  for (int i = 0; i < n; ++i) {
    auto p = batch[static_cast<size_t>(i)].payload;
    out.push_back(bytesValue(Bytes(p.begin(), p.end())));
  }
  return out;
}
// Extension: several messages to one connection in one call, sent in order until one is refused.
// {result: RESULT_OK or the first refusal's result, sent: how many went, message_number: the last
// sent one's (0 if none)}.
Value sendMessagesToConnection(Call& c) {
  const Value& list = c.args[1];  // checked: PoolByteArrays of at most MAX_STEAM_PACKET_SIZE
  int32_t result = RESULT_OK;
  int64_t sent = 0, last = 0;
  for (const Value& m : list) {
    SendResult r = ns(c).sendMessageToConnection(c.u32(0), m.get_binary(), c.i32(2));
    if (r.result != RESULT_OK) {
      result = r.result;
      break;
    }
    ++sent;
    last = r.message_number;
  }
  return {{"result", result}, {"sent", sent}, {"message_number", last}};
}
Value resetIdentity(Call& c) {
  ns(c).resetIdentity(c.u64(0));
  return nullptr;
}
Value runNetworkingCallbacks(Call& c) { return c.host.runCallbacks(c.client_side, true); }
Value sendMessageToConnection(Call& c) {
  SendResult r = ns(c).sendMessageToConnection(c.u32(0), c.bytes(1), c.i32(2));
  return {{"result", r.result}, {"message_number", r.message_number}};
}
// Extension: one request for many sends. Each element is {connection, data, flags[, lane]}; the
// reply holds one {result, message_number} per element, in order.
Value sendMessages(Call& c) {
  const Value& list = c.args[0];
  std::vector<OutgoingMessage> out;
  out.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const Value& m = list[i];
    auto bad = [&](const char* why) {
      c.error = "sendMessages: messages[" + std::to_string(i) + "] " + why;
      return nullptr;
    };
    if (!m.is_object()) return bad("is not a Dictionary {connection, data, flags, lane}");
    auto intField = [&](const char* key, int64_t lo, int64_t hi, int64_t* v, bool required) {
      auto it = m.find(key);
      if (it == m.end()) return !required;
      if (!it->is_number_integer()) return false;
      *v = it->get<int64_t>();
      return *v >= lo && *v <= hi;
    };
    int64_t connection = 0, flags = 0, lane = 0;
    if (!intField("connection", 0, std::numeric_limits<uint32_t>::max(), &connection, true))
      return bad("needs `connection`, an int 0..4294967295");
    if (!intField("flags", 0, std::numeric_limits<int32_t>::max(), &flags, true))
      return bad("needs `flags`, an int >= 0");
    if (!intField("lane", 0, 65535, &lane, false)) return bad("has a `lane` outside 0..65535");
    auto data = m.find("data");
    if (data == m.end() || !data->is_binary()) return bad("needs `data`, a PoolByteArray (base64 in JSON)");
    if (data->get_binary().size() > static_cast<size_t>(MAX_STEAM_PACKET_SIZE))
      return bad("has `data` over 524288 bytes");
    OutgoingMessage o;
    o.connection = static_cast<uint32_t>(connection);
    o.data = data->get_binary();
    o.flags = static_cast<int32_t>(flags);
    o.lane = static_cast<uint16_t>(lane);
    out.push_back(o);
  }
  Value results = Value::array();
  for (const SendResult& r : ns(c).sendMessages(out))
    results.push_back({{"result", r.result}, {"message_number", r.message_number}});
  return results;
}
Value setCertificate(Call& c) {
  auto r = ns(c).setCertificate(c.bytes(0));
  if (!r) return Value::object();
  return {{"response", r->response}, {"error", r->error}};
}
Value setConnectionPollGroup(Call& c) { return ns(c).setConnectionPollGroup(c.u32(0), c.u32(1)); }
Value setConnectionName(Call& c) {
  ns(c).setConnectionName(c.u32(0), c.str(1));
  return nullptr;
}

// ---- Networking Utils configuration ----------------------------------------------------------------
Value setGlobalConfigValueInt32(Call& c) { return ns(c).setGlobalConfigValueInt32(c.i32(0), c.i32(1)); }
Value setGlobalConfigValueFloat(Call& c) {
  return ns(c).setGlobalConfigValueFloat(c.i32(0), static_cast<float>(c.f64(1)));
}
Value setGlobalConfigValueString(Call& c) { return ns(c).setGlobalConfigValueString(c.i32(0), c.str(1)); }
Value setConnectionConfigValueInt32(Call& c) {
  return ns(c).setConnectionConfigValueInt32(c.u32(0), c.i32(1), c.i32(2));
}
Value setConnectionConfigValueFloat(Call& c) {
  return ns(c).setConnectionConfigValueFloat(c.u32(0), c.i32(1), static_cast<float>(c.f64(2)));
}
Value setConnectionConfigValueString(Call& c) {
  return ns(c).setConnectionConfigValueString(c.u32(0), c.i32(1), c.str(2));
}
Value getConfigValue(Call& c) {
  ConfigValueResult r = ns(c).getConfigValue(c.i32(0), c.i32(1), c.u32(2));
  return {{"result", r.result}, {"type", r.type}, {"value", configValue(r.value)}};
}
Value getConfigValueInfo(Call& c) {
  auto info = ns(c).getConfigValueInfo(c.i32(0));
  if (!info) return Value::object();
  return {{"type", info->type}, {"scope", info->scope}};
}
Value getLocalTimestamp(Call& c) { return ns(c).getLocalTimestamp(); }

}  // namespace outpost::agent::handlers
