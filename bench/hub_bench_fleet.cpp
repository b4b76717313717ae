// hub_bench: the hub process the hub-side rows run against — started and stopped with the
// HubProcess helper of tests/support/process.h (PR_SET_PDEATHSIG: it never outlives the
// benchmark) — and the cleanup on every exit path, signals included (see hub_bench.h).
#include "hub_bench.h"

namespace outpost::hub_bench {

pid_t g_hub_pid = -1;
char g_tmp_root[1024] = {};

namespace {
std::unique_ptr<test::HubProcess> g_hub;  // the running hub (g_hub_pid is its pid)
}  // namespace

// Async-signal-safe: fork + exec rm -rf + waitpid. It runs in onFatalSignal, so it keeps its own
// fork/exec instead of tests/support/spawn.h's spawn(), which allocates (argv, environment)
// before fork — not allowed in a signal handler.
void removeTreeSignalSafe(const char* path) {
  if (!path[0]) return;
  pid_t p = fork();
  if (p == 0) {
    execl("/bin/rm", "rm", "-rf", "--", path, static_cast<char*>(nullptr));
    _exit(127);
  }
  if (p > 0) {
    int st = 0;
    waitpid(p, &st, 0);
  }
}

void onFatalSignal(int sig) {
  if (g_hub_pid > 0) {
    kill(g_hub_pid, SIGKILL);
    int st = 0;
    waitpid(g_hub_pid, &st, 0);
    g_hub_pid = -1;
  }
  removeTreeSignalSafe(g_tmp_root);
  signal(sig, SIG_DFL);
  raise(sig);
}

int stopHub() {
  if (!g_hub || g_hub->pid() <= 0) return -1;
  auto t0 = Clock::now();
  int status = g_hub->stop(SIGTERM, 10000);
  if (secondsSince(t0) >= 10) log("the hub did not stop within 10 s of SIGTERM; it was killed");
  g_hub_pid = -1;
  g_hub.reset();
  return status;
}

void cleanupAtExit() {
  if (g_hub_pid > 0) stopHub();
  if (g_tmp_root[0]) {
    std::error_code ec;
    std::filesystem::remove_all(g_tmp_root, ec);
    g_tmp_root[0] = 0;
  }
}

bool startHub(const Options& o, const std::string& tmp_root, HubInfo& hub, std::string* error) {
  hub.data_dir = tmp_root + "/data";
  hub.err_path = tmp_root + "/hub.err";
  auto process = std::make_unique<test::HubProcess>();
  process->binary = o.hub_bin;
  process->stderr_path = hub.err_path;
  if (o.raise_caps)
    for (const char* cap : {"OUTPOST_MAX_CONNECTIONS_PER_SOURCE", "OUTPOST_MAX_UNTRUSTED_CONNECTIONS",
                            "OUTPOST_MAX_UNTRUSTED_CONNECTIONS_PER_SOURCE"})
      process->extra_args.insert(process->extra_args.end(), {"--transport", std::string(cap) + "=1048576"});
  process->extra_args.insert(process->extra_args.end(), o.hub_args.begin(), o.hub_args.end());
  // start() waits (<= 20 s) for the listen address and the public key; the master line comes
  // before the key.
  if (!process->start(hub.data_dir) || process->master_address.empty()) {
    int status = process->stop(SIGKILL);
    *error =
        "outpost-hub exited early or printed no complete banner within 20 s (status " + std::to_string(status) + ")";
    return false;
  }
  hub.rpc_address = process->address;
  hub.master_address = process->master_address;
  hub.public_key = process->public_key;
  g_hub_pid = process->pid();
  g_hub = std::move(process);
  return true;
}

std::string readFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string lastLines(const std::string& text, int n) {
  size_t pos = text.size();
  for (int i = 0; i <= n && pos > 0; ++i) {
    size_t p = text.rfind('\n', pos - 1);
    if (p == std::string::npos) return text;
    pos = p;
    if (i == n) return text.substr(pos + 1);
  }
  return text;
}

uint64_t counter(const std::map<std::string, uint64_t>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? 0 : it->second;
}

}  // namespace outpost::hub_bench
