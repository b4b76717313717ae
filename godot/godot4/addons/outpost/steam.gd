# Steam: the player's side (Godot 4), served by outpost-agent.
# GENERATED from src/agent/api_table.cpp by `outpost-agent --write-godot-addon godot4 DIR`: do not edit by hand.
# NOT RUN: Godot 4 is not available on the machines this was built on. This file is generated
# from the same table as the Godot 3 addon, which is tested; nothing here has been executed.
# Where the Godot 4 Game Server page differs from the Godot 3 one:
#   - beginAuthSession(auth_ticket: PackedByteArray, steam_id): the Godot 3 page's auth_ticket is an int
#   - getAuthSessionTicket returns {handle, buffer, size}; the Godot 3 page says {id, buffer, ticket_size} (the agent returns all five keys)
#   - handleIncomingPacket returns {incoming, data}; the Godot 3 page says {data}
#   - requestUserGroupStatus(steam_id, group_id: uint64); the Godot 3 page's group_id is an int
#   - setModDir(mod_directory); the Godot 3 page names it modDir
#   - createUnauthenticatedUserConnection() and updateUserData(steam_id, player_name, score) are on the Godot 4 page only (Outpost extensions here)
#   - client_denied has a third argument, optional_message, on the Godot 4 page only (not emitted here)
#   - gameplay_stats(result, rank, total_connects, total_minutes_played) is on the Godot 4 page only (not served here)
#   - PackedByteArray / PackedInt32Array where Godot 3 has PoolByteArray / PoolIntArray
extends Node

@onready var _agent = get_node("/root/OutpostAgent")

# ---- Signals -----------------------------------------------------------------------------------
signal validate_auth_ticket_response(steam_id, response, owner_id)  # GodotSteam Server 3.5 module (not on the Godot 3 page)
signal network_connection_status_changed(connect_handle, connection, old_state)  # Networking Sockets
signal network_authentication_status(available, debug_message)  # Networking Sockets
signal fake_ip_result(result, remote_fake_steam_id, fake_ip, port_list)  # Networking Sockets
signal get_auth_session_ticket_response(auth_ticket, result)  # GodotSteam client

