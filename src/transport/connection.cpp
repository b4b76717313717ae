// Connection (see connection.h): packet protection, reliability, lanes, Nagle, flow control,
// keepalive, timeouts and close for one connection; its handshake is in connection_handshake.cpp,
// its certificates in connection_auth.cpp. Runs under the engine lock; never blocks; every input
// from the wire is checked before it changes state.
#include "transport/connection.h"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <sstream>

#include "base/log.h"
#include "net/udp_socket.h"
#include "transport/authentication.h"
#include "transport/budget.h"

namespace outpost::transport {

namespace {

constexpr base::TimeUs kMaxKeepaliveUs = 1000000;
constexpr base::TimeUs kCloseLingerUs = 3000000;  // FIN_WAIT: resend Close until acked, at most this
constexpr base::TimeUs kMaxAckDelayUs = 1000;
constexpr int kMaxPacketsPerTransmit = 512;
// Flow-control credit both sides assume before the first ACK: the untrusted window, so no
// handshake field is needed for it and a fresh connection never buffers more than that.
constexpr uint64_t kInitialMaxData = budget::kUntrustedWindowBytes;

}  // namespace

Connection::Connection(ConnectionHost& host, Role role, uint32_t handle, uint32_t local_id,
                       const ConnectionConfig& config, base::TimeUs now)
    : host_(host), role_(role), handle_(handle), local_id_(local_id), config_(config), created_(now) {
  lanes_.resize(1);
  // Only the client end of a pinned connection knows whom it talks to before the application
  // says so (budget.h); socket pairs are trusted in linkPipe / linkLoopback.
  trusted_ = role == Role::kPipe || (role == Role::kClient && !config.pinned_peer_key_hex.empty());
  setTight(!trusted_);
  last_received_ = now;
  peer_max_data_ = kInitialMaxData;
  advertised_max_data_ = kInitialMaxData;
  rate_.configure(config_.send_rate_min, config_.send_rate_max, config_.mtu_packet_size);
  rate_window_start_ = now;
}

Connection::~Connection() {
  if (pipe_peer_) pipe_peer_->pipe_peer_ = nullptr;
}

void Connection::applyConfig(const ConnectionConfig& c) {
  config_ = c;
  rate_.configure(config_.send_rate_min, config_.send_rate_max, config_.mtu_packet_size);
}

int32_t Connection::payloadCapacity() const {
  return config_.mtu_packet_size - static_cast<int32_t>(wire::kDataHeaderSize) - static_cast<int32_t>(tx_.overhead());
}

// ---------------------------------------------------------------------------------------------
// State

void Connection::setState(int32_t s, base::TimeUs now) {
  (void)now;
  if (s == state_) return;
  int32_t old = publicState();
  state_ = s;
  if (s != CONNECTION_STATE_CONNECTING) finding_route_ = false;
  if (handle_ != 0) host_.onStateChanged(*this, old);
}

void Connection::problem(int32_t end_reason, const std::string& debug, base::TimeUs now) {
  if (state_ == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY || state_ == CONNECTION_STATE_CLOSED_BY_PEER) return;
  end_reason_ = end_reason;
  end_debug_ = debug.substr(0, frames::kMaxCloseDebug);
  OUTPOST_LOG_INFO("connection %u: problem detected locally (%d): %s", handle_, end_reason, end_debug_.c_str());
  bool was_connected = state_ == CONNECTION_STATE_CONNECTED;
  setState(CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY, now);
  // Best effort: tell the peer why (it may be gone; one Close frame, never retransmitted).
  if (was_connected && keys_ready_ && socket_) tellPeerAndStop(static_cast<uint32_t>(end_reason), end_debug_, now);
  if (app_closed_) finishClose(now);
}

void Connection::discardUnsent() {
  for (Lane& l : lanes_) {
    l.send.discardUnsent();
    l.unreliable.clear();
    l.unreliable_bytes.clear();
    l.unreliable_queued_bytes = 0;
  }
  nagle_deadline_ = base::kNever;
  flush_requested_ = false;
}

void Connection::tellPeerAndStop(uint32_t reason, const std::string& debug, base::TimeUs now) {
  discardUnsent();
  close_reason_ = reason;
  close_debug_ = debug;
  close_pending_ = true;
  buildAndSendPacket(now, false, false, false);
  close_pending_ = false;
}

void Connection::finishClose(base::TimeUs now) {
  (void)now;
  if (finished_) return;
  finished_ = true;
  next_timer_ = base::kNever;
  host_.onFinished(*this);
}

void Connection::endLocally(int32_t reason, const std::string& debug, base::TimeUs now) {
  if (role_ == Role::kServer && state_ == CONNECTION_STATE_CONNECTING && !accepted_) sendReject(reason, debug);
  problem(reason, debug, now);
}

void Connection::evict(int32_t reason, const std::string& debug, base::TimeUs now) {
  endLocally(reason, debug, now);
  // Nothing runs on a connection in PROBLEM_DETECTED_LOCALLY until the application closes it
  // (no timers, no packets processed), so its buffers can all go now.
  queue_ = MessageQueue();
  std::vector<RecvStream>().swap(recv_lanes_);
  for (Fragments& f : fragments_) {
    f.used = false;
    f.bytes.clear();
  }
  lanes_.clear();
  lanes_.resize(1);
  sent_ = SentPacketLog();
  handshake_packet_.clear();
  handshake_packet_.shrink_to_fit();
}

void Connection::abandon() {
  app_closed_ = true;
  finished_ = true;
  next_timer_ = base::kNever;
}

// ---------------------------------------------------------------------------------------------
// Sending

RecvStream& Connection::recvLane(uint16_t lane) {
  if (lane >= recv_lanes_.size()) {
    size_t from = recv_lanes_.size();
    recv_lanes_.resize(lane + 1u);
    for (size_t i = from; i < recv_lanes_.size(); ++i) recv_lanes_[i].setTight(!trusted_);
  }
  return recv_lanes_[lane];
}

uint64_t Connection::unsentBytes() const {
  uint64_t n = 0;
  for (const Lane& l : lanes_) n += l.send.unsentBytes() + l.unreliable_queued_bytes;
  return n;
}

uint64_t Connection::unackedBytes() const {
  uint64_t n = 0;
  for (const Lane& l : lanes_) n += l.send.unackedBytes();
  return n;
}

bool Connection::inFlightFull() const { return !trusted_ && sent_.size() >= budget::kUntrustedPacketsInFlight; }

bool Connection::anyRetransmit() const {
  for (const Lane& l : lanes_)
    if (l.send.hasRetransmit()) return true;
  return false;
}

bool Connection::hasOutstanding() const { return rate_.bytesInFlight() > 0; }

bool Connection::allReliableAcked() const {
  for (const Lane& l : lanes_)
    if (!l.send.allAcked() || l.unreliable_queued_bytes > 0) return false;
  return true;
}

uint64_t Connection::flowLimitFor(const Lane& lane) const {
  uint64_t credit = peer_max_data_ > sent_stream_bytes_ ? peer_max_data_ - sent_stream_bytes_ : 0;
  return lane.send.nextNewOffset() + credit;
}

bool Connection::flowBlocked() const {
  if (peer_max_data_ > sent_stream_bytes_) return false;
  for (const Lane& l : lanes_)
    if (l.send.unsentBytes() > 0) return true;
  return false;
}

SendResult Connection::send(std::span<const uint8_t> data, int flags, uint16_t lane_index, base::TimeUs now) {
  SendResult r;
  if (data.size() > static_cast<size_t>(MAX_STEAM_PACKET_SIZE)) {
    r.result = RESULT_INVALID_PARAM;
    return r;
  }
  if (lane_index >= lanes_.size()) {
    r.result = RESULT_INVALID_PARAM;
    return r;
  }
  if (state_ == CONNECTION_STATE_CLOSED_BY_PEER || state_ == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY) {
    r.result = RESULT_NO_CONNECTION;
    return r;
  }
  if (state_ != CONNECTION_STATE_CONNECTING && state_ != CONNECTION_STATE_CONNECTED) {
    r.result = RESULT_INVALID_STATE;
    return r;
  }
  bool reliable = (flags & NETWORKING_SEND_RELIABLE) != 0;
  Lane& lane = lanes_[lane_index];

  if (pipe_peer_) {
    int64_t number = lane.next_message_number++;
    pipe_peer_->deliver(lane_index, number, reliable ? NETWORKING_SEND_RELIABLE : 0, data, 0, now);
    stats_.messages_sent++;
    r.result = RESULT_OK;
    r.message_number = number;
    return r;
  }
  if (role_ == Role::kPipe) {
    r.result = RESULT_NO_CONNECTION;
    return r;
  }

  uint64_t pending = unsentBytes();
  if (pending > 0 && pending + data.size() > static_cast<uint64_t>(config_.send_buffer_size)) {
    send_blocked_ = true;
    r.result = RESULT_LIMIT_EXCEEDED;
    return r;
  }
  uint64_t held = trusted_ ? 0 : pending + unackedBytes();
  if (!trusted_ && held > 0 && held + data.size() > budget::kUntrustedSendBytes) {
    // An untrusted peer that does not read (or acknowledge) what it is sent cannot make us hold
    // more than this for it (one message of any size still goes into an empty queue, as with
    // SEND_BUFFER_SIZE, so the application can always answer once).
    send_blocked_ = true;
    r.result = RESULT_LIMIT_EXCEEDED;
    return r;
  }
  if (!reliable && (flags & NETWORKING_SEND_NO_DELAY) &&
      (state_ != CONNECTION_STATE_CONNECTED || rate_.windowFull(config_.mtu_packet_size))) {
    r.result = RESULT_IGNORED;
    return r;
  }
  bool was_idle = lane.send.unsentBytes() == 0 && lane.unreliable.empty() && !lane.send.hasRetransmit();
  int64_t number = lane.next_message_number++;
  if (reliable) {
    lane.send.appendMessage(static_cast<uint64_t>(number - lane.last_reliable_number), data);
    lane.last_reliable_number = number;
  } else {
    if (lane.unreliable.empty()) lane.unreliable_bytes.clear();
    UnreliableMessage m;
    m.message_number = number;
    m.offset = lane.unreliable_bytes.size();
    m.size = static_cast<uint32_t>(data.size());
    m.reliable_barrier = lane.send.writeOffset();
    lane.unreliable_bytes.insert(lane.unreliable_bytes.end(), data.begin(), data.end());
    lane.unreliable.push_back(m);
    lane.unreliable_queued_bytes += data.size();
  }
  if (was_idle) lane.virtual_time = std::max(lane.virtual_time, wfq_clock_);
  if (nagle_deadline_ == base::kNever) nagle_deadline_ = now + config_.nagle_time_us;
  if (flags & NETWORKING_SEND_NO_NAGLE) flush_requested_ = true;
  stats_.messages_sent++;
  r.result = RESULT_OK;
  r.message_number = number;

  if (state_ == CONNECTION_STATE_CONNECTED &&
      (flush_requested_ || config_.nagle_time_us == 0 || unsentBytes() >= static_cast<uint64_t>(payloadCapacity()))) {
    transmit(now, false);
  }
  recomputeTimer(now);
  return r;
}

int Connection::flush(base::TimeUs now) {
  if (unsentBytes() > 0) flush_requested_ = true;
  if (state_ == CONNECTION_STATE_CONNECTED) transmit(now, false);
  recomputeTimer(now);
  return RESULT_OK;
}

int Connection::configureLanes(std::span<const int> priorities, std::span<const int> weights) {
  size_t n = priorities.size();
  if (n < lanes_.size()) return RESULT_INVALID_PARAM;
  lanes_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    lanes_[i].priority = priorities[i];
    lanes_[i].weight = weights.empty() ? 1 : weights[i];
  }
  return RESULT_OK;
}

