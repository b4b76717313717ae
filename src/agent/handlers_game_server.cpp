// SteamServer's game-server and main-server handlers: outpost::GameServer behind the names and
// return values of the Godot 3 Game Server page (reference/game-server-godot3.txt) and the
// GodotSteam Server 3.5 module. Where the page's shape and the SDK's differ, the page wins:
//   - setters the page declares void return null (the SDK's refusals are logged by the SDK);
//   - getAuthSessionTicket returns {id, buffer, ticket_size} (the page's keys) plus `size`
//     (the module's key), with `buffer` exactly the ticket;
//   - beginAuthSession(auth_ticket, steam_id) takes the ticket's bytes (the page's "int" ticket
//     cannot be checked on another machine); the module's (ticket, ticket_size, steam_id) form is
//     accepted too, the ticket cut to ticket_size;
//   - handleIncomingPacket returns {data} with the packet when it was a query and {} otherwise;
//     getNextOutgoingPacket returns {length, out, address (IPv4, host order), port} plus `ip`;
//   - getPublicIP returns {ipv4 (host order int), ipv6 (0), type}.
// Loop thread only.
#include <arpa/inet.h>

#include "agent/handlers.h"

namespace outpost::agent::handlers {
namespace {

GameServer& gs(Call& c) { return c.host.gameServer(); }

// "a.b.c.d" as a host-order integer; 0 for anything else (IPv6, empty).
uint32_t ipv4HostOrder(const std::string& dotted) {
  in_addr a{};
  if (inet_pton(AF_INET, dotted.c_str(), &a) != 1) return 0;
  return ntohl(a.s_addr);
}

}  // namespace

// ---- Main-server functions --------------------------------------------------------------------
Value serverInit(Call& c) {
  return gs(c).serverInit(c.str(0), static_cast<uint16_t>(c.u64(1)), static_cast<uint16_t>(c.u64(2)), c.i32(3),
                          c.str(4));
}
Value serverInitEx(Call& c) {
  ServerInitResult r = gs(c).serverInitEx(c.str(0), static_cast<uint16_t>(c.u64(1)), static_cast<uint16_t>(c.u64(2)),
                                          c.i32(3), c.str(4));
  // The module pre-fills `verbal` with its success text and overwrites it on failure.
  return {{"status", r.status},
          {"verbal", r.status == STEAM_API_INIT_RESULT_OK ? "Server initialized successfully" : r.verbal}};
}
Value serverShutdown(Call& c) {
  gs(c).serverShutdown();
  return nullptr;
}
Value runCallbacks(Call& c) { return c.host.runCallbacks(false, false); }
Value isServerSecure(Call& c) { return gs(c).isServerSecure(); }
Value getServerSteamID(Call& c) { return gs(c).getServerSteamID(); }
Value getSteamID32(Call& c) { return gs(c).getSteamID32(c.u64(0)); }
Value isAnonAccount(Call& c) { return gs(c).isAnonAccount(c.u64(0)); }
Value isAnonUserAccount(Call& c) { return gs(c).isAnonUserAccount(c.u64(0)); }
Value isChatAccount(Call& c) { return gs(c).isChatAccount(c.u64(0)); }
Value isClanAccount(Call& c) { return gs(c).isClanAccount(c.u64(0)); }
Value isConsoleUserAccount(Call& c) { return gs(c).isConsoleUserAccount(c.u64(0)); }
Value isIndividualAccount(Call& c) { return gs(c).isIndividualAccount(c.u64(0)); }
Value isLobby(Call& c) { return gs(c).isLobby(c.u64(0)); }
Value serverReleaseCurrentThreadMemory(Call& c) {
  gs(c).serverReleaseCurrentThreadMemory();
  return nullptr;
}

// ---- The Godot 3 Game Server page ---------------------------------------------------------------
Value associateWithClan(Call& c) {
  gs(c).associateWithClan(c.u64(0));
  return nullptr;
}
Value beginAuthSession(Call& c) {
  Bytes ticket = c.bytes(0);
  uint64_t steam_id = c.u64(1);
  if (!c.isNull(2)) {  // the module's (ticket, ticket_size, steam_id)
    const int64_t size = c.i64(1);
    if (size < 0 || static_cast<uint64_t>(size) > ticket.size()) {
      c.error = "beginAuthSession: ticket_size " + std::to_string(size) + " is outside the ticket's " +
                std::to_string(ticket.size()) + " bytes";
      return nullptr;
    }
    ticket.resize(static_cast<size_t>(size));
    steam_id = c.u64(2);
  }
  return gs(c).beginAuthSession(ticket, steam_id);
}
Value cancelAuthTicket(Call& c) {
  gs(c).cancelAuthTicket(c.u32(0));
  return nullptr;
}
Value clearAllKeyValues(Call& c) {
  gs(c).clearAllKeyValues();
  return nullptr;
}
Value computeNewPlayerCompatibility(Call& c) {
  gs(c).computeNewPlayerCompatibility(c.u64(0));
  return nullptr;
}
Value endAuthSession(Call& c) {
  gs(c).endAuthSession(c.u64(0));
  return nullptr;
}
Value getAuthSessionTicket(Call& c) {
  AuthTicket t = gs(c).getAuthSessionTicket(c.u64(0));
  return {{"id", t.id},
          {"handle", t.id},
          {"buffer", bytesValue(std::move(t.buffer))},
          {"ticket_size", t.size},
          {"size", t.size}};
}
Value getNextOutgoingPacket(Call& c) {
  OutgoingPacket p = gs(c).getNextOutgoingPacket();
  const size_t length = p.data.size();
  return {{"length", length},
          {"out", bytesValue(std::move(p.data))},
          {"address", ipv4HostOrder(p.address)},
          {"port", p.port},
          {"ip", p.address}};
}
Value getPublicIP(Call& c) {
  PublicIP ip = gs(c).getPublicIP();
  return {{"ipv4", ipv4HostOrder(ip.ipv4)}, {"ipv6", 0}, {"type", ip.type}};
}
Value getSteamID(Call& c) { return gs(c).getSteamID(); }
Value handleIncomingPacket(Call& c) {
  if (!gs(c).handleIncomingPacket(c.bytes(0), c.str(1), static_cast<uint16_t>(c.u64(2)))) return Value::object();
  return {{"data", c.args[0]}};
}
Value loggedOn(Call& c) { return gs(c).loggedOn(); }
Value logOff(Call& c) {
  gs(c).logOff();
  return nullptr;
}
Value logOn(Call& c) {
  gs(c).logOn(c.str(0));
  return nullptr;
}
Value logOnAnonymous(Call& c) {
  gs(c).logOnAnonymous();
  return nullptr;
}
Value requestUserGroupStatus(Call& c) { return gs(c).requestUserGroupStatus(c.u64(0), c.u64(1)); }
Value secure(Call& c) { return gs(c).secure(); }
Value setAdvertiseServerActive(Call& c) {
  gs(c).setAdvertiseServerActive(c.boolean(0));
  return nullptr;
}
Value setBotPlayerCount(Call& c) {
  gs(c).setBotPlayerCount(c.i32(0));
  return nullptr;
}
Value setDedicatedServer(Call& c) {
  (void)gs(c).setDedicatedServer(c.boolean(0));
  return nullptr;
}
Value setGameData(Call& c) {
  (void)gs(c).setGameData(c.str(0));
  return nullptr;
}
Value setGameDescription(Call& c) {
  (void)gs(c).setGameDescription(c.str(0));
  return nullptr;
}
Value setGameTags(Call& c) {
  (void)gs(c).setGameTags(c.str(0));
  return nullptr;
}
Value setKeyValue(Call& c) {
  (void)gs(c).setKeyValue(c.str(0), c.str(1));
  return nullptr;
}
Value setMapName(Call& c) {
  (void)gs(c).setMapName(c.str(0));
  return nullptr;
}
Value setMaxPlayerCount(Call& c) {
  gs(c).setMaxPlayerCount(c.i32(0));
  return nullptr;
}
Value setModDir(Call& c) {
  (void)gs(c).setModDir(c.str(0));
  return nullptr;
}
Value setPasswordProtected(Call& c) {
  gs(c).setPasswordProtected(c.boolean(0));
  return nullptr;
}
Value setProduct(Call& c) {
  (void)gs(c).setProduct(c.str(0));
  return nullptr;
}
Value setRegion(Call& c) {
  (void)gs(c).setRegion(c.str(0));
  return nullptr;
}
Value setServerName(Call& c) {
  (void)gs(c).setServerName(c.str(0));
  return nullptr;
}
Value setSpectatorPort(Call& c) {
  gs(c).setSpectatorPort(static_cast<uint16_t>(c.u64(0)));
  return nullptr;
}
Value setSpectatorServerName(Call& c) {
  gs(c).setSpectatorServerName(c.str(0));
  return nullptr;
}
Value userHasLicenseForApp(Call& c) { return gs(c).userHasLicenseForApp(c.u64(0), c.u32(1)); }
Value wasRestartRequested(Call& c) { return gs(c).wasRestartRequested(); }

// ---- Outpost extensions ---------------------------------------------------------------------------
Value setHub(Call& c) {
  if (c.client_side) c.host.user().setHub(c.str(0), c.str(1));
  else gs(c).setHub(c.str(0), c.str(1));
  return nullptr;
}
Value updateUserData(Call& c) { return gs(c).updateUserData(c.u64(0), c.str(1), c.u32(2)); }
Value createUnauthenticatedUserConnection(Call& c) { return gs(c).createUnauthenticatedUserConnection(); }
Value sendUserConnectAndAuthenticate(Call& c) {
  uint64_t steam_id = 0;
  bool ok = gs(c).sendUserConnectAndAuthenticate(c.u32(0), c.bytes(1), &steam_id);
  return {{"result", ok}, {"steam_id", steam_id}};
}
Value sendUserDisconnect(Call& c) {
  gs(c).sendUserDisconnect(c.u64(0));
  return nullptr;
}

}  // namespace outpost::agent::handlers
