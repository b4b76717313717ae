// Candidates and routes of P2P connections (docs/spec/signaling.md §6): where an instance's P2P
// socket can be reached (host addresses of every interface, the server-reflexive address the hub
// sees), and a measured path to a peer. The `relay` kind is reserved so relay routes (next issue)
// slot in beside direct ones and are chosen by the same rule.
#pragma once

#include <cstdint>
#include <vector>

#include "base/address.h"

namespace outpost::p2p {

inline constexpr size_t kMaxCandidates = 16;

enum class CandidateKind : uint8_t { kHost = 0, kServerReflexive = 1, kRelay = 2 };
const char* kindName(CandidateKind k);

struct Candidate {
  CandidateKind kind = CandidateKind::kHost;
  base::SocketAddress address;
  bool operator==(const Candidate& o) const { return kind == o.kind && address == o.address; }
};

// A measured path to the peer: through which remote candidate, of which kind, how fast. The
// chosen route becomes the transport connection's peer address.
struct Route {
  Candidate remote;
  int64_t rtt_us = -1;     // -1: not answered
  int32_t penalty_ms = 0;  // P2P_TRANSPORT_ICE_PENALTY / SDR_PENALTY
  int64_t score() const { return rtt_us < 0 ? INT64_MAX : rtt_us + int64_t{penalty_ms} * 1000; }
};

// True when `a` should be preferred to `b`: lower score; ties go to host before
// server-reflexive before relay, then IPv6 before IPv4.
bool better(const Route& a, const Route& b);

// An address a peer may name as a candidate: not unspecified, multicast or broadcast, port set.
bool acceptableCandidateAddress(const base::SocketAddress& a);

// Addresses of every interface that is up (IPv4 and IPv6), except loopback, link-local and
// unspecified ones, with `port`. `ipv4` / `ipv6` select the families (a v4-only socket cannot
// use IPv6 candidates). At most kMaxCandidates.
std::vector<Candidate> hostCandidates(uint16_t port, bool ipv4, bool ipv6);

}  // namespace outpost::p2p