bool Connection::hasNewData(base::TimeUs now, bool ignore_nagle) const {
  uint64_t unsent = unsentBytes();
  if (unsent == 0) return false;
  if (pickLane(true) < 0) return false;  // only flow-blocked reliable data is waiting
  if (ignore_nagle || flush_requested_ || config_.nagle_time_us == 0) return true;
  if (unsent >= static_cast<uint64_t>(payloadCapacity())) return true;
  return now >= nagle_deadline_;
}

int Connection::pickLane(bool allow_new) const {
  int best = -1;
  for (size_t i = 0; i < lanes_.size(); ++i) {
    const Lane& l = lanes_[i];
    bool sendable = l.send.hasRetransmit();
    if (!sendable && allow_new) {
      if (!l.unreliable.empty() && l.unreliable.front().reliable_barrier <= l.send.nextNewOffset()) {
        sendable = true;
      } else if (l.send.unsentBytes() > 0 && flowLimitFor(l) > l.send.nextNewOffset()) {
        sendable = true;
      }
    }
    if (!sendable) continue;
    if (best < 0) {
      best = static_cast<int>(i);
      continue;
    }
    const Lane& b = lanes_[static_cast<size_t>(best)];
    // Higher priority value first; equal priorities share by weight (smallest virtual time).
    if (l.priority > b.priority || (l.priority == b.priority && l.virtual_time < b.virtual_time))
      best = static_cast<int>(i);
  }
  return best;
}

