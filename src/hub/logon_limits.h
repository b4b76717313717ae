// LogonLimits: how many password guesses the hub lets anyone make. Two ledgers, one per account
// name and one per source (a connection's remote address: an IPv4 address, or the /64 prefix of
// an IPv6 address, since one IPv6 host commonly holds a whole /64):
//   - failures: after `failures_per_account` (or `failures_per_source`) failed checks, each further
//     attempt must wait a backoff that starts at `backoff_initial_ms` and doubles per failure up to
//     `backoff_max_ms`; an attempt during the wait is refused at once, without a check, and the
//     hub answers RESULT_RATE_LIMIT_EXCEEDED (84). A success clears the account's failures (not
//     the source's: one valid account must not launder a guessing source). Failures are
//     forgotten after `forget_after_ms` without a new one.
//   - pending: an account never has more checks waiting than failures it has left before its
//     backoff, so a burst of simultaneous guesses cannot overshoot the limit.
// A source that logged on to an account successfully is remembered (the last few per account)
// and is exempt from that account's backoff, so someone guessing a player's password cannot
// lock the player out from where they usually play; that source still counts as a source.
// Unknown names are tracked exactly like known ones (the answer does not tell them apart).
//
// Memory is bounded: at most `max_tracked` accounts and `max_tracked` sources; past that the
// least recently used entry is forgotten. Account names are kept as a keyed 64-bit hash (their
// length is the sender's choice). Time is passed in (steady milliseconds), so the logic is tested
// without waiting. Hub thread only.
#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace outpost::hub {

struct LogonLimitsConfig {
  uint32_t failures_per_account = 5;
  uint32_t failures_per_source = 20;
  int64_t backoff_initial_ms = 1000;
  int64_t backoff_max_ms = 300000;
  int64_t forget_after_ms = 900000;
  uint32_t max_tracked = 65536;
};

// The source key of a connection's remote address ("ip:port" or "[v6]:port", as
// ConnectionInfo::remote_address gives it): "a.b.c.d" for IPv4 (and IPv4-mapped IPv6),
// "xxxx:xxxx:xxxx:xxxx::/64" for IPv6. "" if the address does not parse.
std::string logonSourceOf(const std::string& remote_address);

class LogonLimits {
 public:
  struct Decision {
    bool allowed = true;
    int64_t retry_after_ms = 0;   // when refused: how long until an attempt may be allowed
    const char* limited_by = "";  // when refused: "account" or "source"
  };

  explicit LogonLimits(const LogonLimitsConfig& config);

  // An attempt for `name` from `source` at now_ms. When allowed, it counts as pending until
  // finished() or abandoned() is called with the same name and source.
  Decision admit(std::string_view name, const std::string& source, int64_t now_ms);
  // The check of an admitted attempt ended: ok = the password was right.
  void finished(std::string_view name, const std::string& source, bool ok, int64_t now_ms);
  // An admitted attempt was never checked (the check queue refused it).
  void abandoned(std::string_view name, const std::string& source);
  // How long `source` must still wait before an attempt is admitted (0: it may try now).
  int64_t sourceWaitMs(const std::string& source, int64_t now_ms);

  size_t trackedAccounts() const { return accounts_.size(); }
  size_t trackedSources() const { return sources_.size(); }

 private:
  static constexpr size_t kGoodSources = 4;
  struct Entry {
    uint32_t failures = 0;
    uint32_t pending = 0;
    int64_t last_failure_ms = 0;
    int64_t blocked_until_ms = 0;
    std::array<std::string, kGoodSources> good_sources;  // accounts only: where it logged on from
    size_t next_good = 0;
  };
  template <typename Key>
  struct Ledger {
    struct Slot {
      Entry entry;
      typename std::list<Key>::iterator lru;
    };
    std::unordered_map<Key, Slot> map;
    std::list<Key> order;  // most recently used first
    Entry& touch(const Key& key, size_t max_entries);
    Entry* find(const Key& key);
    size_t size() const { return map.size(); }
  };

  uint64_t accountKey(std::string_view name) const;
  void forgetIfOld(Entry& e, int64_t now_ms) const;
  void recordFailure(Entry& e, uint32_t threshold, int64_t now_ms) const;

  LogonLimitsConfig config_;
  std::array<uint8_t, 16> hash_key_{};
  Ledger<uint64_t> accounts_;
  Ledger<std::string> sources_;
};

}  // namespace outpost::hub
