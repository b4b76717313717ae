// Generates the Godot addon's two singletons (SteamServer and Steam) from the API table, so the
// GDScript the game calls cannot drift from what the agent serves: every function with its
// parameter names, order and defaults, every signal with its positional parameters, every
// constant. The addon's hand-written part (agent_connection.gd: starting or attaching to the
// agent, framing, errors) is not generated. Godot 3 (GDScript 1) is what runs in our tests; the
// Godot 4 flavour (GDScript 2.0) differs where the Godot 4 page differs (godot4Differences) and has
// never been run. Pure functions.
#pragma once

#include <string>
#include <vector>

namespace outpost::agent {

enum class GodotFlavour { kGodot3, kGodot4 };

struct GeneratedFile {
  std::string name;  // file name inside the addon folder, e.g. "steam_server.gd"
  std::string text;
};

// The generated singletons of one flavour: steam_server.gd and steam.gd.
std::vector<GeneratedFile> generateGodotSingletons(GodotFlavour flavour);

// docs/api-map.md §10 (the Godot addon's functions and signals with their Godot status), between
// its generated-section markers. Printed by `outpost-agent --print-godot-api-map`.
std::string godotApiMapSection();

// Where the Godot 4 Game Server page (reference/game-server-godot4.md) differs from the Godot 3
// one, one line each (also written at the top of the Godot 4 files).
const std::vector<std::string>& godot4Differences();

}  // namespace outpost::agent