bool Connection::buildAndSendPacket(base::TimeUs now, bool allow_data, bool allow_new, bool force_ack) {
  uint8_t plain[net::kMaxDatagramBytes];
  int32_t capacity = payloadCapacity();
  base::ByteWriter w(plain, static_cast<size_t>(capacity));
  bool eliciting = false;
  bool wrote_ack = false;
  SentPacket rec;

  if ((acks_.ackPending() || force_ack || window_update_pending_) && acks_.largest() > 0) {
    uint64_t delay = 0;
    acks_.buildAck(ack_scratch_, now, &delay);
    uint64_t max_data = localMaxData();
    if (frames::writeAck(w, ack_scratch_, delay, max_data)) {
      wrote_ack = true;
      advertised_max_data_ = std::max(advertised_max_data_, max_data);
      window_update_pending_ = false;
    }
  }
  if (close_pending_ && !lingering_) {
    if (frames::writeClose(w, close_reason_,
                           {reinterpret_cast<const uint8_t*>(close_debug_.data()), close_debug_.size()})) {
      close_pending_ = false;
      close_sent_ = true;
      rec.carries_close = true;
      eliciting = true;
    }
  }
  if (ping_pending_ && frames::writePing(w)) {
    ping_pending_ = false;
    eliciting = true;
  }

  while (allow_data && w.remaining() > 8 && rec.chunk_count < SentPacket::kMaxChunks) {
    int li = pickLane(allow_new);
    if (li < 0) break;
    Lane& lane = lanes_[static_cast<size_t>(li)];
    auto lane_id = static_cast<uint16_t>(li);
    size_t before = w.size();

    if (!lane.send.hasRetransmit() && !lane.unreliable.empty() &&
        lane.unreliable.front().reliable_barrier <= lane.send.nextNewOffset()) {
      UnreliableMessage& m = lane.unreliable.front();
      uint32_t left = m.size - m.sent;
      size_t overhead =
          frames::unreliableFrameOverhead(lane_id, static_cast<uint64_t>(m.message_number), m.sent, m.size, left);
      if (w.remaining() <= overhead) break;
      size_t n = std::min<size_t>(left, w.remaining() - overhead);
      // Do not start a tiny fragment at the end of a packet that already carries data.
      if (n < left && n < 64 && w.size() > 0) break;
      const uint8_t* src = lane.unreliable_bytes.data() + m.offset + m.sent;
      frames::writeUnreliable(w, lane_id, static_cast<uint64_t>(m.message_number), m.sent, m.size, {src, n});
      m.sent += static_cast<uint32_t>(n);
      lane.unreliable_queued_bytes -= n;
      if (m.sent == m.size) lane.unreliable.pop_front();
      eliciting = true;
    } else {
      uint64_t limit = allow_new ? flowLimitFor(lane) : 0;
      if (!lane.unreliable.empty()) limit = std::min(limit, lane.unreliable.front().reliable_barrier);
      size_t overhead = 1 + base::varintSize(lane_id) + 8 + 2;
      if (w.remaining() <= overhead) break;
      SendStream::Chunk chunk;
      if (!lane.send.nextChunk(w.remaining() - overhead, limit, chunk)) break;
      frames::writeReliable(w, lane_id, chunk.offset, chunk.data);
      lane.send.markSent(chunk);
      if (!chunk.retransmission) sent_stream_bytes_ += chunk.data.size();
      else stats_.packets_retransmitted_bytes += chunk.data.size();
      SentChunk& sc = rec.chunks[rec.chunk_count++];
      sc.lane = lane_id;
      sc.offset = chunk.offset;
      sc.len = static_cast<uint32_t>(chunk.data.size());
      eliciting = true;
    }
    size_t used = w.size() - before;
    lane.virtual_time += used * 65536 / static_cast<uint64_t>(std::max(1, lane.weight));
    wfq_clock_ = lane.virtual_time;
  }

  if (!eliciting && !wrote_ack) return false;
  if (!w.ok()) return false;

  uint64_t pn = next_packet_number_++;
  if (wrote_ack) gap_seen_ = false;
  uint8_t* out = host_.datagramBuffer(*socket_);
  wire::writeDataHeader({remote_id_, static_cast<uint32_t>(pn)}, out);
  size_t sealed = tx_.seal(pn, {out, wire::kDataHeaderSize}, {plain, w.size()}, out + wire::kDataHeaderSize);
  size_t total = wire::kDataHeaderSize + sealed;
  host_.commitDatagram(*socket_, peer_, total);
  if (wrote_ack) acks_.onAckSent();

  if (eliciting) {
    // ACK-only packets are not logged: nothing in them is waited for.
    SentPacket& p = sent_.push(pn);
    p = rec;
    p.packet_number = pn;
    p.time_sent = now;
    p.bytes = static_cast<uint16_t>(total);
    p.ack_eliciting = true;
    p.outstanding = true;
    last_ack_eliciting_sent_ = now;
  }
  rate_.onSent(static_cast<int32_t>(total), eliciting, now);
  last_sent_ = now;
  stats_.packets_sent++;
  stats_.bytes_sent += total;
  window_packets_out_++;
  window_bytes_out_ += total;
  return true;
}

