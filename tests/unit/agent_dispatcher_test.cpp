// The agent's request checks (src/agent/dispatcher.cpp) in both encodings: every refusal names
// the problem and the dispatcher keeps answering; arguments by position or by name, defaults,
// ranges of the reference's C++ types, size limits, base64 byte strings in JSON. Also the API
// table's invariants and that the committed Godot addon is the generator's output.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "agent/api_table.h"
#include "agent/dispatcher.h"
#include "agent/godot_codegen.h"
#include "agent/godot_variant.h"
#include "agent/host.h"

using namespace outpost::agent;

namespace {

struct Fixture {
  Host host;
  Dispatcher json{host, Encoding::kJson};
  Dispatcher godot{host, Encoding::kGodot};

  Value call(Dispatcher& d, Value request) { return d.handle(request); }
  Value callJson(const std::string& fn, Value args) {
    return call(json, {{"id", 1}, {"call", fn}, {"args", std::move(args)}});
  }
  Value callGodot(const std::string& fn, Value args) {
    return call(godot, {{"id", 1}, {"call", fn}, {"args", std::move(args)}});
  }
};

std::string errorCode(const Value& reply) {
  return reply.contains("error") ? reply["error"]["code"].get<std::string>() : "";
}
std::string errorMessage(const Value& reply) {
  return reply.contains("error") ? reply["error"]["message"].get<std::string>() : "";
}

std::string readFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace

TEST(AgentDispatcher, AnswersGoodCallsByPositionOrByName) {
  Fixture f;
  Value r = f.callJson("SteamServer.getSteamID32", Value::array({uint64_t{76561197960265729}}));
  EXPECT_EQ(r["id"], 1);
  EXPECT_EQ(r["result"], 1);
  r = f.callJson("SteamServer.getSteamID32", {{"steam_id", uint64_t{76561197960265730}}});
  EXPECT_EQ(r["result"], 2);
  // A GDScript int is signed: -1 is the uint64 bit pattern 0xFFFF...; its account id is 2^32-1.
  r = f.callGodot("SteamServer.getSteamID32", Value::array({-1}));
  EXPECT_EQ(r["result"], 4294967295u);
  // An integral float is an int.
  r = f.callJson("SteamServer.isIndividualAccount", Value::array({7.6561197960265728e16}));
  EXPECT_EQ(r["result"], true);
  // Defaults fill in missing trailing arguments (with_port = true).
  r = f.callJson("SteamServer.getListenSocketAddress", Value::array({12345}));
  EXPECT_EQ(r["result"], "");
  // No "args" at all for a function without parameters.
  r = f.call(f.json, {{"id", "x"}, {"call", "SteamServer.loggedOn"}});
  EXPECT_EQ(r["id"], "x");
  EXPECT_EQ(r["result"], false);
}

// The compact form [id, call, args], by name or by the call number the hello reply lists: the
// reply is [id, result]; refusals stay {id, error}.
TEST(AgentDispatcher, CompactRequestsByNameOrCallNumber) {
  Fixture f;
  const Value numbers = callNumbers();
  ASSERT_TRUE(numbers.contains("SteamServer.getSteamID32"));
  ASSERT_TRUE(numbers.contains("Steam.getSteamID"));
  EXPECT_FALSE(numbers.contains("Steam.setServerName"));  // a server function only
  for (Dispatcher* d : {&f.json, &f.godot}) {
    Value r =
        f.call(*d, Value::array({7, numbers["SteamServer.getSteamID32"], Value::array({uint64_t{76561197960265730}})}));
    EXPECT_EQ(r, Value::array({7, 2}));
    r = f.call(*d, Value::array({8, "SteamServer.getSteamID32", Value::array({uint64_t{76561197960265731}})}));
    EXPECT_EQ(r, Value::array({8, 3}));
    r = f.call(*d, Value::array({9, numbers["SteamServer.loggedOn"]}));  // args left out
    EXPECT_EQ(r, Value::array({9, false}));
    // The player's number reaches the player's object.
    r = f.call(*d, Value::array({10, numbers["Steam.getSteamID"], Value::array()}));
    EXPECT_EQ(r, Value::array({10, 0}));
    // Refusals: an Array reply would look like a result, so they keep the Dictionary shape.
    r = f.call(*d, Value::array({11, 999999, Value::array()}));
    EXPECT_EQ(errorCode(r), "unknown_function");
    EXPECT_EQ(r["id"], 11);
    EXPECT_NE(errorMessage(r).find("call number 999999"), std::string::npos);
    r = f.call(*d, Value::array({12, -1, Value::array()}));
    EXPECT_EQ(errorCode(r), "unknown_function");
    // A server-only function's number + 1 is not a player's function.
    r = f.call(*d, Value::array({13, numbers["SteamServer.setServerName"].get<int64_t>() + 1, Value::array({"x"})}));
    EXPECT_EQ(errorCode(r), "unknown_function");
    r = f.call(*d, Value::array({14, numbers["SteamServer.getSteamID32"], Value::array({"not an id"})}));
    EXPECT_EQ(errorCode(r), "bad_arguments");
    EXPECT_NE(errorMessage(r).find("SteamServer.getSteamID32: argument \"steam_id\""), std::string::npos)
        << errorMessage(r);
  }
  // The Godot encoding writes the compact reply as a 2-element Array.
  std::vector<uint8_t> bytes;
  Value request = Value::array({5, numbers["SteamServer.loggedOn"], Value::array()});
  f.godot.handleInto(request, bytes);
  Value decoded;
  std::string why;
  ASSERT_TRUE(decodeGodotVariant(bytes, &decoded, &why)) << why;
  EXPECT_EQ(decoded, Value::array({5, false}));
}

TEST(AgentDispatcher, RefusesBadRequestsNamingTheProblemAndKeepsServing) {
  Fixture f;
  Value r = f.call(f.json, Value::array({1}));
  EXPECT_EQ(errorCode(r), "bad_request");
  r = f.call(f.json, Value::array({1, true, Value::array(), 4}));
  EXPECT_EQ(errorCode(r), "bad_request");
  r = f.call(f.json, Value::array({1, true}));
  EXPECT_EQ(errorCode(r), "bad_request");
  r = f.call(f.json, 42);
  EXPECT_EQ(errorCode(r), "bad_request");
  r = f.call(f.json, {{"id", 3}, {"args", Value::array()}});
  EXPECT_EQ(errorCode(r), "bad_request");
  EXPECT_EQ(r["id"], 3);
  r = f.callJson("SteamServer.noSuchFunction", Value::array());
  EXPECT_EQ(errorCode(r), "unknown_function");
  EXPECT_NE(errorMessage(r).find("SteamServer.noSuchFunction"), std::string::npos);
  // A server function is not on the player's singleton, and the reverse.
  EXPECT_EQ(errorCode(f.callJson("Steam.setMapName", Value::array({"x"}))), "unknown_function");
  EXPECT_EQ(errorCode(f.callJson("SteamServer.queryInfo", Value::array({"x"}))), "unknown_function");
  r = f.call(f.json, {{"call", "SteamServer.loggedOn"}, {"args", "nope"}});
  EXPECT_EQ(errorCode(r), "bad_request");
  // Counts, types, ranges, sizes.
  r = f.callJson("SteamServer.getSteamID32", Value::array({1, 2}));
  EXPECT_EQ(errorCode(r), "bad_arguments");
  EXPECT_NE(errorMessage(r).find("takes 1 argument, got 2"), std::string::npos) << errorMessage(r);
  r = f.callJson("SteamServer.getSteamID32", Value::array());
  EXPECT_NE(errorMessage(r).find("\"steam_id\" (uint64) is missing"), std::string::npos) << errorMessage(r);
  r = f.callJson("SteamServer.getSteamID32", {{"steamid", 1}});
  EXPECT_NE(errorMessage(r).find("no argument named \"steamid\""), std::string::npos) << errorMessage(r);
  r = f.callJson("SteamServer.getSteamID32", Value::array({"76561197960265729"}));
  EXPECT_NE(errorMessage(r).find("\"steam_id\" must be a 64-bit int (a Steam ID), got a String"), std::string::npos)
      << errorMessage(r);
  r = f.callJson("SteamServer.setSpectatorPort", Value::array({70000}));
  EXPECT_NE(errorMessage(r).find("\"port\" must be an int in 0..65535"), std::string::npos) << errorMessage(r);
  r = f.callJson("SteamServer.setAdvertiseServerActive", Value::array({1}));
  EXPECT_NE(errorMessage(r).find("\"active\" must be a bool, got an int"), std::string::npos) << errorMessage(r);
  r = f.callJson("SteamServer.setBotPlayerCount", Value::array({2.5}));
  EXPECT_NE(errorMessage(r).find("\"bots\" must be an int"), std::string::npos) << errorMessage(r);
  r = f.callJson("SteamServer.logOn", Value::array({std::string(300, 'a')}));
  EXPECT_NE(errorMessage(r).find("\"token\" is 300 bytes, over its limit of 256"), std::string::npos)
      << errorMessage(r);
  r = f.callGodot("SteamServer.beginAuthSession", Value::array({bytesValue(Bytes(2000, 1)), 1}));
  EXPECT_NE(errorMessage(r).find("\"auth_ticket\" is 2000 bytes, over its limit of 1024"), std::string::npos)
      << errorMessage(r);
  r = f.callGodot("SteamServer.beginAuthSession", Value::array({"not bytes", 1}));
  EXPECT_NE(errorMessage(r).find("\"auth_ticket\" must be a PoolByteArray, got a String"), std::string::npos)
      << errorMessage(r);
  r = f.callJson("SteamServer.beginAuthSession", Value::array({"%%%", 1}));
  EXPECT_NE(errorMessage(r).find("not valid base64"), std::string::npos) << errorMessage(r);
  r = f.callJson("SteamServer.connectByIPAddress", Value::array({"127.0.0.1:1", {{"nagle", 1}}}));
  EXPECT_NE(errorMessage(r).find("not a NetworkingConfigValue int"), std::string::npos) << errorMessage(r);
  r = f.callJson("SteamServer.connectByIPAddress", Value::array({"127.0.0.1:1", {{"12", Value::array()}}}));
  EXPECT_NE(errorMessage(r).find("[12] must be an int, a float or a String"), std::string::npos) << errorMessage(r);
  r = f.callJson("SteamServer.configureConnectionLanes", Value::array({1, 2, Value::array({1, "x"}), Value::array()}));
  EXPECT_NE(errorMessage(r).find("\"priorities\" must be an Array of int32s"), std::string::npos) << errorMessage(r);
  // A handler's own refusal: an element of sendMessages.
  r = f.callGodot("SteamServer.sendMessages", Value::array({Value::array({{{"connection", 1}, {"flags", 8}}})}));
  EXPECT_EQ(errorCode(r), "refused");
  EXPECT_NE(errorMessage(r).find("messages[0] needs `data`"), std::string::npos) << errorMessage(r);
  // ... and it still answers.
  r = f.callJson("SteamServer.getSteamID32", Value::array({uint64_t{76561197960265729}}));
  EXPECT_EQ(r["result"], 1);
  EXPECT_EQ(f.json.counters().at("refused.bad_arguments"), 12u);
  EXPECT_EQ(f.godot.counters().at("refused.bad_arguments"), 2u);
  EXPECT_EQ(f.json.counters().at("refused.unknown_function"), 3u);
}

TEST(AgentDispatcher, BytesTravelExactlyThroughASocketPairInBothEncodings) {
  Fixture f;
  Value pair = f.callGodot("SteamServer.createSocketPair", Value::array({false}))["result"];
  ASSERT_TRUE(pair["success"].get<bool>());
  Bytes payload(1000);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i * 7);
  Value sent = f.callGodot("SteamServer.sendMessageToConnection",
                           Value::array({pair["connection1"], bytesValue(payload), 8}))["result"];
  EXPECT_EQ(sent["result"], 1);
  // The JSON side sends base64.
  Value sent2 =
      f.callJson("SteamServer.sendMessageToConnection", Value::array({pair["connection1"], "AAH/", 8}))["result"];
  EXPECT_EQ(sent2["result"], 1);
  Value got = Value::array();
  for (int i = 0; i < 200 && got.size() < 2; ++i) {
    Value r = f.callGodot("SteamServer.receiveMessagesOnConnection", Value::array({pair["connection2"], 10}))["result"];
    for (auto& m : r) got.push_back(m);
    if (got.size() < 2) f.host.sockets(false).waitForActivity(10);
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]["payload"].get_binary(), payload);
  EXPECT_EQ(got[0]["size"], 1000);
  EXPECT_EQ(got[0]["message_number"], 1);
  EXPECT_EQ(got[1]["payload"].get_binary(), (Bytes{0, 1, 255}));
}

