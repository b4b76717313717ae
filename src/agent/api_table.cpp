// The agent's API table (see api_table.h): one row per function and signal of the two singletons,
// in the reference's spelling, argument order and argument names. Functions of the Godot 3 Game
// Server page (reference/game-server-godot3.txt) come first, in the page's order; then the
// main-server functions GodotSteam Server 3.5 binds; then Networking Sockets (generation C, both
// singletons) and Networking Utils configuration; then the player's singleton; then Outpost's
// extensions. Limits: strings and byte strings have a maximum size (ParamSpec::max or the type's
// default), integers the range of the reference's C++ type (a GDScript int outside it is an error,
// where GodotSteam would truncate it silently).
#include "agent/api_table.h"

#include <limits>
#include <map>

#include "agent/handlers.h"
#include "outpost/game_server.h"
#include "outpost/steam_id.h"
#include "outpost/types.h"

namespace outpost::agent {

int64_t Call::i64(size_t k) const {
  const Value& v = args[k];
  return v.is_number_unsigned() ? static_cast<int64_t>(v.get<uint64_t>()) : v.get<int64_t>();
}
uint64_t Call::u64(size_t k) const {
  const Value& v = args[k];
  return v.is_number_unsigned() ? v.get<uint64_t>() : static_cast<uint64_t>(v.get<int64_t>());
}

namespace {

using P = ParamType;
using R = ReturnType;
using O = Origin;
namespace h = handlers;

constexpr size_t kTicketMaxBytes = 1024;   // a session ticket (docs/spec/ticket.md)
constexpr size_t kPacketMaxBytes = 65535;  // a UDP datagram (GameSocketShare)
constexpr size_t kMessageMaxBytes = MAX_STEAM_PACKET_SIZE;
constexpr size_t kSendBatchMaxMessages = 4096;
constexpr size_t kLanesMax = NETWORKING_MAX_LANES;

FunctionSpec server(FunctionSpec f) { return f; }
FunctionSpec both(FunctionSpec f) {
  f.server = true;
  f.client = true;
  return f;
}
FunctionSpec client(FunctionSpec f) {
  f.server = false;
  f.client = true;
  return f;
}

std::vector<FunctionSpec> makeFunctions() {
  return {
      // ---- The Godot 3 Game Server page, in its order --------------------------------------------
      server({"associateWithClan", {{"clan_id", P::kSteamId}}, R::kVoid, O::kGodot3Page, h::associateWithClan}),
      // The page: (int auth_ticket, uint64_t steam_id). The ticket travels as its bytes; the 3.5
      // module's (ticket, ticket_size, steam_id) is accepted through the optional third argument.
      server({"beginAuthSession",
              {{"auth_ticket", P::kBytes, nullptr, kTicketMaxBytes},
               {"steam_id", P::kSteamId},
               {"module_steam_id", P::kSteamId, "null"}},
              R::kInt,
              O::kGodot3Page,
              h::beginAuthSession,
              true,
              false,
              "1"}),
      server({"cancelAuthTicket", {{"auth_ticket", P::kUInt32}}, R::kVoid, O::kGodot3Page, h::cancelAuthTicket}),
      server({"clearAllKeyValues", {}, R::kVoid, O::kGodot3Page, h::clearAllKeyValues}),
      server({"computeNewPlayerCompatibility",
              {{"steam_id", P::kSteamId}},
              R::kVoid,
              O::kGodot3Page,
              h::computeNewPlayerCompatibility}),
      server({"endAuthSession", {{"steam_id", P::kSteamId}}, R::kVoid, O::kGodot3Page, h::endAuthSession}),
      // The page takes no argument; the 3.3+ module's optional remote_steam_id binds the ticket.
      server({"getAuthSessionTicket",
              {{"remote_steam_id", P::kSteamId, "0"}},
              R::kDictionary,
              O::kGodot3Page,
              h::getAuthSessionTicket}),
      server({"getNextOutgoingPacket", {}, R::kDictionary, O::kGodot3Page, h::getNextOutgoingPacket}),
      server({"getPublicIP", {}, R::kDictionary, O::kGodot3Page, h::getPublicIP}),
      server({"getSteamID", {}, R::kSteamId, O::kGodot3Page, h::getSteamID}),
      // The page's `packet` is an int (GodotSteam used it as a size); here it is the packet's bytes.
      server({"handleIncomingPacket",
              {{"packet", P::kBytes, nullptr, kPacketMaxBytes}, {"ip", P::kString, nullptr, 64}, {"port", P::kUInt16}},
              R::kDictionary,
              O::kGodot3Page,
              h::handleIncomingPacket}),
      server({"loggedOn", {}, R::kBool, O::kGodot3Page, h::loggedOn}),
      server({"logOff", {}, R::kVoid, O::kGodot3Page, h::logOff}),
      server({"logOn", {{"token", P::kString, nullptr, 256}}, R::kVoid, O::kGodot3Page, h::logOn}),
      server({"logOnAnonymous", {}, R::kVoid, O::kGodot3Page, h::logOnAnonymous}),
      // group_id: the page's int; a full 64-bit clan ID is accepted as well.
      server({"requestUserGroupStatus",
              {{"steam_id", P::kSteamId}, {"group_id", P::kSteamId}},
              R::kBool,
              O::kGodot3Page,
              h::requestUserGroupStatus}),
      server({"secure", {}, R::kBool, O::kGodot3Page, h::secure}),
      server(
          {"setAdvertiseServerActive", {{"active", P::kBool}}, R::kVoid, O::kGodot3Page, h::setAdvertiseServerActive}),
      server({"setBotPlayerCount", {{"bots", P::kInt32}}, R::kVoid, O::kGodot3Page, h::setBotPlayerCount}),
      server({"setDedicatedServer", {{"dedicated", P::kBool}}, R::kVoid, O::kGodot3Page, h::setDedicatedServer}),
      server({"setGameData", {{"data", P::kString}}, R::kVoid, O::kGodot3Page, h::setGameData}),
      server({"setGameDescription", {{"description", P::kString}}, R::kVoid, O::kGodot3Page, h::setGameDescription}),
      server({"setGameTags", {{"tags", P::kString}}, R::kVoid, O::kGodot3Page, h::setGameTags}),
      server({"setKeyValue", {{"key", P::kString}, {"value", P::kString}}, R::kVoid, O::kGodot3Page, h::setKeyValue}),
      server({"setMapName", {{"map", P::kString}}, R::kVoid, O::kGodot3Page, h::setMapName}),
      server({"setMaxPlayerCount", {{"players_max", P::kInt32}}, R::kVoid, O::kGodot3Page, h::setMaxPlayerCount}),
      server({"setModDir", {{"modDir", P::kString}}, R::kVoid, O::kGodot3Page, h::setModDir}),
      server({"setPasswordProtected",
              {{"password_protected", P::kBool}},
              R::kVoid,
              O::kGodot3Page,
              h::setPasswordProtected}),
      server({"setProduct", {{"product", P::kString}}, R::kVoid, O::kGodot3Page, h::setProduct}),
      server({"setRegion", {{"region", P::kString}}, R::kVoid, O::kGodot3Page, h::setRegion}),
      server({"setServerName", {{"name", P::kString}}, R::kVoid, O::kGodot3Page, h::setServerName}),
      server({"setSpectatorPort", {{"port", P::kUInt16}}, R::kVoid, O::kGodot3Page, h::setSpectatorPort}),
      server({"setSpectatorServerName", {{"name", P::kString}}, R::kVoid, O::kGodot3Page, h::setSpectatorServerName}),
      server({"userHasLicenseForApp",
              {{"steam_id", P::kSteamId}, {"app_id", P::kUInt32}},
              R::kInt,
              O::kGodot3Page,
              h::userHasLicenseForApp,
              true,
              false,
              "2"}),
      server({"wasRestartRequested", {}, R::kBool, O::kGodot3Page, h::wasRestartRequested}),

      // ---- Main-server functions and aliases of the GodotSteam Server 3.5 module ----------------
      server({"userHasLicenceForApp",
              {{"steam_id", P::kSteamId}, {"app_id", P::kUInt32}},
              R::kInt,
              O::kGodot3Module,
              h::userHasLicenseForApp,
              true,
              false,
              "2"}),
      server({"serverInit",
              {{"ip", P::kString, nullptr, 64},
               {"game_port", P::kUInt16},
               {"query_port", P::kUInt16},
               {"server_mode", P::kInt32},
               {"version_number", P::kString, nullptr, 64}},
              R::kBool,
              O::kGodot3Module,
              h::serverInit}),
      server({"serverInitEx",
              {{"ip", P::kString, nullptr, 64},
               {"game_port", P::kUInt16},
               {"query_port", P::kUInt16},
               {"server_mode", P::kInt32},
               {"version_number", P::kString, nullptr, 64}},
              R::kDictionary,
              O::kGodot3Module,
              h::serverInitEx}),
      server({"serverShutdown", {}, R::kVoid, O::kGodot3Module, h::serverShutdown}),
      server({"serverReleaseCurrentThreadMemory", {}, R::kVoid, O::kGodot3Module, h::serverReleaseCurrentThreadMemory}),
      server({"run_callbacks", {}, R::kEvents, O::kGodot3Module, h::runCallbacks}),
      server({"isServerSecure", {}, R::kBool, O::kGodot3Module, h::isServerSecure}),
      server({"getServerSteamID", {}, R::kSteamId, O::kGodot3Module, h::getServerSteamID}),
      server({"getSteamID32", {{"steam_id", P::kSteamId}}, R::kInt, O::kGodot3Module, h::getSteamID32}),
      server({"isAnonAccount", {{"steam_id", P::kSteamId}}, R::kBool, O::kGodot3Module, h::isAnonAccount}),
      server({"isAnonUserAccount", {{"steam_id", P::kSteamId}}, R::kBool, O::kGodot3Module, h::isAnonUserAccount}),
      server({"isChatAccount", {{"steam_id", P::kSteamId}}, R::kBool, O::kGodot3Module, h::isChatAccount}),
      server({"isClanAccount", {{"steam_id", P::kSteamId}}, R::kBool, O::kGodot3Module, h::isClanAccount}),
      server(
          {"isConsoleUserAccount", {{"steam_id", P::kSteamId}}, R::kBool, O::kGodot3Module, h::isConsoleUserAccount}),
      server({"isIndividualAccount", {{"steam_id", P::kSteamId}}, R::kBool, O::kGodot3Module, h::isIndividualAccount}),
      server({"isLobby", {{"steam_id", P::kSteamId}}, R::kBool, O::kGodot3Module, h::isLobby}),

      // ---- Networking Sockets, generation C (both singletons) ---------------------------------------
      both({"acceptConnection",
            {{"connection_handle", P::kUInt32}},
            R::kInt,
            O::kSockets,
            h::acceptConnection,
            true,
            true,
            "8"}),
      both({"beginAsyncRequestFakeIP", {{"num_ports", P::kInt32}}, R::kBool, O::kSockets, h::beginAsyncRequestFakeIP}),
      both({"closeConnection",
            {{"peer", P::kUInt32},
             {"reason", P::kInt32},
             {"debug_message", P::kString, "\"\"", 1024},
             {"linger", P::kBool, "false"}},
            R::kBool,
            O::kSockets,
            h::closeConnection}),
      both({"closeListenSocket", {{"socket", P::kUInt32}}, R::kBool, O::kSockets, h::closeListenSocket}),
      both({"configureConnectionLanes",
            {{"connection", P::kUInt32},
             {"lanes", P::kInt32},
             {"priorities", P::kIntArray, nullptr, kLanesMax},
             {"weights", P::kIntArray, nullptr, kLanesMax}},
            R::kInt,
            O::kSockets,
            h::configureConnectionLanes,
            true,
            true,
            "8"}),
      both({"connectP2P",
            {{"remote_steam_id", P::kSteamId}, {"virtual_port", P::kInt32}, {"options", P::kOptions, "{}"}},
            R::kInt,
            O::kSockets,
            h::connectP2P}),
      both({"connectByIPAddress",
            {{"ip_address_with_port", P::kString, nullptr, 256}, {"options", P::kOptions, "{}"}},
            R::kInt,
            O::kSockets,
            h::connectByIPAddress}),
      both({"connectToHostedDedicatedServer",
            {{"remote_steam_id", P::kSteamId}, {"virtual_port", P::kInt32}, {"options", P::kOptions, "{}"}},
            R::kInt,
            O::kSockets,
            h::connectToHostedDedicatedServer}),
      both({"createFakeUDPPort", {{"fake_server_port", P::kInt32}}, R::kVoid, O::kSockets, h::createFakeUDPPort}),
      both({"createHostedDedicatedServerListenSocket",
            {{"virtual_port", P::kInt32}, {"options", P::kOptions, "{}"}},
            R::kInt,
            O::kSockets,
            h::createHostedDedicatedServerListenSocket}),
      both({"createListenSocketIP",
            {{"ip_reference", P::kString, nullptr, 256}, {"options", P::kOptions, "{}"}},
            R::kInt,
            O::kSockets,
            h::createListenSocketIP}),
      both({"createListenSocketP2P",
            {{"virtual_port", P::kInt32}, {"options", P::kOptions, "{}"}},
            R::kInt,
            O::kSockets,
            h::createListenSocketP2P}),
      both({"createListenSocketP2PFakeIP",
            {{"fake_port", P::kInt32}, {"options", P::kOptions, "{}"}},
            R::kInt,
            O::kSockets,
            h::createListenSocketP2PFakeIP}),
      both({"createPollGroup", {}, R::kInt, O::kSockets, h::createPollGroup}),
      both({"createSocketPair",
            {{"loopback", P::kBool}, {"remote_steam_id1", P::kSteamId, "0"}, {"remote_steam_id2", P::kSteamId, "0"}},
            R::kDictionary,
            O::kSockets,
            h::createSocketPair}),
      both({"destroyPollGroup", {{"poll_group", P::kUInt32}}, R::kBool, O::kSockets, h::destroyPollGroup}),
      both({"flushMessagesOnConnection",
            {{"connection_handle", P::kUInt32}},
            R::kInt,
            O::kSockets,
            h::flushMessagesOnConnection,
            true,
            true,
            "8"}),
      both({"getAuthenticationStatus", {}, R::kInt, O::kSockets, h::getAuthenticationStatus}),
      both({"getCertificateRequest", {}, R::kDictionary, O::kSockets, h::getCertificateRequest}),
      both({"getConnectionInfo",
            {{"connection_handle", P::kUInt32}},
            R::kDictionary,
            O::kSockets,
            h::getConnectionInfo}),
      both({"getConnectionName", {{"peer", P::kUInt32}}, R::kString, O::kSockets, h::getConnectionName}),
      both({"getConnectionRealTimeStatus",
            {{"connection_handle", P::kUInt32}, {"lanes", P::kInt32}, {"get_status", P::kBool, "true"}},
            R::kDictionary,
            O::kSockets,
            h::getConnectionRealTimeStatus}),
      both({"getConnectionUserData",
            {{"peer", P::kUInt32}},
            R::kInt,
            O::kSockets,
            h::getConnectionUserData,
            true,
            true,
            "-1"}),
      both({"getDetailedConnectionStatus",
            {{"connection_handle", P::kUInt32}},
            R::kDictionary,
            O::kSockets,
            h::getDetailedConnectionStatus}),
      both({"getFakeIP", {{"first_port", P::kInt32, "0"}}, R::kDictionary, O::kSockets, h::getFakeIP}),
      both({"getHostedDedicatedServerPOPId", {}, R::kInt, O::kSockets, h::getHostedDedicatedServerPOPId}),
      both({"getHostedDedicatedServerPort", {}, R::kInt, O::kSockets, h::getHostedDedicatedServerPort}),
      both({"getIdentity", {}, R::kString, O::kSockets, h::getIdentity}),
      both({"getListenSocketAddress",
            {{"socket", P::kUInt32}, {"with_port", P::kBool, "true"}},
            R::kString,
            O::kSockets,
            h::getListenSocketAddress}),
      both({"getRemoteFakeIPForConnection",
            {{"connection", P::kUInt32}},
            R::kDictionary,
            O::kSockets,
            h::getRemoteFakeIPForConnection}),
      both({"initAuthentication", {}, R::kInt, O::kSockets, h::initAuthentication}),
      both({"receiveMessagesOnConnection",
            {{"connection", P::kUInt32}, {"max_messages", P::kInt32}},
            R::kArray,
            O::kSockets,
            h::receiveMessagesOnConnection}),
      both({"receiveMessagesOnPollGroup",
            {{"poll_group", P::kUInt32}, {"max_messages", P::kInt32}},
            R::kArray,
            O::kSockets,
            h::receiveMessagesOnPollGroup}),
      both({"resetIdentity", {{"remote_steam_id", P::kSteamId}}, R::kVoid, O::kSockets, h::resetIdentity}),
      both({"runNetworkingCallbacks", {}, R::kEvents, O::kSockets, h::runNetworkingCallbacks}),
      both({"sendMessageToConnection",
            {{"connection_handle", P::kUInt32}, {"data", P::kBytes, nullptr, kMessageMaxBytes}, {"flags", P::kInt32}},
            R::kDictionary,
            O::kSockets,
            h::sendMessageToConnection}),
      both({"setCertificate",
            {{"certificate", P::kBytes, nullptr, 4096}},
            R::kDictionary,
            O::kSockets,
            h::setCertificate}),
      both({"setConnectionPollGroup",
            {{"connection_handle", P::kUInt32}, {"poll_group", P::kUInt32}},
            R::kBool,
            O::kSockets,
            h::setConnectionPollGroup}),
      both({"setConnectionName",
            {{"peer", P::kUInt32}, {"name", P::kString, nullptr, 1024}},
            R::kVoid,
            O::kSockets,
            h::setConnectionName}),

      // "Currently not enabled" on the reference page (relay tickets, hosted-server addresses,
      // game-coordinator logins); GodotSteam does not offer them either: their failure values.
      both({"findRelayAuthTicketForServer",
            {{"gameServer", P::kSteamId}, {"port", P::kInt32}},
            R::kInt,
            O::kSockets,
            h::findRelayAuthTicketForServer}),
      both({"getGameCoordinatorServerLogin", {}, R::kInt, O::kSockets, h::getGameCoordinatorServerLogin}),
      both({"getHostedDedicatedServerAddress", {}, R::kInt, O::kSockets, h::getHostedDedicatedServerAddress}),
      both({"receivedRelayAuthTicket", {}, R::kDictionary, O::kSockets, h::receivedRelayAuthTicket}),

      // ---- Networking Utils: configuration (both singletons) ---------------------------------------
      both({"setGlobalConfigValueInt32",
            {{"config", P::kInt32}, {"value", P::kInt32}},
            R::kBool,
            O::kUtils,
            h::setGlobalConfigValueInt32}),
      both({"setGlobalConfigValueFloat",
            {{"config", P::kInt32}, {"value", P::kFloat}},
            R::kBool,
            O::kUtils,
            h::setGlobalConfigValueFloat}),
      both({"setGlobalConfigValueString",
            {{"config", P::kInt32}, {"value", P::kString, nullptr, 1024}},
            R::kBool,
            O::kUtils,
            h::setGlobalConfigValueString}),
      both({"setConnectionConfigValueInt32",
            {{"connection", P::kUInt32}, {"config", P::kInt32}, {"value", P::kInt32}},
            R::kBool,
            O::kUtils,
            h::setConnectionConfigValueInt32}),
      both({"setConnectionConfigValueFloat",
            {{"connection", P::kUInt32}, {"config", P::kInt32}, {"value", P::kFloat}},
            R::kBool,
            O::kUtils,
            h::setConnectionConfigValueFloat}),
      both({"setConnectionConfigValueString",
            {{"connection", P::kUInt32}, {"config", P::kInt32}, {"value", P::kString, nullptr, 1024}},
            R::kBool,
            O::kUtils,
            h::setConnectionConfigValueString}),
      both({"getConfigValue",
            {{"config_value", P::kInt32}, {"scope_type", P::kInt32}, {"connection_handle", P::kUInt32, "0"}},
            R::kDictionary,
            O::kUtils,
            h::getConfigValue}),
      both({"getConfigValueInfo", {{"config_value", P::kInt32}}, R::kDictionary, O::kUtils, h::getConfigValueInfo}),
      both({"getLocalTimestamp", {}, R::kInt, O::kUtils, h::getLocalTimestamp}),

      // ---- Steam: the player's side ----------------------------------------------------------------
      client({"run_callbacks", {}, R::kEvents, O::kClient, h::userRunCallbacks}),
      client({"getSteamID", {}, R::kSteamId, O::kClient, h::userGetSteamID}),
      client({"loggedOn", {}, R::kBool, O::kClient, h::userLoggedOn}),
      client({"getAuthSessionTicket",
              {{"remote_steam_id", P::kSteamId, "0"}},
              R::kDictionary,
              O::kClient,
              h::userGetAuthSessionTicket}),
      client({"cancelAuthTicket", {{"auth_ticket", P::kUInt32}}, R::kVoid, O::kClient, h::userCancelAuthTicket}),
      // A game server's own ticket, checked by the player; the verdict follows as
      // validate_auth_ticket_response on the next run_callbacks, as in GodotSteam's client.
      client({"beginAuthSession",
              {{"auth_ticket", P::kBytes, nullptr, kTicketMaxBytes}, {"steam_id", P::kSteamId}},
              R::kInt,
              O::kClient,
              h::userBeginAuthSession,
              false,
              true,
              "1"}),
      client({"logOn",
              {{"name", P::kString, nullptr, 256}, {"password", P::kString, nullptr, 1024}, {"app_id", P::kUInt32}},
              R::kInt,
              O::kOutpost,
              h::userLogOn,
              false,
              true,
              "3"}),
      client({"logOff", {}, R::kVoid, O::kOutpost, h::userLogOff}),
      client({"requestServerList",
              {{"master_address", P::kString, nullptr, 256},
               {"filter", P::kString, "\"\"", 2048},
               {"region", P::kUInt16, "255"},
               {"timeout_ms", P::kInt32, "5000"}},
              R::kArray,
              O::kOutpost,
              h::requestServerList}),
      client({"queryInfo",
              {{"server", P::kString, nullptr, 256}, {"timeout_ms", P::kInt32, "2000"}},
              R::kDictionary,
              O::kOutpost,
              h::queryInfo}),
      client({"queryPlayers",
              {{"server", P::kString, nullptr, 256}, {"timeout_ms", P::kInt32, "2000"}},
              R::kArray,
              O::kOutpost,
              h::queryPlayers}),
      client({"queryRules",
              {{"server", P::kString, nullptr, 256}, {"timeout_ms", P::kInt32, "2000"}},
              R::kDictionary,
              O::kOutpost,
              h::queryRules}),
      client({"ping",
              {{"server", P::kString, nullptr, 256}, {"timeout_ms", P::kInt32, "2000"}},
              R::kInt,
              O::kOutpost,
              h::ping,
              false,
              true,
              "-1"}),

      // ---- Outpost extensions ------------------------------------------------------------------------
      both({"setHub",
            {{"address", P::kString, nullptr, 256}, {"public_key", P::kString, nullptr, 256}},
            R::kVoid,
            O::kOutpost,
            h::setHub}),
      both({"sendMessages",
            {{"messages", P::kArray, nullptr, kSendBatchMaxMessages}},
            R::kArray,
            O::kOutpost,
            h::sendMessages}),
      both({"sendMessagesToConnection",
            {{"connection_handle", P::kUInt32},
             {"messages", P::kBytesArray, nullptr, kSendBatchMaxMessages},
             {"flags", P::kInt32}},
            R::kDictionary,
            O::kOutpost,
            h::sendMessagesToConnection}),
      both({"receiveMessagePayloadsOnConnection",
            {{"connection", P::kUInt32}, {"max_messages", P::kInt32}},
            R::kArray,
            O::kOutpost,
            h::receiveMessagePayloadsOnConnection}),
      server({"updateUserData",
              {{"steam_id", P::kSteamId}, {"player_name", P::kString, nullptr, 256}, {"score", P::kUInt32}},
              R::kBool,
              O::kOutpost,
              h::updateUserData}),
      server({"createUnauthenticatedUserConnection",
              {},
              R::kSteamId,
              O::kOutpost,
              h::createUnauthenticatedUserConnection}),
      server({"sendUserConnectAndAuthenticate",
              {{"ip_client", P::kUInt32}, {"auth_blob", P::kBytes, nullptr, kTicketMaxBytes}},
              R::kDictionary,
              O::kOutpost,
              h::sendUserConnectAndAuthenticate}),
      server({"sendUserDisconnect", {{"steam_id", P::kSteamId}}, R::kVoid, O::kOutpost, h::sendUserDisconnect}),
  };
}

std::vector<SignalSpec> makeSignals() {
  auto server = [](SignalSpec s) { return s; };
  auto both = [](SignalSpec s) {
    s.client = true;
    return s;
  };
  auto client = [](SignalSpec s) {
    s.server = false;
    s.client = true;
    return s;
  };
  return {
      // The Godot 3 page's signals, in its order.
      server({"associate_clan", {"result"}, O::kGodot3Page}),
      server({"client_approved", {"steam_id", "owner_id"}, O::kGodot3Page}),
      server({"client_denied", {"steam_id", "reason"}, O::kGodot3Page}),
      server({"client_group_status", {"steam_id", "group_id", "member", "officer"}, O::kGodot3Page}),
      server({"client_kick", {"steam_id", "reason"}, O::kGodot3Page}),
      server({"player_compat",
              {"result", "players_dont_like_candidate", "players_candidate_doesnt_like",
               "clan_players_dont_like_candidate", "steam_id"},
              O::kGodot3Page}),
      server({"policy_response", {"secure"}, O::kGodot3Page}),
      server({"server_connect_failure", {"result", "retrying"}, O::kGodot3Page}),
      server({"server_connected", {}, O::kGodot3Page}),
      server({"server_disconnected", {"result"}, O::kGodot3Page}),
      // GodotSteam Server 3.5 (PR #16): the verdict of beginAuthSession.
      both({"validate_auth_ticket_response", {"steam_id", "response", "owner_id"}, O::kGodot3Module}),
      // Networking Sockets (both singletons).
      both({"network_connection_status_changed", {"connect_handle", "connection", "old_state"}, O::kSockets}),
      both({"network_authentication_status", {"available", "debug_message"}, O::kSockets}),
      both({"fake_ip_result", {"result", "remote_fake_steam_id", "fake_ip", "port_list"}, O::kSockets}),
      // GodotSteam client.
      client({"get_auth_session_ticket_response", {"auth_ticket", "result"}, O::kClient}),
  };
}

#define K(name) \
  ConstantSpec { #name, static_cast < int64_t>(name) }

std::vector<ConstantSpec> makeConstants() {
  return {
      // ServerMode
      K(SERVER_MODE_INVALID),
      K(SERVER_MODE_NO_AUTHENTICATION),
      K(SERVER_MODE_AUTHENTICATION),
      K(SERVER_MODE_AUTHENTICATION_AND_SECURE),
      // SteamAPIInitResult
      K(STEAM_API_INIT_RESULT_OK),
      K(STEAM_API_INIT_RESULT_FAILED_GENERIC),
      K(STEAM_API_INIT_RESULT_NO_STEAM_CLIENT),
      K(STEAM_API_INIT_RESULT_VERSION_MISMATCH),
      // UserHasLicenseForAppResult
      K(USER_HAS_LICENSE_RESULT_HAS_LICENSE),
      K(USER_HAS_LICENSE_RESULT_DOES_NOT_HAVE_LICENSE),
      K(USER_HAS_LICENSE_RESULT_NO_AUTH),
      // AccountType
      K(ACCOUNT_TYPE_INVALID),
      K(ACCOUNT_TYPE_INDIVIDUAL),
      K(ACCOUNT_TYPE_MULTISEAT),
      K(ACCOUNT_TYPE_GAME_SERVER),
      K(ACCOUNT_TYPE_ANON_GAME_SERVER),
      K(ACCOUNT_TYPE_PENDING),
      K(ACCOUNT_TYPE_CONTENT_SERVER),
      K(ACCOUNT_TYPE_CLAN),
      K(ACCOUNT_TYPE_CHAT),
      K(ACCOUNT_TYPE_CONSOLE_USER),
      K(ACCOUNT_TYPE_ANON_USER),
      K(ACCOUNT_TYPE_MAX),
      // Universe
      K(UNIVERSE_INVALID),
      K(UNIVERSE_PUBLIC),
      K(UNIVERSE_BETA),
      K(UNIVERSE_INTERNAL),
      K(UNIVERSE_DEV),
      K(UNIVERSE_MAX),
      // Result
      K(RESULT_NONE),
      K(RESULT_OK),
      K(RESULT_FAIL),
      K(RESULT_NO_CONNECTION),
      K(RESULT_INVALID_PASSWORD),
      K(RESULT_LOGGED_IN_ELSEWHERE),
      K(RESULT_INVALID_PROTOCOL_VER),
      K(RESULT_INVALID_PARAM),
      K(RESULT_FILE_NOT_FOUND),
      K(RESULT_BUSY),
      K(RESULT_INVALID_STATE),
      K(RESULT_INVALID_NAME),
      K(RESULT_INVALID_EMAIL),
      K(RESULT_DUPLICATE_NAME),
      K(RESULT_ACCESS_DENIED),
      K(RESULT_TIMEOUT),
      K(RESULT_BANNED),
      K(RESULT_ACCOUNT_NOT_FOUND),
      K(RESULT_INVALID_STEAMID),
      K(RESULT_SERVICE_UNAVAILABLE),
      K(RESULT_NOT_LOGGED_ON),
      K(RESULT_PENDING),
      K(RESULT_ENCRYPTION_FAILURE),
      K(RESULT_INSUFFICIENT_PRIVILEGE),
      K(RESULT_LIMIT_EXCEEDED),
      K(RESULT_REVOKED),
      K(RESULT_EXPIRED),
      K(RESULT_ALREADY_REDEEMED),
      K(RESULT_DUPLICATE_REQUEST),
      K(RESULT_ALREADY_OWNED),
      K(RESULT_IP_NOT_FOUND),
      K(RESULT_PERSIST_FAILED),
      K(RESULT_LOCKING_FAILED),
      K(RESULT_LOG_ON_SESSION_REPLACED),
      K(RESULT_CONNECT_FAILED),
      K(RESULT_HANDSHAKE_FAILED),
      K(RESULT_IO_FAILURE),
      K(RESULT_REMOTE_DISCONNECT),
      K(RESULT_SHOPPING_CART_NOT_FOUND),
      K(RESULT_BLOCKED),
      K(RESULT_IGNORED),
      K(RESULT_NO_MATCH),
      K(RESULT_ACCOUNT_DISABLED),
      K(RESULT_SERVICE_READ_ONLY),
      K(RESULT_ACCOUNT_NOT_FEATURED),
      K(RESULT_ADMINISTRATOR_OK),
      K(RESULT_CONTENT_VERSION),
      K(RESULT_TRY_ANOTHER_CM),
      K(RESULT_PASSWORD_REQUIRED_TO_KICK_SESSION),
      K(RESULT_ALREADY_LOGGED_IN_ELSEWHERE),
      K(RESULT_SUSPENDED),
      K(RESULT_CANCELLED),
      K(RESULT_DATA_CORRUPTION),
      K(RESULT_DISK_FULL),
      K(RESULT_REMOTE_CALL_FAILED),
      K(RESULT_PASSWORD_UNSET),
      K(RESULT_EXTERNAL_ACCOUNT_UNLINKED),
      K(RESULT_PSN_TICKET_INVALID),
      K(RESULT_EXTERNAL_ACCOUNT_ALREADY_LINKED),
      K(RESULT_REMOTE_FILE_CONFLICT),
      K(RESULT_ILLEGAL_PASSWORD),
      K(RESULT_SAME_AS_PREVIOUS_VALUE),
      K(RESULT_ACCOUNT_LOG_ON_DENIED),
      K(RESULT_CANNOT_USE_OLD_PASSWORD),
      K(RESULT_INVALID_LOG_IN_AUTH_CODE),
      K(RESULT_ACCOUNT_LOG_ON_DENIED_NO_MAIL),
      K(RESULT_HARDWARE_NOT_CAPABLE_OF_IPT),
      K(RESULT_IPT_INIT_ERROR),
      K(RESULT_PARENTAL_CONTROL_RESTRICTED),
      K(RESULT_FACEBOOK_QUERY_ERROR),
      K(RESULT_EXPIRED_LOGIN_AUTH_CODE),
      K(RESULT_IP_LOGIN_RESTRICTION_FAILED),
      K(RESULT_ACCOUNT_LOCKED_DOWN),
      K(RESULT_ACCOUNT_LOG_ON_DENIED_VERIFIED_EMAIL_REQUIRED),
      K(RESULT_NO_MATCHING_URL),
      K(RESULT_BAD_RESPONSE),
      K(RESULT_REQUIRE_PASSWORD_REENTRY),
      K(RESULT_VALUE_OUT_OF_RANGE),
      K(RESULT_UNEXPECTED_ERROR),
      K(RESULT_DISABLED),
      K(RESULT_INVALID_CEG_SUBMISSION),
      K(RESULT_RESTRICTED_DEVICE),
      K(RESULT_REGION_LOCKED),
      K(RESULT_RATE_LIMIT_EXCEEDED),
      K(RESULT_ACCOUNT_LOGIN_DENIED_NEED_TWO_FACTOR),
      K(RESULT_ITEM_DELETED),
      K(RESULT_ACCOUNT_LOGIN_DENIED_THROTTLE),
      K(RESULT_TWO_FACTOR_CODE_MISMATCH),
      K(RESULT_TWO_FACTOR_ACTIVATION_CODE_MISMATCH),
      K(RESULT_ACCOUNT_ASSOCIATED_TO_MULTIPLE_PARTNERS),
      K(RESULT_NOT_MODIFIED),
      K(RESULT_NO_MOBILE_DEVICE),
      K(RESULT_TIME_NOT_SYNCED),
      K(RESULT_SMS_CODE_FAILED),
      K(RESULT_ACCOUNT_LIMIT_EXCEEDED),
      K(RESULT_ACCOUNT_ACTIVITY_LIMIT_EXCEEDED),
      K(RESULT_PHONE_ACTIVITY_LIMIT_EXCEEDED),
      K(RESULT_REFUND_TO_WALLET),
      K(RESULT_EMAIL_SEND_FAILURE),
      K(RESULT_NOT_SETTLED),
      K(RESULT_NEED_CAPTCHA),
      K(RESULT_GSLT_DENIED),
      K(RESULT_GS_OWNER_DENIED),
      K(RESULT_INVALID_ITEM_TYPE),
      K(RESULT_IP_BANNED),
      K(RESULT_GSLT_EXPIRED),
      K(RESULT_INSUFFICIENT_FUNDS),
      K(RESULT_TOO_MANY_PENDING),
      K(RESULT_NO_SITE_LICENSES_FOUND),
      K(RESULT_WG_NETWORK_SEND_EXCEEDED),
      K(RESULT_ACCOUNT_NOT_FRIENDS),
      K(RESULT_LIMITED_USER_ACCOUNT),
      K(RESULT_CANT_REMOVE_ITEM),
      K(RESULT_ACCOUNT_DELETED),
      K(RESULT_EXISTING_USER_CANCELLED_LICENSE),
      K(RESULT_COMMUNITY_COOLDOWN),
      K(RESULT_NO_LAUNCHER_SPECIFIED),
      K(RESULT_MUST_AGREE_TO_SSA),
      K(RESULT_LAUNCHER_MIGRATED),
      K(RESULT_STEAM_REALM_MISMATCH),
      K(RESULT_INVALID_SIGNATURE),
      K(RESULT_PARSE_FAILURE),
      K(RESULT_NO_VERIFIED_PHONE),
      K(RESULT_INSUFFICIENT_BATTERY),
      K(RESULT_CHARGER_REQUIRED),
      K(RESULT_CACHED_CREDENTIAL_INVALID),
      K(RESULT_PHONE_NUMBER_IS_VOIP),
      K(RESULT_NOT_SUPPORTED),
      K(RESULT_FAMILY_SIZE_LIMIT_EXCEEDED),
      K(RESULT_OFFLINE_APP_CACHE_INVALID),
      // NetworkingConnectionState
      K(CONNECTION_STATE_NONE),
      K(CONNECTION_STATE_CONNECTING),
      K(CONNECTION_STATE_FINDING_ROUTE),
      K(CONNECTION_STATE_CONNECTED),
      K(CONNECTION_STATE_CLOSED_BY_PEER),
      K(CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY),
      K(CONNECTION_STATE_FIN_WAIT),
      K(CONNECTION_STATE_LINGER),
      K(CONNECTION_STATE_DEAD),
      K(CONNECTION_STATE_FORCE_32BIT),
      // NetworkingConnectionEnd
      K(CONNECTION_END_INVALID),
      K(CONNECTION_END_APP_MIN),
      K(CONNECTION_END_APP_GENERIC),
      K(CONNECTION_END_APP_MAX),
      K(CONNECTION_END_APP_EXCEPTION_MIN),
      K(CONNECTION_END_APP_EXCEPTION_GENERIC),
      K(CONNECTION_END_APP_EXCEPTION_MAX),
      K(CONNECTION_END_LOCAL_MIN),
      K(CONNECTION_END_LOCAL_OFFLINE_MODE),
      K(CONNECTION_END_LOCAL_MANY_RELAY_CONNECTIVITY),
      K(CONNECTION_END_LOCAL_HOSTED_SERVER_PRIMARY_RELAY),
      K(CONNECTION_END_LOCAL_NETWORK_CONFIG),
      K(CONNECTION_END_LOCAL_RIGHTS),
      K(CONNECTION_END_NO_PUBLIC_ADDRESS),
      K(CONNECTION_END_LOCAL_MAX),
      K(CONNECTION_END_REMOVE_MIN),
      K(CONNECTION_END_REMOTE_TIMEOUT),
      K(CONNECTION_END_REMOTE_BAD_CRYPT),
      K(CONNECTION_END_REMOTE_BAD_CERT),
      K(CONNECTION_END_BAD_PROTOCOL_VERSION),
      K(CONNECTION_END_REMOTE_P2P_ICE_NO_PUBLIC_ADDRESSES),
      K(CONNECTION_END_REMOTE_MAX),
      K(CONNECTION_END_MISC_MIN),
      K(CONNECTION_END_MISC_GENERIC),
      K(CONNECTION_END_MISC_INTERNAL_ERROR),
      K(CONNECTION_END_MISC_TIMEOUT),
      K(CONNECTION_END_MISC_STEAM_CONNECTIVITY),
      K(CONNECTION_END_MISC_NO_RELAY_SESSIONS_TO_CLIENT),
      K(CONNECTION_END_MISC_P2P_RENDEZVOUS),
      K(CONNECTION_END_MISC_P2P_NAT_FIREWALL),
      K(CONNECTION_END_MISC_PEER_SENT_NO_CONNECTION),
      K(CONNECTION_END_MISC_MAX),
      K(CONNECTION_END_FORCE32BIT),
      // NetworkingAvailability
      K(NETWORKING_AVAILABILITY_CANNOT_TRY),
      K(NETWORKING_AVAILABILITY_FAILED),
      K(NETWORKING_AVAILABILITY_PREVIOUSLY),
      K(NETWORKING_AVAILABILITY_RETRYING),
      K(NETWORKING_AVAILABILITY_UNKNOWN),
      K(NETWORKING_AVAILABILITY_NEVER_TRIED),
      K(NETWORKING_AVAILABILITY_WAITING),
      K(NETWORKING_AVAILABILITY_ATTEMPTING),
      K(NETWORKING_AVAILABILITY_CURRENT),
      K(NETWORKING_AVAILABILITY_FORCE_32BIT),
      // NetworkingFakeIPType
      K(FAKE_IP_TYPE_INVALID),
      K(FAKE_IP_TYPE_NOT_FAKE),
      K(FAKE_IP_TYPE_GLOBAL_IPV4),
      K(FAKE_IP_TYPE_LOCAL_IPV4),
      K(FAKE_IP_TYPE_FORCE32BIT),
      // NetworkingIdentityType
      K(IDENTITY_TYPE_INVALID),
      K(IDENTITY_TYPE_IP_ADDRESS),
      K(IDENTITY_TYPE_GENERIC_STRING),
      K(IDENTITY_TYPE_GENERIC_BYTES),
      K(IDENTITY_TYPE_UNKNOWN_TYPE),
      K(IDENTITY_TYPE_STEAMID),
      K(IDENTITY_TYPE_XBOX_PAIRWISE),
      K(IDENTITY_TYPE_SONY_PSN),
      K(IDENTITY_TYPE_FORCE_32BIT),
      // NetworkingSend
      K(NETWORKING_SEND_UNRELIABLE),
      K(NETWORKING_SEND_NO_NAGLE),
      K(NETWORKING_SEND_URELIABLE_NO_NAGLE),
      K(NETWORKING_SEND_UNRELIABLE_NO_NAGLE),
      K(NETWORKING_SEND_NO_DELAY),
      K(NETWORKING_SEND_UNRELIABLE_NO_DELAY),
      K(NETWORKING_SEND_RELIABLE),
      K(NETWORKING_SEND_RELIABLE_NO_NAGLE),
      K(NETWORKING_SEND_USE_CURRENT_THREAD),
      K(NETWORKING_SEND_AUTORESTART_BROKEN_SESSION),
      // NetworkingConnectionInfoFlags
      K(NETWORKING_CONNECTION_INFO_FLAG_UNAUTHENTICATED),
      K(NETWORKING_CONNECTION_INFO_FLAG_UNENCRYPTED),
      K(NETWORKING_CONNECTION_INFO_FLAG_LOOPBACK_BUFFERS),
      K(NETWORKING_CONNECTION_INFO_FLAG_FAST),
      K(NETWORKING_CONNECTION_INFO_FLAG_RELAYED),
      K(NETWORKING_CONNECTION_INFO_FLAG_DUALWIFI),
      // NetworkingConfigScope
      K(NETWORKING_CONFIG_SCOPE_GLOBAL),
      K(NETWORKING_CONFIG_SCOPE_SOCKETS_INTERFACE),
      K(NETWORKING_CONFIG_SCOPE_LISTEN_SOCKET),
      K(NETWORKING_CONFIG_SCOPE_CONNECTION),
      // NetworkingConfigDataType
      K(NETWORKING_CONFIG_TYPE_INT32),
      K(NETWORKING_CONFIG_TYPE_INT64),
      K(NETWORKING_CONFIG_TYPE_FLOAT),
      K(NETWORKING_CONFIG_TYPE_STRING),
      K(NETWORKING_CONFIG_TYPE_FUNCTION_PTR),
      // NetworkingGetConfigValueResult
      K(NETWORKING_GET_CONFIG_VALUE_BAD_VALUE),
      K(NETWORKING_GET_CONFIG_VALUE_BAD_SCOPE_OBJ),
      K(NETWORKING_GET_CONFIG_VALUE_BUFFER_TOO_SMALL),
      K(NETWORKING_GET_CONFIG_VALUE_OK),
      K(NETWORKING_GET_CONFIG_VALUE_OK_INHERITED),
      // NetworkingConfigValue
      K(NETWORKING_CONFIG_INVALID),
      K(NETWORKING_CONFIG_FAKE_PACKET_LOSS_SEND),
      K(NETWORKING_CONFIG_FAKE_PACKET_LOSS_RECV),
      K(NETWORKING_CONFIG_FAKE_PACKET_LAG_SEND),
      K(NETWORKING_CONFIG_FAKE_PACKET_LAG_RECV),
      K(NETWORKING_CONFIG_FAKE_PACKET_REORDER_SEND),
      K(NETWORKING_CONFIG_FAKE_PACKET_REORDER_RECV),
      K(NETWORKING_CONFIG_FAKE_PACKET_REORDER_TIME),
      K(NETWORKING_CONFIG_SEND_BUFFER_SIZE),
      K(NETWORKING_CONFIG_SEND_RATE_MIN),
      K(NETWORKING_CONFIG_SEND_RATE_MAX),
      K(NETWORKING_CONFIG_NAGLE_TIME),
      K(NETWORKING_CONFIG_IP_ALLOW_WITHOUT_AUTH),
      K(NETWORKING_CONFIG_TIMEOUT_INITIAL),
      K(NETWORKING_CONFIG_TIMEOUT_CONNECTED),
      K(NETWORKING_CONFIG_FAKE_PACKET_DUP_SEND),
      K(NETWORKING_CONFIG_FAKE_PACKET_DUP_REVC),
      K(NETWORKING_CONFIG_FAKE_PACKET_DUP_RECV),
      K(NETWORKING_CONFIG_FAKE_PACKET_DUP_TIME_MAX),
      K(NETWORKING_CONFIG_MTU_PACKET_SIZE),
      K(NETWORKING_CONFIG_MTU_DATA_SIZE),
      K(NETWORKING_CONFIG_UNENCRYPTED),
      K(NETWORKING_CONFIG_CONNECTION_USER_DATA),
      K(NETWORKING_CONFIG_RECV_BUFFER_SIZE),
      K(NETWORKING_CONFIG_RECV_MAX_MESSAGE_SIZE),
      K(NETWORKING_CONFIG_IP_LOCAL_HOST_ALLOW_WITHOUT_AUTH),
      K(NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY),
      K(NETWORKING_CONFIG_VALUE_FORCE32BIT),
      // BeginAuthSessionResult
      K(BEGIN_AUTH_SESSION_RESULT_OK),
      K(BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET),
      K(BEGIN_AUTH_SESSION_RESULT_DUPLICATE_REQUEST),
      K(BEGIN_AUTH_SESSION_RESULT_INVALID_VERSION),
      K(BEGIN_AUTH_SESSION_RESULT_GAME_MISMATCH),
      K(BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET),
      // AuthSessionResponse
      K(AUTH_SESSION_RESPONSE_OK),
      K(AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM),
      K(AUTH_SESSION_RESPONSE_NO_LICENSE_OR_EXPIRED),
      K(AUTH_SESSION_RESPONSE_VAC_BANNED),
      K(AUTH_SESSION_RESPONSE_LOGGED_IN_ELSEWHERE),
      K(AUTH_SESSION_RESPONSE_VAC_CHECK_TIMED_OUT),
      K(AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED),
      K(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED),
      K(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID),
      K(AUTH_SESSION_RESPONSE_PUBLISHER_ISSUED_BAN),
      K(AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE),
      // DenyReason
      K(DENY_INVALID),
      K(DENY_INVALID_VERSION),
      K(DENY_GENERIC),
      K(DENY_NOT_LOGGED_ON),
      K(DENY_NO_LICENSE),
      K(DENY_CHEATER),
      K(DENY_LOGGED_IN_ELSEWHERE),
      K(DENY_UNKNOWN_TEXT),
      K(DENY_INCOMPATIBLE_ANTI_CHEAT),
      K(DENY_MEMORY_CORRUPTION),
      K(DENY_INCOMPATIBLE_SOFTWARE),
      K(DENY_STEAM_CONNECTION_LOST),
      K(DENY_STEAM_CONNECTION_ERROR),
      K(DENY_STEAM_RESPONSE_TIMED_OUT),
      K(DENY_STEAM_VALIDATION_STALLED),
      K(DENY_STEAM_OWNER_LEFT_GUEST_USER),
      // IPType, GameIDType (godotsteam-api.md §2.2; not in the SDK headers)
      {"IP_TYPE_IPV4", 0},
      {"IP_TYPE_IPV6", 1},
      {"GAME_TYPE_APP", 0},
      {"GAME_TYPE_GAME_MOD", 1},
      {"GAME_TYPE_SHORTCUT", 2},
      {"GAME_TYPE_P2P", 3},
      // Constants (godotsteam-api.md §2.3, §3.5)
      {"QUERY_PORT_SHARED", QUERY_PORT_SHARED},
      {"QUERY_PORT_NOT_INITIALIZED", 0xFFFF},
      {"QUERY_PORT_ERROR", 0xFFFE},
      K(ACCOUNT_ID_INVALID),
      {"API_CALL_INVALID", 0},
      {"APP_ID_INVALID", 0},
      {"AUTH_TICKET_INVALID", 0},
      {"DEPOT_ID_INVALID", 0},
      {"GAME_EXTRA_INFO_MAX", 64},
      {"INVALID_BREAKPAD_HANDLE", 0},
      {"STEAM_ACCOUNT_ID_MASK", static_cast<int64_t>(STEAM_ACCOUNT_ID_MASK)},
      K(STEAM_ACCOUNT_INSTANCE_MASK),
      K(STEAM_USER_DESKTOP_INSTANCE),
      K(STEAM_USER_CONSOLE_INSTANCE),
      K(STEAM_USER_WEB_INSTANCE),
      {"STEAM_BUFFER_SIZE", 255},
      {"STEAM_LARGE_BUFFER_SIZE", 8160},
      {"STEAM_MAX_ERROR_MESSAGE", 1024},
      {"MAX_GAME_SERVER_GAME_DIR", static_cast<int64_t>(MAX_GAME_SERVER_GAME_DIR)},
      {"MAX_GAME_SERVER_MAP_NAME", static_cast<int64_t>(MAX_GAME_SERVER_MAP_NAME)},
      {"MAX_GAME_SERVER_GAME_DESCRIPTION", static_cast<int64_t>(MAX_GAME_SERVER_GAME_DESCRIPTION)},
      {"MAX_GAME_SERVER_NAME", static_cast<int64_t>(MAX_GAME_SERVER_SERVER_NAME)},
      {"MAX_GAME_SERVER_TAGS", static_cast<int64_t>(MAX_GAME_SERVER_TAGS)},
      {"MAX_GAME_SERVER_GAME_DATA", static_cast<int64_t>(MAX_GAME_SERVER_GAME_DATA)},
      K(NETWORKING_CONNECTION_INVALID),
      K(LISTEN_SOCKET_INVALID),
      K(MAX_STEAM_PACKET_SIZE),
      K(MAX_NETWORKING_ERROR_MESSAGE),
      {"MAX_NETWORKING_PING_LOCATION_STRING", 1024},
      K(NETWORKING_MAX_CONNECTION_APP_NAME),
      K(NETWORKING_MAX_CONNECTION_CLOSE_REASON),
      K(NETWORKING_MAX_CONNECTION_DESCRIPTION),
      {"NETWORKING_PING_FAILED", -1},
      {"NETWORKING_PING_UNKNOWN", -2},
  };
}

#undef K

}  // namespace

const std::vector<FunctionSpec>& functionTable() {
  static const std::vector<FunctionSpec> table = makeFunctions();
  return table;
}

const std::vector<SignalSpec>& signalTable() {
  static const std::vector<SignalSpec> table = makeSignals();
  return table;
}

const std::vector<ConstantSpec>& constantTable() {
  static const std::vector<ConstantSpec> table = makeConstants();
  return table;
}

const FunctionSpec* findFunction(std::string_view object, std::string_view name) {
  static const auto index = [] {
    std::map<std::string, const FunctionSpec*, std::less<>> m;
    for (const auto& f : functionTable()) {
      if (f.server) m[std::string("SteamServer.") + f.name] = &f;
      if (f.client) m[std::string("Steam.") + f.name] = &f;
    }
    return m;
  }();
  std::string key;
  key.reserve(object.size() + 1 + name.size());
  key.append(object).append(".").append(name);
  auto it = index.find(key);
  return it == index.end() ? nullptr : it->second;
}

const FunctionSpec* functionByCallNumber(int64_t number, bool* client_side) {
  const auto& table = functionTable();
  if (number < 0 || static_cast<uint64_t>(number) / 2 >= table.size()) return nullptr;
  const FunctionSpec& f = table[static_cast<size_t>(number / 2)];
  *client_side = (number & 1) != 0;
  return (*client_side ? f.client : f.server) ? &f : nullptr;
}

Value callNumbers() {
  Value out = Value::object();
  const auto& table = functionTable();
  for (size_t i = 0; i < table.size(); ++i) {
    if (table[i].server) out[std::string("SteamServer.") + table[i].name] = static_cast<int64_t>(2 * i);
    if (table[i].client) out[std::string("Steam.") + table[i].name] = static_cast<int64_t>(2 * i + 1);
  }
  return out;
}

const char* originName(Origin o) {
  switch (o) {
    case Origin::kGodot3Page: return "godot3-page";
    case Origin::kGodot3Module: return "godot3-module";
    case Origin::kSockets: return "networking-sockets";
    case Origin::kUtils: return "networking-utils";
    case Origin::kClient: return "godotsteam-client";
    case Origin::kOutpost: return "outpost";
  }
  return "?";
}

const char* paramTypeName(ParamType t) {
  switch (t) {
    case ParamType::kBool: return "bool";
    case ParamType::kInt32: return "int32";
    case ParamType::kUInt32: return "uint32";
    case ParamType::kUInt16: return "uint16";
    case ParamType::kInt64: return "int64";
    case ParamType::kSteamId: return "uint64";
    case ParamType::kFloat: return "float";
    case ParamType::kString: return "String";
    case ParamType::kBytes: return "PoolByteArray";
    case ParamType::kOptions: return "Dictionary";
    case ParamType::kIntArray: return "Array[int]";
    case ParamType::kArray: return "Array";
    case ParamType::kBytesArray: return "Array[PoolByteArray]";
  }
  return "?";
}

const char* returnTypeName(ReturnType t) {
  switch (t) {
    case ReturnType::kVoid: return "void";
    case ReturnType::kBool: return "bool";
    case ReturnType::kInt: return "int";
    case ReturnType::kSteamId: return "uint64";
    case ReturnType::kFloat: return "float";
    case ReturnType::kString: return "String";
    case ReturnType::kBytes: return "PoolByteArray";
    case ReturnType::kDictionary: return "Dictionary";
    case ReturnType::kArray: return "Array";
    case ReturnType::kEvents: return "void (emits the signals)";
  }
  return "?";
}

Value failValue(const FunctionSpec& f) {
  if (f.fail_json && *f.fail_json) return Value::parse(f.fail_json);
  switch (f.returns) {
    case ReturnType::kVoid: return nullptr;
    case ReturnType::kBool: return false;
    case ReturnType::kInt:
    case ReturnType::kSteamId: return 0;
    case ReturnType::kFloat: return 0.0;
    case ReturnType::kString: return "";
    case ReturnType::kBytes: return bytesValue({});
    case ReturnType::kDictionary: return Value::object();
    case ReturnType::kArray:
    case ReturnType::kEvents: return Value::array();
  }
  return nullptr;
}

Value apiDocument() {
  Value functions = Value::array();
  for (const auto& f : functionTable()) {
    Value params = Value::array();
    for (const auto& p : f.params) {
      Value param = {{"name", p.name}, {"type", paramTypeName(p.type)}};
      if (p.default_json) param["default"] = Value::parse(p.default_json);
      if (p.max) param["max"] = p.max;
      params.push_back(std::move(param));
    }
    Value objects = Value::array();
    if (f.server) objects.push_back("SteamServer");
    if (f.client) objects.push_back("Steam");
    functions.push_back({{"name", f.name},
                         {"objects", objects},
                         {"params", params},
                         {"returns", returnTypeName(f.returns)},
                         {"fail_value", failValue(f)},
                         {"origin", originName(f.origin)}});
  }
  Value signals = Value::array();
  for (const auto& s : signalTable()) {
    Value objects = Value::array();
    if (s.server) objects.push_back("SteamServer");
    if (s.client) objects.push_back("Steam");
    signals.push_back({{"name", s.name}, {"objects", objects}, {"params", s.params}, {"origin", originName(s.origin)}});
  }
  Value constants = Value::object();
  for (const auto& c : constantTable()) constants[c.name] = c.value;
  return {{"protocol", 1}, {"functions", functions}, {"signals", signals}, {"constants", constants}};
}

}  // namespace outpost::agent
