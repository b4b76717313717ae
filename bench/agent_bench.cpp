// agent_bench: what going through outpost-agent costs (bench/README.md, "Godot / agent benchmark").
// The same workloads three ways, on one machine in one run:
//   direct_cpp          the SDK called in this process (outpost::GameServer, NetworkingSockets);
//   cpp_via_agent       this process as the agent's client, over its real TCP protocol in the
//                       Godot Variant encoding (what the addon sends), against a real outpost-agent;
//   gdscript_via_agent  headless Godot 3 (godot3-server) running godot/bench/agent_bench.tscn, the
//                       addon starting its own agent: what a GDScript game sees.
// Workloads (messages on an in-memory socket pair, so the transport costs almost nothing and the
// difference is the call path): call_loggedOn and call_sendMessageToConnection (latency of one
// call, p50/p99/mean µs); msgs_sendMessageToConnection (one send call per message, receive
// batches of --batch); msgs_sendMessages_batched (sendMessages with --batch messages per call);
// msgs_payload_batches (the compact extension: sendMessagesToConnection with --batch payloads per
// call, receiveMessagePayloadsOnConnection).
// Prints one JSON document on stdout ({"benchmark":"godot",...}); progress on stderr. Exit
// status 0 when every row is ok, 1 otherwise, 2 for a usage error.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "agent/godot_variant.h"
#include "bench_json.h"
#include "outpost/game_server.h"
#include "outpost/networking_sockets.h"
#include "support/spawn.h"

using namespace outpost;
using outpost::agent::Value;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  bool quick = false;
  std::string godot = "godot3-server";
  std::string project;  // the repository's godot/ directory
  std::string agent;    // the outpost-agent binary
  int calls = 20000;
  int messages = 200000;
  int batch = 256;
  int payload = 64;
};

struct Row {
  std::string workload, impl;
  std::string fields;  // the rest of the JSON object, without braces
  bool ok = true;
};

double usSince(Clock::time_point t0) { return std::chrono::duration<double, std::micro>(Clock::now() - t0).count(); }

std::string latencyFields(std::vector<double>& samples) {
  double total = 0;
  for (double s : samples) total += s;
  const double mean = samples.empty() ? 0 : total / static_cast<double>(samples.size());
  const double p50 = bench::percentile(samples, 50), p99 = bench::percentile(samples, 99);
  return "\"calls\":" + std::to_string(samples.size()) + ",\"p50_us\":" + bench::num(p50, 3) +
         ",\"p99_us\":" + bench::num(p99, 3) + ",\"mean_us\":" + bench::num(mean, 3);
}

std::string rateFields(size_t sent, size_t received, double seconds, int batch, int payload) {
  return "\"messages\":" + std::to_string(sent) + ",\"received\":" + std::to_string(received) +
         ",\"seconds\":" + bench::num(seconds, 6) + ",\"msgs_per_s\":" + bench::num(received / seconds, 1) +
         ",\"batch\":" + std::to_string(batch) + ",\"payload_bytes\":" + std::to_string(payload);
}

// ---- The workloads, against any implementation of these four calls ------------------------------
struct Target {
  std::function<bool()> logged_on;
  std::function<bool(uint32_t, const std::vector<uint8_t>&)> send;             // ok?
  std::function<size_t(uint32_t, int)> receive;                                // count
  std::function<bool(uint32_t, const std::vector<uint8_t>&, int)> send_batch;  // ok?
  // The compact extension: sendMessagesToConnection / receiveMessagePayloadsOnConnection.
  std::function<bool(uint32_t, const std::vector<uint8_t>&, int)> send_payloads;  // ok?
  std::function<size_t(uint32_t, int)> receive_payloads;                          // count
  uint32_t c1 = 0, c2 = 0;
};