// The Godot session's receive replies are written without a Value tree (the hot path); they must
// decode to exactly the dictionaries the Value path builds.
TEST(AgentDispatcher, DirectlyWrittenMessageRepliesEqualTheValueShape) {
  Fixture f;
  Value pair = f.callGodot("SteamServer.createSocketPair", Value::array({false}))["result"];
  for (uint8_t i = 1; i <= 2; ++i)
    f.callGodot("SteamServer.sendMessageToConnection", Value::array({pair["connection1"], bytesValue({i, i, i}), 8}));
  Value raw, plain;
  for (int i = 0; i < 200 && (raw.is_null() || raw.empty()); ++i) {
    std::vector<uint8_t> out;
    Value request = {
        {"id", 9}, {"call", "SteamServer.receiveMessagesOnConnection"}, {"args", {pair["connection2"], 1}}};
    f.godot.handleInto(request, out);
    Value reply;
    std::string why;
    ASSERT_TRUE(decodeGodotVariant(out, &reply, &why)) << why;
    EXPECT_EQ(reply["id"], 9);
    raw = reply["result"];
    if (raw.empty()) f.host.sockets(false).waitForActivity(10);
  }
  ASSERT_EQ(raw.size(), 1u);
  for (int i = 0; i < 200 && (plain.is_null() || plain.empty()); ++i) {
    plain = f.callGodot("SteamServer.receiveMessagesOnConnection", Value::array({pair["connection2"], 1}))["result"];
    if (plain.empty()) f.host.sockets(false).waitForActivity(10);
  }
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(raw[0]["payload"].get_binary(), (Bytes{1, 1, 1}));
  EXPECT_EQ(plain[0]["payload"].get_binary(), (Bytes{2, 2, 2}));
  // Same keys, same values apart from the message itself.
  for (const char* k : {"payload", "message_number", "time_received"}) {
    raw[0].erase(k);
    plain[0].erase(k);
  }
  EXPECT_EQ(raw[0], plain[0]);
}

