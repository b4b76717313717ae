// outpost-agent: hosts the Outpost SDK for one program that cannot link C++ (a Godot game, a script)
// over a local authenticated connection (docs/spec/agent.md). Thin main: flags, signals, then
// outpost::agent::Agent. Also prints the API table (--print-api) and writes the Godot addon's
// generated singletons (--write-godot-addon).
//
//   outpost-agent [--listen 127.0.0.1:0] [--secret-file PATH] [--parent-pid PID]
//                 [--first-client-timeout-ms N] [--hello-timeout-ms N] [--max-frame-bytes N]
//   outpost-agent --print-api
//   outpost-agent --print-godot-api-map     (docs/api-map.md §10)
//   outpost-agent --write-godot-addon godot3|godot4 DIR
//
// The secret: OUTPOST_AGENT_SECRET (64 hex characters) when the parent gives one (it is removed
// from this process's environment once read), otherwise a fresh one written with the port to
// --secret-file (mode 0600). Prints "outpost-agent: listening on 127.0.0.1:PORT" on stdout.
// Exit status: 0 after serving a client (or on SIGTERM/SIGINT), 1 when no client came or the
// parent was gone, 2 for bad flags.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "agent/agent.h"
#include "agent/api_table.h"
#include "agent/godot_codegen.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void onSignal(int) { g_stop = 1; }

int usage(const char* why) {
  std::fprintf(stderr,
               "outpost-agent: %s\n"
               "usage: outpost-agent [--listen 127.0.0.1:0] [--secret-file PATH] [--parent-pid PID]\n"
               "                     [--first-client-timeout-ms N] [--hello-timeout-ms N] [--max-frame-bytes N]\n"
               "       outpost-agent --print-api\n"
               "       outpost-agent --write-godot-addon godot3|godot4 DIR\n",
               why);
  return 2;
}

// A decimal integer in [lo, hi], the whole string.
bool parseInt(const char* text, long long lo, long long hi, long long* out) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text, &end, 10);
  if (errno || end == text || *end != '\0' || v < lo || v > hi) return false;
  *out = v;
  return true;
}

int writeAddon(const std::string& flavour, const std::string& dir) {
  outpost::agent::GodotFlavour f;
  if (flavour == "godot3") f = outpost::agent::GodotFlavour::kGodot3;
  else if (flavour == "godot4") f = outpost::agent::GodotFlavour::kGodot4;
  else return usage("--write-godot-addon: the flavour is godot3 or godot4");
  for (const auto& file : outpost::agent::generateGodotSingletons(f)) {
    const std::string path = dir + "/" + file.name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << file.text;
    if (!out) {
      std::fprintf(stderr, "outpost-agent: cannot write %s\n", path.c_str());
      return 1;
    }
    std::printf("wrote %s\n", path.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  outpost::agent::AgentOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* flag) -> const char* {
      if (i + 1 >= argc) return nullptr;
      (void)flag;
      return argv[++i];
    };
    long long n = 0;
    if (a == "--print-api") {
      std::printf("%s\n", outpost::agent::apiDocument().dump(2).c_str());
      return 0;
    } else if (a == "--print-godot-api-map") {
      std::printf("%s", outpost::agent::godotApiMapSection().c_str());
      return 0;
    } else if (a == "--write-godot-addon") {
      if (i + 2 >= argc) return usage("--write-godot-addon needs a flavour and a directory");
      return writeAddon(argv[i + 1], argv[i + 2]);
    } else if (a == "--listen") {
      const char* v = value("--listen");
      if (!v) return usage("--listen needs ip:port");
      options.listen = v;
    } else if (a == "--secret-file") {
      const char* v = value("--secret-file");
      if (!v || !*v) return usage("--secret-file needs a path");
      options.secret_file = v;
    } else if (a == "--parent-pid") {
      const char* v = value("--parent-pid");
      if (!v || !parseInt(v, 1, 4194304, &n)) return usage("--parent-pid: a process id 1..4194304");
      options.parent_pid = n;
    } else if (a == "--first-client-timeout-ms") {
      const char* v = value("--first-client-timeout-ms");
      if (!v || !parseInt(v, 1, 3600000, &n)) return usage("--first-client-timeout-ms: 1..3600000");
      options.first_client_timeout_ms = static_cast<int>(n);
    } else if (a == "--hello-timeout-ms") {
      const char* v = value("--hello-timeout-ms");
      if (!v || !parseInt(v, 1, 60000, &n)) return usage("--hello-timeout-ms: 1..60000");
      options.hello_timeout_ms = static_cast<int>(n);
    } else if (a == "--max-frame-bytes") {
      const char* v = value("--max-frame-bytes");
      if (!v || !parseInt(v, 1024, 1 << 30, &n)) return usage("--max-frame-bytes: 1024..1073741824");
      options.max_frame_bytes = static_cast<size_t>(n);
    } else if (a == "--help" || a == "-h") {
      usage("hosts the Outpost SDK for one local client (docs/spec/agent.md)");
      return 0;
    } else {
      return usage(("unknown flag " + a).c_str());
    }
  }
  if (const char* s = std::getenv("OUTPOST_AGENT_SECRET")) {
    options.secret_hex = s;
    unsetenv("OUTPOST_AGENT_SECRET");  // not inherited by anything we might start
  }
  if (options.secret_hex.empty() && options.secret_file.empty())
    return usage("give the secret: OUTPOST_AGENT_SECRET from the parent, or --secret-file to write one");

  struct sigaction sa {};
  sa.sa_handler = onSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  outpost::agent::Agent agent(options);
  std::string error;
  if (!agent.start(&error)) {
    std::fprintf(stderr, "outpost-agent: %s\n", error.c_str());
    return error.rfind("--parent-pid", 0) == 0 ? 1 : 2;
  }
  std::printf("outpost-agent: listening on %s:%u\n", options.listen.substr(0, options.listen.rfind(':')).c_str(),
              agent.port());
  std::fflush(stdout);
  int status = agent.run(&g_stop);
  for (const auto& [name, value] : agent.counters())
    std::fprintf(stderr, "outpost-agent: %s=%llu\n", name.c_str(), static_cast<unsigned long long>(value));
  return status;
}
