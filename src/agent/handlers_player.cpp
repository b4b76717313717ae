// The "Steam" singleton's player handlers: outpost::User (log on to the hub, session tickets) and
// outpost::ServerBrowser (master list, A2S info/players/rules, ping), with GodotSteam's client
// names where it has one (getSteamID, loggedOn, getAuthSessionTicket, cancelAuthTicket,
// run_callbacks, beginAuthSession) and the SDK's names otherwise. User and ServerBrowser calls block until the hub
// or the server answers, bounded by their timeouts (the client waits for the reply anyway).
// getAuthSessionTicket also queues GodotSteam's get_auth_session_ticket_response(auth_ticket,
// result) for the next run_callbacks: RESULT_OK for a ticket, RESULT_FAIL when none was issued.
// Loop thread only.
#include "agent/handlers.h"

namespace outpost::agent::handlers {

Value userLogOn(Call& c) { return c.host.user().logOn(c.str(0), c.str(1), c.u32(2)); }
Value userLogOff(Call& c) {
  c.host.user().logOff();
  return nullptr;
}
Value userLoggedOn(Call& c) { return c.host.user().loggedOn(); }
Value userGetSteamID(Call& c) { return c.host.user().getSteamID(); }
Value userGetAuthSessionTicket(Call& c) {
  AuthTicket t = c.host.user().getAuthSessionTicket(c.u64(0));
  c.host.queueEvent(true,
                    Value::array({"get_auth_session_ticket_response", t.id, t.id != 0 ? RESULT_OK : RESULT_FAIL}));
  return {{"id", t.id},
          {"handle", t.id},
          {"buffer", bytesValue(std::move(t.buffer))},
          {"size", t.size},
          {"ticket_size", t.size}};
}
Value userCancelAuthTicket(Call& c) {
  c.host.user().cancelAuthTicket(c.u32(0));
  return nullptr;
}
Value userBeginAuthSession(Call& c) {
  const uint64_t server = c.u64(1);
  AuthSessionCheck r = c.host.user().beginAuthSession(c.bytes(0), server);
  if (r.result == BEGIN_AUTH_SESSION_RESULT_OK)
    c.host.queueEvent(true, Value::array({"validate_auth_ticket_response", server, r.response, server}));
  return r.result;
}
Value userRunCallbacks(Call& c) { return c.host.runCallbacks(true, false); }

Value requestServerList(Call& c) {
  Value out = Value::array();
  for (auto& address : c.host.browser().requestServerList(c.str(0), c.str(1), static_cast<uint8_t>(c.u64(2)), c.i32(3)))
    out.push_back(std::move(address));
  return out;
}
Value queryInfo(Call& c) {
  auto info = c.host.browser().queryInfo(c.str(0), c.i32(1));
  if (!info) return Value::object();
  const ServerInfoResult& i = *info;
  return {{"address", i.address},
          {"protocol", i.protocol},
          {"name", i.name},
          {"map", i.map},
          {"folder", i.folder},
          {"game", i.game},
          {"app_id", i.app_id},
          {"players", i.players},
          {"max_players", i.max_players},
          {"bots", i.bots},
          {"server_type", std::string(1, i.server_type ? i.server_type : ' ')},
          {"environment", std::string(1, i.environment ? i.environment : ' ')},
          {"password", i.password},
          {"secure", i.secure},
          {"version", i.version},
          {"game_port", i.game_port},
          {"steam_id", i.steam_id},
          {"spectator_port", i.spectator_port},
          {"spectator_name", i.spectator_name},
          {"keywords", i.keywords},
          {"game_id", i.game_id},
          {"ping", i.ping_ms}};
}
Value queryPlayers(Call& c) {
  auto players = c.host.browser().queryPlayers(c.str(0), c.i32(1));
  Value out = Value::array();
  if (!players) return out;
  for (const auto& p : *players) out.push_back({{"name", p.name}, {"score", p.score}, {"duration", p.duration_s}});
  return out;
}
Value queryRules(Call& c) {
  auto rules = c.host.browser().queryRules(c.str(0), c.i32(1));
  Value out = Value::object();
  if (!rules) return out;
  for (const auto& [k, v] : *rules) out[k] = v;
  return out;
}
Value ping(Call& c) { return c.host.browser().ping(c.str(0), c.i32(1)); }

}  // namespace outpost::agent::handlers