size_t drain(Target& t, size_t n, int batch, bool payloads = false) {
  size_t got = 0;
  auto deadline = Clock::now() + std::chrono::seconds(5);
  while (got < n && Clock::now() < deadline) {
    const int max = static_cast<int>(std::min<size_t>(batch, n - got));
    got += payloads ? t.receive_payloads(t.c2, max) : t.receive(t.c2, max);
  }
  return got;
}

std::vector<Row> runWorkloads(Target& t, const std::string& impl, const Options& o) {
  std::vector<Row> rows;
  std::vector<uint8_t> payload(static_cast<size_t>(o.payload));
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i);

  for (int i = 0; i < 1000; ++i) t.logged_on();
  std::vector<double> samples;
  samples.reserve(static_cast<size_t>(o.calls));
  for (int i = 0; i < o.calls; ++i) {
    auto t0 = Clock::now();
    t.logged_on();
    samples.push_back(usSince(t0));
  }
  rows.push_back({"call_loggedOn", impl, latencyFields(samples)});

  samples.clear();
  bool ok = true;
  for (int i = 0; i < o.calls; ++i) {
    auto t0 = Clock::now();
    ok = t.send(t.c1, payload) && ok;
    samples.push_back(usSince(t0));
    if (i % o.batch == o.batch - 1) drain(t, static_cast<size_t>(o.batch), o.batch);
  }
  drain(t, static_cast<size_t>(o.calls % o.batch), o.batch);
  rows.push_back({"call_sendMessageToConnection", impl, latencyFields(samples), ok});

  const size_t per_call = static_cast<size_t>(o.messages / 10);
  size_t received = 0;
  ok = true;
  auto t0 = Clock::now();
  for (size_t i = 0; i < per_call; ++i) {
    ok = t.send(t.c1, payload) && ok;
    if (i % o.batch == static_cast<size_t>(o.batch - 1)) received += drain(t, static_cast<size_t>(o.batch), o.batch);
  }
  received += drain(t, per_call - received, o.batch);
  double secs = usSince(t0) / 1e6;
  rows.push_back({"msgs_sendMessageToConnection", impl, rateFields(per_call, received, secs, o.batch, o.payload),
                  ok && received == per_call});

  size_t sent = 0;
  received = 0;
  ok = true;
  t0 = Clock::now();
  while (sent < static_cast<size_t>(o.messages)) {
    ok = t.send_batch(t.c1, payload, o.batch) && ok;
    sent += static_cast<size_t>(o.batch);
    received += drain(t, static_cast<size_t>(o.batch), o.batch);
  }
  secs = usSince(t0) / 1e6;
  rows.push_back({"msgs_sendMessages_batched", impl, rateFields(sent, received, secs, o.batch, o.payload),
                  ok && received == sent});

  sent = 0;
  received = 0;
  ok = true;
  t0 = Clock::now();
  while (sent < static_cast<size_t>(o.messages)) {
    ok = t.send_payloads(t.c1, payload, o.batch) && ok;
    sent += static_cast<size_t>(o.batch);
    received += drain(t, static_cast<size_t>(o.batch), o.batch, true);
  }
  secs = usSince(t0) / 1e6;
  rows.push_back(
      {"msgs_payload_batches", impl, rateFields(sent, received, secs, o.batch, o.payload), ok && received == sent});
  return rows;
}

