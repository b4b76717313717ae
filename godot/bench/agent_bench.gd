# The GDScript side of `bench/run godot` (bench/agent_bench.cpp runs it headless and collects its
# rows): how long one call through outpost-agent takes seen from GDScript, and how many messages per
# second go through it, on an in-memory socket pair (so the transport itself costs almost nothing
# and what is measured is the addon, the agent and the SDK call). One JSON row per line, prefixed
# "BENCH ", then "BENCH done".
#   godot3-server --path godot res://bench/agent_bench.tscn -- [--calls=20000] [--messages=200000]
#       [--batch=256] [--payload=64]
extends Node

var calls := 20000
var messages := 200000
var batch := 256
var payload_bytes := 64


func _ready() -> void:
	calls = int(_arg("calls", "20000"))
	messages = int(_arg("messages", "200000"))
	batch = int(_arg("batch", "256"))
	payload_bytes = int(_arg("payload", "64"))
	SteamServer.loggedOn()
	if not OutpostAgent.is_agent_connected():
		print("BENCH " + to_json({"workload": "call_loggedOn", "impl": "gdscript_via_agent", "ok": false,
				"error": OutpostAgent.last_error}))
		print("BENCH done")
		get_tree().quit(1)
		return
	_latency("call_loggedOn", funcref(self, "_call_logged_on"))
	var pair: Dictionary = SteamServer.createSocketPair(false, 0, 0)
	var c1: int = pair["connection1"]
	var c2: int = pair["connection2"]
	var payload := PoolByteArray()
	payload.resize(payload_bytes)
	for i in range(payload_bytes):
		payload[i] = i & 0xFF
	_send_latency(c1, c2, payload)
	_messages_per_call(c1, c2, payload)
	_messages_batched(c1, c2, payload)
	_payload_batches(c1, c2, payload)
	_gdscript_alone(payload)
	print("BENCH done")
	get_tree().quit(0)


func _call_logged_on() -> void:
	SteamServer.loggedOn()


# p50/p99/mean of `calls` calls, after 1000 to warm up.
func _latency(workload: String, f: FuncRef) -> void:
	for _i in range(1000):
		f.call_func()
	var samples := []
	samples.resize(calls)
	for i in range(calls):
		var t0 := OS.get_ticks_usec()
		f.call_func()
		samples[i] = OS.get_ticks_usec() - t0
	_print_latency(workload, samples)


func _print_latency(workload: String, samples: Array) -> void:
	samples.sort()
	var total := 0
	for s in samples:
		total += s
	var n := samples.size()
	print("BENCH " + to_json({"workload": workload, "impl": "gdscript_via_agent", "calls": n,
			"p50_us": samples[int(ceil(n * 0.5)) - 1], "p99_us": samples[int(ceil(n * 0.99)) - 1],
			"mean_us": float(total) / n, "ok": true}))


# One sendMessageToConnection per sample, drained every `batch` sends.
func _send_latency(c1: int, c2: int, payload: PoolByteArray) -> void:
	var samples := []
	var ok := true
	for i in range(calls):
		var t0 := OS.get_ticks_usec()
		var r: Dictionary = SteamServer.sendMessageToConnection(c1, payload, SteamServer.NETWORKING_SEND_RELIABLE)
		samples.append(OS.get_ticks_usec() - t0)
		ok = ok and r.get("result") == SteamServer.RESULT_OK
		if i % batch == batch - 1:
			_drain(c2, batch)
	_drain(c2, calls % batch)
	_print_latency("call_sendMessageToConnection", samples)


# Receives exactly `n` messages (bounded wait); returns how many arrived.
func _drain(c2: int, n: int) -> int:
	var got := 0
	var deadline := OS.get_ticks_msec() + 5000
	while got < n and OS.get_ticks_msec() < deadline:
		got += SteamServer.receiveMessagesOnConnection(c2, min(batch, n - got)).size()
	return got


func _rate_row(workload: String, sent: int, received: int, usec: int, ok: bool) -> void:
	print("BENCH " + to_json({"workload": workload, "impl": "gdscript_via_agent", "messages": sent,
			"received": received, "seconds": usec / 1e6, "msgs_per_s": received / (usec / 1e6),
			"batch": batch, "payload_bytes": payload_bytes, "ok": ok and received == sent}))