void Connection::transmit(base::TimeUs now, bool ack_now) {
  if (finished_ || !keys_ready_ || !socket_ || role_ == Role::kPipe) return;
  if (role_ == Role::kServer && !accepted_) return;
  bool can_send_data = state_ == CONNECTION_STATE_CONNECTED && (!app_closed_ || lingering_);
  for (int i = 0; i < kMaxPacketsPerTransmit; ++i) {
    bool data = can_send_data && !inFlightFull() && (anyRetransmit() || hasNewData(now, false));
    bool control = close_pending_ && !lingering_;
    control = control || (ping_pending_ && can_send_data);
    if (!data && !control) {
      if ((ack_now && acks_.ackPending()) || window_update_pending_) buildAndSendPacket(now, false, false, true);
      break;
    }
    if (!rate_.canSend(config_.mtu_packet_size, now)) {
      if (ack_now && acks_.ackPending()) buildAndSendPacket(now, false, false, true);
      break;
    }
    if (!buildAndSendPacket(now, can_send_data, true, false)) break;
  }
  uint64_t unsent = unsentBytes();
  if (unsent == 0) {
    nagle_deadline_ = base::kNever;
    flush_requested_ = false;
  }
  if (send_blocked_ && unsent <= static_cast<uint64_t>(config_.send_buffer_size) / 2 &&
      (trusted_ || unsent + unackedBytes() <= budget::kUntrustedSendBytes / 2)) {
    send_blocked_ = false;
    host_.onWritable(*this);
  }
  if (lingering_ && allReliableAcked()) {
    lingering_ = false;
    close_pending_ = true;
    close_deadline_ = now + kCloseLingerUs;
    buildAndSendPacket(now, false, false, false);
  }
}

// ---------------------------------------------------------------------------------------------
// Receiving

void Connection::onDataPacket(const wire::DataHeader& h, std::span<const uint8_t> packet, base::TimeUs now) {
  if (!keys_ready_ || finished_ || (role_ == Role::kServer && !accepted_) ||
      state_ == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY) {
    // Not yet able to decrypt, or already given up on (late packets after a timeout are not
    // delivered: the application was told the connection failed).
    host_.countDrop(wire::DropReason::kNotReady);
    return;
  }
  uint64_t pn = wire::reconstructPacketNumber(acks_.expectedNext(), h.packet_number_low);
  auto verdict = acks_.check(pn);
  if (verdict != AckTracker::Verdict::kNew) {
    stats_.dropped_duplicate++;
    host_.countDrop(verdict == AckTracker::Verdict::kDuplicate ? wire::DropReason::kDuplicate
                                                               : wire::DropReason::kTooOld);
    return;
  }
  uint8_t plain[net::kMaxDatagramBytes];
  size_t plain_len = 0;
  if (packet.size() > net::kMaxDatagramBytes ||
      !rx_.open(pn, packet.first(wire::kDataHeaderSize), packet.subspan(wire::kDataHeaderSize), plain, &plain_len)) {
    // Forged, corrupted or replayed with a wrong number: authentication failed.
    stats_.dropped_decrypt++;
    host_.countDrop(wire::DropReason::kDecryptFailed);
    return;
  }
  frames::ParseSummary summary;
  wire::DropReason why = wire::DropReason::kNone;
  now_ = now;
  if (!frames::parseFrames({plain, plain_len}, nullptr, &summary, &why)) {
    // Authentic but malformed: the peer is broken or hostile, not the network.
    host_.countDrop(why);
    violated_ = true;
    problem(CONNECTION_END_MISC_GENERIC, "peer sent malformed frames", now);
    return;
  }
  if (summary.reliable_frames > 0 && !admits({plain, plain_len})) {
    // Authentic and well formed, but its reliable data would take this connection past its
    // budget (budget.h). Not recorded, so not acknowledged: the peer sends the data again.
    stats_.over_budget++;
    host_.countDrop(wire::DropReason::kOverBudget);
    return;
  }
  // The packet is authentic and well formed: it counts as received from here on.
  if (pn != acks_.expectedNext()) gap_seen_ = true;
  acks_.record(pn, now, summary.ack_eliciting);
  last_received_ = now;
  stats_.packets_received++;
  stats_.bytes_received += packet.size();
  window_packets_in_++;
  window_bytes_in_ += packet.size();
  frames::visitFrames({plain, plain_len}, *this);
  if (violated_) return;
  host_.onNeedsFlush(*this);
}

void Connection::onAck(const frames::AckFrame& f) {
  if (violated_) return;
  base::TimeUs now = now_;
  if (f.largest >= next_packet_number_) {
    violated_ = true;
    problem(CONNECTION_END_MISC_GENERIC, "peer acknowledged a packet never sent", now);
    return;
  }
  if (f.max_data > peer_max_data_) peer_max_data_ = f.max_data;
  bool rtt_sample = false;
  bool close_acked = false;
  base::TimeUs largest_time = 0;
  frames::AckRangeReader reader(f);
  frames::AckRange r;
  while (reader.next(r)) {
    for (size_t i = sent_.lowerIndex(r.smallest); i < sent_.size() && sent_.at(i).packet_number <= r.largest; ++i) {
      SentPacket* p = &sent_.at(i);
      uint64_t pn = p->packet_number;
      if (p->outstanding) {
        p->outstanding = false;
        rate_.onAcked(p->bytes, p->time_sent, now);
        if (p->carries_close) close_acked = true;
        if (pn == f.largest) {
          rtt_sample = true;
          largest_time = p->time_sent;
        }
      }
      for (int i = 0; i < p->chunk_count; ++i)
        lanes_[p->chunks[i].lane].send.onAcked(p->chunks[i].offset, p->chunks[i].len);
      p->chunk_count = 0;
    }
  }
  if (!have_largest_acked_ || f.largest > largest_acked_) {
    largest_acked_ = f.largest;
    have_largest_acked_ = true;
  }
  if (rtt_sample) {
    rate_.onRttSample(now - largest_time, static_cast<base::TimeUs>(std::min<uint64_t>(f.ack_delay_us, 1000000)));
    pto_count_ = 0;
  }
  detectLosses(now);
  sent_.popSettled();
  rate_.applyDelayBrake(now);
  if (close_acked && app_closed_ && !close_pending_) finishClose(now);
}

void Connection::detectLosses(base::TimeUs now) {
  loss_time_ = 0;
  if (!have_largest_acked_) return;
  base::TimeUs delay = rate_.lossDelay();
  for (size_t i = 0; i < sent_.size() && sent_.at(i).packet_number < largest_acked_; ++i) {
    SentPacket* p = &sent_.at(i);
    uint64_t pn = p->packet_number;
    if (!p->outstanding) continue;
    if (pn + 3 <= largest_acked_ || p->time_sent + delay <= now) {
      declareLost(*p, now, true);
    } else {
      base::TimeUs t = p->time_sent + delay;
      loss_time_ = loss_time_ == 0 ? t : std::min(loss_time_, t);
    }
  }
}