# ---- Constants ---------------------------------------------------------------------------------
const SERVER_MODE_INVALID = 0
const SERVER_MODE_NO_AUTHENTICATION = 1
const SERVER_MODE_AUTHENTICATION = 2
const SERVER_MODE_AUTHENTICATION_AND_SECURE = 3
const STEAM_API_INIT_RESULT_OK = 0
const STEAM_API_INIT_RESULT_FAILED_GENERIC = 1
const STEAM_API_INIT_RESULT_NO_STEAM_CLIENT = 2
const STEAM_API_INIT_RESULT_VERSION_MISMATCH = 3
const USER_HAS_LICENSE_RESULT_HAS_LICENSE = 0
const USER_HAS_LICENSE_RESULT_DOES_NOT_HAVE_LICENSE = 1
const USER_HAS_LICENSE_RESULT_NO_AUTH = 2
const ACCOUNT_TYPE_INVALID = 0
const ACCOUNT_TYPE_INDIVIDUAL = 1
const ACCOUNT_TYPE_MULTISEAT = 2
const ACCOUNT_TYPE_GAME_SERVER = 3
const ACCOUNT_TYPE_ANON_GAME_SERVER = 4
const ACCOUNT_TYPE_PENDING = 5
const ACCOUNT_TYPE_CONTENT_SERVER = 6
const ACCOUNT_TYPE_CLAN = 7
const ACCOUNT_TYPE_CHAT = 8
const ACCOUNT_TYPE_CONSOLE_USER = 9
const ACCOUNT_TYPE_ANON_USER = 10
const ACCOUNT_TYPE_MAX = 11
const UNIVERSE_INVALID = 0
const UNIVERSE_PUBLIC = 1
const UNIVERSE_BETA = 2
const UNIVERSE_INTERNAL = 3
const UNIVERSE_DEV = 4
const UNIVERSE_MAX = 5
const RESULT_NONE = 0
const RESULT_OK = 1
const RESULT_FAIL = 2
const RESULT_NO_CONNECTION = 3
const RESULT_INVALID_PASSWORD = 5
const RESULT_LOGGED_IN_ELSEWHERE = 6
const RESULT_INVALID_PROTOCOL_VER = 7
const RESULT_INVALID_PARAM = 8
const RESULT_FILE_NOT_FOUND = 9
const RESULT_BUSY = 10
const RESULT_INVALID_STATE = 11
const RESULT_INVALID_NAME = 12
const RESULT_INVALID_EMAIL = 13
const RESULT_DUPLICATE_NAME = 14
const RESULT_ACCESS_DENIED = 15
const RESULT_TIMEOUT = 16
const RESULT_BANNED = 17
const RESULT_ACCOUNT_NOT_FOUND = 18
const RESULT_INVALID_STEAMID = 19
const RESULT_SERVICE_UNAVAILABLE = 20
const RESULT_NOT_LOGGED_ON = 21
const RESULT_PENDING = 22
const RESULT_ENCRYPTION_FAILURE = 23
const RESULT_INSUFFICIENT_PRIVILEGE = 24
const RESULT_LIMIT_EXCEEDED = 25
const RESULT_REVOKED = 26
const RESULT_EXPIRED = 27
const RESULT_ALREADY_REDEEMED = 28
const RESULT_DUPLICATE_REQUEST = 29
const RESULT_ALREADY_OWNED = 30
const RESULT_IP_NOT_FOUND = 31
const RESULT_PERSIST_FAILED = 32
const RESULT_LOCKING_FAILED = 33
const RESULT_LOG_ON_SESSION_REPLACED = 34
const RESULT_CONNECT_FAILED = 35
const RESULT_HANDSHAKE_FAILED = 36
const RESULT_IO_FAILURE = 37
const RESULT_REMOTE_DISCONNECT = 38
const RESULT_SHOPPING_CART_NOT_FOUND = 39
const RESULT_BLOCKED = 40
const RESULT_IGNORED = 41
const RESULT_NO_MATCH = 42
const RESULT_ACCOUNT_DISABLED = 43
const RESULT_SERVICE_READ_ONLY = 44
const RESULT_ACCOUNT_NOT_FEATURED = 45
const RESULT_ADMINISTRATOR_OK = 46
const RESULT_CONTENT_VERSION = 47
const RESULT_TRY_ANOTHER_CM = 48
const RESULT_PASSWORD_REQUIRED_TO_KICK_SESSION = 49
const RESULT_ALREADY_LOGGED_IN_ELSEWHERE = 50
const RESULT_SUSPENDED = 51
const RESULT_CANCELLED = 52
const RESULT_DATA_CORRUPTION = 53
const RESULT_DISK_FULL = 54
const RESULT_REMOTE_CALL_FAILED = 55
const RESULT_PASSWORD_UNSET = 56
const RESULT_EXTERNAL_ACCOUNT_UNLINKED = 57
const RESULT_PSN_TICKET_INVALID = 58
const RESULT_EXTERNAL_ACCOUNT_ALREADY_LINKED = 59
const RESULT_REMOTE_FILE_CONFLICT = 60
const RESULT_ILLEGAL_PASSWORD = 61
const RESULT_SAME_AS_PREVIOUS_VALUE = 62
const RESULT_ACCOUNT_LOG_ON_DENIED = 63
const RESULT_CANNOT_USE_OLD_PASSWORD = 64
const RESULT_INVALID_LOG_IN_AUTH_CODE = 65
const RESULT_ACCOUNT_LOG_ON_DENIED_NO_MAIL = 66
const RESULT_HARDWARE_NOT_CAPABLE_OF_IPT = 67
const RESULT_IPT_INIT_ERROR = 68
const RESULT_PARENTAL_CONTROL_RESTRICTED = 69
const RESULT_FACEBOOK_QUERY_ERROR = 70
const RESULT_EXPIRED_LOGIN_AUTH_CODE = 71
const RESULT_IP_LOGIN_RESTRICTION_FAILED = 72
const RESULT_ACCOUNT_LOCKED_DOWN = 73
const RESULT_ACCOUNT_LOG_ON_DENIED_VERIFIED_EMAIL_REQUIRED = 74
const RESULT_NO_MATCHING_URL = 75
const RESULT_BAD_RESPONSE = 76
const RESULT_REQUIRE_PASSWORD_REENTRY = 77
const RESULT_VALUE_OUT_OF_RANGE = 78
const RESULT_UNEXPECTED_ERROR = 79
const RESULT_DISABLED = 80
const RESULT_INVALID_CEG_SUBMISSION = 81
const RESULT_RESTRICTED_DEVICE = 82
const RESULT_REGION_LOCKED = 83
const RESULT_RATE_LIMIT_EXCEEDED = 84
const RESULT_ACCOUNT_LOGIN_DENIED_NEED_TWO_FACTOR = 85
const RESULT_ITEM_DELETED = 86
const RESULT_ACCOUNT_LOGIN_DENIED_THROTTLE = 87
const RESULT_TWO_FACTOR_CODE_MISMATCH = 88
const RESULT_TWO_FACTOR_ACTIVATION_CODE_MISMATCH = 89
const RESULT_ACCOUNT_ASSOCIATED_TO_MULTIPLE_PARTNERS = 90
const RESULT_NOT_MODIFIED = 91
const RESULT_NO_MOBILE_DEVICE = 92
const RESULT_TIME_NOT_SYNCED = 93
const RESULT_SMS_CODE_FAILED = 94
const RESULT_ACCOUNT_LIMIT_EXCEEDED = 95
const RESULT_ACCOUNT_ACTIVITY_LIMIT_EXCEEDED = 96
const RESULT_PHONE_ACTIVITY_LIMIT_EXCEEDED = 97
const RESULT_REFUND_TO_WALLET = 98
const RESULT_EMAIL_SEND_FAILURE = 99
const RESULT_NOT_SETTLED = 100
const RESULT_NEED_CAPTCHA = 101
const RESULT_GSLT_DENIED = 102
const RESULT_GS_OWNER_DENIED = 103
const RESULT_INVALID_ITEM_TYPE = 104
const RESULT_IP_BANNED = 105
const RESULT_GSLT_EXPIRED = 106
const RESULT_INSUFFICIENT_FUNDS = 107
const RESULT_TOO_MANY_PENDING = 108
const RESULT_NO_SITE_LICENSES_FOUND = 109
const RESULT_WG_NETWORK_SEND_EXCEEDED = 110
const RESULT_ACCOUNT_NOT_FRIENDS = 111
const RESULT_LIMITED_USER_ACCOUNT = 112
const RESULT_CANT_REMOVE_ITEM = 113
const RESULT_ACCOUNT_DELETED = 114
const RESULT_EXISTING_USER_CANCELLED_LICENSE = 115
const RESULT_COMMUNITY_COOLDOWN = 116
const RESULT_NO_LAUNCHER_SPECIFIED = 117
const RESULT_MUST_AGREE_TO_SSA = 118
const RESULT_LAUNCHER_MIGRATED = 119
const RESULT_STEAM_REALM_MISMATCH = 120
const RESULT_INVALID_SIGNATURE = 121
const RESULT_PARSE_FAILURE = 122
const RESULT_NO_VERIFIED_PHONE = 123
const RESULT_INSUFFICIENT_BATTERY = 124
const RESULT_CHARGER_REQUIRED = 125
const RESULT_CACHED_CREDENTIAL_INVALID = 126
const RESULT_PHONE_NUMBER_IS_VOIP = 127
const RESULT_NOT_SUPPORTED = 128
const RESULT_FAMILY_SIZE_LIMIT_EXCEEDED = 129
const RESULT_OFFLINE_APP_CACHE_INVALID = 130
const CONNECTION_STATE_NONE = 0
const CONNECTION_STATE_CONNECTING = 1
const CONNECTION_STATE_FINDING_ROUTE = 2
const CONNECTION_STATE_CONNECTED = 3
const CONNECTION_STATE_CLOSED_BY_PEER = 4
const CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY = 5
const CONNECTION_STATE_FIN_WAIT = -1
const CONNECTION_STATE_LINGER = -2
const CONNECTION_STATE_DEAD = -3
const CONNECTION_STATE_FORCE_32BIT = 2147483647
const CONNECTION_END_INVALID = 0
const CONNECTION_END_APP_MIN = 1000
const CONNECTION_END_APP_GENERIC = 1000
const CONNECTION_END_APP_MAX = 1999
const CONNECTION_END_APP_EXCEPTION_MIN = 2000
const CONNECTION_END_APP_EXCEPTION_GENERIC = 2000
const CONNECTION_END_APP_EXCEPTION_MAX = 2999
const CONNECTION_END_LOCAL_MIN = 3000
const CONNECTION_END_LOCAL_OFFLINE_MODE = 3001
const CONNECTION_END_LOCAL_MANY_RELAY_CONNECTIVITY = 3002
const CONNECTION_END_LOCAL_HOSTED_SERVER_PRIMARY_RELAY = 3003
const CONNECTION_END_LOCAL_NETWORK_CONFIG = 3004
const CONNECTION_END_LOCAL_RIGHTS = 3005
const CONNECTION_END_NO_PUBLIC_ADDRESS = 3006
const CONNECTION_END_LOCAL_MAX = 3999
const CONNECTION_END_REMOVE_MIN = 4000
const CONNECTION_END_REMOTE_TIMEOUT = 4001
const CONNECTION_END_REMOTE_BAD_CRYPT = 4002
const CONNECTION_END_REMOTE_BAD_CERT = 4003
const CONNECTION_END_BAD_PROTOCOL_VERSION = 4006
const CONNECTION_END_REMOTE_P2P_ICE_NO_PUBLIC_ADDRESSES = 4007
const CONNECTION_END_REMOTE_MAX = 4999
const CONNECTION_END_MISC_MIN = 5000
const CONNECTION_END_MISC_GENERIC = 5001
const CONNECTION_END_MISC_INTERNAL_ERROR = 5002
const CONNECTION_END_MISC_TIMEOUT = 5003
const CONNECTION_END_MISC_STEAM_CONNECTIVITY = 5005
const CONNECTION_END_MISC_NO_RELAY_SESSIONS_TO_CLIENT = 5006
const CONNECTION_END_MISC_P2P_RENDEZVOUS = 5008
const CONNECTION_END_MISC_P2P_NAT_FIREWALL = 5009
const CONNECTION_END_MISC_PEER_SENT_NO_CONNECTION = 5010
const CONNECTION_END_MISC_MAX = 5999
const CONNECTION_END_FORCE32BIT = 2147483647
const NETWORKING_AVAILABILITY_CANNOT_TRY = -102
const NETWORKING_AVAILABILITY_FAILED = -101
const NETWORKING_AVAILABILITY_PREVIOUSLY = -100
const NETWORKING_AVAILABILITY_RETRYING = -10
const NETWORKING_AVAILABILITY_UNKNOWN = 0
const NETWORKING_AVAILABILITY_NEVER_TRIED = 1
const NETWORKING_AVAILABILITY_WAITING = 2
const NETWORKING_AVAILABILITY_ATTEMPTING = 3
const NETWORKING_AVAILABILITY_CURRENT = 100
const NETWORKING_AVAILABILITY_FORCE_32BIT = 2147483647
const FAKE_IP_TYPE_INVALID = 0
const FAKE_IP_TYPE_NOT_FAKE = 1
const FAKE_IP_TYPE_GLOBAL_IPV4 = 2
const FAKE_IP_TYPE_LOCAL_IPV4 = 3
const FAKE_IP_TYPE_FORCE32BIT = 2147483647
const IDENTITY_TYPE_INVALID = 0
const IDENTITY_TYPE_IP_ADDRESS = 1
const IDENTITY_TYPE_GENERIC_STRING = 2
const IDENTITY_TYPE_GENERIC_BYTES = 3
const IDENTITY_TYPE_UNKNOWN_TYPE = 4
const IDENTITY_TYPE_STEAMID = 16
const IDENTITY_TYPE_XBOX_PAIRWISE = 17
const IDENTITY_TYPE_SONY_PSN = 18
const IDENTITY_TYPE_FORCE_32BIT = 2147483647
const NETWORKING_SEND_UNRELIABLE = 0
const NETWORKING_SEND_NO_NAGLE = 1
const NETWORKING_SEND_URELIABLE_NO_NAGLE = 1
const NETWORKING_SEND_UNRELIABLE_NO_NAGLE = 1
const NETWORKING_SEND_NO_DELAY = 4
const NETWORKING_SEND_UNRELIABLE_NO_DELAY = 5
const NETWORKING_SEND_RELIABLE = 8
const NETWORKING_SEND_RELIABLE_NO_NAGLE = 9
const NETWORKING_SEND_USE_CURRENT_THREAD = 16
const NETWORKING_SEND_AUTORESTART_BROKEN_SESSION = 32
const NETWORKING_CONNECTION_INFO_FLAG_UNAUTHENTICATED = 1
const NETWORKING_CONNECTION_INFO_FLAG_UNENCRYPTED = 2
const NETWORKING_CONNECTION_INFO_FLAG_LOOPBACK_BUFFERS = 4
const NETWORKING_CONNECTION_INFO_FLAG_FAST = 8
const NETWORKING_CONNECTION_INFO_FLAG_RELAYED = 16
const NETWORKING_CONNECTION_INFO_FLAG_DUALWIFI = 32
const NETWORKING_CONFIG_SCOPE_GLOBAL = 1
const NETWORKING_CONFIG_SCOPE_SOCKETS_INTERFACE = 2
const NETWORKING_CONFIG_SCOPE_LISTEN_SOCKET = 3
const NETWORKING_CONFIG_SCOPE_CONNECTION = 4
const NETWORKING_CONFIG_TYPE_INT32 = 1
const NETWORKING_CONFIG_TYPE_INT64 = 2
const NETWORKING_CONFIG_TYPE_FLOAT = 3
const NETWORKING_CONFIG_TYPE_STRING = 4
const NETWORKING_CONFIG_TYPE_FUNCTION_PTR = 5
const NETWORKING_GET_CONFIG_VALUE_BAD_VALUE = -1
const NETWORKING_GET_CONFIG_VALUE_BAD_SCOPE_OBJ = -2
const NETWORKING_GET_CONFIG_VALUE_BUFFER_TOO_SMALL = -3
const NETWORKING_GET_CONFIG_VALUE_OK = 1
const NETWORKING_GET_CONFIG_VALUE_OK_INHERITED = 2
const NETWORKING_CONFIG_INVALID = 0
const NETWORKING_CONFIG_FAKE_PACKET_LOSS_SEND = 2
const NETWORKING_CONFIG_FAKE_PACKET_LOSS_RECV = 3
const NETWORKING_CONFIG_FAKE_PACKET_LAG_SEND = 4
const NETWORKING_CONFIG_FAKE_PACKET_LAG_RECV = 5
const NETWORKING_CONFIG_FAKE_PACKET_REORDER_SEND = 6
const NETWORKING_CONFIG_FAKE_PACKET_REORDER_RECV = 7
const NETWORKING_CONFIG_FAKE_PACKET_REORDER_TIME = 8
const NETWORKING_CONFIG_SEND_BUFFER_SIZE = 9
const NETWORKING_CONFIG_SEND_RATE_MIN = 10
const NETWORKING_CONFIG_SEND_RATE_MAX = 11
const NETWORKING_CONFIG_NAGLE_TIME = 12
const NETWORKING_CONFIG_IP_ALLOW_WITHOUT_AUTH = 23
const NETWORKING_CONFIG_TIMEOUT_INITIAL = 24
const NETWORKING_CONFIG_TIMEOUT_CONNECTED = 25
const NETWORKING_CONFIG_FAKE_PACKET_DUP_SEND = 26
const NETWORKING_CONFIG_FAKE_PACKET_DUP_REVC = 27
const NETWORKING_CONFIG_FAKE_PACKET_DUP_RECV = 27
const NETWORKING_CONFIG_FAKE_PACKET_DUP_TIME_MAX = 28
const NETWORKING_CONFIG_MTU_PACKET_SIZE = 32
const NETWORKING_CONFIG_MTU_DATA_SIZE = 33
const NETWORKING_CONFIG_UNENCRYPTED = 34
const NETWORKING_CONFIG_CONNECTION_USER_DATA = 40
const NETWORKING_CONFIG_RECV_BUFFER_SIZE = 47
const NETWORKING_CONFIG_RECV_MAX_MESSAGE_SIZE = 49
const NETWORKING_CONFIG_IP_LOCAL_HOST_ALLOW_WITHOUT_AUTH = 52
const NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY = 1001
const NETWORKING_CONFIG_VALUE_FORCE32BIT = 2147483647
const BEGIN_AUTH_SESSION_RESULT_OK = 0
const BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET = 1
const BEGIN_AUTH_SESSION_RESULT_DUPLICATE_REQUEST = 2
const BEGIN_AUTH_SESSION_RESULT_INVALID_VERSION = 3
const BEGIN_AUTH_SESSION_RESULT_GAME_MISMATCH = 4
const BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET = 5
const AUTH_SESSION_RESPONSE_OK = 0
const AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM = 1
const AUTH_SESSION_RESPONSE_NO_LICENSE_OR_EXPIRED = 2
const AUTH_SESSION_RESPONSE_VAC_BANNED = 3
const AUTH_SESSION_RESPONSE_LOGGED_IN_ELSEWHERE = 4
const AUTH_SESSION_RESPONSE_VAC_CHECK_TIMED_OUT = 5
const AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED = 6
const AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED = 7
const AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID = 8
const AUTH_SESSION_RESPONSE_PUBLISHER_ISSUED_BAN = 9
const AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE = 10
const DENY_INVALID = 0
const DENY_INVALID_VERSION = 1
const DENY_GENERIC = 2
const DENY_NOT_LOGGED_ON = 3
const DENY_NO_LICENSE = 4
const DENY_CHEATER = 5
const DENY_LOGGED_IN_ELSEWHERE = 6
const DENY_UNKNOWN_TEXT = 7
const DENY_INCOMPATIBLE_ANTI_CHEAT = 8
const DENY_MEMORY_CORRUPTION = 9
const DENY_INCOMPATIBLE_SOFTWARE = 10
const DENY_STEAM_CONNECTION_LOST = 11
const DENY_STEAM_CONNECTION_ERROR = 12
const DENY_STEAM_RESPONSE_TIMED_OUT = 13
const DENY_STEAM_VALIDATION_STALLED = 14
const DENY_STEAM_OWNER_LEFT_GUEST_USER = 15
const IP_TYPE_IPV4 = 0
const IP_TYPE_IPV6 = 1
const GAME_TYPE_APP = 0
const GAME_TYPE_GAME_MOD = 1
const GAME_TYPE_SHORTCUT = 2
const GAME_TYPE_P2P = 3
const QUERY_PORT_SHARED = 65535
const QUERY_PORT_NOT_INITIALIZED = 65535
const QUERY_PORT_ERROR = 65534
const ACCOUNT_ID_INVALID = 0
const API_CALL_INVALID = 0
const APP_ID_INVALID = 0
const AUTH_TICKET_INVALID = 0
const DEPOT_ID_INVALID = 0
const GAME_EXTRA_INFO_MAX = 64
const INVALID_BREAKPAD_HANDLE = 0
const STEAM_ACCOUNT_ID_MASK = 4294967295
const STEAM_ACCOUNT_INSTANCE_MASK = 1048575
const STEAM_USER_DESKTOP_INSTANCE = 1
const STEAM_USER_CONSOLE_INSTANCE = 2
const STEAM_USER_WEB_INSTANCE = 4
const STEAM_BUFFER_SIZE = 255
const STEAM_LARGE_BUFFER_SIZE = 8160
const STEAM_MAX_ERROR_MESSAGE = 1024
const MAX_GAME_SERVER_GAME_DIR = 32
const MAX_GAME_SERVER_MAP_NAME = 32
const MAX_GAME_SERVER_GAME_DESCRIPTION = 64
const MAX_GAME_SERVER_NAME = 64
const MAX_GAME_SERVER_TAGS = 128
const MAX_GAME_SERVER_GAME_DATA = 2048
const NETWORKING_CONNECTION_INVALID = 0
const LISTEN_SOCKET_INVALID = 0
const MAX_STEAM_PACKET_SIZE = 524288
const MAX_NETWORKING_ERROR_MESSAGE = 1024
const MAX_NETWORKING_PING_LOCATION_STRING = 1024
const NETWORKING_MAX_CONNECTION_APP_NAME = 32
const NETWORKING_MAX_CONNECTION_CLOSE_REASON = 128
const NETWORKING_MAX_CONNECTION_DESCRIPTION = 128
const NETWORKING_PING_FAILED = -1
const NETWORKING_PING_UNKNOWN = -2

