// The settings of outpost-hub, declared once (settings::Table): each flag `--name VALUE` and the
// same `name = value` line of a --config file, with its accepted range, unit, default and help.
// apps/outpost-hub/main.cpp parses its command line here; `outpost-hub --help` prints the table
// and docs/operations.md shows the same table (a unit test keeps the two equal).
#pragma once

#include <string>
#include <vector>

#include "base/settings.h"
#include "hub/hub.h"

namespace outpost::hub {

// The table, bound to `config` (the setters write into it; `config` must outlive the table).
base::settings::Table hubSettings(HubConfig& config);

struct HubCommandLine {
  enum class Outcome { kRun, kHelp, kError } outcome = Outcome::kRun;
  std::string message;  // kHelp: the usage text; kError: the sentence naming the setting
};
// Applies the arguments (argv without the program name) in order: `--config FILE` applies the
// file's lines where it stands, so later flags override it. kError names the flag, key or file
// line and what it accepts; unknown flags are named. A missing --data-dir is an error.
HubCommandLine parseHubCommandLine(const std::vector<std::string>& args, HubConfig& config);

// The usage text (`outpost-hub --help`).
std::string hubUsage();

}  // namespace outpost::hub
