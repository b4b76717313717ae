# NOT RUN: the Godot 4 (GDScript 2.0) translation of godot/addons/outpost/agent_connection.gd, made by
# hand for Godot 4's API names; Godot 4 is not available where Outpost is built and tested, so this
# file has never been executed (see godot/godot4/README.md).
#
# OutpostAgent: the addon's connection to outpost-agent, the local process that hosts the Outpost
# SDK for this game (docs/spec/agent.md). The generated singletons SteamServer and Steam send every
# call through call_agent(); nothing else in the addon talks to the agent.
#
# Finding the agent, on the first call:
#   - attach: if the project setting "outpost/agent/attach_file" or the environment variable
#     OUTPOST_AGENT_ATTACH names the secret file of an agent that is already running
#     (`outpost-agent --secret-file FILE`), connect to it;
#   - otherwise start one: the executable from the project setting "outpost/agent/path", else
#     OUTPOST_AGENT, else `outpost-agent` beside the Godot executable. It is started with a fresh
#     secret file in user:// (mode 0600, written by the agent), which is read and deleted, and with
#     --parent-pid, so the agent exits with this process even if it is killed.
# The hub: the agent reads OUTPOST_HUB and OUTPOST_HUB_KEY from the environment it inherits; the
# project settings "outpost/hub/address" and "outpost/hub/public_key", when set, are passed with
# setHub on both singletons right after connecting.
#
# Wire: each frame is a little-endian u32 length and a Godot Variant (StreamPeer.put_var); the
# first is the hello with the secret. Calls are synchronous: one request, one reply. When the agent
# is missing, crashed or answers with an error, the reason is printed (push_error) and the call
# returns the reference's failure value; agent_failed(reason) is emitted once when the agent is lost.
extends Node

signal agent_failed(reason)

const PROTOCOL = 1
const CONNECT_TIMEOUT_MS = 5000
const START_TIMEOUT_MS = 10000
# Longer than the longest blocking call (a server-browser query may be given 60 s).
const CALL_TIMEOUT_MS = 75000
const SPIN_USEC = 2000

var last_error := ""
var agent_pid := -1

var _tcp: StreamPeerTCP = null
var _next_id := 1
var _failed := false


func is_agent_connected() -> bool:
	return _tcp != null and _tcp.get_status() == StreamPeerTCP.STATUS_CONNECTED


# Calls `call_name` ("SteamServer.loggedOn", ...) with positional `args`. Returns the result, or
# `fail_value` after printing why the call could not be made.
func call_agent(call_name: String, args: Array, fail_value):
	if _tcp == null and not _failed:
		_connect_agent()
	if _tcp == null:
		push_error("Outpost: %s: %s" % [call_name, last_error])
		return fail_value
	var id := _next_id
	_next_id += 1
	_tcp.put_var({"id": id, "call": call_name, "args": args})
	var reply = _read_frame(CALL_TIMEOUT_MS)
	if typeof(reply) != TYPE_DICTIONARY:
		push_error("Outpost: %s: %s" % [call_name, last_error])
		return fail_value
	if reply.has("error"):
		var e = reply["error"]
		push_error("Outpost: %s refused by outpost-agent: %s (%s)" % [call_name, e.get("message", "?"), e.get("code", "?")])
		return fail_value
	return reply.get("result")


# Closes the connection; the agent then shuts the SDK down and exits.
func disconnect_agent() -> void:
	if _tcp != null:
		_tcp.disconnect_from_host()
	_tcp = null


func _exit_tree() -> void:
	disconnect_agent()


func _setting(name: String) -> String:
	if ProjectSettings.has_setting(name):
		return str(ProjectSettings.get_setting(name))
	return ""


func _fail(reason: String) -> void:
	last_error = reason
	_failed = true
	_tcp = null
	agent_failed.emit(reason)


func _lose(reason: String) -> void:
	_fail(reason + (" (agent pid %d)" % agent_pid if agent_pid > 0 else ""))


