// The real outpost-agent process over 127.0.0.1 TCP (docs/spec/agent.md): authentication by the
// secret, the one-client rule, every kind of bad request answered with an error that names the
// problem while the agent keeps serving, the bounds on what an unauthenticated connection may
// cost, and the agent's lifetime (it exits when its client goes, when its parent is killed, or when
// no client comes). The Godot side of the same protocol is tested in tests/godot/.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "agent/godot_variant.h"
#include "agent/value.h"
#include "support/agent_process.h"
#include "support/process.h"
#include "support/spawn.h"

using namespace outpost::test;
using outpost::agent::Value;

namespace {

Value parse(const std::optional<std::string>& text) {
  if (!text) return Value();
  return Value::parse(*text, nullptr, false);
}

std::string hello(const std::string& secret) {
  return Value{{"hello", "outpost-agent"}, {"secret", secret}, {"id", 0}}.dump();
}

// An agent with a parent-given secret and a client that has said hello (JSON).
struct Session {
  std::string secret = randomSecretHex();
  AgentProcess agent;
  AgentClient client;
  bool open(std::vector<std::string> args = {}) {
    if (!agent.start(args, secret)) return false;
    if (!client.connect(agent.port)) return false;
    client.sendText(hello(secret));
    Value r = parse(client.readText());
    return r.is_object() && r.contains("result") && r["result"]["agent"] == "outpost-agent";
  }
  Value call(const Value& request) {
    client.sendText(request.dump());
    return parse(client.readText());
  }
};

std::string message(const Value& reply) {
  return reply.is_object() && reply.contains("error") ? reply["error"]["message"].get<std::string>() : "";
}
std::string code(const Value& reply) {
  return reply.is_object() && reply.contains("error") ? reply["error"]["code"].get<std::string>() : "";
}

}  // namespace

