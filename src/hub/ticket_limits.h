// TicketLimits: the bounds on the tickets the hub signs and tracks (docs/decisions/012-ticket-bounds.md)
// — how many one player or one game-server session may hold, how many in all, and how fast one
// requester may ask — with the strict parser of `outpost-hub --ticket-limit NAME=VALUE`. And
// RateBucket, the per-requester token bucket. Hub thread only.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace outpost::hub {

struct TicketLimits {
  uint32_t per_user = 256;          // tickets one user account holds (issued, not yet expired)
  uint32_t per_server = 1024;       // a game-server session's own tickets (dropped when it logs off)
  uint32_t users_total = 1000000;   // players' tickets tracked in all (~100 bytes each)
  uint32_t servers_total = 200000;  // game servers' tickets tracked in all
  uint32_t requests_per_sec = 10;   // ticket requests one session may make per second, sustained,
  uint32_t request_burst = 64;      // ... and at once
};

// Each limit once: its name (in --ticket-limit NAME=VALUE), field, accepted range, unit and help.
struct TicketLimitField {
  const char* name;
  uint32_t TicketLimits::*value;
  uint32_t min;
  uint32_t max;
  const char* unit;
  const char* help;
};
std::span<const TicketLimitField> ticketLimitFields();

// "" if every limit is inside its range, else a sentence naming the first one that is not.
std::string validateTicketLimits(const TicketLimits& limits);
// Sets one limit from "NAME=VALUE" (decimal, no sign, inside the limit's range). false and *error
// (naming the setting and its range) otherwise.
bool setTicketLimit(const std::string& spec, TicketLimits& limits, std::string* error);

// A token bucket over whole seconds of the hub's wall clock: `burst` requests at once, refilled
// at `per_sec`. A clock that steps back refills nothing.
class RateBucket {
 public:
  // true (and one token spent) if a request may go now.
  bool take(int64_t now_unix, uint32_t per_sec, uint32_t burst);

 private:
  int64_t last_ = 0;
  uint64_t tokens_ = 0;
  bool started_ = false;
};

}  // namespace outpost::hub
