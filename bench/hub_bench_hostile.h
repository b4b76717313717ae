// The "hostile" phase of hub_bench (bench/README.md, "Hub benchmark", rows hostile_rss_* and
// logon_during_flood): what connections without any credential cost a real outpost-hub, and how
// long a legitimate logon takes while such connections pour in. Each row starts its own hub (so
// its peak RSS is its own) from the binaries hub_bench was given, and drives it with
// tests/support/hostile_flood.h from 127.0.0.x source addresses. Kept out of hub_bench.cpp, which
// only registers the phase.
#pragma once

#include <string>
#include <vector>

namespace outpost::bench {

struct HostilePhaseOptions {
  std::string hub_bin, cli_bin;
  std::string tmp_root;  // each row's hub gets a data directory under it
  bool quick = false;
  int timeout_s = 300;
  std::vector<std::string> hub_args;       // extra outpost-hub flags (hub_bench --hub-arg)
  std::vector<int> sizes = {1000, 10000};  // N of the hostile_rss_N rows
};

// Runs the rows; returns one JSON object per row (the fields of hub_bench's rows).
std::vector<std::string> runHostilePhase(const HostilePhaseOptions& o);

}  // namespace outpost::bench