void Connection::declareLost(SentPacket& p, base::TimeUs now, bool congestion_signal) {
  p.outstanding = false;
  stats_.packets_lost++;
  for (int i = 0; i < p.chunk_count; ++i) lanes_[p.chunks[i].lane].send.onLost(p.chunks[i].offset, p.chunks[i].len);
  p.chunk_count = 0;
  if (p.carries_close && app_closed_) close_pending_ = true;
  if (p.ack_eliciting) {
    if (congestion_signal) rate_.onLost(p.bytes, p.time_sent, now);
    else rate_.onDiscarded(p.bytes);
  }
  host_.onNeedsFlush(*this);
}

void Connection::onReliable(const frames::ReliableFrame& f) {
  if (violated_) return;
  base::TimeUs now = now_;
  RecvStream& stream = recvLane(f.lane);
  uint64_t old_high = stream.highestReceived();
  uint64_t credit = advertised_max_data_ > sum_highest_received_ ? advertised_max_data_ - sum_highest_received_ : 0;
  auto result = stream.insert(f.offset, f.data, old_high + credit);
  if (result == RecvStream::Insert::kBeyondWindow) {
    // A compliant peer never sends past the credit we advertised: this is flow-control abuse.
    violated_ = true;
    stats_.dropped_window++;
    problem(CONNECTION_END_MISC_GENERIC, "peer exceeded the flow-control window", now);
    return;
  }
  sum_highest_received_ += stream.highestReceived() - old_high;
  bool ok = stream.deliver(
      static_cast<uint32_t>(config_.recv_max_message_size), [&](uint64_t size) { return mayQueue(size); },
      [&](int64_t number, std::span<const uint8_t> payload, uint64_t stream_bytes) {
        deliver(f.lane, number, NETWORKING_SEND_RELIABLE, payload, stream_bytes, now);
      });
  if (!ok) {
    violated_ = true;
    problem(CONNECTION_END_MISC_GENERIC, "peer sent a message over RECV_MAX_MESSAGE_SIZE or a bad message number", now);
  }
}

bool Connection::mayQueue(uint64_t payload_bytes) const {
  // Reliable messages stay in their stream (already counted by the flow-control window) while
  // the queue is full; an empty queue always takes one, so delivery never stalls.
  return queue_.empty() || queue_.costBytes() + MessageQueue::kMessageCostBytes + payload_bytes <= queueLimitBytes();
}

void Connection::resumeDelivery(base::TimeUs now) {
  if (violated_) return;
  for (size_t lane = 0; lane < recv_lanes_.size() && !violated_; ++lane) {
    bool ok = recv_lanes_[lane].deliver(
        static_cast<uint32_t>(config_.recv_max_message_size), [&](uint64_t size) { return mayQueue(size); },
        [&](int64_t number, std::span<const uint8_t> payload, uint64_t stream_bytes) {
          deliver(static_cast<uint16_t>(lane), number, NETWORKING_SEND_RELIABLE, payload, stream_bytes, now);
        });
    if (!ok) {
      violated_ = true;
      problem(CONNECTION_END_MISC_GENERIC, "peer sent a message over RECV_MAX_MESSAGE_SIZE or a bad message number",
              now);
    }
  }
}

size_t Connection::recvSegmentCount() const {
  size_t n = 0;
  for (const RecvStream& r : recv_lanes_) n += r.segmentCount();
  return n;
}

bool Connection::admits(std::span<const uint8_t> payload) {
  // A local class has the member function's access to this connection's state.
  struct Check final : frames::FrameVisitor {
    const Connection& c;
    size_t new_segments = 0;
    bool ok = true;
    explicit Check(const Connection& conn) : c(conn) {}
    void onReliable(const frames::ReliableFrame& f) override {
      if (!c.trusted_ && f.lane >= budget::kUntrustedLanes) {
        ok = false;  // an untrusted peer gets a few receive lanes, not 255
        return;
      }
      if (f.lane < c.recv_lanes_.size()) {
        if (c.recv_lanes_[f.lane].wouldAddSegment(f.offset, f.data.size())) ++new_segments;
      } else if (f.offset > 0 && !f.data.empty()) {
        ++new_segments;  // a new lane whose first bytes are not at its start
      }
    }
  } check(*this);
  frames::visitFrames(payload, check);
  if (!check.ok) return false;
  if (check.new_segments == 0) return true;
  size_t limit = trusted_ ? budget::kTrustedSegments : budget::kUntrustedSegments;
  return recvSegmentCount() + check.new_segments <= limit;
}

void Connection::onUnreliable(const frames::UnreliableFrame& f) {
  if (violated_) return;
  base::TimeUs now = now_;
  // Unreliable messages count against the same budget as the receive queue (RECV_BUFFER_SIZE,
  // or the untrusted limit): what is being reassembled, what waits for the application, and
  // this fragment must fit, or the fragment is dropped (counted).
  size_t limit = queueLimitBytes();
  if (f.total_size > static_cast<uint32_t>(config_.recv_max_message_size) ||
      f.total_size + MessageQueue::kMessageCostBytes > limit) {
    stats_.unreliable_dropped++;
    return;
  }
  if (f.offset == 0 && f.data.size() == f.total_size) {
    if (queue_.costBytes() + reassemblyCostBytes() + MessageQueue::kMessageCostBytes + f.total_size > limit) {
      stats_.unreliable_dropped++;
      return;
    }
    deliver(f.lane, static_cast<int64_t>(f.message_number), 0, f.data, 0, now);
    return;
  }
  constexpr base::TimeUs kFragmentLifetimeUs = 5000000;
  Fragments* slot = nullptr;
  Fragments* oldest = &fragments_[0];
  for (auto& s : fragments_) {
    if (s.used && now - s.started > kFragmentLifetimeUs) {
      s.used = false;  // a partial message whose other fragments never came
      s.bytes.clear();
      stats_.unreliable_dropped++;
    }
    if (s.used && s.lane == f.lane && s.message_number == f.message_number) {
      slot = &s;
      break;
    }
    if (!s.used) oldest = &s;
    else if (oldest->used && s.started < oldest->started) oldest = &s;
  }
  if (slot && slot->total != f.total_size) return;  // inconsistent fragment: ignore it
  if (!slot) {
    slot = oldest;  // an unused slot, or else the oldest partial message is abandoned
    if (slot->used) stats_.unreliable_dropped++;
    slot->used = false;
    slot->bytes.clear();
  }
  if (queue_.costBytes() + reassemblyCostBytes() + f.data.size() + SparseBytes::kSegmentOverheadBytes > limit) {
    stats_.unreliable_dropped++;  // no room: this fragment is lost, the message may still complete
    return;
  }
  if (!slot->used) {
    slot->used = true;
    slot->lane = f.lane;
    slot->message_number = f.message_number;
    slot->total = f.total_size;
    slot->started = now;
    slot->bytes.setTight(!trusted_);
  }
  slot->bytes.insert(f.offset, f.data);
  if (slot->bytes.contiguousEnd() >= slot->total) {
    // Complete: its bytes, admitted under the budget above, move to the queue.
    slot->used = false;
    deliver(f.lane, static_cast<int64_t>(f.message_number), 0, slot->bytes.contiguous(), 0, now);
    slot->bytes.clear();
  }
}

