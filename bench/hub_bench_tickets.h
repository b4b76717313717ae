// hub_bench's ticket-scale phase (bench/hub_bench_tickets.cpp): the hub's CPU per ticket request
// once 10 k, 100 k and 1 M tickets have been issued (and are still tracked), against its own
// outpost-hub process. bench/README.md, "Hub benchmark", documents the rows.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace outpost::bench {

struct TicketScaleInputs {
  std::string hub_bin;              // outpost-hub to measure (any version: the phase raises the hub's ticket
                                    // limits only if it has --ticket-limit)
  std::string cli_bin;              // outpost (admin CLI) to provision it with
  std::string work_dir;             // an empty directory the phase may use (removed by the caller)
  bool quick = false;               // 1 k / 10 k / 100 k instead of 10 k / 100 k / 1 M
  std::vector<size_t> checkpoints;  // other checkpoints than those (--ticket-checkpoints)
  int timeout_s = 1800;             // bound of the whole phase
};

// One flat JSON object per row (the same fields as the other hub rows, "ok" included).
std::vector<std::string> runTicketScalePhase(const TicketScaleInputs& in);

}  // namespace outpost::bench