// ---- direct_cpp ---------------------------------------------------------------------------------------
std::vector<Row> direct(const Options& o) {
  GameServer gs;
  NetworkingSockets ns;
  auto pair = ns.createSocketPair(false, 0, 0);
  Target t;
  t.c1 = pair.connection1;
  t.c2 = pair.connection2;
  t.logged_on = [&] { return gs.loggedOn(); };
  t.send = [&](uint32_t c, const std::vector<uint8_t>& p) {
    return ns.sendMessageToConnection(c, p, NETWORKING_SEND_RELIABLE).result == RESULT_OK;
  };
  t.receive = [&](uint32_t c, int max) { return ns.receiveMessagesOnConnection(c, max).size(); };
  t.send_batch = [&](uint32_t c, const std::vector<uint8_t>& p, int n) {
    std::vector<OutgoingMessage> batch(static_cast<size_t>(n));
    for (auto& m : batch) {
      m.connection = c;
      m.data = p;
      m.flags = NETWORKING_SEND_RELIABLE;
    }
    auto results = ns.sendMessages(batch);
    return !results.empty() && results.back().result == RESULT_OK;
  };
  MessageBatch reuse;
  t.send_payloads = [&](uint32_t c, const std::vector<uint8_t>& p, int n) {
    bool ok = true;
    for (int i = 0; i < n; ++i)
      ok = ns.sendMessageToConnection(c, p, NETWORKING_SEND_RELIABLE).result == RESULT_OK && ok;
    return ok;
  };
  t.receive_payloads = [&](uint32_t c, int max) {
    int n = ns.receiveMessagesOnConnection(c, reuse, max);
    return n > 0 ? static_cast<size_t>(n) : 0;
  };
  return runWorkloads(t, "direct_cpp", o);
}

// ---- cpp_via_agent ------------------------------------------------------------------------------------
class AgentConnection {
 public:
  ~AgentConnection() {
    if (fd_ >= 0) close(fd_);
    if (pid_ > 0) test::stopChild(pid_, SIGTERM, 10000);
  }
  bool start(const std::string& agent_binary) {
    uint8_t raw[32];
    std::ifstream("/dev/urandom", std::ios::binary).read(reinterpret_cast<char*>(raw), sizeof raw);
    char hex[65];
    for (int i = 0; i < 32; ++i) std::snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    const std::string secret = hex;
    test::SpawnOptions o;  // stdout read for the banner, stderr ours
    o.argv = {agent_binary};
    o.err = test::Stream::kInherit;
    o.env = {{"OUTPOST_AGENT_SECRET", secret}};
    test::Child child = test::spawn(o);
    if (child.pid < 0) return false;
    pid_ = child.pid;
    std::string banner;
    char c;
    while (read(child.out_fd, &c, 1) == 1 && c != '\n') banner.push_back(c);
    close(child.out_fd);
    auto colon = banner.rfind(':');
    if (banner.find("listening on") == std::string::npos || colon == std::string::npos) return false;
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(std::stoi(banner.substr(colon + 1))));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return false;
    Value hello = call({{"hello", "outpost-agent"}, {"secret", secret}, {"id", 0}});
    return hello.is_object() && hello.contains("result");
  }
  // One request, one reply (Godot Variant encoding, as the addon sends).
  Value call(const Value& request) {
    out_.assign(4, 0);
    agent::encodeGodotVariant(request, out_);
    const uint32_t len = static_cast<uint32_t>(out_.size() - 4);
    std::memcpy(out_.data(), &len, 4);
    if (!writeAll(out_.data(), out_.size())) return Value();
    uint8_t header[4];
    if (!readAll(header, 4)) return Value();
    uint32_t n;
    std::memcpy(&n, header, 4);
    in_.resize(n);
    if (!readAll(in_.data(), n)) return Value();
    Value v;
    std::string why;
    if (!agent::decodeGodotVariant(in_, &v, &why)) return Value();
    return v;
  }
  Value result(const char* fn, Value args) {
    Value r = call({{"id", ++id_}, {"call", fn}, {"args", std::move(args)}});
    return r.is_object() && r.contains("result") ? r["result"] : Value();
  }

 private:
  bool writeAll(const uint8_t* p, size_t n) {
    while (n > 0) {
      ssize_t w = send(fd_, p, n, MSG_NOSIGNAL);
      if (w <= 0) return false;
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }
  bool readAll(uint8_t* p, size_t n) {
    while (n > 0) {
      ssize_t r = recv(fd_, p, n, 0);
      if (r <= 0) return false;
      p += r;
      n -= static_cast<size_t>(r);
    }
    return true;
  }
  pid_t pid_ = -1;
  int fd_ = -1;
  int64_t id_ = 0;
  std::vector<uint8_t> out_, in_;
};

