// hub_bench's "passwords" phase (bench/hub_bench_passwords.cpp): legitimate user logons, quiet and
// during a password-guessing flood from one other source, against a real outpost-hub of their
// own. bench/README.md ("Hub benchmark", row logon_during_password_flood) says what is timed.
#pragma once

#include <string>
#include <vector>

namespace outpost::bench {

struct PasswordsPhaseInput {
  std::string hub_bin;   // outpost-hub to start
  std::string cli_bin;   // outpost, for `outpost admin`
  std::string tmp_root;  // a directory of hub_bench's own (removed by hub_bench)
  bool quick = false;
  int timeout_s = 300;          // bound of every wait
  int flood_rate_per_s = 1000;  // guesses offered per second by the flooding source
};

// Runs the phase and returns its rows, each one JSON object ({"workload":...,"ok":...}).
std::vector<std::string> passwordsPhase(const PasswordsPhaseInput& in);

}  // namespace outpost::bench
