# The example dedicated server, headless (godot3-server): the pattern GodotSteam Server users
# deploy most — Godot's own NetworkedMultiplayerENet for gameplay, SteamServer only for logon,
# the server-browser listing and the players' auth tickets — against an Outpost hub.
#
#   godot3-server --path godot res://examples/server.tscn -- --token=TOKEN [--game-port=27015]
#       [--query-port=27016] [--name="Godot example server"] [--max-players=8] [--seconds=0]
#
# The hub comes from OUTPOST_HUB / OUTPOST_HUB_KEY (or the project settings outpost/hub/*), the app
# id from OUTPOST_APP_ID. A player connects with ENet and, first thing, sends its session ticket
# (submit_ticket); the server calls beginAuthSession and admits the player only when the hub's
# validate_auth_ticket_response says OK. Admitted players shoot at a number; each hit scores, and
# the score is what A2S_PLAYER shows (updateUserData), so server browsers and qstat see live
# scores. A client_kick from the hub (a ban) removes the player at once. Log lines start with
# "server: " (the tests wait for them).
extends Node

const NO_TICKET_TIMEOUT_S = 5.0

var game_port := 27015
var max_players := 8
var players := {}        # ENet peer id -> {steam_id, name, admitted, score, joined_s}
var by_steam_id := {}    # Steam ID -> ENet peer id
# Refusals heard in this frame's run_callbacks, acted on after it: a ban's client_kick arrives in
# the same run_callbacks as its verdict, and the kick (with its deny reason) is what the player
# should be told.
var _refusals := {}      # ENet peer id -> AuthSessionResponse
var _stop_at_ms := 0


func _ready() -> void:
	var token := _arg("token", "")
	game_port = int(_arg("game-port", "27015"))
	var query_port := int(_arg("query-port", "27016"))
	max_players = int(_arg("max-players", "8"))
	var seconds := int(_arg("seconds", "0"))
	if seconds > 0:
		_stop_at_ms = OS.get_ticks_msec() + seconds * 1000

	for s in ["server_connected", "server_connect_failure", "server_disconnected", "policy_response",
			"validate_auth_ticket_response", "client_kick"]:
		SteamServer.connect(s, self, "_on_" + s)
	var init: Dictionary = SteamServer.serverInitEx("127.0.0.1", game_port, query_port,
			SteamServer.SERVER_MODE_AUTHENTICATION_AND_SECURE, "1.0.0.0")
	if init.get("status") != SteamServer.STEAM_API_INIT_RESULT_OK:
		_log("cannot start: %s" % init.get("verbal", "no agent"))
		get_tree().quit(1)
		return
	SteamServer.setProduct("480")
	SteamServer.setGameDescription("Target practice (Godot example)")
	SteamServer.setModDir("spacewar")
	SteamServer.setDedicatedServer(true)
	SteamServer.setServerName(_arg("name", "Godot example server"))
	SteamServer.setMapName("godot_range")
	SteamServer.setMaxPlayerCount(max_players)
	SteamServer.setGameTags("godot,example")
	SteamServer.setKeyValue("engine", "godot " + Engine.get_version_info()["string"])
	if token == "":
		SteamServer.logOnAnonymous()
	else:
		SteamServer.logOn(token)

	var peer := NetworkedMultiplayerENet.new()
	peer.set_bind_ip("127.0.0.1")
	var err := peer.create_server(game_port, max_players)
	if err != OK:
		_log("cannot listen on UDP %d (error %d)" % [game_port, err])
		get_tree().quit(1)
		return
	get_tree().network_peer = peer
	get_tree().connect("network_peer_connected", self, "_on_peer_connected")
	get_tree().connect("network_peer_disconnected", self, "_on_peer_disconnected")
	_log("game on UDP 127.0.0.1:%d (ENet), queries on 127.0.0.1:%d; outpost-agent pid %d"
			% [game_port, query_port, OutpostAgent.agent_pid])


func _process(_delta: float) -> void:
	SteamServer.run_callbacks()  # every signal above is delivered in here
	for id in _refusals:
		if players.has(id):
			_log("refused %s (%d): response %d" % [players[id]["name"], players[id]["steam_id"], _refusals[id]])
			rpc_id(id, "refused", _refusals[id])
			_drop(id)
	_refusals.clear()
	var now := OS.get_ticks_msec() / 1000.0
	for id in players.keys():
		var p = players[id]
		if not p["admitted"] and p["steam_id"] == 0 and now - p["joined_s"] > NO_TICKET_TIMEOUT_S:
			_log("peer %d sent no ticket within %d s" % [id, NO_TICKET_TIMEOUT_S])
			_drop(id)
	if _stop_at_ms > 0 and OS.get_ticks_msec() > _stop_at_ms:
		_shut_down()


