// hub_bench: benchmarks outpost-hub the way an operator runs it. It starts a real outpost-hub
// process on 127.0.0.1 (ephemeral hub RPC and master ports, a temporary data directory),
// provisions it with the real `outpost admin` CLI (app 480, users with a licence, a login token),
// then loads it from this process over hub RPC (one Outpost transport instance holding every
// connection) and over UDP master queries, and prints one JSON document on stdout:
//
//   {"benchmark":"hub","machine":{...},"rows":[{"workload":...,"ops":...,"seconds":...,
//    "ops_per_s":...,"p50_us":...,"p99_us":...,"hub_cpu_s":...,"ok":...}, ...]}
//
// Workloads, in run order: user_logon, ticket_issue, ticket_validate (pipelined over one game
// server connection), server_register (N servers, one connection each), idle_connections,
// master_query and master_query_filtered (the hub as shipped: rate-limited per source IP),
// server_update, then in-process capacity rows that link the master module directly
// (master_reply_inprocess[_filtered]: parse + MasterIndex::reply; master_responder_inprocess:
// MasterResponder::handle with the rate limits raised). hub_cpu_s is the hub's utime+stime from
// /proc/<pid>/stat over the timed phase. Every wait is bounded; the hub process and the temporary
// directory are removed on every exit path, including SIGINT/SIGTERM/SIGHUP. bench/README.md
// ("Hub benchmark") documents each row; `bench/run hub [--quick] [--repeat N]` builds and runs it.
// Exit status: 0 every row ok, 1 some row failed, 2 usage error.
//
// Files, one job each: hub_bench.cpp (this: command line, run order, the JSON document),
// hub_bench.h (shared declarations), hub_bench_fleet.cpp (the hub process, cleanup),
// hub_bench_output.cpp (rows, CPU meters), hub_bench_rpc.{h,cpp} (hub RPC connections,
// provisioning), hub_bench_ticket_rows.cpp (logon and ticket rows), hub_bench_server_rows.cpp
// (game-server and master-query rows), hub_bench_master.h / hub_bench_master_rows.cpp (master
// queries, in-process master rows); phases with their own hub: hub_bench_tickets.cpp
// (ticket_scale), hub_bench_passwords.cpp, hub_bench_hostile.cpp.
#include "hub_bench_rpc.h"