# ---- Functions ---------------------------------------------------------------------------------

# ---- Networking Sockets

func acceptConnection(connection_handle):
	return _agent.call_agent("Steam.acceptConnection", [connection_handle], 8)

func beginAsyncRequestFakeIP(num_ports):
	return _agent.call_agent("Steam.beginAsyncRequestFakeIP", [num_ports], false)

func closeConnection(peer, reason, debug_message = "", linger = false):
	return _agent.call_agent("Steam.closeConnection", [peer, reason, debug_message, linger], false)

func closeListenSocket(socket):
	return _agent.call_agent("Steam.closeListenSocket", [socket], false)

func configureConnectionLanes(connection, lanes, priorities, weights):
	return _agent.call_agent("Steam.configureConnectionLanes", [connection, lanes, priorities, weights], 8)

func connectP2P(remote_steam_id, virtual_port, options = {}):
	return _agent.call_agent("Steam.connectP2P", [remote_steam_id, virtual_port, options], 0)

func connectByIPAddress(ip_address_with_port, options = {}):
	return _agent.call_agent("Steam.connectByIPAddress", [ip_address_with_port, options], 0)

func connectToHostedDedicatedServer(remote_steam_id, virtual_port, options = {}):
	return _agent.call_agent("Steam.connectToHostedDedicatedServer", [remote_steam_id, virtual_port, options], 0)