TEST(AgentApiTable, CoversTheGodot3PageAndIsConsistent) {
  // The 35 functions of reference/game-server-godot3.txt, by name.
  const std::set<std::string> page = {"associateWithClan",
                                      "beginAuthSession",
                                      "cancelAuthTicket",
                                      "clearAllKeyValues",
                                      "computeNewPlayerCompatibility",
                                      "endAuthSession",
                                      "getAuthSessionTicket",
                                      "getNextOutgoingPacket",
                                      "getPublicIP",
                                      "getSteamID",
                                      "handleIncomingPacket",
                                      "loggedOn",
                                      "logOff",
                                      "logOn",
                                      "logOnAnonymous",
                                      "requestUserGroupStatus",
                                      "secure",
                                      "setAdvertiseServerActive",
                                      "setBotPlayerCount",
                                      "setDedicatedServer",
                                      "setGameData",
                                      "setGameDescription",
                                      "setGameTags",
                                      "setKeyValue",
                                      "setMapName",
                                      "setMaxPlayerCount",
                                      "setModDir",
                                      "setPasswordProtected",
                                      "setProduct",
                                      "setRegion",
                                      "setServerName",
                                      "setSpectatorPort",
                                      "setSpectatorServerName",
                                      "userHasLicenseForApp",
                                      "wasRestartRequested"};
  std::set<std::string> seen, keys;
  for (const auto& fn : functionTable()) {
    if (fn.origin == Origin::kGodot3Page) seen.insert(fn.name);
    if (fn.server) {
      EXPECT_TRUE(keys.insert(std::string("SteamServer.") + fn.name).second) << fn.name;
    }
    if (fn.client) {
      EXPECT_TRUE(keys.insert(std::string("Steam.") + fn.name).second) << fn.name;
    }
    EXPECT_NE(fn.handler, nullptr) << fn.name;
    for (const auto& p : fn.params) {
      if (p.default_json) {
        EXPECT_FALSE(Value::parse(p.default_json, nullptr, false).is_discarded()) << fn.name;
      }
    }
  }
  EXPECT_EQ(seen, page);
  const std::set<std::string> signals = {
      "associate_clan", "client_approved", "client_denied",          "client_group_status", "client_kick",
      "player_compat",  "policy_response", "server_connect_failure", "server_connected",    "server_disconnected"};
  std::set<std::string> seen_signals;
  for (const auto& s : signalTable())
    if (s.origin == Origin::kGodot3Page) seen_signals.insert(s.name);
  EXPECT_EQ(seen_signals, signals);
  // Constant names are unique (they become GDScript consts).
  std::set<std::string> constants;
  for (const auto& c : constantTable()) EXPECT_TRUE(constants.insert(c.name).second) << c.name;
}