namespace outpost::hub_bench {
namespace {

[[noreturn]] void usage(const char* why) {
  if (why) std::fprintf(stderr, "hub_bench: %s\n", why);
  std::fprintf(stderr,
               "usage: hub_bench [--quick] [--hub-binary PATH] [--cli-binary PATH] [--tmp-dir DIR]\n"
               "                 [--users K] [--tickets N] [--window W] [--servers S] [--connect-batch B]\n"
               "                 [--updates U] [--master-seconds T] [--master-max M] [--master-window W]\n"
               "                 [--inprocess M] [--timeout S] [--hub-arg ARG]... [--master-unthrottled]\n"
               "                 [--phases tickets,servers,ticket_scale,inprocess,passwords,hostile]\n"
               "                 [--hostile-sizes N,N...] [--ticket-checkpoints N,N,...] [--no-raise-caps]\n"
               "  starts outpost-hub on 127.0.0.1, provisions it with `outpost admin`, measures it and\n"
               "  prints one JSON document (bench/README.md, \"Hub benchmark\").\n");
  std::exit(why ? 2 : 0);
}

int intArg(const std::string& name, const char* v, int lo, int hi) {
  char* end = nullptr;
  long x = std::strtol(v, &end, 10);
  if (!*v || *end || x < lo || x > hi)
    usage((name + " wants an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]").c_str());
  return static_cast<int>(x);
}

Options parseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--quick") {
      o.quick = true;
      o.users = 10;
      o.tickets = 2000;
      o.servers = 1000;
      o.updates = 10000;
      o.master_seconds = 3;
      o.master_max = 2000;
      o.inprocess = 10000;
      o.idle_seconds = 2;
    }
  if (const char* t = std::getenv("TMPDIR")) o.tmp_parent = t;
  if (o.tmp_parent.empty()) o.tmp_parent = "/tmp";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage((a + " needs a value").c_str());
      return argv[++i];
    };
    if (a == "--quick") continue;
    else if (a == "--help" || a == "-h") usage(nullptr);
    else if (a == "--hub-binary") o.hub_bin = value();
    else if (a == "--cli-binary") o.cli_bin = value();
    else if (a == "--tmp-dir") o.tmp_parent = value();
    else if (a == "--users") o.users = intArg(a, value(), 1, 10000);
    else if (a == "--tickets") o.tickets = intArg(a, value(), 1, 150000);  // the hub tracks 200,000
    else if (a == "--window") o.window = intArg(a, value(), 1, 4096);
    else if (a == "--servers") o.servers = intArg(a, value(), 1, 20000);  // ports stay distinct
    else if (a == "--connect-batch") o.connect_batch = intArg(a, value(), 1, 20000);
    else if (a == "--updates") o.updates = intArg(a, value(), 1, 10000000);
    else if (a == "--master-seconds") o.master_seconds = intArg(a, value(), 1, 600);
    else if (a == "--master-max") o.master_max = intArg(a, value(), 1, 100000000);
    else if (a == "--master-window") o.master_window = intArg(a, value(), 1, 1024);
    else if (a == "--inprocess") o.inprocess = intArg(a, value(), 1, 100000000);
    else if (a == "--timeout") o.timeout_s = intArg(a, value(), 1, 86400);
    else if (a == "--hub-arg") o.hub_args.push_back(value());
    else if (a == "--phases") o.phases = value();
    else if (a == "--ticket-checkpoints") {
      std::stringstream list(value());
      for (std::string n; std::getline(list, n, ',');)
        o.ticket_checkpoints.push_back(static_cast<size_t>(intArg(a, n.c_str(), 1, 10000000)));
    } else if (a == "--hostile-sizes") {
      o.hostile_sizes.clear();
      std::string list = value();
      for (size_t at = 0; at <= list.size();) {
        size_t comma = std::min(list.find(',', at), list.size());
        o.hostile_sizes.push_back(intArg("--hostile-sizes", list.substr(at, comma - at).c_str(), 1, 100000));
        at = comma + 1;
      }
    } else if (a == "--no-raise-caps") o.raise_caps = false;
    else if (a == "--master-unthrottled") o.master_unthrottled = true;
    else usage(("unknown argument " + a).c_str());
  }
  // ticket_issue measures signing throughput for K users: the per-session rate and per-user caps
  // (docs/decisions/012) are raised first, so later --hub-arg flags can still set them.
  std::vector<std::string> raised;
  for (const char* l :
       {"per_user=10000000", "users_total=10000000", "requests_per_sec=1000000000", "request_burst=1000000000"})
    raised.insert(raised.end(), {"--ticket-limit", l});
  o.hub_args.insert(o.hub_args.begin(), raised.begin(), raised.end());
  if (o.master_unthrottled)
    for (const char* k : {"requests_per_sec_per_ip", "request_burst_per_ip", "reply_bytes_per_sec_per_ip",
                          "reply_burst_bytes_per_ip", "requests_per_sec_global", "request_burst_global",
                          "reply_bytes_per_sec_global", "reply_burst_bytes_global"}) {
      o.hub_args.push_back("--master-limit");
      o.hub_args.push_back(std::string(k) + "=4294967295");
    }
  return o;
}

std::string machineJson(const Options& o, const std::string& data_dir) {
  std::string fs = "unknown";
  struct statfs sf {};
  std::string probe = data_dir.empty() ? o.tmp_parent : std::filesystem::path(data_dir).parent_path().string();
  if (statfs(probe.c_str(), &sf) == 0) {
    switch (static_cast<unsigned long>(sf.f_type)) {
      case 0x01021994: fs = "tmpfs"; break;
      case 0xEF53: fs = "ext4"; break;
      case 0x9123683E: fs = "btrfs"; break;
      case 0x58465342: fs = "xfs"; break;
      case 0x794C7630: fs = "overlayfs"; break;
      default: {
        char buf[32];
        std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(sf.f_type));
        fs = buf;
      }
    }
  }
  std::string args = "[";
  for (size_t i = 0; i < o.hub_args.size(); ++i) {
    if (i) args += ',';
    args += bench::jsonString(o.hub_args[i]);
  }
  args += "]";
  return "{" + bench::machineFields() + ",\"data_dir_fs\":" + bench::jsonString(fs) +
         ",\"quick\":" + (o.quick ? "true" : "false") +
         ",\"master_unthrottled\":" + (o.master_unthrottled ? "true" : "false") + ",\"hub_args\":" + args + "}";
}

}  // namespace
}  // namespace outpost::hub_bench