func createFakeUDPPort(fake_server_port):
	_agent.call_agent("Steam.createFakeUDPPort", [fake_server_port], null)

func createHostedDedicatedServerListenSocket(virtual_port, options = {}):
	return _agent.call_agent("Steam.createHostedDedicatedServerListenSocket", [virtual_port, options], 0)

func createListenSocketIP(ip_reference, options = {}):
	return _agent.call_agent("Steam.createListenSocketIP", [ip_reference, options], 0)

func createListenSocketP2P(virtual_port, options = {}):
	return _agent.call_agent("Steam.createListenSocketP2P", [virtual_port, options], 0)

func createListenSocketP2PFakeIP(fake_port, options = {}):
	return _agent.call_agent("Steam.createListenSocketP2PFakeIP", [fake_port, options], 0)

func createPollGroup():
	return _agent.call_agent("Steam.createPollGroup", [], 0)

func createSocketPair(loopback, remote_steam_id1 = 0, remote_steam_id2 = 0):
	return _agent.call_agent("Steam.createSocketPair", [loopback, remote_steam_id1, remote_steam_id2], {})

func destroyPollGroup(poll_group):
	return _agent.call_agent("Steam.destroyPollGroup", [poll_group], false)

func flushMessagesOnConnection(connection_handle):
	return _agent.call_agent("Steam.flushMessagesOnConnection", [connection_handle], 8)