TEST(AgentProcess, AnswersCallsAndSurvivesEveryBadRequest) {
  Session s;
  ASSERT_TRUE(s.open({"--max-frame-bytes", "65536"})) << s.agent.output;
  Value r = s.call({{"id", 1}, {"call", "SteamServer.getSteamID32"}, {"args", {76561197960265729ull}}});
  EXPECT_EQ(r["result"], 1) << r.dump();

  // Not JSON at all: the parser's complaint, with its position.
  s.client.sendText("{\"id\": 2, \"call\": ");
  r = parse(s.client.readText());
  EXPECT_EQ(code(r), "bad_frame");
  EXPECT_NE(message(r).find("not JSON: "), std::string::npos) << r.dump();
  EXPECT_NE(message(r).find("parse error"), std::string::npos) << r.dump();
  // 200 levels of nesting.
  s.client.sendText(std::string(200, '[') + std::string(200, ']'));
  r = parse(s.client.readText());
  EXPECT_NE(message(r).find("nested deeper than 32"), std::string::npos) << r.dump();
  // Well-formed, but not a request.
  r = s.call(Value::array({1, 2, 3}));
  EXPECT_EQ(code(r), "bad_request");
  r = s.call({{"id", 3}, {"call", 42}});
  EXPECT_EQ(code(r), "bad_request");
  EXPECT_EQ(r["id"], 3);
  // Unknown function.
  r = s.call({{"id", 4}, {"call", "SteamServer.formatHardDrive"}, {"args", Value::array()}});
  EXPECT_EQ(code(r), "unknown_function");
  EXPECT_NE(message(r).find("SteamServer.formatHardDrive"), std::string::npos);
  // Wrong argument types, counts and ranges.
  r = s.call({{"id", 5}, {"call", "SteamServer.setMaxPlayerCount"}, {"args", {"sixteen"}}});
  EXPECT_EQ(code(r), "bad_arguments");
  EXPECT_NE(message(r).find("argument \"players_max\" must be an int in -2147483648..2147483647, got a String"),
            std::string::npos)
      << r.dump();
  r = s.call({{"id", 6}, {"call", "SteamServer.handleIncomingPacket"}, {"args", {"AAAA", "1.2.3.4", 99999}}});
  EXPECT_NE(message(r).find("argument \"port\" must be an int in 0..65535"), std::string::npos) << r.dump();
  // Oversized values: a 2 KB ticket, a 10 KB string.
  std::string big_ticket(2800, 'A');  // base64 of 2100 bytes
  r = s.call({{"id", 7}, {"call", "SteamServer.beginAuthSession"}, {"args", {big_ticket, 76561197960265729ull}}});
  EXPECT_NE(message(r).find("\"auth_ticket\" (base64) decodes to more than its limit of 1024 bytes"), std::string::npos)
      << r.dump();
  r = s.call({{"id", 8}, {"call", "SteamServer.setServerName"}, {"args", {std::string(10000, 'n')}}});
  EXPECT_NE(message(r).find("\"name\" is 10000 bytes, over its limit of 4096"), std::string::npos) << r.dump();
  // A frame over --max-frame-bytes: refused unread, and the stream stays in step.
  s.client.sendText(std::string(100000, ' '));
  r = parse(s.client.readText());
  EXPECT_EQ(code(r), "frame_too_large");
  EXPECT_NE(message(r).find("100000 bytes is over the limit of 65536"), std::string::npos) << r.dump();
  // Still serving, and it counted every refusal.
  r = s.call({{"id", 9}, {"call", "SteamServer.isClanAccount"}, {"args", {103582791429521409ull}}});
  EXPECT_EQ(r["result"], true) << r.dump();
  r = s.call({{"id", 10}, {"call", "agent.counters"}});
  EXPECT_EQ(r["result"]["refused.bad_frame"], 2) << r.dump();
  EXPECT_EQ(r["result"]["refused.bad_request"], 2) << r.dump();
  EXPECT_EQ(r["result"]["refused.unknown_function"], 1) << r.dump();
  EXPECT_EQ(r["result"]["refused.bad_arguments"], 4) << r.dump();
  EXPECT_EQ(r["result"]["refused.frame_too_large"], 1) << r.dump();
  EXPECT_EQ(s.agent.wait(0), -1) << "the agent must still be running";
}

TEST(AgentProcess, GodotEncodedSessionCarriesBytesAndSignedSteamIds) {
  std::string secret = randomSecretHex();
  AgentProcess agent;
  ASSERT_TRUE(agent.start({}, secret)) << agent.output;
  AgentClient c;
  ASSERT_TRUE(c.connect(agent.port));
  auto send = [&](const Value& v) {
    std::vector<uint8_t> bytes;
    outpost::agent::encodeGodotVariant(v, bytes);
    c.sendFrame(bytes);
  };
  auto receive = [&]() {
    Value v;
    std::string why;
    auto f = c.readFrame();
    if (!f || !outpost::agent::decodeGodotVariant(*f, &v, &why)) return Value();
    return v;
  };
  send({{"hello", "outpost-agent"}, {"secret", secret}, {"id", 0}});
  Value r = receive();
  ASSERT_EQ(r["result"]["encoding"], "godot") << r.dump();
  send({{"id", 1}, {"call", "SteamServer.createSocketPair"}, {"args", {false}}});
  Value pair = receive()["result"];
  ASSERT_EQ(pair["success"], true);
  outpost::agent::Bytes payload(70000);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i % 251);
  send({{"id", 2},
        {"call", "SteamServer.sendMessageToConnection"},
        {"args", {pair["connection1"], outpost::agent::bytesValue(payload), 8}}});
  EXPECT_EQ(receive()["result"]["result"], 1);
  Value got;
  for (int i = 0; i < 100 && (!got.is_array() || got.empty()); ++i) {
    send({{"id", 3}, {"call", "SteamServer.receiveMessagesOnConnection"}, {"args", {pair["connection2"], 4}}});
    got = receive()["result"];
    if (got.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["payload"].get_binary(), payload);
  // A Steam ID as GDScript holds it: a signed 64-bit int.
  send({{"id", 4}, {"call", "SteamServer.getSteamID32"}, {"args", {int64_t{76561197960265731}}}});
  EXPECT_EQ(receive()["result"], 3);
  // A Variant the protocol does not carry (a Vector2): refused, and the session goes on.
  c.sendFrame({5, 0, 0, 0, 0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f});
  r = receive();
  EXPECT_EQ(code(r), "bad_frame");
  EXPECT_NE(message(r).find("unsupported Godot type 5 (Vector2)"), std::string::npos) << r.dump();
  send({{"id", 5}, {"call", "SteamServer.loggedOn"}});
  EXPECT_EQ(receive()["result"], false);
}

