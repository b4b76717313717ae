// GDScript generation from the API table (see godot_codegen.h). Output is deterministic (table
// order), so a test can compare it byte for byte with the committed addon.
#include "agent/godot_codegen.h"

#include <map>
#include <set>
#include <sstream>

#include "agent/api_table.h"

namespace outpost::agent {
namespace {

// Godot 4 page parameter names that differ from the Godot 3 page's (function -> {g3 -> g4}).
const std::map<std::string, std::map<std::string, std::string>>& godot4ParamRenames() {
  static const std::map<std::string, std::map<std::string, std::string>> renames = {
      {"setModDir", {{"modDir", "mod_directory"}}},
  };
  return renames;
}

std::string literal(const Value& v, GodotFlavour flavour) {
  if (v.is_binary()) return flavour == GodotFlavour::kGodot3 ? "PoolByteArray()" : "PackedByteArray()";
  return v.dump();
}

std::string paramName(const FunctionSpec& f, const ParamSpec& p, GodotFlavour flavour) {
  if (flavour == GodotFlavour::kGodot4) {
    auto fn = godot4ParamRenames().find(f.name);
    if (fn != godot4ParamRenames().end()) {
      auto r = fn->second.find(p.name);
      if (r != fn->second.end()) return r->second;
    }
  }
  return p.name;
}

const char* originComment(Origin o) {
  switch (o) {
    case Origin::kGodot3Page: return "Godot 3 Game Server page";
    case Origin::kGodot3Module: return "GodotSteam Server 3.5 module (not on the Godot 3 page)";
    case Origin::kSockets: return "Networking Sockets";
    case Origin::kUtils: return "Networking Utils";
    case Origin::kClient: return "GodotSteam client";
    case Origin::kOutpost: return "Outpost extension";
  }
  return "";
}

std::string singleton(GodotFlavour flavour, bool client_side) {
  const std::string object = client_side ? "Steam" : "SteamServer";
  const bool g3 = flavour == GodotFlavour::kGodot3;
  std::ostringstream o;
  o << "# " << object << (client_side ? ": the player's side" : ": GodotSteam Server's singleton") << " (Godot "
    << (g3 ? "3" : "4") << "), served by outpost-agent.\n";
  o << "# GENERATED from src/agent/api_table.cpp by `outpost-agent --write-godot-addon " << (g3 ? "godot3" : "godot4")
    << " DIR`: do not edit by hand.\n";
  if (g3) {
    o << "# Names, argument order, defaults, return values and signals follow the reference\n"
         "# (reference/game-server-godot3.txt for the Game Server page); signals are emitted only inside\n"
         "# run_callbacks() (and runNetworkingCallbacks()), as the reference says. Every call is one request\n"
         "# to the agent (godot/addons/outpost/agent_connection.gd); when it fails, the error is printed\n"
         "# with push_error and the function returns the value GodotSteam returns on failure.\n";
  } else {
    o << "# NOT RUN: Godot 4 is not available on the machines this was built on. This file is generated\n"
         "# from the same table as the Godot 3 addon, which is tested; nothing here has been executed.\n"
         "# Where the Godot 4 Game Server page differs from the Godot 3 one:\n";
    for (const auto& d : godot4Differences()) o << "#   - " << d << "\n";
  }
  o << "extends Node\n\n";
  // Not the OutpostAgent identifier: Godot 3.2 does not declare autoload names before it parses
  // the other autoloads' scripts.
  o << (g3 ? "onready" : "@onready") << " var _agent = get_node(\"/root/OutpostAgent\")\n\n";

  o << "# ---- Signals -----------------------------------------------------------------------------------\n";
  for (const auto& s : signalTable()) {
    if (client_side ? !s.client : !s.server) continue;
    o << "signal " << s.name << "(";
    for (size_t i = 0; i < s.params.size(); ++i) o << (i ? ", " : "") << s.params[i];
    o << ")  # " << originComment(s.origin) << "\n";
  }

  o << "\n# ---- Constants ---------------------------------------------------------------------------------\n";
  for (const auto& c : constantTable()) o << "const " << c.name << " = " << c.value << "\n";

  o << "\n# ---- Functions ---------------------------------------------------------------------------------\n";
  Origin last = static_cast<Origin>(255);
  for (const auto& f : functionTable()) {
    if (client_side ? !f.client : !f.server) continue;
    if (f.origin != last) {
      o << "\n# ---- " << originComment(f.origin) << "\n";
      last = f.origin;
    }
    o << "\nfunc " << f.name << "(";
    std::string args;
    for (size_t i = 0; i < f.params.size(); ++i) {
      const ParamSpec& p = f.params[i];
      const std::string name = paramName(f, p, flavour);
      o << (i ? ", " : "") << name;
      if (p.default_json) o << " = " << literal(Value::parse(p.default_json), flavour);
      args += (i ? ", " : "") + name;
    }
    o << "):\n";
    const std::string call =
        "_agent.call_agent(\"" + object + "." + f.name + "\", [" + args + "], " + literal(failValue(f), flavour) + ")";
    if (f.returns == ReturnType::kEvents) {
      o << "\tfor event in " << call << ":\n"
        << "\t\tcallv(\"emit_signal\", event)\n";
    } else if (f.returns == ReturnType::kVoid) {
      o << "\t" << call << "\n";
    } else {
      o << "\treturn " << call << "\n";
    }
  }
  return o.str();
}

// Hub-bound functions and signals the GDScript suite calls without a hub session (the server has
// shut down): it asserts that each is taken and ends as documented (connectP2P's rendezvous end
// reason, getFakeIP Busy while pending). P2P and FakeIP through a hub are asserted by the SDK's tests
// (their rows in docs/api-map.md), not from GDScript. Hosted dedicated servers need relays: their
// failure values.
bool withoutHubSession(const std::string& name) {
  static const std::set<std::string> names = {
      "connectP2P", "createListenSocketP2P",        "createListenSocketP2PFakeIP", "beginAsyncRequestFakeIP",
      "getFakeIP",  "getRemoteFakeIPForConnection", "createFakeUDPPort",           "fake_ip_result"};
  return names.count(name) != 0;
}
bool needsRelays(const std::string& name) {
  static const std::set<std::string> names = {
      "connectToHostedDedicatedServer", "createHostedDedicatedServerListenSocket", "getHostedDedicatedServerPOPId"};
  return names.count(name) != 0;
}

// "Currently not enabled" on the reference page; GodotSteam does not offer them either.
bool notEnabled(const std::string& name) {
  static const std::set<std::string> names = {"findRelayAuthTicketForServer", "getGameCoordinatorServerLogin",
                                              "getHostedDedicatedServerAddress", "receivedRelayAuthTicket"};
  return names.count(name) != 0;
}

}  // namespace

std::string godotApiMapSection() {
  std::ostringstream o;
  o << "| Function | Singleton | GDScript call → return | Origin | Godot |\n|---|---|---|---|---|\n";
  for (const auto& f : functionTable()) {
    o << "| `" << f.name << "` | "
      << (f.server && f.client ? "both"
          : f.server           ? "SteamServer"
                               : "Steam")
      << " | `" << f.name << "(";
    for (size_t i = 0; i < f.params.size(); ++i) {
      o << (i ? ", " : "") << f.params[i].name;
      if (f.params[i].default_json) o << " = " << f.params[i].default_json;
    }
    o << ")` → " << returnTypeName(f.returns) << " | " << originComment(f.origin) << " | "
      << (withoutHubSession(f.name) ? "without a hub session (P2P itself: SDK row)"
          : needsRelays(f.name)     ? "failure value (needs relays)"
          : notEnabled(f.name)      ? "failure value (\"currently not enabled\" in the reference too)"
                                    : "works")
      << " |\n";
  }
  o << "\n| Signal | Singleton | Payload | Origin | Godot |\n|---|---|---|---|---|\n";
  for (const auto& s : signalTable()) {
    o << "| `" << s.name << "` | " << (s.server && s.client ? "both" : s.server ? "SteamServer" : "Steam") << " | (";
    for (size_t i = 0; i < s.params.size(); ++i) o << (i ? ", " : "") << s.params[i];
    o << ") | " << originComment(s.origin) << " | "
      << (withoutHubSession(s.name) ? "none while pending without a hub session (SDK row)" : "works") << " |\n";
  }
  return o.str();
}

const std::vector<std::string>& godot4Differences() {
  static const std::vector<std::string> diffs = {
      "beginAuthSession(auth_ticket: PackedByteArray, steam_id): the Godot 3 page's auth_ticket is an int",
      // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one entry, two source lines
      "getAuthSessionTicket returns {handle, buffer, size}; the Godot 3 page says {id, buffer, ticket_size} "
      "(the agent returns all five keys)",
      "handleIncomingPacket returns {incoming, data}; the Godot 3 page says {data}",
      "requestUserGroupStatus(steam_id, group_id: uint64); the Godot 3 page's group_id is an int",
      "setModDir(mod_directory); the Godot 3 page names it modDir",
      "createUnauthenticatedUserConnection() and updateUserData(steam_id, player_name, score) are on the Godot 4 "
      "page only (Outpost extensions here)",
      "client_denied has a third argument, optional_message, on the Godot 4 page only (not emitted here)",
      "gameplay_stats(result, rank, total_connects, total_minutes_played) is on the Godot 4 page only (not "
      "served here)",
      "PackedByteArray / PackedInt32Array where Godot 3 has PoolByteArray / PoolIntArray",
  };
  return diffs;
}

std::vector<GeneratedFile> generateGodotSingletons(GodotFlavour flavour) {
  return {{"steam_server.gd", singleton(flavour, false)}, {"steam.gd", singleton(flavour, true)}};
}

}  // namespace outpost::agent