func getAuthenticationStatus():
	return _agent.call_agent("Steam.getAuthenticationStatus", [], 0)

func getCertificateRequest():
	return _agent.call_agent("Steam.getCertificateRequest", [], {})

func getConnectionInfo(connection_handle):
	return _agent.call_agent("Steam.getConnectionInfo", [connection_handle], {})

func getConnectionName(peer):
	return _agent.call_agent("Steam.getConnectionName", [peer], "")

func getConnectionRealTimeStatus(connection_handle, lanes, get_status = true):
	return _agent.call_agent("Steam.getConnectionRealTimeStatus", [connection_handle, lanes, get_status], {})

func getConnectionUserData(peer):
	return _agent.call_agent("Steam.getConnectionUserData", [peer], -1)

func getDetailedConnectionStatus(connection_handle):
	return _agent.call_agent("Steam.getDetailedConnectionStatus", [connection_handle], {})

func getFakeIP(first_port = 0):
	return _agent.call_agent("Steam.getFakeIP", [first_port], {})

func getHostedDedicatedServerPOPId():
	return _agent.call_agent("Steam.getHostedDedicatedServerPOPId", [], 0)

func getHostedDedicatedServerPort():
	return _agent.call_agent("Steam.getHostedDedicatedServerPort", [], 0)

