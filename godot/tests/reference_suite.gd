# The GDScript suite of the Godot 3 reference: every function of the SteamServer and Steam
# singletons (the API table: the Godot 3 Game Server page, the main-server functions, Networking
# Sockets and Utils, the player's side, Outpost's extensions) is called from GDScript, through
# outpost-agent, against a real outpost-hub, and each call's effect is asserted: a signal with its
# payload, what a server browser or A2S sees, what the hub's registry says (`outpost admin
# servers`), or what the other end of a connection receives. Run by tests/godot/godot_test.cpp,
# which starts and provisions the hub and checks that every function of the table printed a PASS
# line and none a FAIL. Exit status: 0 when every check passed, 1 otherwise.
extends Node

const Support = preload("res://tests/suite_support.gd")

var t: Node
var alice = 0
var bob = 0
var clan = 0
var server_id = 0
var ip_loopback = 0x7F000001


func _ready() -> void:
	t = Support.new()
	add_child(t)
	t.record_signals(SteamServer, "SteamServer")
	t.record_signals(Steam, "Steam")
	alice = t.env_u64("OUTPOST_TEST_ALICE_ID")
	bob = t.env_u64("OUTPOST_TEST_BOB_ID")
	clan = t.env_u64("OUTPOST_TEST_CLAN_ID")
	server_id = t.env_u64("OUTPOST_TEST_TOKEN_STEAM_ID")
	_run()


func _run() -> void:
	yield(get_tree(), "idle_frame")
	yield(_steam_id_helpers(), "completed")
	yield(_set_up_and_log_on(), "completed")
	yield(_queries_through_game_socket_share(), "completed")
	yield(_listing(), "completed")
	yield(_auth_sessions(), "completed")
	yield(_servers_own_tickets(), "completed")
	yield(_older_auth_and_kick(), "completed")
	yield(_log_off_and_anonymous(), "completed")
	yield(_shutdown_and_own_query_port(), "completed")
	yield(_sockets(), "completed")
	yield(_hub_bound_sockets_functions(), "completed")
	_finish()


func _finish() -> void:
	var names = t.passed.keys()
	names.sort()
	print("SUMMARY passed_functions=%d failures=%d" % [names.size(), t.failures.size()])
	for f in t.failures:
		print("FAILURE " + f)
	get_tree().quit(0 if t.failures.empty() else 1)


# ---- Main-server Steam ID helpers ----------------------------------------------------------------
func _steam_id_helpers():
	yield(get_tree(), "idle_frame")
	var individual = 76561197960265729       # [U:1:1]
	var anon_server = (1 << 56) | (4 << 52) | (7 << 32) | 5
	var anon_user = (1 << 56) | (10 << 52) | 9
	var lobby = (1 << 56) | (8 << 52) | (0x40000 << 32) | 3
	var console_user = (1 << 56) | (9 << 52) | (1 << 32) | 4
	t.check_eq("getSteamID32", SteamServer.getSteamID32(individual), 1)
	t.check_eq("getSteamID32", SteamServer.getSteamID32(-1), 4294967295, "the bit pattern of a uint64")
	t.check_eq("isAnonAccount", SteamServer.isAnonAccount(anon_server), true)
	t.check_eq("isAnonAccount", SteamServer.isAnonAccount(individual), false)
	t.check_eq("isAnonUserAccount", SteamServer.isAnonUserAccount(anon_user), true)
	t.check_eq("isAnonUserAccount", SteamServer.isAnonUserAccount(anon_server), false)
	t.check_eq("isChatAccount", SteamServer.isChatAccount(lobby), true)
	t.check_eq("isChatAccount", SteamServer.isChatAccount(clan), false)
	t.check_eq("isClanAccount", SteamServer.isClanAccount(clan), true)
	t.check_eq("isClanAccount", SteamServer.isClanAccount(individual), false)
	t.check_eq("isConsoleUserAccount", SteamServer.isConsoleUserAccount(console_user), true)
	t.check_eq("isConsoleUserAccount", SteamServer.isConsoleUserAccount(individual), false)
	t.check_eq("isIndividualAccount", SteamServer.isIndividualAccount(individual), true)
	t.check_eq("isIndividualAccount", SteamServer.isIndividualAccount(clan), false)
	t.check_eq("isLobby", SteamServer.isLobby(lobby), true)
	t.check_eq("isLobby", SteamServer.isLobby(individual), false)
	# Nothing to free; the call returns and the agent keeps answering.
	t.check_eq("serverReleaseCurrentThreadMemory", SteamServer.serverReleaseCurrentThreadMemory(), null)
	t.check_eq("serverReleaseCurrentThreadMemory", SteamServer.getSteamID32(individual), 1, "answers afterwards")