std::vector<Row> viaAgent(const Options& o) {
  AgentConnection a;
  if (!a.start(o.agent)) {
    std::fprintf(stderr, "agent_bench: cannot start or reach %s\n", o.agent.c_str());
    return {{"call_loggedOn", "cpp_via_agent", "\"error\":\"agent did not start\"", false}};
  }
  Value pair = a.result("SteamServer.createSocketPair", Value::array({false}));
  Target t;
  t.c1 = pair["connection1"].get<uint32_t>();
  t.c2 = pair["connection2"].get<uint32_t>();
  t.logged_on = [&] { return a.result("SteamServer.loggedOn", Value::array()).is_boolean(); };
  t.send = [&](uint32_t c, const std::vector<uint8_t>& p) {
    Value r = a.result("SteamServer.sendMessageToConnection",
                       Value::array({c, agent::bytesValue(p), NETWORKING_SEND_RELIABLE}));
    return r.is_object() && r["result"] == RESULT_OK;
  };
  t.receive = [&](uint32_t c, int max) {
    Value r = a.result("SteamServer.receiveMessagesOnConnection", Value::array({c, max}));
    return r.is_array() ? r.size() : 0;
  };
  Value list = Value::array();
  t.send_batch = [&](uint32_t c, const std::vector<uint8_t>& p, int n) {
    if (list.size() != static_cast<size_t>(n)) {
      list = Value::array();
      for (int i = 0; i < n; ++i)
        list.push_back({{"connection", c}, {"data", agent::bytesValue(p)}, {"flags", NETWORKING_SEND_RELIABLE}});
    }
    Value r = a.result("SteamServer.sendMessages", Value::array({list}));
    return r.is_array() && r.size() == static_cast<size_t>(n) && r.back()["result"] == RESULT_OK;
  };
  Value payloads = Value::array();
  t.send_payloads = [&](uint32_t c, const std::vector<uint8_t>& p, int n) {
    if (payloads.size() != static_cast<size_t>(n)) {
      payloads = Value::array();
      for (int i = 0; i < n; ++i) payloads.push_back(agent::bytesValue(p));
    }
    Value r = a.result("SteamServer.sendMessagesToConnection", Value::array({c, payloads, NETWORKING_SEND_RELIABLE}));
    return r.is_object() && r["result"] == RESULT_OK && r["sent"] == n;
  };
  t.receive_payloads = [&](uint32_t c, int max) {
    Value r = a.result("SteamServer.receiveMessagePayloadsOnConnection", Value::array({c, max}));
    return r.is_array() ? r.size() : 0;
  };
  return runWorkloads(t, "cpp_via_agent", o);
}

// ---- gdscript_via_agent ---------------------------------------------------------------------------------
std::vector<Row> gdscript(const Options& o) {
  char tmpl[] = "/tmp/outpost-agent-bench-XXXXXX";
  const std::string data = mkdtemp(tmpl);
  test::SpawnOptions godot;  // stdout and stderr collected; the Godot binary looked up on PATH
  godot.argv = {o.godot,
                "--path",
                o.project,
                "res://bench/agent_bench.tscn",
                "--",
                "--calls=" + std::to_string(o.calls),
                "--messages=" + std::to_string(o.messages),
                "--batch=" + std::to_string(o.batch),
                "--payload=" + std::to_string(o.payload)};
  godot.search_path = true;
  godot.env = {{"OUTPOST_AGENT", o.agent}, {"XDG_DATA_HOME", data}};
  test::ProcessResult run = test::runToCompletion(godot, 10 * 60 * 1000);  // then SIGKILLed
  const std::string& output = run.out;
  const int status = run.exit_code;
  std::error_code removed;
  std::filesystem::remove_all(data, removed);
  if (removed) std::fprintf(stderr, "agent_bench: could not remove %s\n", data.c_str());
  std::vector<Row> rows;
  for (size_t at = output.find("BENCH {"); at != std::string::npos; at = output.find("BENCH {", at + 1)) {
    std::string line = output.substr(at + 6, output.find('\n', at) - at - 6);
    Value v = Value::parse(line, nullptr, false);
    if (v.is_discarded()) continue;
    Row r{v.value("workload", "?"), v.value("impl", "gdscript_via_agent"), "", v.value("ok", false)};
    for (const char* k : {"workload", "impl", "ok"}) v.erase(k);
    std::string body = v.dump();
    r.fields = body.substr(1, body.size() - 2);
    rows.push_back(r);
  }
  if (rows.empty() || output.find("BENCH done") == std::string::npos) {
    std::fprintf(stderr, "agent_bench: the Godot bench did not finish (status %d):\n%s\n", status, output.c_str());
    rows.push_back({"gdscript", "gdscript_via_agent", "\"error\":\"godot3-server did not finish\"", false});
  }
  return rows;
}