func getIdentity():
	return _agent.call_agent("Steam.getIdentity", [], "")

func getListenSocketAddress(socket, with_port = true):
	return _agent.call_agent("Steam.getListenSocketAddress", [socket, with_port], "")

func getRemoteFakeIPForConnection(connection):
	return _agent.call_agent("Steam.getRemoteFakeIPForConnection", [connection], {})

func initAuthentication():
	return _agent.call_agent("Steam.initAuthentication", [], 0)

func receiveMessagesOnConnection(connection, max_messages):
	return _agent.call_agent("Steam.receiveMessagesOnConnection", [connection, max_messages], [])

func receiveMessagesOnPollGroup(poll_group, max_messages):
	return _agent.call_agent("Steam.receiveMessagesOnPollGroup", [poll_group, max_messages], [])

func resetIdentity(remote_steam_id):
	_agent.call_agent("Steam.resetIdentity", [remote_steam_id], null)

func runNetworkingCallbacks():
	for event in _agent.call_agent("Steam.runNetworkingCallbacks", [], []):
		callv("emit_signal", event)

func sendMessageToConnection(connection_handle, data, flags):
	return _agent.call_agent("Steam.sendMessageToConnection", [connection_handle, data, flags], {})

func setCertificate(certificate):
	return _agent.call_agent("Steam.setCertificate", [certificate], {})