# ---- serverInitEx, the pre-logon fields, logOn -----------------------------------------------------
func _set_up_and_log_on():
	yield(get_tree(), "idle_frame")
	# The hub is given with setHub only (the harness does not set OUTPOST_HUB for Godot).
	SteamServer.setHub(t.env("OUTPOST_TEST_HUB"), t.env("OUTPOST_TEST_HUB_KEY"))
	Steam.setHub(t.env("OUTPOST_TEST_HUB"), t.env("OUTPOST_TEST_HUB_KEY"))
	var game_port = int(t.env("OUTPOST_TEST_GAME_PORT"))
	t.check_eq("loggedOn", SteamServer.loggedOn(), false, "before logOn")
	t.check_eq("requestUserGroupStatus", SteamServer.requestUserGroupStatus(alice, clan), false, "cannot ask before logOn")
	var init = SteamServer.serverInitEx("127.0.0.1", game_port, SteamServer.QUERY_PORT_SHARED,
			SteamServer.SERVER_MODE_AUTHENTICATION_AND_SECURE, "1.0.0.0")
	t.check_eq("serverInitEx", init.get("status"), SteamServer.STEAM_API_INIT_RESULT_OK)
	t.check_eq("serverInitEx", init.get("verbal"), "Server initialized successfully")
	t.check_eq("serverInit", SteamServer.serverInit("127.0.0.1", game_port, SteamServer.QUERY_PORT_SHARED,
			SteamServer.SERVER_MODE_AUTHENTICATION_AND_SECURE, "1.0.0.0"), false, "a second init is refused")
	SteamServer.setProduct("480")
	SteamServer.setGameDescription("Outpost Godot suite")
	SteamServer.setModDir("spacewar")
	SteamServer.setDedicatedServer(true)
	SteamServer.setServerName("Godot Suite Server")
	SteamServer.setMapName("godot_map")
	SteamServer.setMaxPlayerCount(12)
	SteamServer.setBotPlayerCount(3)
	SteamServer.setPasswordProtected(true)
	SteamServer.setGameTags("godot,suite")
	SteamServer.setGameData("mode=ctf")
	SteamServer.setRegion("eu")
	SteamServer.setSpectatorPort(27020)
	SteamServer.setSpectatorServerName("Godot TV")
	SteamServer.setKeyValue("difficulty", "hard")
	SteamServer.setKeyValue("round", "3")

	# A token the hub does not know.
	SteamServer.logOn("00000000000000000000000000000000000000000000000000000000")
	var failure = yield(t.wait_event("SteamServer.server_connect_failure"), "completed")
	t.check("logOn", failure != null and failure[0] == SteamServer.RESULT_ACCESS_DENIED and failure[1] == false,
			"an unknown token: server_connect_failure %s" % str(failure))
	t.check("server_connect_failure", failure != null, str(failure))

	SteamServer.logOn(t.env("OUTPOST_TEST_TOKEN"))
	var connected = yield(t.wait_event("SteamServer.server_connected"), "completed")
	t.check("logOn", connected != null, "server_connected")
	t.check("setHub", connected != null, "the hub given by setHub only")
	t.check("run_callbacks", connected != null, "server_connected is emitted inside SteamServer.run_callbacks")
	t.check_eq("server_connected", connected, [], str(connected))
	var policy = yield(t.wait_event("SteamServer.policy_response"), "completed")
	t.check_eq("policy_response", policy, [1], "secure = 1 in mode 3: %s" % str(policy))
	t.check_eq("loggedOn", SteamServer.loggedOn(), true)
	t.check_eq("secure", SteamServer.secure(), true)
	t.check_eq("isServerSecure", SteamServer.isServerSecure(), true)
	t.check_eq("getSteamID", SteamServer.getSteamID(), server_id, "the token's Steam ID")
	t.check_eq("getServerSteamID", SteamServer.getServerSteamID(), server_id)
	var ip = SteamServer.getPublicIP()
	t.check_eq("getPublicIP", ip.get("ipv4"), ip_loopback, "the address the hub saw, host order")
	t.check_eq("getPublicIP", ip.get("type"), SteamServer.IP_TYPE_IPV4)
	# The hub's app requires 2.0.0 (the harness set it); this server is 1.0.0.0.
	t.check_eq("wasRestartRequested", SteamServer.wasRestartRequested(), true)
	t.check_eq("wasRestartRequested", SteamServer.wasRestartRequested(), false, "only once per request")

	# The server's NetworkingSockets are certified by its hub session, as the game server.
	# (Its first answer may still be CANNOT_TRY: the sockets were created by this very call and the
	# hub session's link to them is set up by the SDK's service thread.)
	var availability = SteamServer.initAuthentication()
	print("initAuthentication first returned %d" % availability)
	var current = yield(t.wait_event_where("SteamServer.network_authentication_status", funcref(self, "_is_current")), "completed")
	t.check("network_authentication_status", current != null and str(current[1]).find("certificate") >= 0,
			"CURRENT, with a certificate from the hub: %s" % str(current))
	t.check_eq("getAuthenticationStatus", SteamServer.getAuthenticationStatus(), SteamServer.NETWORKING_AVAILABILITY_CURRENT)
	t.check("initAuthentication", current != null, "the hub certified the server's sockets")


# ---- A2S through handleIncomingPacket / getNextOutgoingPacket (GameSocketShare) --------------------
func _shared_query(kind: int) -> PoolByteArray:
	var first = t.a2s_request(kind, PoolByteArray())
	var handled = SteamServer.handleIncomingPacket(first, "127.0.0.1", 40001)
	t.check("handleIncomingPacket", handled.get("data") == first, "a query is taken: {data} = the packet")
	var out = SteamServer.getNextOutgoingPacket()
	t.check_eq("getNextOutgoingPacket", out.get("address"), ip_loopback, "to the querier")
	t.check_eq("getNextOutgoingPacket", out.get("port"), 40001)
	var challenge = t.a2s_challenge_of(out.get("out", PoolByteArray()))
	t.check("getNextOutgoingPacket", challenge.size() == 4 and out.get("length") == 9,
			"an unchallenged query gets a 9-byte challenge")
	SteamServer.handleIncomingPacket(t.a2s_request(kind, challenge), "127.0.0.1", 40001)
	var reply = SteamServer.getNextOutgoingPacket()
	t.check("getNextOutgoingPacket", reply.get("length", 0) == reply.get("out", PoolByteArray()).size() and reply.get("length", 0) > 5,
			"the reply's real bytes")
	return reply.get("out", PoolByteArray())


func _queries_through_game_socket_share():
	yield(get_tree(), "idle_frame")
	t.check_eq("handleIncomingPacket", SteamServer.handleIncomingPacket(PoolByteArray([1, 2, 3, 4]), "127.0.0.1", 40001), {},
			"the game's own traffic is not taken")
	t.check_eq("getNextOutgoingPacket", SteamServer.getNextOutgoingPacket().get("length"), 0, "nothing waiting")
	# A2S is republished within a second of a change; wait for the logged-on state to show.
	var info = {}
	for _i in range(60):
		info = t.a2s_parse_info(_shared_query(t.A2S_INFO))
		if info.get("steam_id") == server_id:
			break
		yield(t.sleep(0.05), "completed")
	t.check_eq("setServerName", info.get("name"), "Godot Suite Server", "A2S_INFO name")
	t.check_eq("setMapName", info.get("map"), "godot_map", "A2S_INFO map")
	t.check_eq("setModDir", info.get("folder"), "spacewar", "A2S_INFO folder")
	t.check_eq("setGameDescription", info.get("game"), "Outpost Godot suite", "A2S_INFO game")
	t.check_eq("setMaxPlayerCount", info.get("max_players"), 12, "A2S_INFO max players")
	t.check_eq("setBotPlayerCount", info.get("bots"), 3, "A2S_INFO bots")
	t.check_eq("setDedicatedServer", info.get("server_type"), "d", "A2S_INFO server type")
	t.check_eq("setPasswordProtected", info.get("visibility"), 1, "A2S_INFO visibility")
	t.check_eq("secure", info.get("vac"), 1, "A2S_INFO VAC flag")
	t.check_eq("setGameTags", info.get("keywords"), "godot,suite", "A2S_INFO keywords")
	t.check_eq("setSpectatorPort", info.get("spectator_port"), 27020, "A2S_INFO spectator port")
	t.check_eq("setSpectatorServerName", info.get("spectator_name"), "Godot TV", "A2S_INFO spectator name")
	t.check_eq("getSteamID", info.get("steam_id"), server_id, "A2S_INFO Steam ID")
	var players = t.a2s_parse_players(_shared_query(t.A2S_PLAYER))
	t.check("setBotPlayerCount", players != null and players.size() == 3 and players[0]["name"] == "Bot 1",
			"A2S_PLAYER lists the bots: %s" % str(players))
	var rules = t.a2s_parse_rules(_shared_query(t.A2S_RULES))
	t.check_eq("setKeyValue", rules, {"difficulty": "hard", "round": "3"}, "A2S_RULES")
	SteamServer.clearAllKeyValues()
	rules = t.a2s_parse_rules(_shared_query(t.A2S_RULES))
	t.check_eq("clearAllKeyValues", rules, {}, "A2S_RULES after clearAllKeyValues")