TEST(AgentProcess, UnauthenticatedConnectionsCostLittleAndGetNowhere) {
  std::string secret = randomSecretHex();
  AgentProcess agent;
  ASSERT_TRUE(agent.start({"--hello-timeout-ms", "500", "--first-client-timeout-ms", "30000"}, secret)) << agent.output;

  // A wrong secret: an unauthenticated error, then the connection is closed.
  AgentClient wrong;
  ASSERT_TRUE(wrong.connect(agent.port));
  wrong.sendText(hello(randomSecretHex()));
  Value r = parse(wrong.readText());
  EXPECT_EQ(code(r), "unauthenticated");
  EXPECT_EQ(message(r), "wrong secret");
  EXPECT_TRUE(wrong.waitClosed(2000));
  // A call before the hello is not a hello.
  AgentClient early;
  ASSERT_TRUE(early.connect(agent.port));
  early.sendText(Value{{"id", 1}, {"call", "SteamServer.logOff"}}.dump());
  r = parse(early.readText());
  EXPECT_EQ(code(r), "unauthenticated");
  EXPECT_TRUE(early.waitClosed(2000));
  // A hello over 1024 bytes: closed without reading it.
  AgentClient huge;
  ASSERT_TRUE(huge.connect(agent.port));
  huge.sendRaw({0x00, 0x00, 0x00, 0x40});  // announces 1 GiB
  EXPECT_TRUE(huge.waitClosed(2000));
  // Silence: closed after --hello-timeout-ms.
  AgentClient silent;
  ASSERT_TRUE(silent.connect(agent.port));
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(silent.waitClosed(3000));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(400));
  // At most 4 waiting connections: a fifth closes the oldest, so connections that only hold a
  // slot cannot keep the real client out.
  std::vector<std::unique_ptr<AgentClient>> waiting;
  for (int i = 0; i < 4; ++i) {
    waiting.push_back(std::make_unique<AgentClient>());
    ASSERT_TRUE(waiting.back()->connect(agent.port));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  AgentClient good;
  ASSERT_TRUE(good.connect(agent.port));
  EXPECT_TRUE(waiting[0]->waitClosed(1000)) << "the oldest waiting connection makes room";
  good.sendText(hello(secret));
  r = parse(good.readText());
  ASSERT_EQ(r["result"]["agent"], "outpost-agent") << r.dump();
  // Everyone else still waiting is turned away once the client is in.
  for (size_t i = 1; i < waiting.size(); ++i) EXPECT_TRUE(waiting[i]->waitClosed(1000)) << i;
  AgentClient intruder;
  ASSERT_TRUE(intruder.connect(agent.port));
  EXPECT_TRUE(intruder.waitClosed(1000));
  good.sendText(Value{{"id", 1}, {"call", "agent.counters"}}.dump());
  r = parse(good.readText());
  EXPECT_EQ(r["result"]["calls"], 1) << r.dump();
  good.disconnect();
  EXPECT_EQ(agent.wait(5000), 0);
  for (const char* counter : {"refused.wrong_secret=1", "refused.bad_hello=1", "refused.hello_too_large=1",
                              "refused.pending_evicted=1", "refused.busy=4", "clients_authenticated=1"})
    EXPECT_NE(agent.output.find(counter), std::string::npos) << counter << " in:\n" << agent.output;
  EXPECT_NE(agent.output.find("refused.hello_timeout="), std::string::npos) << agent.output;
}

