// RateController (see rate_control.h). Runs under the engine lock.
#include "transport/rate_control.h"

#include <algorithm>

namespace outpost::transport {

namespace {
constexpr int64_t kMaxWindow = int64_t{256} << 20;
constexpr base::TimeUs kMaxAckDelayUs = 1000;
}  // namespace

void RateController::configure(int64_t rate_min, int64_t rate_max, int32_t packet_bytes) {
  rate_min_ = rate_min;
  rate_max_ = std::max(rate_max, rate_min);
  packet_bytes_ = packet_bytes;
  cwnd_ = std::max(cwnd_, minWindow());
  updatePacingRate();
}

int64_t RateController::minWindow() const {
  int64_t by_rate = has_sample_ ? rate_min_ * srtt_ / 1000000 : 0;
  return std::max<int64_t>(4 * int64_t{packet_bytes_}, by_rate);
}

void RateController::updatePacingRate() {
  base::TimeUs rtt = has_sample_ ? std::max<base::TimeUs>(srtt_, 1) : 0;
  int64_t r = rtt ? static_cast<int64_t>(2.0 * static_cast<double>(cwnd_) * 1e6 / static_cast<double>(rtt)) : rate_max_;
  pacing_rate_ = std::clamp(r, rate_min_, rate_max_);
}

base::TimeUs RateController::pacingReadyAt(int32_t bytes, base::TimeUs now) {
  double burst = std::max<double>(4.0 * packet_bytes_, static_cast<double>(pacing_rate_) / 2000.0);
  if (tokens_time_ == 0) {
    tokens_ = burst;
    tokens_time_ = now;
  }
  if (now > tokens_time_) {
    tokens_ =
        std::min(burst, tokens_ + static_cast<double>(pacing_rate_) * static_cast<double>(now - tokens_time_) / 1e6);
    tokens_time_ = now;
  }
  if (tokens_ >= bytes) return now;
  double missing = bytes - tokens_;
  return now + static_cast<base::TimeUs>(missing * 1e6 / static_cast<double>(pacing_rate_)) + 1;
}

bool RateController::canSend(int32_t bytes, base::TimeUs now) {
  if (windowFull(bytes)) return false;
  return pacingReadyAt(bytes, now) <= now;
}

void RateController::onSent(int32_t bytes, bool counts_in_flight, base::TimeUs now) {
  pacingReadyAt(0, now);
  tokens_ -= bytes;
  if (counts_in_flight) in_flight_ += bytes;
}

void RateController::onAcked(int32_t bytes, base::TimeUs time_sent, base::TimeUs now) {
  (void)now;
  in_flight_ = std::max<int64_t>(0, in_flight_ - bytes);
  if (time_sent < recovery_start_) return;  // no growth for packets of a recovery period
  bool delay_high =
      has_sample_ && min_rtt_ != INT64_MAX && latest_rtt_ - min_rtt_ > std::max<base::TimeUs>(10000, min_rtt_);
  if (delay_high) return;
  if (cwnd_ < ssthresh_) cwnd_ += bytes;
  else cwnd_ += std::max<int64_t>(1, int64_t{packet_bytes_} * bytes / cwnd_);
  cwnd_ = std::min(cwnd_, kMaxWindow);
  updatePacingRate();
}

void RateController::onLost(int32_t bytes, base::TimeUs time_sent, base::TimeUs now) {
  in_flight_ = std::max<int64_t>(0, in_flight_ - bytes);
  if (time_sent < recovery_start_) return;  // same congestion event
  recovery_start_ = now;
  cwnd_ = std::max(minWindow(), cwnd_ * 7 / 10);
  ssthresh_ = cwnd_;
  updatePacingRate();
}

void RateController::onDiscarded(int32_t bytes) { in_flight_ = std::max<int64_t>(0, in_flight_ - bytes); }

void RateController::onRttSample(base::TimeUs rtt, base::TimeUs ack_delay) {
  if (rtt <= 0) rtt = 1;
  latest_rtt_ = rtt;
  min_rtt_ = std::min(min_rtt_, rtt);
  if (rtt - ack_delay >= min_rtt_) rtt -= ack_delay;
  if (!has_sample_) {
    has_sample_ = true;
    srtt_ = rtt;
    rttvar_ = rtt / 2;
  } else {
    base::TimeUs diff = srtt_ > rtt ? srtt_ - rtt : rtt - srtt_;
    rttvar_ = (3 * rttvar_ + diff) / 4;
    srtt_ = (7 * srtt_ + rtt) / 8;
  }
  updatePacingRate();
}

void RateController::applyDelayBrake(base::TimeUs now) {
  if (!has_sample_ || min_rtt_ == INT64_MAX) return;
  if (latest_rtt_ - min_rtt_ <= std::max<base::TimeUs>(10000, min_rtt_)) return;
  if (now - delay_brake_time_ < srtt_) return;
  delay_brake_time_ = now;
  cwnd_ = std::max(minWindow(), cwnd_ * 9 / 10);
  updatePacingRate();
}

base::TimeUs RateController::probeTimeout() const {
  return srtt_ + std::max<base::TimeUs>(4 * rttvar_, 1000) + kMaxAckDelayUs;
}

base::TimeUs RateController::lossDelay() const {
  base::TimeUs base = std::max(srtt_, latest_rtt_);
  return std::max<base::TimeUs>(base * 9 / 8, 1000);
}

}  // namespace outpost::transport
