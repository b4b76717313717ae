// RateController: congestion window, RTT estimation and pacing for one connection.
//
// Window: slow start, then additive increase (one packet per window), multiplicative decrease
// (x0.7) at most once per round trip when a loss is detected, and a delay brake: when queueing
// delay (latest RTT - minimum RTT) exceeds max(10 ms, minimum RTT), the window stops growing
// and shrinks by 10 % once per round trip. Random loss alone therefore cannot starve a
// connection: the window never goes below SEND_RATE_MIN x smoothed RTT (nor four packets).
// Pacing: a token bucket at clamp(2 x window / smoothed RTT, SEND_RATE_MIN, SEND_RATE_MAX),
// with a burst of a few packets, so SEND_RATE_MAX is a hard ceiling.
// RTT: the RFC 6298 / RFC 9002 smoothed estimator; the probe timeout derives from it.
#pragma once

#include <cstdint>

#include "base/clock.h"

namespace outpost::transport {

class RateController {
 public:
  void configure(int64_t rate_min_bytes_per_sec, int64_t rate_max_bytes_per_sec, int32_t packet_bytes);

  // Window and pacing check for a packet of `bytes`.
  bool canSend(int32_t bytes, base::TimeUs now);
  // Earliest time the pacer allows `bytes` (now if it already does).
  base::TimeUs pacingReadyAt(int32_t bytes, base::TimeUs now);
  bool windowFull(int32_t bytes) const { return in_flight_ + bytes > cwnd_; }

  void onSent(int32_t bytes, bool counts_in_flight, base::TimeUs now);
  void onAcked(int32_t bytes, base::TimeUs time_sent, base::TimeUs now);
  void onLost(int32_t bytes, base::TimeUs time_sent, base::TimeUs now);
  // Drops a packet from the in-flight count without a congestion signal (probe timeout).
  void onDiscarded(int32_t bytes);
  void onRttSample(base::TimeUs rtt, base::TimeUs ack_delay);
  // Shrinks the window by 10 % (once per round trip) while queueing delay stays high.
  void applyDelayBrake(base::TimeUs now);

  base::TimeUs smoothedRtt() const { return srtt_; }
  base::TimeUs latestRtt() const { return latest_rtt_; }
  base::TimeUs minRtt() const { return min_rtt_; }
  bool hasRttSample() const { return has_sample_; }
  // Probe timeout: srtt + max(4 rttvar, 1 ms) + the peer's ack delay allowance.
  base::TimeUs probeTimeout() const;
  // Time after which an unacknowledged packet below the largest acknowledged one is lost.
  base::TimeUs lossDelay() const;
  int64_t pacingRate() const { return pacing_rate_; }
  int64_t congestionWindow() const { return cwnd_; }
  int64_t bytesInFlight() const { return in_flight_; }

 private:
  void updatePacingRate();
  int64_t minWindow() const;

  int64_t rate_min_ = 262144, rate_max_ = 1073741824;
  int32_t packet_bytes_ = 1300;
  int64_t cwnd_ = int64_t{64} * 1024;
  int64_t ssthresh_ = INT64_MAX;
  int64_t in_flight_ = 0;
  int64_t pacing_rate_ = 0;
  double tokens_ = 0;
  base::TimeUs tokens_time_ = 0;
  base::TimeUs recovery_start_ = 0;  // losses of packets sent before this are one event
  base::TimeUs delay_brake_time_ = 0;

  bool has_sample_ = false;
  base::TimeUs srtt_ = 100000;  // 100 ms until the first sample
  base::TimeUs rttvar_ = 50000;
  base::TimeUs min_rtt_ = INT64_MAX;
  base::TimeUs latest_rtt_ = 0;
};

}  // namespace outpost::transport
