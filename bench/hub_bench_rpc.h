// hub_bench's hub RPC side: many pinned connections in one NetworkingSockets (RpcPool), opening
// them in batches, pipelined requests with an optional probe, the admin status client, the Bench
// every hub-side phase shares, and the provisioning and request builders (hub_bench_rpc.cpp).
#pragma once

#include "hub_bench.h"

namespace outpost::hub_bench {

// ---------------------------------------------------------------------- hub RPC connections

// Many hub RPC connections in one NetworkingSockets instance (one UDP socket, the SDK's service
// thread), all in one poll group. Every connection pins the hub's key, as the SDK does.
class RpcPool {
 public:
  RpcPool(std::string address, std::string key) : address_(std::move(address)), key_(std::move(key)) {
    group_ = net_.createPollGroup();
    net_.connect_network_connection_status_changed([this](const NetworkConnectionStatusChanged& s) {
      int st = s.connection.connection_state;
      state_[s.connect_handle] = st;
      if (st == CONNECTION_STATE_CLOSED_BY_PEER || st == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY) {
        ++lost_;
        last_error_ = s.connection.end_debug;
      }
    });
  }
  ~RpcPool() {
    for (uint32_t c : conns_) net_.closeConnection(c, 0, "bench done", false);
  }

  // Starts `n` connections; returns their handles (0 entries on a malformed address).
  std::vector<uint32_t> connect(size_t n) {
    ConfigOptions o;
    o[NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY] = key_;
    o[NETWORKING_CONFIG_TIMEOUT_INITIAL] = int32_t{30000};
    std::vector<uint32_t> out;
    for (size_t i = 0; i < n; ++i) {
      uint32_t c = net_.connectByIPAddress(address_, o);
      if (!c) break;
      net_.setConnectionPollGroup(c, group_);
      conns_.push_back(c);
      out.push_back(c);
    }
    return out;
  }
  bool connected(uint32_t c) const {
    auto it = state_.find(c);
    return it != state_.end() && it->second == CONNECTION_STATE_CONNECTED;
  }
  size_t lost() const { return lost_; }
  const std::string& lastError() const { return last_error_; }

  // Sends one envelope reliably (as the SDK does: RELIABLE_NO_NAGLE). false if refused.
  bool send(uint32_t conn, const hubrpc::Envelope& e) {
    auto bytes = hubrpc::encode(e);
    return net_.sendMessageToConnection(conn, bytes, NETWORKING_SEND_RELIABLE_NO_NAGLE).result == RESULT_OK;
  }
  // Sends prepared messages in one call; returns how many were accepted.
  size_t sendBatch(const std::vector<uint32_t>& conns, const std::vector<std::vector<uint8_t>>& payloads) {
    std::vector<OutgoingMessage> m(conns.size());
    for (size_t i = 0; i < conns.size(); ++i) {
      m[i].connection = conns[i];
      m[i].data = payloads[i];
      m[i].flags = NETWORKING_SEND_RELIABLE_NO_NAGLE;
    }
    size_t ok = 0;
    for (const auto& r : net_.sendMessages(m)) ok += r.result == RESULT_OK;
    return ok;
  }

  // Hands every received envelope to f(connection, envelope); waits up to wait_ms when none is
  // ready. Returns how many were delivered (undecodable messages count as `bad`).
  template <typename F>
  size_t pump(F&& f, int wait_ms) {
    net_.runNetworkingCallbacks();
    int n = net_.receiveMessagesOnPollGroup(group_, batch_, 512);
    if (n <= 0) {
      if (wait_ms > 0) net_.waitForActivity(wait_ms);
      return 0;
    }
    for (const auto& m : batch_.messages()) {
      auto e = hubrpc::decode(m.payload);
      if (!e) {
        ++bad_;
        continue;
      }
      f(m.connection, *e);
    }
    return static_cast<size_t>(n);
  }
  size_t bad() const { return bad_; }
  std::map<std::string, uint64_t> transportCounters() { return net_.getTransportCounters(); }
  uint32_t nextRequestId() { return next_rid_++; }
  uint32_t reserveRequestIds(uint32_t n) {
    uint32_t first = next_rid_;
    next_rid_ += n;
    return first;
  }