# sendMessageToConnection once per message; receiveMessagesOnConnection up to `batch` at a time.
func _messages_per_call(c1: int, c2: int, payload: PoolByteArray) -> void:
	var n := messages / 10  # one round trip per message: a tenth of the batched count
	var received := 0
	var ok := true
	var t0 := OS.get_ticks_usec()
	for i in range(n):
		var r: Dictionary = SteamServer.sendMessageToConnection(c1, payload, SteamServer.NETWORKING_SEND_RELIABLE)
		ok = ok and r.get("result") == SteamServer.RESULT_OK
		if i % batch == batch - 1:
			received += _drain(c2, batch)
	received += _drain(c2, n - received)
	_rate_row("msgs_sendMessageToConnection", n, received, OS.get_ticks_usec() - t0, ok)


# sendMessages with `batch` messages per call; receiveMessagesOnConnection up to `batch` at a time.
func _messages_batched(c1: int, c2: int, payload: PoolByteArray) -> void:
	var list := []
	for _i in range(batch):
		list.append({"connection": c1, "data": payload, "flags": SteamServer.NETWORKING_SEND_RELIABLE})
	var received := 0
	var sent := 0
	var ok := true
	var t0 := OS.get_ticks_usec()
	while sent < messages:
		var results: Array = SteamServer.sendMessages(list)
		ok = ok and results.size() == batch and results[batch - 1].get("result") == SteamServer.RESULT_OK
		sent += batch
		received += _drain(c2, batch)
	_rate_row("msgs_sendMessages_batched", sent, received, OS.get_ticks_usec() - t0, ok)


# The compact extension: sendMessagesToConnection with `batch` payloads per call,
# receiveMessagePayloadsOnConnection (an Array of PoolByteArray, no Dictionary per message).
func _payload_batches(c1: int, c2: int, payload: PoolByteArray) -> void:
	var list := []
	for _i in range(batch):
		list.append(payload)
	var received := 0
	var sent := 0
	var ok := true
	var t0 := OS.get_ticks_usec()
	while sent < messages:
		var r: Dictionary = SteamServer.sendMessagesToConnection(c1, list, SteamServer.NETWORKING_SEND_RELIABLE)
		ok = ok and r.get("sent") == batch
		sent += batch
		var want := sent
		var deadline := OS.get_ticks_msec() + 5000
		while received < want and OS.get_ticks_msec() < deadline:
			received += SteamServer.receiveMessagePayloadsOnConnection(c2, batch).size()
	_rate_row("msgs_payload_batches", sent, received, OS.get_ticks_usec() - t0, ok)


func _arg(name: String, default: String) -> String:
	for a in OS.get_cmdline_args():
		if a.begins_with("--" + name + "="):
			return a.substr(name.length() + 3)
	return default


# What GDScript alone spends on the addon's side of a call, with no agent: the floor under the
# rows above. cost_call_frame: a sendMessageToConnection request encoded as the addon writes it
# (StreamPeerBuffer.put_var of [id, call number, args]) and its reply decoded (get_var of
# [id, {result, message_number}]). cost_message_dictionary: bytes2var of `batch` message
# Dictionaries as receiveMessagesOnConnection returns them, per message.
func _gdscript_alone(payload: PoolByteArray) -> void:
	var n := calls
	var out := StreamPeerBuffer.new()
	var reply := StreamPeerBuffer.new()
	reply.put_var([7, {"result": 1, "message_number": 12345}])
	var t0 := OS.get_ticks_usec()
	for i in range(n):
		out.clear()
		out.put_var([i, 57, [3, payload, 8]])
		reply.seek(0)
		var _r = reply.get_var()
	_cost_row("cost_call_frame", n, OS.get_ticks_usec() - t0)
	var list := []
	for i in range(batch):
		list.append({"channel": 0, "connection": 3, "flags": 8, "identity": 76561197960265729, "lane": 0,
				"message_number": i, "payload": payload, "receiver_user_data": -1, "sender_user_data": -1,
				"size": payload.size(), "time_received": 1700000000000000})
	var bytes := var2bytes(list)
	var rounds := max(1, n / batch)
	t0 = OS.get_ticks_usec()
	for _i in range(rounds):
		var _l = bytes2var(bytes)
	_cost_row("cost_message_dictionary", rounds * batch, OS.get_ticks_usec() - t0)


func _cost_row(workload: String, ops: int, usec: int) -> void:
	print("BENCH " + to_json({"workload": workload, "impl": "gdscript_alone", "ops": ops,
			"us_per_op": float(usec) / ops, "ok": true}))