size_t Connection::reassemblyCostBytes() const {
  size_t n = 0;
  for (const Fragments& s : fragments_)
    if (s.used) n += s.bytes.heldBytes() + (s.bytes.segmentCount() + 1) * SparseBytes::kSegmentOverheadBytes;
  return n;
}

void Connection::onClose(const frames::CloseFrame& f) {
  if (violated_) return;
  base::TimeUs now = now_;
  if (state_ == CONNECTION_STATE_CONNECTED || state_ == CONNECTION_STATE_CONNECTING) {
    end_reason_ = static_cast<int32_t>(f.reason);
    end_debug_.assign(reinterpret_cast<const char*>(f.debug.data()), f.debug.size());  // <= 128 bytes
    setState(CONNECTION_STATE_CLOSED_BY_PEER, now);
  }
  if (app_closed_) {
    // Both sides closed: the peer's Close tells us ours arrived or does not matter any more.
    close_pending_ = false;
    transmit(now, true);
    finishClose(now);
  }
}

void Connection::deliver(uint16_t lane, int64_t number, int32_t flags, std::span<const uint8_t> payload,
                         uint64_t stream_bytes, base::TimeUs now) {
  QueuedMessage m;
  m.message_number = number;
  m.lane = lane;
  m.flags = flags;
  m.time_received = now;
  m.sequence = host_.nextMessageSequence();
  m.stream_bytes = stream_bytes;
  queue_.push(payload, m);
  delivered_bytes_ += stream_bytes;
  stats_.messages_received++;
  host_.onMessageQueued(*this, m.sequence);
}

uint64_t Connection::localMaxData() const {
  return std::max<uint64_t>(consumed_stream_bytes_ + receiveWindowBytes(), kInitialMaxData);
}

uint64_t Connection::receiveWindowBytes() const {
  return trusted_ ? static_cast<uint64_t>(config_.recv_buffer_size) : budget::kUntrustedWindowBytes;
}

size_t Connection::queueLimitBytes() const {
  return trusted_ ? static_cast<size_t>(config_.recv_buffer_size) : budget::kUntrustedQueueBytes;
}

void Connection::onMessagesTaken(base::TimeUs now) {
  // Called after the application popped messages; consumed_stream_bytes_ was updated by the
  // engine through queue().pop() results. Messages that waited in the streams for queue room
  // are cut now.
  resumeDelivery(now);
  uint64_t max_data = localMaxData();
  if (max_data > advertised_max_data_ && max_data - advertised_max_data_ >= receiveWindowBytes() / 4) {
    window_update_pending_ = true;
    host_.onNeedsFlush(*this);
  }
}

void Connection::setTight(bool tight) {
  for (RecvStream& r : recv_lanes_) r.setTight(tight);
  for (Lane& l : lanes_) l.send.setTight(tight);
  for (Fragments& f : fragments_) f.bytes.setTight(tight);
  queue_.setTight(tight);
}

void Connection::promote(base::TimeUs now) {
  if (trusted_) return;
  trusted_ = true;
  setTight(false);
  host_.onPromoted(*this);
  if (role_ == Role::kPipe || finished_) return;
  resumeDelivery(now);  // the queue may hold more now
  if (localMaxData() > advertised_max_data_ && acks_.largest() > 0) {
    window_update_pending_ = true;  // tell the peer about the wider window at once
    host_.onNeedsFlush(*this);
  }
  if (send_blocked_) {
    send_blocked_ = false;
    host_.onWritable(*this);
  }
  recomputeTimer(now);
}

size_t Connection::memoryBytes() const {
  size_t n = sizeof(*this) + tx_.allocatedBytes() + rx_.allocatedBytes();
  n += handshake_packet_.capacity() + rejection_.capacity() + name_.capacity() + end_debug_.capacity() +
       close_debug_.capacity() + config_.pinned_peer_key_hex.capacity();
  // NOLINTNEXTLINE(bugprone-sizeof-expression): lost_scratch_ holds pointers, so sizeof a pointer is meant
  n += ack_scratch_.capacity() * sizeof(frames::AckRange) + lost_scratch_.capacity() * sizeof(SentPacket*);
  n += lanes_.capacity() * sizeof(Lane);
  for (const Lane& l : lanes_)
    n += l.send.allocatedBytes() + l.unreliable_bytes.capacity() + l.unreliable.capacity() * sizeof(UnreliableMessage);
  n += recv_lanes_.capacity() * sizeof(RecvStream);
  for (const RecvStream& r : recv_lanes_) n += r.allocatedBytes();
  for (const Fragments& f : fragments_) n += f.bytes.allocatedBytes();
  n += queue_.allocatedBytes() + sent_.allocatedBytes();
  return n;
}

// ---------------------------------------------------------------------------------------------
// Close

