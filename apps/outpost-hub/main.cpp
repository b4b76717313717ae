// outpost-hub: the self-hosted backend daemon. Thin main(): flags, signals, the poll loop; the
// logic is in src/hub. Prints its listen address and public key on start; SIGTERM or SIGINT
// stops it cleanly.
#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "hub/hub.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void onSignal(int) { g_stop = 1; }

void usage() {
  std::fprintf(stderr,
               "usage: outpost-hub [--config FILE] --data-dir DIR [--listen ADDR:PORT] [--master ADDR:PORT]\n"
               "                   [--token-idle-expiry SECONDS]\n"
               "  --config    a file of `key = value` lines with the same settings (data-dir, listen, master,\n"
               "              token-idle-expiry); flags after it override it\n"
               "  --data-dir  where the hub keeps its key, admin token and SQLite database (created if missing)\n"
               "  --listen    hub RPC address (default 0.0.0.0:27100)\n"
               "  --master    Valve master-server query address (default 0.0.0.0:27011; \"\" turns it off)\n"
               "  --token-idle-expiry  seconds after which an unused login token expires (default one year)\n"
               "  --master-limit NAME=VALUE  a master-query rate limit (repeatable; docs/spec/master.md)\n"
               "  --also-trusted-ca-key HEX  a CA public key the hub vouches for besides its own, during a key\n"
               "              rotation (repeatable; docs/spec/cert.md section 6)\n");
}

}  // namespace

// Reads `key = value` lines (# comments) into the config: data-dir, listen, master,
// token-idle-expiry. Flags given on the command line after --config override it.
bool readConfigFile(const std::string& path, outpost::hub::HubConfig& config, std::string* error) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) {
    *error = "cannot read " + path;
    return false;
  }
  char buf[1024];
  int line_no = 0;
  bool ok = true;
  while (ok && std::fgets(buf, sizeof buf, f)) {
    ++line_no;
    std::string line(buf);
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    auto trim = [](std::string s) {
      size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
      return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
    };
    line = trim(line);
    if (line.empty()) continue;
    auto eq = line.find('=');
    std::string key = eq == std::string::npos ? line : trim(line.substr(0, eq));
    std::string value = eq == std::string::npos ? "" : trim(line.substr(eq + 1));
    if (eq == std::string::npos) ok = false;
    else if (key == "data-dir") config.data_dir = value;
    else if (key == "listen") config.listen = value;
    else if (key == "master") config.master = value;
    else if (key == "token-idle-expiry") config.token_idle_expiry_s = std::atoll(value.c_str());
    else ok = false;
    if (!ok) *error = path + ":" + std::to_string(line_no) + ": unknown setting \"" + line + "\"";
  }
  std::fclose(f);
  return ok;
}

// --master-limit NAME=VALUE: one field of MasterRateLimits (docs/spec/master.md §5).
bool setMasterLimit(const std::string& spec, outpost::master::MasterRateLimits& l, std::string* error) {
  auto eq = spec.find('=');
  std::string name = spec.substr(0, eq);
  unsigned long long v = eq == std::string::npos ? 0 : std::strtoull(spec.c_str() + eq + 1, nullptr, 10);
  struct Field {
    const char* name;
    uint32_t* value;
  } fields[] = {{"requests_per_sec_per_ip", &l.requests_per_sec_per_ip},
                {"request_burst_per_ip", &l.request_burst_per_ip},
                {"reply_bytes_per_sec_per_ip", &l.reply_bytes_per_sec_per_ip},
                {"reply_burst_bytes_per_ip", &l.reply_burst_bytes_per_ip},
                {"requests_per_sec_global", &l.requests_per_sec_global},
                {"request_burst_global", &l.request_burst_global},
                {"reply_bytes_per_sec_global", &l.reply_bytes_per_sec_global},
                {"reply_burst_bytes_global", &l.reply_burst_bytes_global},
                {"max_tracked_sources", &l.max_tracked_sources},
                {"scan_work_per_request_token", &l.scan_work_per_request_token}};
  for (auto& f : fields) {
    if (name == f.name && eq != std::string::npos && v <= 0xFFFFFFFFull) {
      *f.value = static_cast<uint32_t>(v);
      return true;
    }
  }
  if (name == "max_scan_work_per_request" && eq != std::string::npos) {
    l.max_scan_work_per_request = v;
    return true;
  }
  *error = "--master-limit " + spec + ": expected NAME=VALUE with a MasterRateLimits field name";
  return false;
}

int main(int argc, char** argv) {
  outpost::hub::HubConfig config;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--config" && i + 1 < argc) {
      std::string error;
      if (!readConfigFile(argv[++i], config, &error)) {
        std::fprintf(stderr, "outpost-hub: %s\n", error.c_str());
        return 2;
      }
    } else if (a == "--data-dir" && i + 1 < argc) config.data_dir = argv[++i];
    else if (a == "--listen" && i + 1 < argc) config.listen = argv[++i];
    else if (a == "--master" && i + 1 < argc) config.master = argv[++i];
    else if (a == "--token-idle-expiry" && i + 1 < argc) config.token_idle_expiry_s = std::atoll(argv[++i]);
    else if (a == "--also-trusted-ca-key" && i + 1 < argc) {
      std::string hex = argv[++i];
      if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
        std::fprintf(stderr, "outpost-hub: --also-trusted-ca-key: \"%s\" is not 64 hex characters\n", hex.c_str());
        return 2;
      }
      for (char& ch : hex) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      config.also_trusted_ca_keys_hex.push_back(hex);
    }
    else if (a == "--master-limit" && i + 1 < argc) {
      std::string error;
      if (!setMasterLimit(argv[++i], config.master_limits, &error)) {
        std::fprintf(stderr, "outpost-hub: %s\n", error.c_str());
        return 2;
      }
    }
    else {
      usage();
      return 2;
    }
  }
  if (config.data_dir.empty()) {
    usage();
    return 2;
  }
  std::string error;
  if (std::string why = outpost::master::validateRateLimits(config.master_limits); !why.empty()) {
    std::fprintf(stderr, "outpost-hub: %s\n", why.c_str());
    return 2;
  }
  auto hub = outpost::hub::Hub::open(config, &error);
  if (!hub) {
    std::fprintf(stderr, "outpost-hub: %s\n", error.c_str());
    return 1;
  }
  std::signal(SIGTERM, onSignal);
  std::signal(SIGINT, onSignal);
  std::printf("outpost-hub: listening on %s\n", hub->listenAddress().c_str());
  if (!hub->masterAddress().empty()) std::printf("outpost-hub: master query on %s\n", hub->masterAddress().c_str());
  std::printf("outpost-hub: public key %s%s\n", hub->publicKeyHex().c_str(), hub->createdKey() ? " (new)" : "");
  std::printf("outpost-hub: data directory %s\n", config.data_dir.c_str());
  std::fflush(stdout);
  while (!g_stop) hub->poll(100);
  std::printf("outpost-hub: stopped\n");
  std::fflush(stdout);
  return 0;
}