# ---- The master list and the hub's registry ----------------------------------------------------------
func _master_has_server(filter: String) -> bool:
	return not Steam.requestServerList(t.env("OUTPOST_TEST_MASTER"), filter, 255, 3000).empty()


func _listing():
	yield(get_tree(), "idle_frame")
	var master_address = t.env("OUTPOST_TEST_MASTER")
	t.check_eq("requestServerList", Steam.requestServerList(master_address, "\\appid\\480", 255, 2000), [],
			"nothing listed before setAdvertiseServerActive(true)")
	SteamServer.setAdvertiseServerActive(true)
	var listed = false
	for _i in range(100):
		listed = _master_has_server("\\appid\\480")
		if listed:
			break
		yield(t.sleep(0.05), "completed")
	t.check("setAdvertiseServerActive", listed, "listed on the master after setAdvertiseServerActive(true)")
	var servers = Steam.requestServerList(master_address, "\\appid\\480", 255, 3000)
	t.check("requestServerList", servers.size() == 1 and servers[0].begins_with("127.0.0.1:"), str(servers))
	t.check("setGameData", _master_has_server("\\appid\\480\\gamedata\\mode=ctf"), "master filter \\gamedata\\")
	t.check("setGameData", not _master_has_server("\\appid\\480\\gamedata\\mode=dm"), "... and a mismatch")
	t.check("setMapName", _master_has_server("\\map\\godot_map"), "master filter \\map\\")
	t.check("setDedicatedServer", _master_has_server("\\dedicated\\1"), "master filter \\dedicated\\1")
	t.check("setGameTags", _master_has_server("\\gametype\\suite"), "master filter \\gametype\\")
	t.check("setGameTags", not _master_has_server("\\gametype\\nothere"), "... and a mismatch")
	var registry = t.admin(["servers"])
	t.check("setProduct", registry.find("product=480") >= 0, "outpost admin servers: " + registry)
	t.check("setRegion", registry.find("region=eu") >= 0, "outpost admin servers")
	SteamServer.setAdvertiseServerActive(false)
	var gone = false
	for _i in range(100):
		gone = not _master_has_server("\\appid\\480")
		if gone:
			break
		yield(t.sleep(0.05), "completed")
	t.check("setAdvertiseServerActive", gone, "delisted after setAdvertiseServerActive(false)")


# ---- Player tickets and auth sessions ---------------------------------------------------------------
func _ticket_for(remote_id: int) -> Dictionary:
	var ticket = Steam.getAuthSessionTicket(remote_id)
	return ticket