bool Connection::closeByApp(int32_t reason, const std::string& debug, bool linger, base::TimeUs now) {
  app_closed_ = true;
  handle_ = 0;
  if (pipe_peer_) {
    Connection* peer = pipe_peer_;
    pipe_peer_ = nullptr;
    peer->pipe_peer_ = nullptr;
    if (peer->state_ == CONNECTION_STATE_CONNECTED) {
      peer->end_reason_ = reason;
      peer->end_debug_ = debug;
      peer->setState(CONNECTION_STATE_CLOSED_BY_PEER, now);
    }
    return true;
  }
  switch (state_) {
    case CONNECTION_STATE_CONNECTING:
      if (role_ == Role::kServer && !accepted_) sendReject(reason, debug);
      return true;
    case CONNECTION_STATE_CONNECTED: break;
    default: return true;  // closed by peer, problem detected or never started: nothing to tell
  }
  close_reason_ = static_cast<uint32_t>(reason);
  close_debug_ = debug;
  if (linger && !allReliableAcked()) {
    lingering_ = true;
    close_deadline_ = now + std::max<base::TimeUs>(base::TimeUs{config_.timeout_connected_ms} * 1000, kCloseLingerUs);
    flush_requested_ = true;
  } else {
    // Without linger, queued data is discarded (the reference: linger=true "flushes pending
    // reliable data first"); nothing more is sent or retransmitted but the Close itself.
    discardUnsent();
    close_pending_ = true;
    close_deadline_ = now + kCloseLingerUs;
  }
  transmit(now, true);
  recomputeTimer(now);
  return false;
}

// ---------------------------------------------------------------------------------------------
// Timers

void Connection::recomputeTimer(base::TimeUs now) {
  base::TimeUs t = base::kNever;
  auto at = [&](base::TimeUs v) { t = std::min(t, v); };
  if (!finished_) {
    if (role_ == Role::kClient && state_ == CONNECTION_STATE_CONNECTING) {
      at(next_handshake_send_);
      at(created_ + base::TimeUs{config_.timeout_initial_ms} * 1000);
    } else if (role_ == Role::kServer && state_ == CONNECTION_STATE_CONNECTING) {
      at(created_ + base::TimeUs{config_.timeout_initial_ms} * 1000);
    } else if (keys_ready_ && role_ != Role::kPipe &&
               (state_ == CONNECTION_STATE_CONNECTED || app_closed_ || state_ == CONNECTION_STATE_CLOSED_BY_PEER)) {
      if (hasOutstanding()) at(last_ack_eliciting_sent_ + (rate_.probeTimeout() << std::min(pto_count_, 10)));
      if (loss_time_) at(loss_time_);
      if (acks_.ackPending()) at(acks_.firstUnackedTime() + kMaxAckDelayUs);
      if (state_ == CONNECTION_STATE_CONNECTED) {
        if (unsentBytes() > 0 && !flowBlocked()) {
          // A full window (or an untrusted peer's packets-in-flight limit) waits for an ACK.
          bool full = rate_.windowFull(config_.mtu_packet_size) || inFlightFull();
          at(full ? base::kNever : (flush_requested_ ? now : std::max(now, nagle_deadline_)));
          if (!full) at(rate_.pacingReadyAt(config_.mtu_packet_size, now));
        }
        if (flowBlocked() && !hasOutstanding()) at(last_ack_eliciting_sent_ + rate_.probeTimeout());
        base::TimeUs keepalive =
            std::min<base::TimeUs>(kMaxKeepaliveUs, base::TimeUs{config_.timeout_connected_ms} * 250);
        if (!hasOutstanding()) at(std::max(last_received_, last_ack_eliciting_sent_) + keepalive);
        at(last_received_ + base::TimeUs{config_.timeout_connected_ms} * 1000);
      }
      if (app_closed_) at(close_deadline_);
    }
  }
  // Never schedule in the past by more than "now": the engine runs due timers immediately.
  next_timer_ = t;
  host_.onTimerChanged(*this);
}

void Connection::onTimer(base::TimeUs now) {
  updateRates(now);
  if (finished_) return;
  if (role_ == Role::kClient && state_ == CONNECTION_STATE_CONNECTING) {
    if (now >= created_ + base::TimeUs{config_.timeout_initial_ms} * 1000) {
      problem(CONNECTION_END_MISC_TIMEOUT, "timed out while connecting", now);
    } else if (now >= next_handshake_send_) {
      sendHandshake(now);
    }
    recomputeTimer(now);
    return;
  }
  if (role_ == Role::kServer && state_ == CONNECTION_STATE_CONNECTING) {
    if (now >= created_ + base::TimeUs{config_.timeout_initial_ms} * 1000)
      problem(CONNECTION_END_MISC_TIMEOUT,
              waiting_for_local_cert_ ? "this side's certificate did not arrive in time"
                                      : "the application did not accept the connection in time",
              now);
    recomputeTimer(now);
    return;
  }
  if (!keys_ready_ || role_ == Role::kPipe) {
    recomputeTimer(now);
    return;
  }
  if (app_closed_ && now >= close_deadline_) {
    finishClose(now);
    return;
  }
  if (state_ == CONNECTION_STATE_CONNECTED &&
      now >= last_received_ + base::TimeUs{config_.timeout_connected_ms} * 1000) {
    problem(CONNECTION_END_MISC_TIMEOUT, "the peer stopped answering", now);
    recomputeTimer(now);
    return;
  }
  if (loss_time_ && now >= loss_time_) detectLosses(now);
  if (hasOutstanding() && now >= last_ack_eliciting_sent_ + (rate_.probeTimeout() << std::min(pto_count_, 10))) {
    // Probe timeout: the tail of what we sent, or its acks, went missing. Resend it (without
    // treating it as congestion), or ping if nothing is left to resend.
    stats_.probe_timeouts++;
    pto_count_++;
    for (size_t i = 0; i < sent_.size(); ++i) {
      SentPacket& p = sent_.at(i);
      if (p.outstanding) declareLost(p, now, false);
    }
    sent_.popSettled();
    if (!anyRetransmit() && !close_pending_) ping_pending_ = true;
  }
  if (state_ == CONNECTION_STATE_CONNECTED && flowBlocked() && !hasOutstanding() &&
      now >= last_ack_eliciting_sent_ + rate_.probeTimeout()) {
    ping_pending_ = true;  // ask for a fresh window
  }
  if (state_ == CONNECTION_STATE_CONNECTED && !hasOutstanding()) {
    base::TimeUs keepalive = std::min<base::TimeUs>(kMaxKeepaliveUs, base::TimeUs{config_.timeout_connected_ms} * 250);
    if (now >= std::max(last_received_, last_ack_eliciting_sent_) + keepalive) ping_pending_ = true;
  }
  bool ack_due = acks_.ackPending() && now >= acks_.firstUnackedTime() + kMaxAckDelayUs;
  transmit(now, ack_due);
  if (!finished_) recomputeTimer(now);
}

