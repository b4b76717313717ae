// The handlers behind the API table's rows (api_table.cpp): each takes a checked Call, invokes
// the SDK through the Host, and returns the reference's value (dictionary shapes of the Godot 3
// pages, godotsteam-api.md). Grouped by SDK object: handlers_game_server.cpp (SteamServer's game
// server and main-server functions), handlers_sockets.cpp (Networking Sockets and Utils, both
// sides), handlers_player.cpp (the Steam singleton: User and ServerBrowser). Loop thread only.
#pragma once

#include "agent/api_table.h"
#include "agent/host.h"

namespace outpost::agent::handlers {

// ---- SteamServer: main-server functions (GodotSteam Server 3.5 module) -----------------------
Value serverInit(Call&);
Value serverInitEx(Call&);
Value serverShutdown(Call&);
Value runCallbacks(Call&);
Value isServerSecure(Call&);
Value getServerSteamID(Call&);
Value getSteamID32(Call&);
Value isAnonAccount(Call&);
Value isAnonUserAccount(Call&);
Value isChatAccount(Call&);
Value isClanAccount(Call&);
Value isConsoleUserAccount(Call&);
Value isIndividualAccount(Call&);
Value isLobby(Call&);
Value serverReleaseCurrentThreadMemory(Call&);

// ---- SteamServer: the Godot 3 Game Server page -------------------------------------------------
Value associateWithClan(Call&);
Value beginAuthSession(Call&);
Value cancelAuthTicket(Call&);
Value clearAllKeyValues(Call&);
Value computeNewPlayerCompatibility(Call&);
Value endAuthSession(Call&);
Value getAuthSessionTicket(Call&);
Value getNextOutgoingPacket(Call&);
Value getPublicIP(Call&);
Value getSteamID(Call&);
Value handleIncomingPacket(Call&);
Value loggedOn(Call&);
Value logOff(Call&);
Value logOn(Call&);
Value logOnAnonymous(Call&);
Value requestUserGroupStatus(Call&);
Value secure(Call&);
Value setAdvertiseServerActive(Call&);
Value setBotPlayerCount(Call&);
Value setDedicatedServer(Call&);
Value setGameData(Call&);
Value setGameDescription(Call&);
Value setGameTags(Call&);
Value setKeyValue(Call&);
Value setMapName(Call&);
Value setMaxPlayerCount(Call&);
Value setModDir(Call&);
Value setPasswordProtected(Call&);
Value setProduct(Call&);
Value setRegion(Call&);
Value setServerName(Call&);
Value setSpectatorPort(Call&);
Value setSpectatorServerName(Call&);
Value userHasLicenseForApp(Call&);
Value wasRestartRequested(Call&);

// ---- SteamServer: Outpost extensions -------------------------------------------------------------
Value setHub(Call&);  // both objects
Value updateUserData(Call&);
Value createUnauthenticatedUserConnection(Call&);
Value sendUserConnectAndAuthenticate(Call&);
Value sendUserDisconnect(Call&);

// ---- Networking Sockets (both objects) -----------------------------------------------------------
Value acceptConnection(Call&);
Value beginAsyncRequestFakeIP(Call&);
Value closeConnection(Call&);
Value closeListenSocket(Call&);
Value configureConnectionLanes(Call&);
Value connectP2P(Call&);
Value connectByIPAddress(Call&);
Value connectToHostedDedicatedServer(Call&);
Value createFakeUDPPort(Call&);
Value createHostedDedicatedServerListenSocket(Call&);
Value createListenSocketIP(Call&);
Value createListenSocketP2P(Call&);
Value createListenSocketP2PFakeIP(Call&);
Value createPollGroup(Call&);
Value createSocketPair(Call&);
Value destroyPollGroup(Call&);
Value flushMessagesOnConnection(Call&);
Value getAuthenticationStatus(Call&);
Value getCertificateRequest(Call&);
Value getConnectionInfo(Call&);
Value getConnectionName(Call&);
Value getConnectionRealTimeStatus(Call&);
Value getConnectionUserData(Call&);
Value getDetailedConnectionStatus(Call&);
Value getFakeIP(Call&);
Value getHostedDedicatedServerPOPId(Call&);
Value getIdentity(Call&);
Value findRelayAuthTicketForServer(Call&);
Value getGameCoordinatorServerLogin(Call&);
Value getHostedDedicatedServerAddress(Call&);
Value receivedRelayAuthTicket(Call&);
Value getHostedDedicatedServerPort(Call&);
Value getListenSocketAddress(Call&);
Value getRemoteFakeIPForConnection(Call&);
Value initAuthentication(Call&);
Value receiveMessagesOnConnection(Call&);
Value receiveMessagesOnPollGroup(Call&);
Value resetIdentity(Call&);
Value runNetworkingCallbacks(Call&);
Value sendMessageToConnection(Call&);
Value sendMessages(Call&);
Value sendMessagesToConnection(Call&);
Value receiveMessagePayloadsOnConnection(Call&);
Value setCertificate(Call&);
Value setConnectionPollGroup(Call&);
Value setConnectionName(Call&);

// ---- Networking Utils configuration (both objects) -----------------------------------------------
Value setGlobalConfigValueInt32(Call&);
Value setGlobalConfigValueFloat(Call&);
Value setGlobalConfigValueString(Call&);
Value setConnectionConfigValueInt32(Call&);
Value setConnectionConfigValueFloat(Call&);
Value setConnectionConfigValueString(Call&);
Value getConfigValue(Call&);
Value getConfigValueInfo(Call&);
Value getLocalTimestamp(Call&);

// ---- Steam (player side) -------------------------------------------------------------------------
Value userLogOn(Call&);
Value userLogOff(Call&);
Value userLoggedOn(Call&);
Value userGetSteamID(Call&);
Value userGetAuthSessionTicket(Call&);
Value userCancelAuthTicket(Call&);
Value userBeginAuthSession(Call&);
Value userRunCallbacks(Call&);
Value requestServerList(Call&);
Value queryInfo(Call&);
Value queryPlayers(Call&);
Value queryRules(Call&);
Value ping(Call&);

}  // namespace outpost::agent::handlers