func setConnectionPollGroup(connection_handle, poll_group):
	return _agent.call_agent("Steam.setConnectionPollGroup", [connection_handle, poll_group], false)

func setConnectionName(peer, name):
	_agent.call_agent("Steam.setConnectionName", [peer, name], null)

func findRelayAuthTicketForServer(gameServer, port):
	return _agent.call_agent("Steam.findRelayAuthTicketForServer", [gameServer, port], 0)

func getGameCoordinatorServerLogin():
	return _agent.call_agent("Steam.getGameCoordinatorServerLogin", [], 0)

func getHostedDedicatedServerAddress():
	return _agent.call_agent("Steam.getHostedDedicatedServerAddress", [], 0)

func receivedRelayAuthTicket():
	return _agent.call_agent("Steam.receivedRelayAuthTicket", [], {})

# ---- Networking Utils

func setGlobalConfigValueInt32(config, value):
	return _agent.call_agent("Steam.setGlobalConfigValueInt32", [config, value], false)

func setGlobalConfigValueFloat(config, value):
	return _agent.call_agent("Steam.setGlobalConfigValueFloat", [config, value], false)

func setGlobalConfigValueString(config, value):
	return _agent.call_agent("Steam.setGlobalConfigValueString", [config, value], false)

func setConnectionConfigValueInt32(connection, config, value):
	return _agent.call_agent("Steam.setConnectionConfigValueInt32", [connection, config, value], false)

