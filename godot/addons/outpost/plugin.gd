# Enabling the plugin (Project Settings > Plugins) registers the addon's three autoloads in this
# order: OutpostAgent (the connection to outpost-agent), SteamServer and Steam (the generated
# singletons, which use it). Disabling it removes them.
tool
extends EditorPlugin


func _enter_tree() -> void:
	add_autoload_singleton("OutpostAgent", "res://addons/outpost/agent_connection.gd")
	add_autoload_singleton("SteamServer", "res://addons/outpost/steam_server.gd")
	add_autoload_singleton("Steam", "res://addons/outpost/steam.gd")


func _exit_tree() -> void:
	remove_autoload_singleton("Steam")
	remove_autoload_singleton("SteamServer")
	remove_autoload_singleton("OutpostAgent")