func _auth_sessions():
	yield(get_tree(), "idle_frame")
	t.check_eq("loggedOn", Steam.loggedOn(), false, "the player, before logOn")
	# A certificate signed offline (outpost admin cert sign) for the player's sockets.
	var before = Steam.getAuthenticationStatus()
	t.check("getAuthenticationStatus", before in [Steam.NETWORKING_AVAILABILITY_CANNOT_TRY, Steam.NETWORKING_AVAILABILITY_NEVER_TRIED,
			Steam.NETWORKING_AVAILABILITY_WAITING], "no certificate before the player logs on: %d" % before)
	var request = Steam.getCertificateRequest()
	t.check("getCertificateRequest", request.get("certificate", PoolByteArray()).size() == 116
			and request.get("error_message") == "", "a 116-byte request: %s" % str(request.get("error_message")))
	var refused = Steam.setCertificate(PoolByteArray([1, 2, 3]))
	t.check("setCertificate", refused.get("response") == false and str(refused.get("error", "")).find("malformed") >= 0,
			"a malformed one is refused with the reason: %s" % str(refused))
	var signed = t.admin(["cert", "sign", "--request", t.hex_encode(request.get("certificate", PoolByteArray())),
			"--app", "480", "--steam-id", str(alice)])
	var at = signed.find("certificate=")
	var certificate = t.hex_decode(signed.substr(at + 12).strip_edges().split(" ")[0]) if at >= 0 else PoolByteArray()
	var installed = Steam.setCertificate(certificate)
	t.check("setCertificate", installed.get("response") == true, "the offline certificate: %s" % str(installed))
	t.check_eq("setCertificate", Steam.getAuthenticationStatus(), Steam.NETWORKING_AVAILABILITY_CURRENT, "then CURRENT")
	t.check_eq("logOn", Steam.logOn("alice", t.env("OUTPOST_TEST_PASSWORD"), 480), Steam.RESULT_OK, "the player")
	t.check("setHub", Steam.loggedOn(), "the player's hub given by setHub only")
	t.check_eq("logOn", Steam.logOn("alice", "wrong-password", 480), Steam.RESULT_INVALID_PASSWORD, "a wrong password")
	t.check_eq("logOn", Steam.logOn("alice", t.env("OUTPOST_TEST_PASSWORD"), 480), Steam.RESULT_OK, "again")
	t.check_eq("loggedOn", Steam.loggedOn(), true, "the player")
	t.check_eq("getSteamID", Steam.getSteamID(), alice, "the player's Steam ID")
	var ticket = _ticket_for(server_id)
	t.check("getAuthSessionTicket", ticket.get("id", 0) != 0 and ticket["buffer"].size() == ticket["size"]
			and ticket["size"] <= 1024, "a ticket bound to the server: id %s, %s bytes" % [ticket.get("id"), ticket.get("size")])
	var response = yield(t.wait_event("Steam.get_auth_session_ticket_response"), "completed")
	t.check_eq("get_auth_session_ticket_response", response, [ticket["id"], Steam.RESULT_OK], str(response))
	t.check("run_callbacks", response != null, "get_auth_session_ticket_response is emitted inside Steam.run_callbacks")

	t.check_eq("beginAuthSession", SteamServer.beginAuthSession(ticket["buffer"], alice), SteamServer.BEGIN_AUTH_SESSION_RESULT_OK)
	var verdict = yield(t.wait_event("SteamServer.validate_auth_ticket_response"), "completed")
	t.check_eq("validate_auth_ticket_response", verdict, [alice, SteamServer.AUTH_SESSION_RESPONSE_OK, alice], str(verdict))
	t.check("beginAuthSession", verdict != null, "the hub's verdict arrived")
	t.check_eq("beginAuthSession", SteamServer.beginAuthSession(ticket["buffer"], alice),
			SteamServer.BEGIN_AUTH_SESSION_RESULT_DUPLICATE_REQUEST, "a second session for the same user")
	var forged = PoolByteArray(ticket["buffer"])
	forged[forged.size() - 1] = forged[forged.size() - 1] ^ 0xFF
	t.check_eq("beginAuthSession", SteamServer.beginAuthSession(forged, bob),
			SteamServer.BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET, "an altered ticket")
	# The 3.5 module's (ticket, ticket_size, steam_id) form: only the first ticket_size bytes count.
	var padded = PoolByteArray(ticket["buffer"])
	padded.append_array(PoolByteArray([0, 0, 0, 0]))
	t.check_eq("beginAuthSession", SteamServer.beginAuthSession(padded, ticket["size"], alice),
			SteamServer.BEGIN_AUTH_SESSION_RESULT_DUPLICATE_REQUEST, "module form reaches the same session")

	t.check_eq("userHasLicenseForApp", SteamServer.userHasLicenseForApp(alice, 480), SteamServer.USER_HAS_LICENSE_RESULT_HAS_LICENSE)
	t.check_eq("userHasLicenseForApp", SteamServer.userHasLicenseForApp(alice, 481), SteamServer.USER_HAS_LICENSE_RESULT_HAS_LICENSE, "the DLC")
	t.check_eq("userHasLicenseForApp", SteamServer.userHasLicenseForApp(alice, 482), SteamServer.USER_HAS_LICENSE_RESULT_DOES_NOT_HAVE_LICENSE)
	t.check_eq("userHasLicenceForApp", SteamServer.userHasLicenceForApp(alice, 482), SteamServer.USER_HAS_LICENSE_RESULT_DOES_NOT_HAVE_LICENSE)
	t.check_eq("userHasLicenceForApp", SteamServer.userHasLicenceForApp(alice, 481), SteamServer.USER_HAS_LICENSE_RESULT_HAS_LICENSE)

	# Groups, clans, compatibility (the harness made alice an officer of the clan; alice and bob
	# block each other).
	t.check_eq("requestUserGroupStatus", SteamServer.requestUserGroupStatus(alice, clan), true)
	var group = yield(t.wait_event("SteamServer.client_group_status"), "completed")
	t.check_eq("client_group_status", group, [alice, clan, true, true], str(group))
	t.check("requestUserGroupStatus", group != null, "answered")
	t.check_eq("requestUserGroupStatus", SteamServer.requestUserGroupStatus(bob, clan & 0xFFFFFFFF), true, "a bare clan id")
	group = yield(t.wait_event("SteamServer.client_group_status"), "completed")
	t.check_eq("requestUserGroupStatus", group, [bob, clan, false, false], "bob, not a member: %s" % str(group))
	SteamServer.associateWithClan(clan + 1000)
	var assoc = yield(t.wait_event("SteamServer.associate_clan"), "completed")
	t.check_eq("associateWithClan", assoc, [SteamServer.RESULT_FAIL], "an unknown clan: %s" % str(assoc))
	SteamServer.associateWithClan(clan)
	assoc = yield(t.wait_event("SteamServer.associate_clan"), "completed")
	t.check_eq("associateWithClan", assoc, [SteamServer.RESULT_OK], str(assoc))
	t.check("associate_clan", assoc != null, str(assoc))
	# The hub answers only about a player in session on this server (bob is not)...
	SteamServer.computeNewPlayerCompatibility(bob)
	var compat = yield(t.wait_event("SteamServer.player_compat"), "completed")
	t.check_eq("computeNewPlayerCompatibility", compat, [SteamServer.RESULT_ACCESS_DENIED, 0, 0, 0, bob],
			"bob has no auth session here: %s" % str(compat))
	# ... and about alice: no other player in session here; of the associated clan, the operator
	# blocks her (the harness set that up).
	SteamServer.computeNewPlayerCompatibility(alice)
	compat = yield(t.wait_event("SteamServer.player_compat"), "completed")
	t.check_eq("computeNewPlayerCompatibility", compat, [SteamServer.RESULT_OK, 0, 0, 1, alice],
			"one clan member blocks alice: %s" % str(compat))
	t.check("player_compat", compat != null, str(compat))

	SteamServer.endAuthSession(alice)
	t.check_eq("endAuthSession", SteamServer.userHasLicenseForApp(alice, 480), SteamServer.USER_HAS_LICENSE_RESULT_NO_AUTH,
			"no session afterwards")


# ---- The server's own tickets, checked by the player --------------------------------------------------
func _servers_own_tickets():
	yield(get_tree(), "idle_frame")
	var st = SteamServer.getAuthSessionTicket()
	t.check("getAuthSessionTicket", st.get("id", 0) != 0 and st["buffer"].size() == st["ticket_size"]
			and st["ticket_size"] == st["size"], "the server's own ticket, the page's keys: %s bytes" % st.get("ticket_size"))
	t.check_eq("beginAuthSession", Steam.beginAuthSession(st["buffer"], server_id), Steam.BEGIN_AUTH_SESSION_RESULT_OK,
			"the player checks the server's ticket")
	var verdict = yield(t.wait_event("Steam.validate_auth_ticket_response"), "completed")
	t.check("beginAuthSession", verdict != null and verdict[0] == server_id and verdict[1] == Steam.AUTH_SESSION_RESPONSE_OK,
			"the hub vouches for the server: %s" % str(verdict))
	var st2 = SteamServer.getAuthSessionTicket(alice)
	SteamServer.cancelAuthTicket(st2["id"])
	t.check_eq("beginAuthSession", Steam.beginAuthSession(st2["buffer"], server_id), Steam.BEGIN_AUTH_SESSION_RESULT_OK)
	verdict = yield(t.wait_event("Steam.validate_auth_ticket_response"), "completed")
	t.check("cancelAuthTicket", verdict != null and verdict[1] == Steam.AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED,
			"a cancelled server ticket: %s" % str(verdict))


