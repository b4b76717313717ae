# Helpers of the GDScript test suite (reference_suite.gd): check bookkeeping, the recorder of every
# signal the two singletons emit, waiting for a signal while pumping run_callbacks, the test
# environment the C++ harness passes (tests/godot/godot_test.cpp), and A2S packets built and parsed
# in GDScript (the Valve query protocol, reference/valve-query-protocols.md) so that what the
# GameServer answers through handleIncomingPacket / getNextOutgoingPacket can be read here.
extends Node

var passed = {}      # function name -> number of passing checks
var failures = []    # "function: detail"
var events = []      # [["SteamServer.signal", [args]], ...] in emission order


# ---- Checks ------------------------------------------------------------------------------------
# One assertion about `function`'s effect. Prints PASS/FAIL lines the harness reads.
func check(function: String, ok: bool, detail = "") -> bool:
	if ok:
		passed[function] = passed.get(function, 0) + 1
		print("PASS %s %s" % [function, detail])
	else:
		failures.append("%s: %s" % [function, detail])
		print("FAIL %s: %s" % [function, detail])
	return ok


func check_eq(function: String, got, want, what = "") -> bool:
	return check(function, deep_equal(got, want), "%s got %s, want %s" % [what, str(got), str(want)])


# Godot 3 compares Dictionaries by identity; this compares them (and Arrays) by content.
func deep_equal(a, b) -> bool:
	if typeof(a) != typeof(b):
		return false
	if typeof(a) == TYPE_DICTIONARY:
		if a.size() != b.size():
			return false
		for k in a:
			if not b.has(k) or not deep_equal(a[k], b[k]):
				return false
		return true
	if typeof(a) == TYPE_ARRAY:
		if a.size() != b.size():
			return false
		for i in range(a.size()):
			if not deep_equal(a[i], b[i]):
				return false
		return true
	return a == b


# ---- Environment ---------------------------------------------------------------------------------
func env(name: String) -> String:
	if not OS.has_environment(name):
		failures.append("environment: %s is not set (run through tests/godot/godot_test.cpp)" % name)
		return ""
	return OS.get_environment(name)


# GDScript's String.to_int() stops at 32 bits; Steam IDs need 64.
func env_u64(name: String) -> int:
	var s = env(name)
	var v = 0
	for i in range(s.length()):
		v = v * 10 + (s.ord_at(i) - 48)
	return v


# ---- Signals -------------------------------------------------------------------------------------
func record_signals(object: Object, prefix: String) -> void:
	for s in object.get_signal_list():
		var handler = "_rec%d" % s["args"].size()
		object.connect(s["name"], self, handler, [prefix + "." + s["name"]])


func _rec0(n): events.append([n, []])
func _rec1(a, n): events.append([n, [a]])
func _rec2(a, b, n): events.append([n, [a, b]])
func _rec3(a, b, c, n): events.append([n, [a, b, c]])
func _rec4(a, b, c, d, n): events.append([n, [a, b, c, d]])
func _rec5(a, b, c, d, e, n): events.append([n, [a, b, c, d, e]])


func pump() -> void:
	SteamServer.run_callbacks()
	Steam.run_callbacks()


# Pumps both singletons until `name` ("SteamServer.server_connected") was emitted; returns its
# arguments (and forgets that event), or null after timeout_ms. A coroutine: yield on "completed".
func wait_event(name: String, timeout_ms = 10000):
	yield(get_tree(), "idle_frame")
	var deadline = OS.get_ticks_msec() + timeout_ms
	while true:
		pump()
		for i in range(events.size()):
			if events[i][0] == name:
				var args = events[i][1]
				events.remove(i)
				return args
		if OS.get_ticks_msec() > deadline:
			return null
		yield(get_tree().create_timer(0.02), "timeout")


# Like wait_event, for an event whose arguments satisfy `matcher.call_func(args)`.
func wait_event_where(name: String, matcher: FuncRef, timeout_ms = 10000):
	yield(get_tree(), "idle_frame")
	var deadline = OS.get_ticks_msec() + timeout_ms
	while true:
		pump()
		for i in range(events.size()):
			if events[i][0] == name and matcher.call_func(events[i][1]):
				var args = events[i][1]
				events.remove(i)
				return args
		if OS.get_ticks_msec() > deadline:
			return null
		yield(get_tree().create_timer(0.02), "timeout")


func forget_events() -> void:
	pump()
	events.clear()


func sleep(seconds: float):
	yield(get_tree().create_timer(seconds), "timeout")


