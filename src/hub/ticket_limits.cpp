// TicketLimits and RateBucket (see ticket_limits.h).
#include "hub/ticket_limits.h"

#include <algorithm>

namespace outpost::hub {

namespace {

constexpr TicketLimitField kFields[] = {
    {"per_user", &TicketLimits::per_user, 1, 10000000, "tickets",
     "tickets one user holds until they expire (cancelled ones count); more: LimitExceeded (25)"},
    {"per_server", &TicketLimits::per_server, 1, 10000000, "tickets",
     "a game-server session's own tickets; more: LimitExceeded (25)"},
    {"users_total", &TicketLimits::users_total, 1, 10000000, "tickets",
     "players' tickets tracked in all (about 100-130 bytes each); more: Busy (10)"},
    {"servers_total", &TicketLimits::servers_total, 1, 10000000, "tickets",
     "game servers' tickets tracked in all; more: Busy (10)"},
    {"requests_per_sec", &TicketLimits::requests_per_sec, 1, 1000000000, "requests/s",
     "ticket requests one session may make per second after its burst; more: RateLimitExceeded (84)"},
    {"request_burst", &TicketLimits::request_burst, 1, 1000000000, "requests",
     "ticket requests one session may make at once"},
};

using LimitField = TicketLimitField;

std::string range(const LimitField& f) {
  return std::string(f.name) + " takes " + std::to_string(f.min) + ".." + std::to_string(f.max);
}

}  // namespace

std::span<const TicketLimitField> ticketLimitFields() { return kFields; }

std::string validateTicketLimits(const TicketLimits& l) {
  for (const auto& f : kFields)
    if (l.*f.value < f.min || l.*f.value > f.max)
      return "--ticket-limit " + range(f) + ", not " + std::to_string(l.*f.value);
  return "";
}

bool setTicketLimit(const std::string& spec, TicketLimits& l, std::string* error) {
  auto eq = spec.find('=');
  std::string name = spec.substr(0, eq);
  for (const auto& f : kFields) {
    if (name != f.name) continue;
    std::string v = eq == std::string::npos ? "" : spec.substr(eq + 1);
    bool digits =
        !v.empty() && v.size() <= 10 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
    unsigned long long n = digits ? std::stoull(v) : 0;
    if (!digits || n < f.min || n > f.max) {
      *error = "--ticket-limit " + spec + ": " + range(f);
      return false;
    }
    l.*f.value = static_cast<uint32_t>(n);
    return true;
  }
  std::string names;
  for (const auto& f : kFields) names += std::string(names.empty() ? "" : ", ") + f.name;
  *error = "--ticket-limit " + spec + ": expected NAME=VALUE with NAME one of " + names;
  return false;
}

bool RateBucket::take(int64_t now, uint32_t per_sec, uint32_t burst) {
  if (!started_) {
    started_ = true;
    last_ = now;
    tokens_ = burst;
  } else if (now > last_) {
    uint64_t elapsed = std::min<uint64_t>(static_cast<uint64_t>(now - last_), 1000000000);  // then full anyway
    uint64_t refill = elapsed * per_sec;
    tokens_ = std::min<uint64_t>(burst, tokens_ + refill);
    last_ = now;
  } else if (now < last_) {
    last_ = now;  // the wall clock stepped back: start counting from here
  }
  if (tokens_ == 0) return false;
  --tokens_;
  return true;
}

}  // namespace outpost::hub