func _connect_agent() -> void:
	var attach := _setting("outpost/agent/attach_file")
	if attach == "" and OS.has_environment("OUTPOST_AGENT_ATTACH"):
		attach = OS.get_environment("OUTPOST_AGENT_ATTACH")
	var info := {}
	if attach != "":
		info = _read_secret_file(attach, false)
		if info.is_empty():
			_fail("cannot attach to outpost-agent: %s does not hold a port and a secret (is the agent running?)" % attach)
			return
	else:
		info = _start_agent()
		if info.is_empty():
			return
	_tcp = StreamPeerTCP.new()
	if _tcp.connect_to_host("127.0.0.1", int(info["port"])) != OK:
		_lose("cannot connect to outpost-agent on 127.0.0.1:%s" % info["port"])
		return
	var deadline := Time.get_ticks_msec() + CONNECT_TIMEOUT_MS
	while _tcp.get_status() == StreamPeerTCP.STATUS_CONNECTING and Time.get_ticks_msec() < deadline:
		OS.delay_usec(200)
		_tcp.poll()
	if _tcp.get_status() != StreamPeerTCP.STATUS_CONNECTED:
		_lose("cannot connect to outpost-agent on 127.0.0.1:%s" % info["port"])
		return
	_tcp.set_no_delay(true)
	_tcp.put_var({"hello": "outpost-agent", "protocol": PROTOCOL, "secret": info["secret"], "id": 0})
	var reply = _read_frame(CONNECT_TIMEOUT_MS)
	if typeof(reply) != TYPE_DICTIONARY:
		_lose("outpost-agent did not answer the hello: " + last_error)
		return
	if reply.has("error"):
		_lose("outpost-agent refused the hello: %s" % reply["error"].get("message", "?"))
		return
	agent_pid = int(reply["result"].get("pid", agent_pid))
	var hub := _setting("outpost/hub/address")
	if hub != "":
		var key := _setting("outpost/hub/public_key")
		call_agent("SteamServer.setHub", [hub, key], null)
		call_agent("Steam.setHub", [hub, key], null)


# Starts outpost-agent; returns {port, secret} from the file it writes, or {} (reason in last_error).
func _start_agent() -> Dictionary:
	var path := _setting("outpost/agent/path")
	if path == "" and OS.has_environment("OUTPOST_AGENT"):
		path = OS.get_environment("OUTPOST_AGENT")
	if path == "":
		path = OS.get_executable_path().get_base_dir().path_join("outpost-agent")
	if not path.is_absolute_path():
		_fail("the outpost-agent path must be absolute, got %s (project setting outpost/agent/path or OUTPOST_AGENT)" % path)
		return {}
	if not FileAccess.file_exists(path):
		_fail("outpost-agent not found at %s (set the project setting outpost/agent/path or OUTPOST_AGENT)" % path)
		return {}
	randomize()
	var secret_file := ProjectSettings.globalize_path("user://outpost-agent-%d-%08x.secret" % [OS.get_process_id(), randi()])
	var args := ["--secret-file", secret_file, "--parent-pid", str(OS.get_process_id())]
	agent_pid = OS.create_process(path, args)
	if agent_pid <= 0:
		_fail("cannot start outpost-agent at %s" % path)
		return {}
	var deadline := Time.get_ticks_msec() + START_TIMEOUT_MS
	while Time.get_ticks_msec() < deadline:
		var info := _read_secret_file(secret_file, true)
		if not info.is_empty():
			return info
		OS.delay_msec(5)
	_lose("outpost-agent (%s) did not start within %d ms; its reasons are on stderr" % [path, START_TIMEOUT_MS])
	return {}


# Parses "outpost-agent 1 / port=N / secret=HEX / pid=N". {} if the file is missing or incomplete.
func _read_secret_file(path: String, delete_after: bool) -> Dictionary:
	if not FileAccess.file_exists(path):
		return {}
	var f := FileAccess.open(path, FileAccess.READ)
	if f == null:
		return {}
	var info := {}
	for line in f.get_as_text().split("\n"):
		var kv = line.split("=", true, 1)
		if kv.size() == 2:
			info[kv[0]] = kv[1]
	f.close()
	if not info.has("port") or not info.has("secret"):
		return {}
	if delete_after:
		DirAccess.remove_absolute(path)
	return info


# One reply frame, or null (reason in last_error, connection dropped) on timeout or disconnect.
func _read_frame(timeout_ms: int):
	var start := Time.get_ticks_usec()
	var deadline := Time.get_ticks_msec() + timeout_ms
	var next_status_check := 0
	while _tcp.get_available_bytes() < 4:
		_tcp.poll()
		if Time.get_ticks_usec() - start > SPIN_USEC:
			OS.delay_usec(100)
			if Time.get_ticks_msec() >= next_status_check:
				next_status_check = Time.get_ticks_msec() + 50
				if _tcp.get_status() != StreamPeerTCP.STATUS_CONNECTED:
					_lose("outpost-agent closed the connection (it exited or was killed)")
					return null
			if Time.get_ticks_msec() >= deadline:
				_lose("outpost-agent did not answer within %d ms" % timeout_ms)
				disconnect_agent()
				return null
	var length := _tcp.get_u32()
	while _tcp.get_available_bytes() < length:
		_tcp.poll()
		if _tcp.get_status() != StreamPeerTCP.STATUS_CONNECTED:
			_lose("outpost-agent closed the connection in the middle of a reply")
			return null
		if Time.get_ticks_msec() >= deadline:
			_lose("outpost-agent did not finish its reply within %d ms" % timeout_ms)
			disconnect_agent()
			return null
	var got = _tcp.get_data(length)
	if got[0] != OK:
		_lose("reading from outpost-agent failed (error %d)" % got[0])
		return null
	var value = bytes_to_var(got[1])
	if typeof(value) != TYPE_DICTIONARY:
		_lose("outpost-agent sent a frame that is not a Dictionary")
		return null
	return value