func setConnectionConfigValueFloat(connection, config, value):
	return _agent.call_agent("Steam.setConnectionConfigValueFloat", [connection, config, value], false)

func setConnectionConfigValueString(connection, config, value):
	return _agent.call_agent("Steam.setConnectionConfigValueString", [connection, config, value], false)

func getConfigValue(config_value, scope_type, connection_handle = 0):
	return _agent.call_agent("Steam.getConfigValue", [config_value, scope_type, connection_handle], {})

func getConfigValueInfo(config_value):
	return _agent.call_agent("Steam.getConfigValueInfo", [config_value], {})

func getLocalTimestamp():
	return _agent.call_agent("Steam.getLocalTimestamp", [], 0)

# ---- GodotSteam client

func run_callbacks():
	for event in _agent.call_agent("Steam.run_callbacks", [], []):
		callv("emit_signal", event)

func getSteamID():
	return _agent.call_agent("Steam.getSteamID", [], 0)

func loggedOn():
	return _agent.call_agent("Steam.loggedOn", [], false)

func getAuthSessionTicket(remote_steam_id = 0):
	return _agent.call_agent("Steam.getAuthSessionTicket", [remote_steam_id], {})

func cancelAuthTicket(auth_ticket):
	_agent.call_agent("Steam.cancelAuthTicket", [auth_ticket], null)

func beginAuthSession(auth_ticket, steam_id):
	return _agent.call_agent("Steam.beginAuthSession", [auth_ticket, steam_id], 1)

# ---- Outpost extension

func logOn(name, password, app_id):
	return _agent.call_agent("Steam.logOn", [name, password, app_id], 3)

func logOff():
	_agent.call_agent("Steam.logOff", [], null)

func requestServerList(master_address, filter = "", region = 255, timeout_ms = 5000):
	return _agent.call_agent("Steam.requestServerList", [master_address, filter, region, timeout_ms], [])

func queryInfo(server, timeout_ms = 2000):
	return _agent.call_agent("Steam.queryInfo", [server, timeout_ms], {})

func queryPlayers(server, timeout_ms = 2000):
	return _agent.call_agent("Steam.queryPlayers", [server, timeout_ms], [])

func queryRules(server, timeout_ms = 2000):
	return _agent.call_agent("Steam.queryRules", [server, timeout_ms], {})

func ping(server, timeout_ms = 2000):
	return _agent.call_agent("Steam.ping", [server, timeout_ms], -1)

func setHub(address, public_key):
	_agent.call_agent("Steam.setHub", [address, public_key], null)

func sendMessages(messages):
	return _agent.call_agent("Steam.sendMessages", [messages], [])

func sendMessagesToConnection(connection_handle, messages, flags):
	return _agent.call_agent("Steam.sendMessagesToConnection", [connection_handle, messages, flags], {})

func receiveMessagePayloadsOnConnection(connection, max_messages):
	return _agent.call_agent("Steam.receiveMessagePayloadsOnConnection", [connection, max_messages], [])