// ---------------------------------------------------------------------------------------------
// Introspection

void Connection::updateRates(base::TimeUs now) {
  base::TimeUs elapsed = now - rate_window_start_;
  if (elapsed < 1000000) return;
  double s = static_cast<double>(elapsed) / 1e6;
  packets_out_per_sec_ = static_cast<float>(window_packets_out_ / s);
  bytes_out_per_sec_ = static_cast<float>(window_bytes_out_ / s);
  packets_in_per_sec_ = static_cast<float>(window_packets_in_ / s);
  bytes_in_per_sec_ = static_cast<float>(window_bytes_in_ / s);
  window_packets_out_ = window_bytes_out_ = window_packets_in_ = window_bytes_in_ = 0;
  rate_window_start_ = now;
}

ConnectionInfo Connection::info() const {
  ConnectionInfo i;
  i.identity = remote_steam_id_;
  i.user_data = config_.user_data;
  i.listen_socket = listen_socket_;
  i.remote_address = pipe_peer_ || role_ == Role::kPipe ? std::string() : peer_.toString(true);
  i.connection_state = publicState();
  i.end_reason = end_reason_;
  i.end_debug = end_debug_;
  i.debug_description = name_.empty() ? ("#" + std::to_string(handle_) + " " + i.remote_address) : name_;
  i.info_flags = info_flags_;
  if (peer_.valid() && peer_.isLoopback()) i.info_flags |= NETWORKING_CONNECTION_INFO_FLAG_FAST;
  return i;
}

LaneStatus Connection::laneStatus(int lane, base::TimeUs now) const {
  (void)now;
  LaneStatus s;
  if (lane < 0 || static_cast<size_t>(lane) >= lanes_.size()) return s;
  const Lane& l = lanes_[static_cast<size_t>(lane)];
  s.pending_unreliable = static_cast<int32_t>(l.unreliable_queued_bytes);
  s.pending_reliable = static_cast<int32_t>(l.send.unsentBytes());
  s.sent_unacknowledged_reliable = static_cast<int32_t>(l.send.unackedBytes());
  int64_t rate = std::max<int64_t>(1, rate_.pacingRate());
  s.queue_time = static_cast<int64_t>((s.pending_unreliable + s.pending_reliable) * 1000000LL / rate);
  return s;
}

ConnectionRealTimeStatus Connection::realTimeStatus(base::TimeUs now) const {
  ConnectionRealTimeStatus s;
  s.state = publicState();
  s.ping = rate_.hasRttSample() ? static_cast<int32_t>(rate_.smoothedRtt() / 1000) : -1;
  if (stats_.packets_sent > 0) {
    double loss = static_cast<double>(stats_.packets_lost) / static_cast<double>(stats_.packets_sent);
    s.local_quality = static_cast<float>(std::clamp(1.0 - loss, 0.0, 1.0));
  }
  s.packets_out_per_second = packets_out_per_sec_;
  s.bytes_out_per_second = bytes_out_per_sec_;
  s.packets_in_per_second = packets_in_per_sec_;
  s.bytes_in_per_second = bytes_in_per_sec_;
  s.send_rate = static_cast<int32_t>(std::min<int64_t>(rate_.pacingRate(), INT32_MAX));
  for (int i = 0; i < laneCount(); ++i) {
    LaneStatus ls = laneStatus(i, now);
    s.pending_unreliable += ls.pending_unreliable;
    s.pending_reliable += ls.pending_reliable;
    s.sent_unacknowledged_reliable += ls.sent_unacknowledged_reliable;
  }
  int64_t rate = std::max<int64_t>(1, rate_.pacingRate());
  s.queue_time = static_cast<int64_t>((s.pending_unreliable + s.pending_reliable) * 1000000LL / rate);
  return s;
}

std::string Connection::detailedStatus(base::TimeUs now) const {
  std::ostringstream o;
  ConnectionInfo i = info();
  o << "Connection " << i.debug_description << "\n"
    << "  state " << state_ << ", end reason " << end_reason_ << " " << end_debug_ << "\n"
    << "  remote " << i.remote_address << " identity " << remote_steam_id_ << "\n"
    << "  cipher " << static_cast<int>(cipher_) << ", flags " << i.info_flags << "\n"
    << "  rtt " << rate_.smoothedRtt() << " us (min " << (rate_.hasRttSample() ? rate_.minRtt() : 0) << "), window "
    << rate_.congestionWindow() << " B, in flight " << rate_.bytesInFlight() << " B, pacing " << rate_.pacingRate()
    << " B/s\n"
    << "  sent " << stats_.packets_sent << " pkts / " << stats_.bytes_sent << " B, received " << stats_.packets_received
    << " pkts / " << stats_.bytes_received << " B\n"
    << "  lost " << stats_.packets_lost << " pkts, retransmitted " << stats_.packets_retransmitted_bytes
    << " B, probe timeouts " << stats_.probe_timeouts << "\n"
    << "  dropped: decrypt " << stats_.dropped_decrypt << ", duplicate " << stats_.dropped_duplicate << ", unreliable "
    << stats_.unreliable_dropped << "\n"
    << "  messages sent " << stats_.messages_sent << ", received " << stats_.messages_received << ", queued "
    << queue_.count() << "\n"
    << "  " << (trusted_ ? "trusted" : "untrusted (budget.h)") << ", memory " << memoryBytes() << " B\n"
    << "  lanes " << lanes_.size() << "\n";
  for (int l = 0; l < laneCount(); ++l) {
    LaneStatus s = laneStatus(l, now);
    o << "    lane " << l << ": priority " << lanes_[static_cast<size_t>(l)].priority << " weight "
      << lanes_[static_cast<size_t>(l)].weight << ", pending reliable " << s.pending_reliable << " B, unacked "
      << s.sent_unacknowledged_reliable << " B, pending unreliable " << s.pending_unreliable << " B\n";
  }
  return o.str();
}

}  // namespace outpost::transport