int usage(const char* why) {
  std::fprintf(stderr,
               "agent_bench: %s\nusage: agent_bench --agent PATH --project DIR [--godot godot3-server] [--quick]\n"
               "                   [--calls N] [--messages N] [--batch N] [--payload BYTES] [--no-godot]\n",
               why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  bool with_godot = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--quick") o.quick = true;
    else if (a == "--no-godot") with_godot = false;
    else if (a == "--agent" && (v = next())) o.agent = v;
    else if (a == "--project" && (v = next())) o.project = v;
    else if (a == "--godot" && (v = next())) o.godot = v;
    else if (a == "--calls" && (v = next())) o.calls = std::atoi(v);
    else if (a == "--messages" && (v = next())) o.messages = std::atoi(v);
    else if (a == "--batch" && (v = next())) o.batch = std::atoi(v);
    else if (a == "--payload" && (v = next())) o.payload = std::atoi(v);
    else return usage(("bad argument " + a).c_str());
  }
  if (o.agent.empty() || (with_godot && o.project.empty())) return usage("--agent and --project are needed");
  // Godot resolves relative paths against its project, not our working directory.
  for (std::string* path : {&o.agent, &o.project})
    if (char* real = realpath(path->c_str(), nullptr)) {
      *path = real;
      std::free(real);
    }
  if (o.quick) {
    o.calls /= 10;
    o.messages /= 10;
  }
  if (o.calls < 10 || o.messages < 10 || o.batch < 1 || o.batch > 4096 || o.payload < 1 || o.payload > 65536)
    return usage("--calls, --messages >= 10; --batch 1..4096; --payload 1..65536");
  signal(SIGPIPE, SIG_IGN);
  std::vector<Row> rows;
  std::fprintf(stderr, "agent_bench: direct_cpp\n");
  for (auto& r : direct(o)) rows.push_back(r);
  std::fprintf(stderr, "agent_bench: cpp_via_agent\n");
  for (auto& r : viaAgent(o)) rows.push_back(r);
  if (with_godot) {
    std::fprintf(stderr, "agent_bench: gdscript_via_agent (%s)\n", o.godot.c_str());
    for (auto& r : gdscript(o)) rows.push_back(r);
  }
  bool all_ok = true;
  std::printf(
      "{\"benchmark\":\"godot\",\"machine\":{%s},\"goals\":{\"call_p50_us\":50,\"msgs_per_s\":100000},\"rows\":[\n",
      bench::machineFields().c_str());
  for (size_t i = 0; i < rows.size(); ++i) {
    all_ok = all_ok && rows[i].ok;
    std::printf("{\"workload\":%s,\"impl\":%s,%s%s\"ok\":%s}%s\n", bench::jsonString(rows[i].workload).c_str(),
                bench::jsonString(rows[i].impl).c_str(), rows[i].fields.c_str(), rows[i].fields.empty() ? "" : ",",
                rows[i].ok ? "true" : "false", i + 1 < rows.size() ? "," : "");
  }
  std::printf("]}\n");
  return all_ok ? 0 : 1;
}
