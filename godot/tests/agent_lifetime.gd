# A minimal game for the agent's lifetime tests (tests/godot/godot_agent_test.cpp): it calls
# SteamServer.getSteamID32 once at start and then every 100 ms, printing what happens, so a test
# can see a missing agent, an attached one, or one that died under it reported; it prints the
# agent's pid so a test can watch the agent when the game itself is killed.
#   godot3-server --path godot res://tests/agent_lifetime.tscn -- [--seconds=30]
extends Node

var _end_ms := 0
var _next_ms := 0
var _failed_calls := 0


func _ready() -> void:
	OutpostAgent.connect("agent_failed", self, "_on_agent_failed")
	var seconds := 30
	for a in OS.get_cmdline_args():
		if a.begins_with("--seconds="):
			seconds = int(a.substr(10))
	_end_ms = OS.get_ticks_msec() + seconds * 1000
	var r = SteamServer.getSteamID32(76561197960265729)
	print("lifetime: first call returned %s; agent pid %d" % [str(r), OutpostAgent.agent_pid])


func _on_agent_failed(reason: String) -> void:
	print("lifetime: agent_failed: " + reason)


func _process(_delta: float) -> void:
	if OS.get_ticks_msec() >= _end_ms:
		print("lifetime: done, %d failed calls" % _failed_calls)
		get_tree().quit(0)
		return
	if OS.get_ticks_msec() < _next_ms:
		return
	_next_ms = OS.get_ticks_msec() + 100
	if SteamServer.getSteamID32(76561197960265729) != 1:
		_failed_calls += 1
		if _failed_calls == 1:
			print("lifetime: a call failed: " + OutpostAgent.last_error)