int main(int argc, char** argv) {
  using namespace outpost::hub_bench;
  Options o = parseOptions(argc, argv);
  signal(SIGPIPE, SIG_IGN);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, onFatalSignal);
  std::atexit(cleanupAtExit);

  std::string tmpl = o.tmp_parent + "/outpost-hub-bench-XXXXXX";
  if (tmpl.size() >= sizeof g_tmp_root) usage("--tmp-dir is too long");
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back(0);
  if (!mkdtemp(buf.data())) {
    log("cannot create a temporary directory under %s: %s", o.tmp_parent.c_str(), std::strerror(errno));
    return 1;
  }
  std::string tmp_root = buf.data();
  std::snprintf(g_tmp_root, sizeof g_tmp_root, "%s", tmp_root.c_str());

  Bench b;
  b.o = o;
  std::string machine = machineJson(o, tmp_root + "/data");
  std::string err;
  std::vector<const char*> hub_rows;
  if (o.runs("tickets")) hub_rows.insert(hub_rows.end(), {"user_logon", "ticket_issue", "ticket_validate"});
  if (o.runs("servers"))
    hub_rows.insert(hub_rows.end(),
                    {"server_register", "idle_connections", "master_query", "master_query_filtered", "server_update"});
  bool hub_ok = !o.runs("tickets") && !o.runs("servers") ? false : startHub(o, tmp_root, b.hub, &err);
  if (hub_ok) {
    log("hub pid %d: rpc %s, master %s, data %s", static_cast<int>(g_hub_pid), b.hub.rpc_address.c_str(),
        b.hub.master_address.c_str(), b.hub.data_dir.c_str());
    hub_ok = provision(b, &err) && b.admin.connect(b.hub, &err);
  }
  if (hub_ok) {
    if (o.runs("tickets")) ticketPhase(b);
    if (o.runs("servers")) serverPhase(b);
  } else if (o.runs("tickets") || o.runs("servers")) {
    log("%s", err.c_str());
    for (const char* w : hub_rows) b.rows.push_back(failedRow(w, err));
  }
  bool any_failed = std::any_of(b.rows.begin(), b.rows.end(), [](const Row& r) { return !r.ok; });
  if (g_hub_pid > 0) {
    int st = stopHub();
    if (st != 0) log("outpost-hub exited with status %d", st);
  }
  if (any_failed && !b.hub.err_path.empty()) {
    std::string tail = lastLines(readFile(b.hub.err_path), 30);
    if (!tail.empty()) log("last lines of the hub's stderr:\n%s", tail.c_str());
  }
  // Phases in their own files, each with its own hub (bench/hub_bench_*.cpp).
  std::vector<std::string> phase_rows;  // rows of phases in files of their own, as JSON
  if (o.runs("ticket_scale")) {
    std::string work = tmp_root + "/ticket_scale";
    std::filesystem::create_directories(work);
    for (auto& row : outpost::bench::runTicketScalePhase(
             {o.hub_bin, o.cli_bin, work, o.quick, o.ticket_checkpoints, o.timeout_s * 6}))
      phase_rows.push_back(std::move(row));
  }
  if (o.runs("inprocess")) inProcessPhase(b);  // after the hub is gone, so it does not compete for the cores
  if (o.runs("passwords"))
    for (auto& row : outpost::bench::passwordsPhase({o.hub_bin, o.cli_bin, tmp_root, o.quick, o.timeout_s}))
      phase_rows.push_back(std::move(row));
  if (o.runs("hostile"))
    for (auto& row : outpost::bench::runHostilePhase(
             {o.hub_bin, o.cli_bin, tmp_root, o.quick, o.timeout_s, o.hub_args, o.hostile_sizes}))
      phase_rows.push_back(std::move(row));

  std::string doc = "{\"benchmark\":\"hub\",\"machine\":" + machine + ",\"rows\":[";
  for (size_t i = 0; i < b.rows.size(); ++i) doc += (i ? ",\n" : "\n") + b.rows[i].json();
  for (size_t i = 0; i < phase_rows.size(); ++i) doc += (i || !b.rows.empty() ? ",\n" : "\n") + phase_rows[i];
  doc += "\n]}\n";
  std::fputs(doc.c_str(), stdout);
  std::fflush(stdout);
  bool ok = std::all_of(b.rows.begin(), b.rows.end(), [](const Row& r) { return r.ok; }) &&
            std::none_of(phase_rows.begin(), phase_rows.end(),
                         [](const std::string& r) { return r.find("\"ok\":false") != std::string::npos; });
  cleanupAtExit();
  return ok ? 0 : 1;
}