 private:
  NetworkingSockets net_;
  std::string address_, key_;
  uint32_t group_ = 0;
  std::vector<uint32_t> conns_;
  std::unordered_map<uint32_t, int> state_;
  size_t lost_ = 0;
  std::string last_error_;
  MessageBatch batch_;
  size_t bad_ = 0;
  uint32_t next_rid_ = 1;
};

// Opens `n` connections in batches of `batch`, waiting for each batch (bounded). `on_batch` runs
// after each batch is connected; `on_message` receives whatever arrives meanwhile.
template <typename OnBatch, typename OnMessage>
bool openConnections(RpcPool& pool, size_t n, size_t batch, Clock::time_point deadline, OnBatch&& on_batch,
                     OnMessage&& on_message, std::vector<uint32_t>* all, std::string* error) {
  while (all->size() < n) {
    size_t want = std::min(batch, n - all->size());
    auto fresh = pool.connect(want);
    if (fresh.size() != want) {
      *error = "connectByIPAddress refused a connection";
      return false;
    }
    size_t first = all->size();
    all->insert(all->end(), fresh.begin(), fresh.end());
    for (;;) {
      size_t up = 0;
      for (uint32_t c : fresh) up += pool.connected(c);
      if (up == fresh.size()) break;
      if (pool.lost()) {
        *error = "a hub connection failed while connecting: " + pool.lastError();
        return false;
      }
      if (Clock::now() > deadline) {
        *error = "timed out connecting (" + std::to_string(first + up) + " of " + std::to_string(n) + " connected)";
        return false;
      }
      pool.pump(on_message, 5);
    }
    on_batch(first, fresh);
  }
  return true;
}

// ------------------------------------------------------------------------- admin (RPC)

// The hub's counters through AdminRequest.status, over a pinned connection with the admin token
// of the data directory (what `outpost admin status` does, without a process per call). Built on
// RpcPool rather than hubrpc::HubClient: HubClient never runs the transport's callbacks, so once
// one is queued its waitForActivity() returns at once and every call() spins on a core — which
// on 2 cores would be taken from the hub while we wait for it.
class AdminClient {
 public:
  bool connect(const HubInfo& hub, std::string* error) {
    std::string key;
    if (!hubrpc::readClientCredentials(hub.data_dir, &key, &token_, error)) return false;
    pool_ = std::make_unique<RpcPool>(hub.rpc_address, key);
    std::vector<uint32_t> c;
    auto ignore = [](uint32_t, const hubrpc::Envelope&) {};
    if (!openConnections(
            *pool_, 1, 1, Clock::now() + std::chrono::seconds(10), [](size_t, const auto&) {}, ignore, &c, error))
      return false;
    conn_ = c[0];
    return true;
  }
  std::optional<std::map<std::string, uint64_t>> status(int timeout_ms, std::string* error) {
    hubrpc::Envelope e;
    uint32_t rid = pool_->nextRequestId();
    e.set_request_id(rid);
    e.mutable_admin_request()->set_admin_token(token_);
    e.mutable_admin_request()->mutable_status();
    if (!pool_->send(conn_, e)) {
      *error = "sending the status request failed";
      return std::nullopt;
    }
    std::optional<hubrpc::Envelope> r;
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!r) {
      if (pool_->lost()) {
        *error = "the admin connection was lost: " + pool_->lastError();
        return std::nullopt;
      }
      if (Clock::now() > deadline) {
        *error = "the hub did not answer a status request within " + std::to_string(timeout_ms) + " ms";
        return std::nullopt;
      }
      pool_->pump(
          [&](uint32_t, const hubrpc::Envelope& x) {
            if (x.request_id() == rid) r = x;
          },
          20);
    }
    if (!r->has_admin_response() || r->admin_response().result() != RESULT_OK) {
      *error = "status refused: " +
               (r->has_admin_response() ? r->admin_response().error() : std::string("no admin response"));
      return std::nullopt;
    }
    std::map<std::string, uint64_t> out(r->admin_response().counters().begin(), r->admin_response().counters().end());
    return out;
  }

 private:
  std::unique_ptr<RpcPool> pool_;
  uint32_t conn_ = 0;
  std::string token_;
};