// docs/api-map.md §10 is generated from the table too.
TEST(AgentApiTable, ApiMapGodotSectionIsTheGeneratorsOutput) {
  const std::string map = readFile(std::string(OUTPOST_SOURCE_DIR) + "/docs/api-map.md");
  const std::string begin_marker = "<!-- godot-section:begin", end_marker = "<!-- godot-section:end -->";
  auto begin = map.find(begin_marker);
  auto end = map.find(end_marker);
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  begin = map.find('\n', begin) + 1;
  EXPECT_EQ(map.substr(begin, end - begin), godotApiMapSection())
      << "docs/api-map.md §10 differs from the API table: paste `build/outpost-agent --print-godot-api-map` between the markers";
}

// The addon's singletons are generated (outpost-agent --write-godot-addon godot3 godot/addons/outpost);
// this keeps the committed files equal to what the table generates.
TEST(AgentApiTable, CommittedGodot3AddonIsTheGeneratorsOutput) {
  for (const auto& file : generateGodotSingletons(GodotFlavour::kGodot3)) {
    const std::string path = std::string(OUTPOST_SOURCE_DIR) + "/godot/addons/outpost/" + file.name;
    EXPECT_EQ(readFile(path), file.text)
        << path
        << " differs from the API table: run `build/outpost-agent --write-godot-addon godot3 godot/addons/outpost`";
  }
}

// The Godot 4 flavour (never run, godot/godot4/README.md) is generated from the same table.
TEST(AgentApiTable, CommittedGodot4FlavourIsTheGeneratorsOutput) {
  for (const auto& file : generateGodotSingletons(GodotFlavour::kGodot4)) {
    const std::string path = std::string(OUTPOST_SOURCE_DIR) + "/godot/godot4/addons/outpost/" + file.name;
    EXPECT_EQ(readFile(path), file.text) << path
                                         << " differs from the API table: run `build/outpost-agent --write-godot-addon "
                                            "godot4 godot/godot4/addons/outpost`";
  }
}
