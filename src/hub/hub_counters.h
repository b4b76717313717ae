// HubCounters: what the hub's request handling counts, indexed by HubCounter, with one table of
// names (kHubCounterNames). The names are stable — `outpost admin status`, dashboards, tests and
// docs/spec/hub-rpc.md use them. A counter is reported once it has been counted (or opened with
// show()), as the string-keyed map it replaces did, so the status output lists the same keys.
// The gauges of GameServers, Players and the rest are added by Hub::counters(). Hub thread only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace outpost::hub {

enum class HubCounter : uint8_t {
  kConnectionsAccepted,
  kConnectionsClosed,
  kRpcMessages,
  kRpcMalformed,
  kRpcMalformedClosed,
  kRpcUnknown,
  kRpcNotARequest,
  kRpcRefused,
  kRpcRefusedNotAServer,
  kRpcRefusedNotInSession,
  kRpcRefusedNotAMember,
  kRpcRefusedNotLoggedOn,
  kRpcAdmin,
  kRpcAdminDenied,
  kRpcServerLogOn,
  kServerLogOnRefused,
  kServerSessionsReplaced,
  kServerSessionsEnded,
  kRpcListingRefused,
  kRpcUserLogOn,
  kRpcTicketRequest,
  kRpcTicketRefused,
  kRpcValidateTicket,
  kRpcResumeRefused,
  kRpcCertificateRequest,
  kCertificatesIssued,
  kCertificatesRefused,
  kRpcSendLimitExceeded,
  kRpcSendLimitClosed,
  kStoreCommitFailed,
  kStorePrunePasses,
  kStoreTicketUsesPruned,
  kStoreServerStatsPruned,
  kCount
};

// The names, in HubCounter's order.
inline constexpr std::array<const char*, static_cast<size_t>(HubCounter::kCount)> kHubCounterNames = {
    "connections_accepted",
    "connections_closed",
    "rpc.messages",
    "rpc.malformed",
    "rpc.malformed_closed",
    "rpc.unknown",
    "rpc.not_a_request",
    "rpc.refused",
    "rpc.refused_not_a_server",
    "rpc.refused_not_in_session",
    "rpc.refused_not_a_member",
    "rpc.refused_not_logged_on",
    "rpc.admin",
    "rpc.admin_denied",
    "rpc.server_log_on",
    "server_log_on_refused",
    "server_sessions_replaced",
    "server_sessions_ended",
    "rpc.listing_refused",
    "rpc.user_log_on",
    "rpc.ticket_request",
    "rpc.ticket_refused",
    "rpc.validate_ticket",
    "rpc.resume_refused",
    "rpc.certificate_request",
    "certificates.issued",
    "certificates.refused",
    "rpc.send_limit_exceeded",
    "rpc.send_limit_closed",
    "store.commit_failed",
    "store.prune_passes",
    "store.ticket_uses_pruned",
    "store.server_stats_pruned",
};

inline const char* hubCounterName(HubCounter c) { return kHubCounterNames[static_cast<size_t>(c)]; }

class HubCounters {
 public:
  void add(HubCounter c, uint64_t n = 1) {
    values_[index(c)] += n;
    shown_[index(c)] = true;
  }
  // Reported from now on, at 0 until counted.
  void show(HubCounter c) { shown_[index(c)] = true; }
  uint64_t get(HubCounter c) const { return values_[index(c)]; }
  // Adds every reported counter to `out` by name.
  void addTo(std::map<std::string, uint64_t>& out) const {
    for (size_t i = 0; i < values_.size(); ++i)
      if (shown_[i]) out[kHubCounterNames[i]] = values_[i];
  }

 private:
  static constexpr size_t index(HubCounter c) { return static_cast<size_t>(c); }
  std::array<uint64_t, static_cast<size_t>(HubCounter::kCount)> values_{};
  std::array<bool, static_cast<size_t>(HubCounter::kCount)> shown_{};
};

}  // namespace outpost::hub