func _shut_down() -> void:
	_stop_at_ms = 0
	for id in players.keys():
		_drop(id)
	SteamServer.logOff()
	SteamServer.serverShutdown()
	_log("stopped")
	get_tree().quit(0)


# ---- Steam side ---------------------------------------------------------------------------------
func _on_server_connected() -> void:
	_log("logged on as %d" % SteamServer.getSteamID())
	SteamServer.setAdvertiseServerActive(true)
	_log("advertised on the master")


func _on_server_connect_failure(result: int, retrying: bool) -> void:
	_log("logon failed: result %d%s" % [result, " (retrying)" if retrying else ""])
	if not retrying:
		get_tree().quit(1)


func _on_server_disconnected(result: int) -> void:
	_log("disconnected from the hub: result %d" % result)


func _on_policy_response(secure: int) -> void:
	_log("secure: %d" % secure)


func _on_validate_auth_ticket_response(steam_id: int, response: int, owner_id: int) -> void:
	if not by_steam_id.has(steam_id):
		return
	var id: int = by_steam_id[steam_id]
	var p = players[id]
	if response == SteamServer.AUTH_SESSION_RESPONSE_OK:
		if not p["admitted"]:
			p["admitted"] = true
			SteamServer.updateUserData(steam_id, p["name"], 0)
			_log("admitted %s (%d, licence owner %d)" % [p["name"], steam_id, owner_id])
			rpc_id(id, "welcome", p["name"])
	else:
		_refusals[id] = response


func _on_client_kick(steam_id: int, reason: int) -> void:
	if not by_steam_id.has(steam_id):
		return
	var id: int = by_steam_id[steam_id]
	_refusals.erase(id)
	_log("kicked %s (%d): deny reason %d" % [players[id]["name"], steam_id, reason])
	rpc_id(id, "kicked", reason)
	_drop(id)


# ---- Game side (ENet) -----------------------------------------------------------------------------
func _on_peer_connected(id: int) -> void:
	players[id] = {"steam_id": 0, "name": "", "admitted": false, "score": 0, "joined_s": OS.get_ticks_msec() / 1000.0}
	_log("peer %d connected" % id)


func _on_peer_disconnected(id: int) -> void:
	if players.has(id):
		var p = players[id]
		if p["steam_id"] != 0:
			SteamServer.endAuthSession(p["steam_id"])
			by_steam_id.erase(p["steam_id"])
		players.erase(id)
		_log("peer %d left" % id)


# The player's first message: who it is and its ticket (from Steam.getAuthSessionTicket).
remote func submit_ticket(steam_id: int, player_name: String, ticket: PoolByteArray) -> void:
	var id := get_tree().get_rpc_sender_id()
	if not players.has(id) or players[id]["steam_id"] != 0:
		return
	if by_steam_id.has(steam_id):
		_log("%d is already on this server" % steam_id)
		rpc_id(id, "refused", SteamServer.AUTH_SESSION_RESPONSE_LOGGED_IN_ELSEWHERE)
		_drop(id)
		return
	var p = players[id]
	p["steam_id"] = steam_id
	p["name"] = player_name.substr(0, 32)
	by_steam_id[steam_id] = id
	var result: int = SteamServer.beginAuthSession(ticket, steam_id)
	if result != SteamServer.BEGIN_AUTH_SESSION_RESULT_OK:
		_log("refused %s (%d): beginAuthSession %d" % [p["name"], steam_id, result])
		rpc_id(id, "refused", result)
		_drop(id)
		return
	_log("checking %s's ticket (%d)" % [p["name"], steam_id])


remote func shoot(guess: int) -> void:
	var id := get_tree().get_rpc_sender_id()
	if not players.has(id) or not players[id]["admitted"]:
		return
	var p = players[id]
	if guess % 3 == 0:
		p["score"] += 1
		SteamServer.updateUserData(p["steam_id"], p["name"], p["score"])
	rpc_id(id, "score", p["score"])


func _drop(id: int) -> void:
	var peer = get_tree().network_peer
	if peer != null and players.has(id):
		peer.disconnect_peer(id, false)
	_on_peer_disconnected(id)


# ---- Helpers ----------------------------------------------------------------------------------------
func _arg(name: String, default: String) -> String:
	for a in OS.get_cmdline_args():
		if a.begins_with("--" + name + "="):
			return a.substr(name.length() + 3)
	return default


func _log(text: String) -> void:
	print("server: " + text)