# ---- The outpost CLI (the harness passes its path and the hub's data directory) ----------------
func admin(words: Array) -> String:
	var args = ["admin", "--hub", env("OUTPOST_TEST_HUB"), "--data-dir", env("OUTPOST_TEST_HUB_DATA_DIR")]
	args += words
	var out = []
	var status = OS.execute(env("OUTPOST_TEST_CLI"), args, true, out, true)
	var text = ""
	for line in out:
		text += str(line)
	if status != 0:
		failures.append("outpost admin %s exited %d: %s" % [str(words), status, text])
	return text


# ---- Hex (for the CLI's certificate signing) -----------------------------------------------------------
func hex_encode(b: PoolByteArray) -> String:
	var s = ""
	for x in b:
		s += "%02x" % x
	return s


func hex_decode(s: String) -> PoolByteArray:
	var out = PoolByteArray()
	for i in range(0, s.length() - 1, 2):
		out.append(("0x" + s.substr(i, 2)).hex_to_int())
	return out


# ---- A2S (Valve server queries) ------------------------------------------------------------------
const A2S_INFO = 0x54
const A2S_PLAYER = 0x55
const A2S_RULES = 0x56


func a2s_request(kind: int, challenge: PoolByteArray) -> PoolByteArray:
	var b = PoolByteArray([0xFF, 0xFF, 0xFF, 0xFF, kind])
	if kind == A2S_INFO:
		b.append_array("Source Engine Query".to_ascii())
		b.append(0)
	if challenge.size() == 4:
		b.append_array(challenge)
	elif kind != A2S_INFO:
		b.append_array(PoolByteArray([0xFF, 0xFF, 0xFF, 0xFF]))
	return b


# The 4 challenge bytes of an S2C_CHALLENGE reply ('A'), or an empty array.
func a2s_challenge_of(reply: PoolByteArray) -> PoolByteArray:
	if reply.size() == 9 and reply[4] == 0x41:
		return reply.subarray(5, 8)
	return PoolByteArray()


func _cstring(buf: StreamPeerBuffer) -> String:
	var bytes = PoolByteArray()
	while buf.get_position() < buf.get_size():
		var c = buf.get_u8()
		if c == 0:
			break
		bytes.append(c)
	return bytes.get_string_from_utf8()


# A2S_INFO reply -> Dictionary of its fields ({} if it is not one).
func a2s_parse_info(reply: PoolByteArray) -> Dictionary:
	if reply.size() < 6 or reply[4] != 0x49:
		return {}
	var b = StreamPeerBuffer.new()
	b.data_array = reply
	b.seek(5)
	var info = {}
	info["protocol"] = b.get_u8()
	info["name"] = _cstring(b)
	info["map"] = _cstring(b)
	info["folder"] = _cstring(b)
	info["game"] = _cstring(b)
	info["id"] = b.get_u16()
	info["players"] = b.get_u8()
	info["max_players"] = b.get_u8()
	info["bots"] = b.get_u8()
	info["server_type"] = char(b.get_u8())
	info["environment"] = char(b.get_u8())
	info["visibility"] = b.get_u8()
	info["vac"] = b.get_u8()
	info["version"] = _cstring(b)
	if b.get_position() < b.get_size():
		var edf = b.get_u8()
		if edf & 0x80:
			info["port"] = b.get_u16()
		if edf & 0x10:
			info["steam_id"] = b.get_u64()
		if edf & 0x40:
			info["spectator_port"] = b.get_u16()
			info["spectator_name"] = _cstring(b)
		if edf & 0x20:
			info["keywords"] = _cstring(b)
		if edf & 0x01:
			info["game_id"] = b.get_u64()
	return info


# A2S_RULES reply (unsplit) -> Dictionary of rules (null if it is not one).
func a2s_parse_rules(reply: PoolByteArray):
	if reply.size() < 7 or reply[4] != 0x45:
		return null
	var b = StreamPeerBuffer.new()
	b.data_array = reply
	b.seek(5)
	var n = b.get_u16()
	var rules = {}
	for _i in range(n):
		var k = _cstring(b)
		rules[k] = _cstring(b)
	return rules


# A2S_PLAYER reply -> Array of {name, score, duration} (null if it is not one).
func a2s_parse_players(reply: PoolByteArray):
	if reply.size() < 6 or reply[4] != 0x44:
		return null
	var b = StreamPeerBuffer.new()
	b.data_array = reply
	b.seek(5)
	var n = b.get_u8()
	var players = []
	for _i in range(n):
		b.get_u8()  # index
		var p = {}
		p["name"] = _cstring(b)
		p["score"] = b.get_32()
		p["duration"] = b.get_float()
		players.append(p)
	return players