# ---- sendUserConnectAndAuthenticate (client_approved / client_denied), cancelling, a ban --------------
func _older_auth_and_kick():
	yield(get_tree(), "idle_frame")
	var ticket = _ticket_for(server_id)
	var r = SteamServer.sendUserConnectAndAuthenticate(ip_loopback, ticket["buffer"])
	t.check("sendUserConnectAndAuthenticate", r.get("result") == true and r.get("steam_id") == alice, str(r))
	var approved = yield(t.wait_event("SteamServer.client_approved"), "completed")
	t.check_eq("client_approved", approved, [alice, alice], str(approved))
	SteamServer.endAuthSession(alice)
	t.check_eq("endAuthSession", SteamServer.userHasLicenseForApp(alice, 480), SteamServer.USER_HAS_LICENSE_RESULT_NO_AUTH,
			"ends the older flow's session too")

	# The player cancels a ticket before the server uses it: the hub denies it.
	var cancelled = _ticket_for(server_id)
	Steam.cancelAuthTicket(cancelled["id"])
	r = SteamServer.sendUserConnectAndAuthenticate(ip_loopback, cancelled["buffer"])
	t.check("sendUserConnectAndAuthenticate", r.get("result") == true, "offline checks pass: %s" % str(r))
	var denied = yield(t.wait_event("SteamServer.client_denied"), "completed")
	t.check("client_denied", denied != null and denied[0] == alice and denied[1] != SteamServer.DENY_INVALID, str(denied))
	t.check("cancelAuthTicket", denied != null, "the server hears of the cancelled ticket")
	SteamServer.endAuthSession(alice)

	# Banned in the middle of a session: the hub asks the server to kick.
	var fresh = _ticket_for(server_id)
	t.check_eq("beginAuthSession", SteamServer.beginAuthSession(fresh["buffer"], alice), SteamServer.BEGIN_AUTH_SESSION_RESULT_OK)
	var ok = yield(t.wait_event("SteamServer.validate_auth_ticket_response"), "completed")
	t.check("validate_auth_ticket_response", ok != null and ok[1] == SteamServer.AUTH_SESSION_RESPONSE_OK, str(ok))
	t.admin(["ban", "alice", "480", "--vac"])
	var kick = yield(t.wait_event("SteamServer.client_kick"), "completed")
	t.check_eq("client_kick", kick, [alice, SteamServer.DENY_CHEATER], str(kick))
	var banned = yield(t.wait_event("SteamServer.validate_auth_ticket_response"), "completed")
	t.check_eq("validate_auth_ticket_response", banned, [alice, SteamServer.AUTH_SESSION_RESPONSE_VAC_BANNED, alice], str(banned))
	SteamServer.endAuthSession(alice)
	Steam.logOff()
	t.check_eq("logOff", Steam.loggedOn(), false, "the player")
	t.check_eq("getAuthSessionTicket", Steam.getAuthSessionTicket(0).get("id"), 0, "not logged on: no ticket")


# ---- logOff, logOnAnonymous ------------------------------------------------------------------------
func _log_off_and_anonymous():
	yield(get_tree(), "idle_frame")
	t.forget_events()
	SteamServer.logOff()
	var disconnected = yield(t.wait_event("SteamServer.server_disconnected"), "completed")
	t.check_eq("logOff", disconnected, [SteamServer.RESULT_OK], str(disconnected))
	t.check("server_disconnected", disconnected != null, str(disconnected))
	t.check_eq("loggedOn", SteamServer.loggedOn(), false, "after logOff")
	t.check_eq("secure", SteamServer.secure(), false, "after logOff")
	var blank = SteamServer.getSteamID()
	t.check("getSteamID", SteamServer.isAnonAccount(blank) and SteamServer.getSteamID32(blank) == 0,
			"the blank anonymous id after logOff: %d" % blank)
	t.check_eq("getAuthSessionTicket", SteamServer.getAuthSessionTicket().get("id"), 0, "not logged on: no ticket")
	SteamServer.logOnAnonymous()
	var connected = yield(t.wait_event("SteamServer.server_connected"), "completed")
	t.check("logOnAnonymous", connected != null, "server_connected")
	var anon = SteamServer.getSteamID()
	t.check("logOnAnonymous", SteamServer.isAnonAccount(anon) and SteamServer.getSteamID32(anon) != 0 and anon != server_id,
			"an anonymous game server id: %d" % anon)


# ---- serverShutdown, then serverInit with its own query port; the player's A2S queries ----------------
func _shutdown_and_own_query_port():
	yield(get_tree(), "idle_frame")
	SteamServer.serverShutdown()
	t.check_eq("serverShutdown", SteamServer.loggedOn(), false)
	var query_port = int(t.env("OUTPOST_TEST_QUERY_PORT"))
	var server = "127.0.0.1:%d" % query_port
	t.check_eq("serverInit", SteamServer.serverInit("127.0.0.1", int(t.env("OUTPOST_TEST_GAME_PORT")), query_port,
			SteamServer.SERVER_MODE_NO_AUTHENTICATION, "1.0.0.0"), true, "after serverShutdown")
	SteamServer.setServerName("Second life")
	SteamServer.setMapName("arena2")
	SteamServer.setKeyValue("mode", "duel")
	var bot = SteamServer.createUnauthenticatedUserConnection()
	t.check("createUnauthenticatedUserConnection", SteamServer.isAnonUserAccount(bot), "an AnonUser id: %d" % bot)
	t.check_eq("updateUserData", SteamServer.updateUserData(bot, "Robot", 42), true)
	t.check_eq("updateUserData", SteamServer.updateUserData(bob, "Nobody", 1), false, "not a player here")
	var info = {}
	for _i in range(50):
		info = Steam.queryInfo(server, 1000)
		# Both fields: the A2S snapshot may be taken between setServerName and setMapName.
		if info.get("name") == "Second life" and info.get("map") == "arena2":
			break
		yield(t.sleep(0.05), "completed")
	t.check_eq("queryInfo", info.get("name"), "Second life", "from the server's own query port")
	t.check_eq("queryInfo", info.get("map"), "arena2")
	t.check_eq("serverShutdown", info.get("folder"), "", "nothing kept from before the shutdown")
	t.check_eq("serverInit", info.get("game_port"), int(t.env("OUTPOST_TEST_GAME_PORT")), "A2S answers on the query port")
	# A2S is republished within a second of a change: wait for the player's name and score.
	var players = []
	for _i in range(60):
		players = Steam.queryPlayers(server, 2000)
		if players.size() == 1 and players[0]["name"] == "Robot":
			break
		yield(t.sleep(0.05), "completed")
	t.check("queryPlayers", players.size() == 1 and players[0]["name"] == "Robot" and players[0]["score"] == 42, str(players))
	t.check("createUnauthenticatedUserConnection", players.size() == 1, "listed in A2S_PLAYER")
	t.check("updateUserData", players.size() == 1 and players[0]["score"] == 42, "name and score in A2S_PLAYER")
	t.check_eq("queryRules", Steam.queryRules(server, 2000), {"mode": "duel"})
	t.check("ping", Steam.ping(server, 2000) >= 0, "a round trip")
	t.check_eq("ping", Steam.ping("127.0.0.1:9", 300), -1, "no server there")
	t.check_eq("queryInfo", Steam.queryInfo("127.0.0.1:9", 300), {}, "no server there")
	SteamServer.sendUserDisconnect(bot)
	players = Steam.queryPlayers(server, 2000)
	for _i in range(50):
		if players.empty():
			break
		yield(t.sleep(0.05), "completed")
		players = Steam.queryPlayers(server, 2000)
	t.check("sendUserDisconnect", players.empty(), "the bot left A2S_PLAYER: %s" % str(players))
	SteamServer.serverShutdown()


