# The example player, headless: logs on to the hub, finds a server on the master, checks it with
# A2S, connects with ENet, sends its session ticket, and plays once admitted.
#
#   godot3-server --path godot res://examples/client.tscn -- --user=NAME --password=PASSWORD
#       --master=127.0.0.1:27011 [--seconds=20]
#
# The hub comes from OUTPOST_HUB / OUTPOST_HUB_KEY (or the project settings outpost/hub/*). Exit
# status (as the C++ example bot): 0 played and left, 1 could not log on, find or reach a server,
# 3 refused or kicked. Log lines start with "client <name>: ".
extends Node

var user := ""
var play_seconds := 20
var ticket := {}
var admitted := false
var outcome := -1
var shots := 0
var last_score := 0
var _left_at_ms := 0
var _next_shot_ms := 0


func _ready() -> void:
	user = _arg("user", "")
	play_seconds = int(_arg("seconds", "20"))
	var result: int = Steam.logOn(user, _arg("password", ""), 480)
	if result != Steam.RESULT_OK:
		_log("cannot log on: result %d" % result)
		get_tree().quit(1)
		return
	_log("logged on as %d" % Steam.getSteamID())
	var server := _find_server(_arg("master", "127.0.0.1:27011"))
	if server.empty():
		_log("no server with a free slot on the master")
		_quit(1)
		return
	_log("found %s (%s) at %s, game port %d" % [server["name"], server["map"], server["address"], server["game_port"]])
	# A ticket only that server can redeem.
	ticket = Steam.getAuthSessionTicket(server["steam_id"])
	if ticket.get("id", 0) == 0:
		# The hub issues tickets only for an app the player owns.
		_log("the hub refused a ticket")
		_quit(3)
		return
	var peer := NetworkedMultiplayerENet.new()
	var host: String = server["address"].split(":")[0]
	if peer.create_client(host, server["game_port"]) != OK:
		_log("cannot connect to %s:%d" % [host, server["game_port"]])
		_quit(1)
		return
	get_tree().network_peer = peer
	get_tree().connect("connected_to_server", self, "_on_connected")
	get_tree().connect("connection_failed", self, "_on_connection_failed")
	get_tree().connect("server_disconnected", self, "_on_server_disconnected")


# The first server the master lists for app 480 that answers A2S_INFO with a free slot.
func _find_server(master_address: String) -> Dictionary:
	for attempt in range(20):
		for address in Steam.requestServerList(master_address, "\\appid\\480", 255, 2000):
			var info: Dictionary = Steam.queryInfo(address, 2000)
			if not info.empty() and info["players"] < info["max_players"]:
				return info
		OS.delay_msec(250)
	return {}


func _process(_delta: float) -> void:
	Steam.run_callbacks()
	if admitted and OS.get_ticks_msec() >= _next_shot_ms:
		_next_shot_ms = OS.get_ticks_msec() + 100
		shots += 1
		rpc_id(1, "shoot", shots)
	if _left_at_ms > 0 and OS.get_ticks_msec() >= _left_at_ms:
		_log("played %d s, leaving" % play_seconds)
		_quit(0)


func _on_connected() -> void:
	_log("connected, sending the ticket")
	rpc_id(1, "submit_ticket", Steam.getSteamID(), user, ticket["buffer"])


func _on_connection_failed() -> void:
	_log("could not reach the server")
	_quit(1)


func _on_server_disconnected() -> void:
	_log("the server closed the connection")
	_quit(outcome if outcome >= 0 else 0)


remote func welcome(name_on_server: String) -> void:
	admitted = true
	_left_at_ms = OS.get_ticks_msec() + play_seconds * 1000
	_log("admitted as %s" % name_on_server)


remote func refused(code: int) -> void:
	outcome = 3
	_log("refused: %d" % code)


remote func kicked(reason: int) -> void:
	outcome = 3
	_log("kicked: deny reason %d" % reason)
	_quit(3)


remote func score(points: int) -> void:
	if points != last_score:
		last_score = points
		if points % 5 == 0:
			_log("score %d" % points)


func _quit(status: int) -> void:
	if ticket.get("id", 0) != 0:
		Steam.cancelAuthTicket(ticket["id"])
	if get_tree().network_peer != null:
		get_tree().network_peer.close_connection()
		get_tree().network_peer = null
	Steam.logOff()
	get_tree().quit(status)


func _arg(name: String, default: String) -> String:
	for a in OS.get_cmdline_args():
		if a.begins_with("--" + name + "="):
			return a.substr(name.length() + 3)
	return default


func _log(text: String) -> void:
	print("client %s: %s" % [user, text])