// A cheap request sent every `every` while a pipelined run is in flight, one at a time: its
// round trips show whether the hub keeps answering other RPCs under that load.
struct Probe {
  uint32_t connection = 0;
  hubrpc::Envelope request;
  std::chrono::microseconds every{5000};
  std::vector<double> lat_us;
};

// Pipelined requests: request i goes out as make(i, &conn, envelope) (request_id assigned here),
// with at most `window` unanswered; accept(i, response) checks response i. Latency per request
// (send -> response) goes to *lat_us. false on timeout or a lost connection. With a probe, its
// request also goes out (one outstanding at a time, every probe->every) until the run is done.
template <typename Make, typename Accept>
bool pipelined(RpcPool& pool, size_t total, size_t window, Clock::time_point deadline, Make&& make, Accept&& accept,
               std::vector<double>* lat_us, std::string* error, Probe* probe = nullptr) {
  uint32_t base = pool.reserveRequestIds(static_cast<uint32_t>(total));
  std::vector<Clock::time_point> sent_at(total);
  std::vector<uint8_t> answered(total, 0);
  size_t sent = 0, done = 0;
  const uint32_t probe_id_base = probe ? pool.reserveRequestIds(1u << 20) : 0;
  uint32_t probe_next_id = probe_id_base;
  bool probe_waiting = false;
  Clock::time_point probe_sent{}, probe_due = Clock::now();
  auto on_message = [&](uint32_t, const hubrpc::Envelope& e) {
    uint32_t rid = e.request_id();
    if (probe && probe_waiting && rid == probe_next_id - 1) {
      probe->lat_us.push_back(usBetween(probe_sent, Clock::now()));
      probe_waiting = false;
      probe_due = probe_sent + probe->every;
      return;
    }
    if (rid < base || rid - base >= total) return;  // a push (request_id 0) or someone else's
    size_t i = rid - base;
    if (answered[i]) return;
    answered[i] = 1;
    ++done;
    lat_us->push_back(usBetween(sent_at[i], Clock::now()));
    accept(i, e);
  };
  while (done < total) {
    while (sent < total && sent - done < window) {
      uint32_t conn = 0;
      hubrpc::Envelope e;
      make(sent, &conn, e);
      e.set_request_id(base + static_cast<uint32_t>(sent));
      sent_at[sent] = Clock::now();
      if (!pool.send(conn, e)) {
        *error = "sending request " + std::to_string(sent) + " failed";
        return false;
      }
      ++sent;
    }
    if (probe && !probe_waiting && Clock::now() >= probe_due && probe_next_id - probe_id_base < (1u << 20)) {
      hubrpc::Envelope e = probe->request;
      e.set_request_id(probe_next_id++);
      probe_sent = Clock::now();
      probe_waiting = pool.send(probe->connection, e);
    }
    if (pool.lost()) {
      *error = "a hub connection was lost: " + pool.lastError();
      return false;
    }
    if (Clock::now() > deadline) {
      *error = "timed out with " + std::to_string(done) + " of " + std::to_string(total) + " answered";
      return false;
    }
    pool.pump(on_message, 1);
  }
  // A probe still unanswered waited the whole run: wait for it so that shows in its latency.
  while (probe && probe_waiting && Clock::now() < deadline && !pool.lost()) pool.pump(on_message, 1);
  return true;
}

// --------------------------------------------------------------------------- the workloads

// What every hub-side phase shares.
struct Bench {
  Options o;
  HubInfo hub;
  AdminClient admin;
  std::vector<Row> rows;
  Clock::time_point deadline() const { return Clock::now() + std::chrono::seconds(o.timeout_s); }
};

ProcResult adminCli(const Bench& b, const std::vector<std::string>& words);
std::string userName(int i);
std::string userPassword(int i);
// app put 480, K users with a licence for 480, an owner with a login token — with the real CLI.
bool provision(Bench& b, std::string* error);
hubrpc::Envelope serverLogOn(uint16_t game_port, uint16_t query_port);
hubrpc::Envelope serverListing(int i, int round, const std::string& map);
std::string mapOf(int i);

// The phases, one file each.
void ticketPhase(Bench& b);     // hub_bench_ticket_rows.cpp
void serverPhase(Bench& b);     // hub_bench_server_rows.cpp
void inProcessPhase(Bench& b);  // hub_bench_master_rows.cpp

}  // namespace outpost::hub_bench