# ---- Networking Sockets between the two singletons (two NetworkingSockets, real UDP) ------------------
func _is_state(args, handle: int, state: int) -> bool:
	return args[0] == handle and args[1]["connection_state"] == state


func _ended(args) -> bool:
	return args[1]["connection_state"] in [Steam.CONNECTION_STATE_CLOSED_BY_PEER, Steam.CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY]


func _is_current(args) -> bool:
	return args[0] == SteamServer.NETWORKING_AVAILABILITY_CURRENT


func _connecting_on_server(args) -> bool:
	return args[1]["connection_state"] == SteamServer.CONNECTION_STATE_CONNECTING and args[1]["listen_socket"] != 0


func _sockets():
	yield(get_tree(), "idle_frame")
	t.forget_events()
	var claimed = 76561197960265999
	t.check_eq("getIdentity", SteamServer.getIdentity(), "steamid:%d" % server_id, "the server's certificate (its token's Steam ID)")
	SteamServer.resetIdentity(claimed)
	t.check_eq("getIdentity", SteamServer.getIdentity(), "steamid:%d" % claimed, "after resetIdentity")
	var ls = SteamServer.createListenSocketIP("127.0.0.1:0", {})
	t.check("createListenSocketIP", ls != 0, "handle %d" % ls)
	var address = SteamServer.getListenSocketAddress(ls)
	t.check("getListenSocketAddress", address.begins_with("127.0.0.1:") and int(address.split(":")[1]) > 0, address)
	t.check_eq("getListenSocketAddress", SteamServer.getListenSocketAddress(ls, false), "127.0.0.1", "with_port = false")
	var pg = SteamServer.createPollGroup()
	t.check("createPollGroup", pg != 0, "handle %d" % pg)

	# The player's sockets still hold alice's certificate, revoked by her ban: the server refuses it.
	var revoked = Steam.connectByIPAddress(address, {})
	var refusal = yield(t.wait_event_where("Steam.network_connection_status_changed", funcref(self, "_ended")), "completed")
	t.check("connectByIPAddress", refusal != null and refusal[0] == revoked and refusal[1]["end_reason"] == Steam.CONNECTION_END_REMOTE_BAD_CERT
			and refusal[1]["end_debug"].find("revoked") >= 0, "a revoked certificate is refused: %s" % str(refusal))
	Steam.closeConnection(revoked, 0, "", false)
	# Without a certificate, a loopback peer is allowed (IP_LOCAL_HOST_ALLOW_WITHOUT_AUTH = 2).
	t.check_eq("getIdentity", Steam.getIdentity(), "steamid:%d" % alice, "the player's certificate, still held")
	Steam.resetIdentity(0)
	t.check_eq("getIdentity", Steam.getIdentity(), "invalid", "neither a certificate nor an identity")
	t.check("resetIdentity", Steam.getAuthenticationStatus() != Steam.NETWORKING_AVAILABILITY_CURRENT,
			"the player's certificate is gone")
	t.forget_events()
	var c = Steam.connectByIPAddress(address, {Steam.NETWORKING_CONFIG_CONNECTION_USER_DATA: 77})
	t.check("connectByIPAddress", c != 0, "handle %d" % c)
	var incoming = yield(t.wait_event_where("SteamServer.network_connection_status_changed", funcref(self, "_connecting_on_server")), "completed")
	t.check("network_connection_status_changed", incoming != null and incoming[1]["listen_socket"] == ls
			and incoming[1]["remote_address"].begins_with("127.0.0.1:"), str(incoming))
	if incoming == null:
		return
	var s: int = incoming[0]
	t.check_eq("acceptConnection", SteamServer.acceptConnection(s), SteamServer.RESULT_OK)
	t.check_eq("acceptConnection", SteamServer.acceptConnection(s), SteamServer.RESULT_INVALID_STATE, "twice")
	var up = yield(t.wait_event_where("Steam.network_connection_status_changed", funcref(self, "_any")), "completed")
	var connected = false
	for _i in range(200):
		if Steam.getConnectionInfo(c).get("connection_state") == Steam.CONNECTION_STATE_CONNECTED:
			connected = true
			break
		yield(t.sleep(0.02), "completed")
	t.check("connectByIPAddress", connected and up != null, "the player's side reaches CONNECTED")
	t.check_eq("resetIdentity", Steam.getConnectionInfo(c).get("identity"), claimed, "the server claims the identity it was given")
	t.check_eq("setConnectionPollGroup", SteamServer.setConnectionPollGroup(s, pg), true)
	t.check_eq("setConnectionPollGroup", SteamServer.setConnectionPollGroup(s + 99999, pg), false, "a bad handle")
	t.check_eq("getConnectionUserData", Steam.getConnectionUserData(c), 77, "set through the options")
	t.check_eq("getConnectionUserData", SteamServer.getConnectionUserData(s + 99999), -1, "a bad handle")
	SteamServer.setConnectionName(s, "player-1")
	t.check_eq("setConnectionName", SteamServer.getConnectionName(s), "player-1")
	t.check_eq("getConnectionName", SteamServer.getConnectionName(s + 99999), "", "a bad handle")
	var info = SteamServer.getConnectionInfo(s)
	t.check("getConnectionInfo", info.get("connection_state") == SteamServer.CONNECTION_STATE_CONNECTED
			and info.get("listen_socket") == ls and info.has("info_flags"), str(info))
	t.check_eq("getConnectionInfo", SteamServer.getConnectionInfo(s + 99999), {}, "a bad handle")

	# Player -> server, reliable, through the poll group.
	var payload = PoolByteArray()
	for i in range(3000):
		payload.append((i * 31) & 0xFF)
	var sent = Steam.sendMessageToConnection(c, payload, Steam.NETWORKING_SEND_RELIABLE)
	t.check("sendMessageToConnection", sent.get("result") == Steam.RESULT_OK and sent.get("message_number") == 1, str(sent))
	var got = []
	for _i in range(200):
		got += SteamServer.receiveMessagesOnPollGroup(pg, 16)
		if got.size() >= 1:
			break
		yield(t.sleep(0.01), "completed")
	t.check("receiveMessagesOnPollGroup", got.size() == 1 and got[0]["payload"] == payload and got[0]["connection"] == s
			and got[0]["size"] == 3000, "the 3000 bytes, exactly")
	var before = SteamServer.getLocalTimestamp()
	t.check("getLocalTimestamp", before > 30 * 24 * 3600 * 1000000, str(before))
	t.check("getLocalTimestamp", got.size() == 1 and got[0]["time_received"] <= before and got[0]["time_received"] > before - 60000000,
			"the clock of time_received")

	# Server -> player: a batch, then one more after a flush.
	var batch = []
	for i in range(5):
		batch.append({"connection": s, "data": PoolByteArray([i, i + 1]), "flags": SteamServer.NETWORKING_SEND_RELIABLE})
	var results = SteamServer.sendMessages(batch)
	t.check("sendMessages", results.size() == 5 and results[4]["result"] == SteamServer.RESULT_OK and results[4]["message_number"] == 5,
			str(results))
	t.check_eq("flushMessagesOnConnection", SteamServer.flushMessagesOnConnection(s), SteamServer.RESULT_OK)
	t.check_eq("flushMessagesOnConnection", SteamServer.flushMessagesOnConnection(s + 99999), SteamServer.RESULT_INVALID_PARAM, "a bad handle")
	got = []
	for _i in range(200):
		got += Steam.receiveMessagesOnConnection(c, 16)
		if got.size() >= 5:
			break
		yield(t.sleep(0.01), "completed")
	t.check("receiveMessagesOnConnection", got.size() == 5 and got[4]["payload"] == PoolByteArray([4, 5])
			and got[4]["message_number"] == 5, "five messages in order")
	# The compact extension: payloads only, both ways.
	var compact = SteamServer.sendMessagesToConnection(s, [PoolByteArray([9]), PoolByteArray([10, 11])],
			SteamServer.NETWORKING_SEND_RELIABLE)
	t.check_eq("sendMessagesToConnection", compact, {"result": SteamServer.RESULT_OK, "sent": 2, "message_number": 7})
	t.check_eq("sendMessagesToConnection", SteamServer.sendMessagesToConnection(s + 99999, [PoolByteArray([1])], 8),
			{"result": SteamServer.RESULT_INVALID_PARAM, "sent": 0, "message_number": 0}, "a bad handle")
	var payloads = []
	for _i in range(200):
		payloads += Steam.receiveMessagePayloadsOnConnection(c, 16)
		if payloads.size() >= 2:
			break
		yield(t.sleep(0.01), "completed")
	t.check_eq("receiveMessagePayloadsOnConnection", payloads, [PoolByteArray([9]), PoolByteArray([10, 11])])

	var status = SteamServer.getConnectionRealTimeStatus(s, 0, true)
	t.check("getConnectionRealTimeStatus", status.get("response") == SteamServer.RESULT_OK
			and status["connection_status"].get("state") == SteamServer.CONNECTION_STATE_CONNECTED, str(status))
	var detailed = SteamServer.getDetailedConnectionStatus(s)
	t.check("getDetailedConnectionStatus", detailed.get("success") == 0 and detailed.get("status", "").length() > 0, str(detailed.get("success")))
	t.check_eq("configureConnectionLanes", SteamServer.configureConnectionLanes(s, 2, [1, 0], [1, 1]), SteamServer.RESULT_OK)
	t.check_eq("configureConnectionLanes", SteamServer.getConnectionRealTimeStatus(s, 2, false).get("lanes_status", []).size(), 2,
			"two lanes reported")
	t.check_eq("configureConnectionLanes", SteamServer.configureConnectionLanes(s, 0, [], []), SteamServer.RESULT_INVALID_PARAM, "0 lanes")

	# Networking Utils configuration.
	t.check_eq("setConnectionConfigValueInt32", SteamServer.setConnectionConfigValueInt32(s, SteamServer.NETWORKING_CONFIG_NAGLE_TIME, 0), true)
	var value = SteamServer.getConfigValue(SteamServer.NETWORKING_CONFIG_NAGLE_TIME, SteamServer.NETWORKING_CONFIG_SCOPE_CONNECTION, s)
	t.check("getConfigValue", value.get("result") == SteamServer.NETWORKING_GET_CONFIG_VALUE_OK and value.get("value") == 0, str(value))
	t.check("setConnectionConfigValueInt32", value.get("value") == 0, "read back")
	t.check_eq("getConfigValueInfo", SteamServer.getConfigValueInfo(SteamServer.NETWORKING_CONFIG_NAGLE_TIME),
			{"type": SteamServer.NETWORKING_CONFIG_TYPE_INT32, "scope": SteamServer.NETWORKING_CONFIG_SCOPE_CONNECTION})
	t.check_eq("getConfigValueInfo", SteamServer.getConfigValueInfo(99999), {}, "an unknown value")
	t.check_eq("setConnectionConfigValueFloat", SteamServer.setConnectionConfigValueFloat(s, SteamServer.NETWORKING_CONFIG_NAGLE_TIME, 1.0), false,
			"NAGLE_TIME is not a float")
	t.check_eq("setConnectionConfigValueString", SteamServer.setConnectionConfigValueString(s, SteamServer.NETWORKING_CONFIG_NAGLE_TIME, "x"), false,
			"NAGLE_TIME is not a String")
	t.check_eq("setGlobalConfigValueInt32", SteamServer.setGlobalConfigValueInt32(SteamServer.NETWORKING_CONFIG_FAKE_PACKET_LAG_SEND, 0), true)
	value = SteamServer.getConfigValue(SteamServer.NETWORKING_CONFIG_FAKE_PACKET_LAG_SEND, SteamServer.NETWORKING_CONFIG_SCOPE_GLOBAL, 0)
	t.check("setGlobalConfigValueInt32", value.get("value") == 0, str(value))
	t.check_eq("setGlobalConfigValueFloat", SteamServer.setGlobalConfigValueFloat(SteamServer.NETWORKING_CONFIG_FAKE_PACKET_LOSS_SEND, 0.0), true)
	t.check_eq("setGlobalConfigValueFloat", SteamServer.setGlobalConfigValueFloat(SteamServer.NETWORKING_CONFIG_NAGLE_TIME, 1.0), false, "not a float")
	t.check_eq("setGlobalConfigValueString", SteamServer.setGlobalConfigValueString(SteamServer.NETWORKING_CONFIG_NAGLE_TIME, "x"), false, "not a String")
	t.check_eq("setGlobalConfigValueString", SteamServer.setGlobalConfigValueString(SteamServer.NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY, "xyz"), false,
			"not 64 hex")

	# The server closes with a reason; the player sees it.
	t.check_eq("closeConnection", SteamServer.closeConnection(s, 1001, "bye from Godot", false), true)
	var closed = yield(t.wait_event_where("Steam.network_connection_status_changed", funcref(self, "_closed_by_peer")), "completed")
	t.check("closeConnection", closed != null and closed[0] == c and closed[1]["end_reason"] == 1001
			and closed[1]["end_debug"] == "bye from Godot", str(closed))
	t.check_eq("closeConnection", Steam.closeConnection(c, 0, "", false), true, "the player's side")
	t.check_eq("closeConnection", Steam.closeConnection(c, 0, "", false), false, "twice")
	t.check_eq("destroyPollGroup", SteamServer.destroyPollGroup(pg), true)
	t.check_eq("destroyPollGroup", SteamServer.destroyPollGroup(pg), false, "twice")
	t.check_eq("closeListenSocket", SteamServer.closeListenSocket(ls), true)
	t.check_eq("closeListenSocket", SteamServer.closeListenSocket(ls), false, "twice")
	t.check_eq("getListenSocketAddress", SteamServer.getListenSocketAddress(ls), "", "a closed socket")

	# A socket pair, in memory; runNetworkingCallbacks delivers its close to the other side.
	var pair = Steam.createSocketPair(false, 0, 0)
	t.check("createSocketPair", pair.get("success") == true and pair["connection1"] != 0 and pair["connection2"] != 0, str(pair))
	Steam.sendMessageToConnection(pair["connection1"], PoolByteArray([7, 7, 7]), Steam.NETWORKING_SEND_RELIABLE)
	got = []
	for _i in range(100):
		got += Steam.receiveMessagesOnConnection(pair["connection2"], 4)
		if not got.empty():
			break
		yield(t.sleep(0.01), "completed")
	t.check("createSocketPair", got.size() == 1 and got[0]["payload"] == PoolByteArray([7, 7, 7]), "connected both ways at once")
	# A message of 150 000 bytes: its request and its reply are longer than one read of the
	# agent's connection, in both directions.
	var big = PoolByteArray()
	big.resize(150000)
	for i in range(0, 150000, 997):
		big[i] = (i / 997) & 0xFF
	var sent_big = Steam.sendMessageToConnection(pair["connection1"], big, Steam.NETWORKING_SEND_RELIABLE)
	t.check("sendMessageToConnection", sent_big.get("result") == Steam.RESULT_OK, "150 000 bytes: %s" % str(sent_big))
	got = []
	for _i in range(500):
		got += Steam.receiveMessagesOnConnection(pair["connection2"], 4)
		if not got.empty():
			break
		yield(t.sleep(0.01), "completed")
	t.check("receiveMessagesOnConnection", got.size() == 1 and got[0]["size"] == 150000 and got[0]["payload"] == big,
			"the 150 000 bytes, exactly: %s" % (str(got[0]["size"]) + " bytes" if got.size() == 1 else str(got.size()) + " messages"))
	t.forget_events()
	Steam.closeConnection(pair["connection1"], 0, "", false)
	var pair_closed = false
	for _i in range(100):
		Steam.runNetworkingCallbacks()
		for e in t.events:
			if e[0] == "Steam.network_connection_status_changed" and e[1][0] == pair["connection2"]:
				pair_closed = true
		if pair_closed:
			break
		yield(t.sleep(0.01), "completed")
	t.check("runNetworkingCallbacks", pair_closed, "emits the other side's status change")
	Steam.closeConnection(pair["connection2"], 0, "", false)
	SteamServer.runNetworkingCallbacks()
	t.check("runNetworkingCallbacks", true, "SteamServer's too")