TEST(AgentProcess, ExitsWhenItsClientGoesAway) {
  Session s;
  ASSERT_TRUE(s.open()) << s.agent.output;
  s.client.disconnect();
  EXPECT_EQ(s.agent.wait(5000), 0) << s.agent.output;
}

TEST(AgentProcess, ExitsWhenNoClientComes) {
  AgentProcess agent;
  ASSERT_TRUE(agent.start({"--first-client-timeout-ms", "300"}, randomSecretHex())) << agent.output;
  EXPECT_EQ(agent.wait(5000), 1);
  EXPECT_NE(agent.output.find("no client authenticated within 300 ms"), std::string::npos) << agent.output;
}

// A parent (here a shell that starts the agent and waits) is killed with SIGKILL: its agent must
// not stay behind, with or without a client connected.
TEST(AgentProcess, ExitsWhenItsParentIsKilled) {
  const std::string dir = makeTempDir();
  const std::string secret_file = dir + "/agent.secret";
  // The shell becomes the agent's parent and passes its own pid.
  std::string cmd = std::string("exec 1>/dev/null 2>&1; ") + OUTPOST_AGENT_BINARY + " --secret-file " + secret_file +
                    " --parent-pid $$ --first-client-timeout-ms 60000 & wait";
  SpawnOptions shell;
  shell.argv = {"/bin/sh", "-c", cmd};
  shell.out = shell.err = Stream::kInherit;
  pid_t parent = spawn(shell).pid;
  ASSERT_GT(parent, 0);
  // The agent writes its pid in the secret file.
  pid_t agent_pid = 0;
  for (int i = 0; i < 500 && agent_pid == 0; ++i) {
    std::ifstream f(secret_file);
    std::string line;
    while (std::getline(f, line))
      if (line.rfind("pid=", 0) == 0) agent_pid = std::stoi(line.substr(4));
    if (!agent_pid) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GT(agent_pid, 0) << "the agent did not write " << secret_file;
  struct stat st {};
  ASSERT_EQ(stat(secret_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the secret file must be private";
  ASSERT_TRUE(processAlive(agent_pid));
  EXPECT_EQ(stopChild(parent, SIGKILL, 5000), 128 + SIGKILL);
  EXPECT_TRUE(waitUntilGone(agent_pid, 5000)) << "outpost-agent " << agent_pid << " outlived its parent";
  EXPECT_FALSE(std::filesystem::exists(secret_file)) << "the agent removes its secret file when it exits";
  std::filesystem::remove_all(dir);
}

TEST(AgentProcess, RefusesBadSettingsNamingThem) {
  AgentProcess a;
  EXPECT_FALSE(a.start({"--listen", "0.0.0.0:0"}, randomSecretHex()));
  EXPECT_EQ(a.wait(5000), 2);
  EXPECT_NE(a.output.find("--listen: only loopback addresses"), std::string::npos) << a.output;
  AgentProcess b;
  EXPECT_FALSE(b.start({}, "abc"));
  EXPECT_EQ(b.wait(5000), 2);
  EXPECT_NE(b.output.find("OUTPOST_AGENT_SECRET: must be 64 hex characters"), std::string::npos) << b.output;
  AgentProcess c;
  EXPECT_FALSE(c.start({}, ""));
  EXPECT_EQ(c.wait(5000), 2);
  EXPECT_NE(c.output.find("give the secret"), std::string::npos) << c.output;
  AgentProcess d;
  EXPECT_FALSE(d.start({"--max-frame-bytes", "12"}, randomSecretHex()));
  EXPECT_EQ(d.wait(5000), 2);
  EXPECT_NE(d.output.find("--max-frame-bytes: 1024..1073741824"), std::string::npos) << d.output;
}
