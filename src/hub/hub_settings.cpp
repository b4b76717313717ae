// outpost-hub's settings table (see hub_settings.h) and its command-line walk. Runs once, on the
// main thread, before the hub opens.
#include "hub/hub_settings.h"
#include <cctype>

#include <cstdint>
#include <limits>
#include <memory>

#include "base/address.h"
#include "transport/config_table.h"

namespace outpost::hub {

namespace {

constexpr int64_t kU32Max = std::numeric_limits<uint32_t>::max();
constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();

// "ip:port" / "[v6]:port" with the port written out; port 0 is allowed (the kernel picks one).
std::string checkAddress(const std::string& v) {
  bool has_port = v.front() == '[' ? v.find("]:") != std::string::npos
                                   : v.find(':') != std::string::npos && v.find(':') == v.rfind(':');
  if (!has_port || v.back() == ':' || !base::SocketAddress::parse(v, false))
    return "expected IP:PORT (e.g. 0.0.0.0:27100 or [::]:27100)";
  return "";
}

template <typename T>
std::function<void(int64_t)> into(T* field) {
  return [field](int64_t v) { *field = static_cast<T>(v); };
}

std::shared_ptr<base::settings::Table> masterLimitTable(MasterRateLimits& l) {
  auto t = std::make_shared<base::settings::Table>();
  MasterRateLimits d;  // defaults, for the help text
  auto u32 = [&](const char* name, uint32_t* field, uint32_t def, int64_t min, const char* unit) {
    t->integer(name, {{min, kU32Max}}, unit, std::to_string(def), "", into(field));
  };
  u32("requests_per_sec_per_ip", &l.requests_per_sec_per_ip, d.requests_per_sec_per_ip, 1, "requests/s");
  u32("request_burst_per_ip", &l.request_burst_per_ip, d.request_burst_per_ip, 1, "requests");
  u32("reply_bytes_per_sec_per_ip", &l.reply_bytes_per_sec_per_ip, d.reply_bytes_per_sec_per_ip, 1, "bytes/s");
  u32("reply_burst_bytes_per_ip", &l.reply_burst_bytes_per_ip, d.reply_burst_bytes_per_ip, 1400, "bytes");
  u32("requests_per_sec_global", &l.requests_per_sec_global, d.requests_per_sec_global, 1, "requests/s");
  u32("request_burst_global", &l.request_burst_global, d.request_burst_global, 1, "requests");
  u32("reply_bytes_per_sec_global", &l.reply_bytes_per_sec_global, d.reply_bytes_per_sec_global, 1, "bytes/s");
  u32("reply_burst_bytes_global", &l.reply_burst_bytes_global, d.reply_burst_bytes_global, 1400, "bytes");
  t->integer("max_tracked_sources", {{1, 1000000}}, "sources", std::to_string(d.max_tracked_sources), "",
             into(&l.max_tracked_sources));
  t->integer("max_scan_work_per_request", {{10000, kI64Max}}, "work units", std::to_string(d.max_scan_work_per_request),
             "", into(&l.max_scan_work_per_request));
  u32("scan_work_per_request_token", &l.scan_work_per_request_token, d.scan_work_per_request_token, 1, "work units");
  return t;
}

std::shared_ptr<base::settings::Table> ticketLimitTable(TicketLimits& l) {
  auto t = std::make_shared<base::settings::Table>();
  TicketLimits d;  // defaults, for the help text
  for (const auto& f : ticketLimitFields())
    t->integer(f.name, {{f.min, f.max}}, f.unit, std::to_string(d.*f.value), f.help, into(&(l.*f.value)));
  return t;
}

}  // namespace

base::settings::Table hubSettings(HubConfig& c) {
  base::settings::Table t;
  base::settings::Setting config;
  config.name = "config";
  config.kind = base::settings::Setting::Kind::kText;
  config.value_name = "FILE";
  config.help = "a file of `key = value` lines with the settings below (keys without --); later flags override it";
  config.config_file = false;  // applied by parseHubCommandLine, not by a setter
  t.add(config);
  t.text("data-dir", "DIR", "",
         "required: where the hub keeps its key, admin token and SQLite database (created 0700 if missing)",
         [&c](const std::string& v) -> std::string {
           if (v.empty()) return "expected a directory";
           c.data_dir = v;
           return "";
         });
  t.text("listen", "ADDR:PORT", "0.0.0.0:27100", "hub RPC address (UDP, Outpost transport)",
         [&c](const std::string& v) {
           std::string why = v.empty() ? "expected IP:PORT" : checkAddress(v);
           if (why.empty()) c.listen = v;
           return why;
         });
  t.text("master", "ADDR:PORT", "0.0.0.0:27011", "Valve master-server query address (UDP); \"\" turns it off",
         [&c](const std::string& v) {
           std::string why = v.empty() ? "" : checkAddress(v);
           if (why.empty()) c.master = v;
           return why;
         });
  t.integer("token-idle-expiry", {{1, 3153600000}}, "seconds", "31536000 (one year)",
            "an unused login token expires after this long (GSLTExpired)", into(&c.token_idle_expiry_s));
  base::settings::Setting limits;
  limits.name = "master-limit";
  limits.kind = base::settings::Setting::Kind::kKeyValue;
  limits.value_name = "NAME=VALUE";
  limits.help = "a master-query rate limit, repeatable (docs/spec/master.md section 5)";
  limits.sub = masterLimitTable(c.master_limits);
  t.add(limits);
  base::settings::Setting tickets;
  tickets.name = "ticket-limit";
  tickets.kind = base::settings::Setting::Kind::kKeyValue;
  tickets.value_name = "NAME=VALUE";
  tickets.help = "a bound on the tickets the hub signs and tracks, repeatable (docs/decisions/012-ticket-bounds.md)";
  tickets.sub = ticketLimitTable(c.ticket_limits);
  t.add(tickets);
  t.integer("stats-retention", {{0, 0}, {60, 3153600000}}, "seconds", "7776000 (90 days)",
            "a game server's gameplay statistics not updated for this long are deleted; 0 keeps them",
            into(&c.stats_retention_s));
  t.text("transport", "NAME=VALUE", "",
         "a transport value of the hub RPC listen socket, repeatable: its connection caps, e.g. "
         "OUTPOST_MAX_UNTRUSTED_CONNECTIONS_PER_SOURCE=64 (docs/config.md; docs/spec/transport.md section 16.3)",
         [&c](const std::string& v) {
           std::string why;
           transport::parseConfigAssignment(v, c.listen_options, &why);
           return why;
         });
  t.text("also-trusted-ca-key", "HEX", "",
         "a CA public key the hub vouches for besides its own, during a key rotation (repeatable; "
         "docs/spec/cert.md section 6)",
         [&c](const std::string& v) -> std::string {
           if (v.size() != 64 || v.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
             return "expected 64 hex characters";
           std::string hex = v;
           for (char& ch : hex) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
           c.also_trusted_ca_keys_hex.push_back(hex);
           return "";
         });
  UserLogonsConfig d;
  auto& u = c.user_logons;
  t.integer("password-checks-pending", {{1, 65536}}, "checks", std::to_string(d.max_pending),
            "password checks waiting at once in all; more logons are answered Busy (10)", into(&u.max_pending));
  t.integer("password-checks-per-source", {{1, 65536}}, "checks", std::to_string(d.max_pending_per_source),
            "password checks waiting at once from one address (IPv4, IPv6 /64); more are answered "
            "RateLimitExceeded (84)",
            into(&u.max_pending_per_source));
  t.integer("password-check-workers", {{0, 64}}, "threads", "0 (the cores but one, 2..4)",
            "threads running Argon2id password checks", into(&u.workers));
  t.integer("logon-failures-per-account", {{1, 1000}}, "failures", std::to_string(d.limits.failures_per_account),
            "failed logons of one account name before its backoff starts (RateLimitExceeded, 84)",
            into(&u.limits.failures_per_account));
  t.integer("logon-failures-per-source", {{1, 1000000}}, "failures", std::to_string(d.limits.failures_per_source),
            "failed logons from one address (IPv4, IPv6 /64) before its backoff starts",
            into(&u.limits.failures_per_source));
  t.integer("logon-backoff-initial-ms", {{1, 3600000}}, "milliseconds", std::to_string(d.limits.backoff_initial_ms),
            "the first backoff wait; doubled with each further failure", into(&u.limits.backoff_initial_ms));
  t.integer("logon-backoff-max-ms", {{1, 86400000}}, "milliseconds", std::to_string(d.limits.backoff_max_ms),
            "the longest backoff wait", into(&u.limits.backoff_max_ms));
  t.integer("logon-forget-after-s", {{1, 604800}}, "seconds", std::to_string(d.limits.forget_after_ms / 1000),
            "failures are forgotten after this long without another",
            [&u](int64_t v) { u.limits.forget_after_ms = v * 1000; });
  t.integer("logon-tracked", {{1, 10000000}}, "entries", std::to_string(d.limits.max_tracked),
            "account names and addresses remembered each (least recently used forgotten first)",
            into(&u.limits.max_tracked));
  base::settings::Setting help;
  help.name = "help";
  help.kind = base::settings::Setting::Kind::kFlag;
  help.help = "print this help and exit";
  help.config_file = false;
  t.add(help);
  return t;
}

std::string hubUsage() {
  HubConfig scratch;
  return "usage: outpost-hub [--config FILE] --data-dir DIR [--listen ADDR:PORT] [--master ADDR:PORT] [SETTING VALUE]...\n"
         "  Every setting is a flag (--name VALUE) and a config-file key (name = value); integers are plain\n"
         "  decimal numbers within the range shown. Exit status: 0 stopped by SIGTERM/SIGINT, 1 cannot start,\n"
         "  2 a bad setting.\n" +
         hubSettings(scratch).helpText();
}

HubCommandLine parseHubCommandLine(const std::vector<std::string>& args, HubConfig& config) {
  base::settings::Table table = hubSettings(config);
  HubCommandLine out;
  auto error = [&](std::string message) {
    out.outcome = HubCommandLine::Outcome::kError;
    out.message = std::move(message);
    return out;
  };
  for (const auto& a : args)
    if (a == "--help" || a == "-h") {
      out.outcome = HubCommandLine::Outcome::kHelp;
      out.message = hubUsage();
      return out;
    }
  for (size_t i = 0; i < args.size();) {
    if (args[i] == "--config" || args[i].rfind("--config=", 0) == 0) {
      std::string path;
      if (args[i] == "--config") {
        if (i + 1 >= args.size()) return error("--config needs a value (FILE)");
        path = args[i + 1];
        i += 2;
      } else {
        path = args[i].substr(9);
        i += 1;
      }
      if (std::string why = table.applyConfigFile(path); !why.empty()) return error(why);
      continue;
    }
    if (std::string why = table.applyFlag(args, &i); !why.empty())
      return error(why + " (outpost-hub --help lists the settings)");
  }
  if (config.data_dir.empty()) return error("--data-dir (or data-dir in a --config file) is required");
  if (config.user_logons.limits.backoff_initial_ms > config.user_logons.limits.backoff_max_ms)
    return error("logon-backoff-initial-ms (" + std::to_string(config.user_logons.limits.backoff_initial_ms) +
                 ") is above logon-backoff-max-ms (" + std::to_string(config.user_logons.limits.backoff_max_ms) + ")");
  if (std::string why = validateRateLimits(config.master_limits); !why.empty()) return error("--master-limit: " + why);
  return out;
}

}  // namespace outpost::hub