func _any(_args) -> bool:
	return true


func _closed_by_peer(args) -> bool:
	return args[1]["connection_state"] == Steam.CONNECTION_STATE_CLOSED_BY_PEER


# ---- P2P and FakeIP without a hub session (the server has shut down; P2P through a hub is asserted by
# the SDK's tests/integration/p2p_test.cpp and tests/nat): each call is taken and ends as documented.
func _p2p_ended(args) -> bool:
	return args[1]["connection_state"] == SteamServer.CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY


func _hub_bound_sockets_functions():
	yield(get_tree(), "idle_frame")
	t.forget_events()
	var p2p = SteamServer.connectP2P(alice, 7, {})
	t.check("connectP2P", p2p != 0, "handle %d" % p2p)
	var ended = yield(t.wait_event_where("SteamServer.network_connection_status_changed", funcref(self, "_p2p_ended")), "completed")
	t.check("connectP2P", ended != null and ended[0] == p2p and ended[1]["end_reason"] == SteamServer.CONNECTION_END_MISC_P2P_RENDEZVOUS,
			"no hub session: ends with the rendezvous end reason: %s" % str(ended))
	SteamServer.closeConnection(p2p, 0, "", false)
	var p2p_listen = SteamServer.createListenSocketP2P(7, {})
	t.check("createListenSocketP2P", p2p_listen != 0, "handle %d" % p2p_listen)
	t.check_eq("closeListenSocket", SteamServer.closeListenSocket(p2p_listen), true, "the P2P listen socket")
	var fake_listen = SteamServer.createListenSocketP2PFakeIP(0, {})
	t.check("createListenSocketP2PFakeIP", fake_listen != 0, "handle %d" % fake_listen)
	t.check_eq("closeListenSocket", SteamServer.closeListenSocket(fake_listen), true, "the FakeIP listen socket")
	t.check_eq("connectToHostedDedicatedServer", Steam.connectToHostedDedicatedServer(server_id, 0, {}), 0)
	t.check_eq("createHostedDedicatedServerListenSocket", SteamServer.createHostedDedicatedServerListenSocket(0, {}), 0)
	t.check_eq("getHostedDedicatedServerPOPId", SteamServer.getHostedDedicatedServerPOPId(), 0)
	t.check_eq("getHostedDedicatedServerPort", SteamServer.getHostedDedicatedServerPort(), 0, "SDR_LISTEN_PORT unset")
	t.check_eq("beginAsyncRequestFakeIP", SteamServer.beginAsyncRequestFakeIP(1), true, "taken")
	# Without a hub session the request waits for one (as Steam's waits for its logon): getFakeIP
	# says Busy and no fake_ip_result comes in the meantime (the NetworkingSockets' own status
	# change above is the positive control that events do arrive).
	var fake = yield(t.wait_event("SteamServer.fake_ip_result", 1000), "completed")
	t.check("fake_ip_result", fake == null, "none while the request waits for a hub session: %s" % str(fake))
	t.check_eq("getFakeIP", SteamServer.getFakeIP(0).get("result"), SteamServer.RESULT_BUSY, "the request is pending")
	t.check_eq("getRemoteFakeIPForConnection", SteamServer.getRemoteFakeIPForConnection(0).get("result"), SteamServer.RESULT_INVALID_PARAM)
	t.check_eq("createFakeUDPPort", SteamServer.createFakeUDPPort(0), null, "GodotSteam's returns nothing (the SDK's FakeUDPPort: api-map)")
	# "Currently not enabled" in the reference: their failure values.
	t.check_eq("findRelayAuthTicketForServer", SteamServer.findRelayAuthTicketForServer(server_id, 0), 0, "no ticket")
	t.check_eq("getGameCoordinatorServerLogin", SteamServer.getGameCoordinatorServerLogin(), 0)
	t.check_eq("getHostedDedicatedServerAddress", Steam.getHostedDedicatedServerAddress(), 0)
	t.check_eq("receivedRelayAuthTicket", Steam.receivedRelayAuthTicket(), {})
