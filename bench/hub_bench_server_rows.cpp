// hub_bench: the game-server rows — server_register, idle_connections, master_query[_filtered]
// (the hub as shipped, over UDP) and server_update — against the main hub.
#include "hub_bench_master.h"
#include "hub_bench_rpc.h"

namespace outpost::hub_bench {

// (b) and (c): server_register, idle_connections, master_query[_filtered], server_update.
void serverPhase(Bench& b) {
  const int S = b.o.servers;
  const char* names[] = {"server_register", "idle_connections", "master_query", "master_query_filtered",
                         "server_update"};
  size_t done_rows = 0;
  auto fail = [&](const std::string& why) {
    log("server phase failed: %s", why.c_str());
    for (size_t i = done_rows; i < 5; ++i) b.rows.push_back(failedRow(names[i], why));
  };
  auto push = [&](Row r) {
    b.rows.push_back(std::move(r));
    ++done_rows;
  };
  std::string err;
  auto status = [&]() { return b.admin.status(b.o.timeout_s * 1000, &err); };

  // server_register: S connections from one instance, in batches; each sends ServerLogOn then
  // ServerListing; done when the hub lists all S (admin status game_servers.listed).
  RpcPool pool(b.hub.rpc_address, b.hub.public_key);
  std::vector<uint32_t> conns;
  uint32_t logon_base = pool.reserveRequestIds(static_cast<uint32_t>(S));
  size_t logons_ok = 0, logons_bad = 0, sent_bad = 0;
  auto on_message = [&](uint32_t, const hubrpc::Envelope& e) {
    if (e.request_id() < logon_base || e.request_id() - logon_base >= static_cast<uint32_t>(S)) return;
    if (e.has_server_log_on_result() && e.server_log_on_result().result() == RESULT_OK) ++logons_ok;
    else ++logons_bad;
  };
  auto on_batch = [&](size_t first, const std::vector<uint32_t>& fresh) {
    for (size_t k = 0; k < fresh.size(); ++k) {
      int i = static_cast<int>(first + k);
      auto logon = serverLogOn(static_cast<uint16_t>(kGamePortBase + i), static_cast<uint16_t>(kQueryPortBase + i));
      logon.set_request_id(logon_base + static_cast<uint32_t>(i));
      sent_bad += !pool.send(fresh[k], logon);
      sent_bad += !pool.send(fresh[k], serverListing(i, 0, mapOf(i)));
    }
  };
  CpuMeter cpu;
  cpu.start();
  auto t0 = Clock::now();
  auto deadline = b.deadline();
  if (!openConnections(pool, S, b.o.connect_batch, deadline, on_batch, on_message, &conns, &err)) return fail(err);
  while (logons_ok + logons_bad < static_cast<size_t>(S) && Clock::now() < deadline && !pool.lost())
    pool.pump(on_message, 5);
  if (logons_ok + logons_bad < static_cast<size_t>(S))
    return fail("only " + std::to_string(logons_ok + logons_bad) + " of " + std::to_string(S) +
                " server logons answered" + (pool.lost() ? ": " + pool.lastError() : ""));
  if (logons_bad || sent_bad)
    return fail(std::to_string(logons_bad) + " server logons refused, " + std::to_string(sent_bad) + " sends failed");
  uint64_t listed = 0;
  while (Clock::now() < deadline) {
    auto st = status();
    if (!st) return fail("admin status: " + err);
    listed = counter(*st, "game_servers.listed");
    if (listed >= static_cast<uint64_t>(S)) break;
    pool.pump(on_message, 10);
  }
  Row reg = hubRow(names[0], t0, cpu);
  reg.ops = S;
  reg.ok = listed == static_cast<uint64_t>(S);
  reg.addNum("servers", S);
  reg.addNum("connect_batch", b.o.connect_batch);
  reg.add("note",
          bench::jsonString("per server: transport handshake + ServerLogOn + ServerListing, until the hub lists all"));
  push(reg);
  if (listed != static_cast<uint64_t>(S))
    return fail("the hub lists " + std::to_string(listed) + " of " + std::to_string(S) + " servers");
  log("registered %d servers in %.2f s", S, reg.seconds);

  // idle_connections: what S connected, idle servers cost the hub (keepalives).
  auto pump_for = [&](double seconds) {
    auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    while (Clock::now() < until) pool.pump(on_message, 20);
  };
  cpu.start();
  t0 = Clock::now();
  pump_for(b.o.idle_seconds);
  Row idle = hubRow(names[1], t0, cpu);
  idle.ops = S;
  idle.has_rate = false;
  idle.ok = pool.lost() == 0;
  idle.addNum("servers", S);
  idle.add("note",
           bench::jsonString("ops = connections held open and idle for `seconds`; hub_cpu_s is their keepalive cost"));
  push(idle);

  // The master lists all S: one full walk (44 pages for 10,000: inside the per-IP burst).
  MasterClient mc;
  if (!mc.open(b.hub.master_address, &err)) return fail(err);
  std::vector<uint16_t> all_ports(S);
  for (int i = 0; i < S; ++i) all_ports[i] = static_cast<uint16_t>(kQueryPortBase + i);
  int pages = 0;
  std::optional<std::vector<uint16_t>> walked;
  for (int attempt = 0; attempt < 5; ++attempt) {
    walked = masterWalk(mc, "", &pages, &err);
    if (walked && *walked == all_ports) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // let the rate limits refill
  }
  if (!walked || *walked != all_ports)
    return fail("the master walk did not list exactly the " + std::to_string(S) + " servers" +
                (walked ? " (got " + std::to_string(walked->size()) + ")" : ": " + err));
  log("master walk: %d servers in %d pages", S, pages);

  // master_query / master_query_filtered: the shipped rate limits apply (one source IP).
  auto masterRow = [&](const char* name, const std::string& filter, const std::vector<uint16_t>& match) -> bool {
    pump_for(2.5);  // refill the per-IP buckets (60 requests, 128 KiB) after the previous run
    mc.drain();
    auto before = status();
    if (!before) return false;
    auto req = masterRequest(0, 0, filter);
    auto page = expectedFirstPage(match);
    CpuMeter c;
    c.start();
    MasterLoad m = masterLoad(mc, req, page, b.o.master_seconds, static_cast<uint64_t>(b.o.master_max),
                              static_cast<size_t>(b.o.master_window), b.o.master_expire_ms);
    double hub_cpu = c.hub(), self_cpu = c.self();
    pump_for(0.3);  // late replies are not counted
    mc.drain();
    auto after = status();
    if (!after) return false;
    auto delta = [&](const std::string& k) { return static_cast<double>(counter(*after, k) - counter(*before, k)); };
    Row r;
    r.workload = name;
    r.ops = static_cast<double>(m.replies);
    r.seconds = m.seconds;
    r.hub_cpu = hub_cpu;
    r.client_cpu = self_cpu;
    r.ok = m.replies > 0 && m.wrong == 0;
    r.addNum("servers", S);
    r.add("filter", bench::jsonString(filter));
    r.addNum("page_entries", static_cast<double>(std::min<size_t>(match.size(), master::kMaxEntriesPerReply)));
    r.addNum("sent", static_cast<double>(m.sent));
    r.addNum("wrong_replies", static_cast<double>(m.wrong));
    r.addNum("window", b.o.master_window);
    r.addNum("hub_replied", delta("master.replied"));
    r.addNum("hub_dropped_rate_limit",
             delta("master.dropped_rate_source_requests") + delta("master.dropped_rate_global_requests") +
                 delta("master.dropped_rate_source_bytes") + delta("master.dropped_rate_global_bytes"));
    r.add("rate_limited", b.o.master_unthrottled ? "false" : "true");
    r.add("note",
          bench::jsonString(
              b.o.master_unthrottled
                  ? "hub started with every master rate limit at its maximum (--master-limit)"
                  : "one source IP: the shipped per-IP limits (30 req/s, burst 60) bound this, not the responder"));
    push(r);
    log("%s: %llu replies to %llu requests in %.2f s", name, static_cast<unsigned long long>(m.replies),
        static_cast<unsigned long long>(m.sent), m.seconds);
    return true;
  };
  if (!masterRow(names[2], "", all_ports)) return fail("admin status: " + err);
  std::vector<uint16_t> map3;
  for (int i = 0; i < S; ++i)
    if (i % kMaps == 3) map3.push_back(static_cast<uint16_t>(kQueryPortBase + i));
  if (!masterRow(names[3], kFilter, map3)) return fail("admin status: " + err);

  // server_update: U ServerListing updates round-robin over the S connections; done when master
  // queries show what the updates changed. The last round moves its servers to map_final (and
  // renames them): every 50 ms (inside the master's per-source limit) the benchmark asks for the
  // last-sent server by its new name and for the first page of `\map\map_final`; once both show
  // the last round, one full walk of `\map\map_final` must list exactly the last round's servers,
  // and the time runs to the end of that walk. The hub's rpc.messages counter then confirms all U
  // were taken in.
  const int U = b.o.updates;
  const int rounds = (U + S - 1) / S;
  std::vector<std::vector<uint8_t>> payloads(U);
  std::vector<uint32_t> targets(U);
  for (int j = 0; j < U; ++j) {
    int i = j % S, round = j / S + 1;
    payloads[j] = hubrpc::encode(serverListing(i, round, round == rounds ? std::string("map_final") : mapOf(i)));
    targets[j] = conns[i];
  }
  auto base = status();
  if (!base) return fail("admin status: " + err);
  uint64_t base_messages = counter(*base, "rpc.messages");
  auto client_before = pool.transportCounters();
  cpu.start();
  t0 = Clock::now();
  size_t accepted = 0;
  for (int j = 0; j < U; j += 1024) {
    int n = std::min(1024, U - j);
    std::vector<uint32_t> c(targets.begin() + j, targets.begin() + j + n);
    std::vector<std::vector<uint8_t>> p(payloads.begin() + j, payloads.begin() + j + n);
    accepted += pool.sendBatch(c, p);
  }
  double send_s = secondsSince(t0);
  // The last round must be what the master lists (published after the hub's poll).
  std::vector<uint16_t> final_ports;
  for (int j = (rounds - 1) * S; j < U; ++j) final_ports.push_back(static_cast<uint16_t>(kQueryPortBase + j % S));
  std::sort(final_ports.begin(), final_ports.end());
  auto final_page = expectedFirstPage(final_ports);
  const int last_i = (U - 1) % S, last_round = (U - 1) / S + 1;
  const std::string last_name =
      "\\name_match\\hub_bench server " + std::to_string(last_i) + " r" + std::to_string(last_round);
  auto last_page = expectedFirstPage({static_cast<uint16_t>(kQueryPortBase + last_i)});
  bool visible = false;
  uint64_t master_polls = 0;
  int walk_pages = 0;
  deadline = b.deadline();
  while (!visible && Clock::now() < deadline && !pool.lost()) {
    auto asked = Clock::now();
    mc.drain();
    mc.send(masterRequest(0, 0, last_name));
    mc.send(masterRequest(0, 0, "\\map\\map_final"));
    master_polls += 2;
    std::optional<std::vector<uint8_t>> a = mc.receive(50), c = a ? mc.receive(50) : std::nullopt;
    bool last_shows = (a && *a == last_page) || (c && *c == last_page);
    bool first_shows = (a && *a == final_page) || (c && *c == final_page);
    if (last_shows && first_shows) {
      auto walked = masterWalk(mc, "\\map\\map_final", &walk_pages, &err);
      master_polls += static_cast<uint64_t>(walk_pages);
      visible = walked && *walked == final_ports;
      if (!visible) pump_for(2.5);  // not all there yet: refill the per-IP budget, ask again
    }
    if (!visible) {
      pool.pump(on_message, 0);
      std::this_thread::sleep_until(asked + std::chrono::milliseconds(50));
    }
  }
  Row up = hubRow(names[4], t0, cpu);
  uint64_t polls = 0, processed = 0;
  bool all = false;
  while (visible && Clock::now() < deadline) {
    auto st = status();
    if (!st) return fail("admin status: " + err);
    ++polls;
    processed = counter(*st, "rpc.messages") - base_messages - polls;
    if (processed >= static_cast<uint64_t>(U)) {
      all = true;
      break;
    }
  }
  {
    auto client_after = pool.transportCounters();
    auto hub_after = status();
    std::string d;
    for (const auto& [k, v] : client_after)
      if (v != client_before[k]) d += " " + k + "+" + std::to_string(v - client_before[k]);
    log("server_update: client transport:%s", d.c_str());
    d.clear();
    if (hub_after)
      for (const auto& [k, v] : *hub_after)
        if (k.rfind("transport.", 0) == 0 && v != counter(*base, k))
          d += " " + k + "+" + std::to_string(v - counter(*base, k));
    log("server_update: hub transport:%s", d.c_str());
  }
  up.ops = U;
  up.ok = all && accepted == static_cast<size_t>(U) && visible && pool.lost() == 0;
  up.addNum("servers", S);
  up.addNum("send_s", send_s, 3);
  up.addNum("master_polls", static_cast<double>(master_polls));
  up.addNum("status_polls", static_cast<double>(polls));
  up.add("last_round_visible_in_master", visible ? "true" : "false");
  up.add("note", bench::jsonString("timed from the first send until a master query lists the last round's changes "
                                   "(polled every 50 ms); the hub publishes the master index at most every 100 ms"));
  if (!visible) up.add("error", bench::jsonString("the last round never showed in a master query"));
  else if (!all)
    up.add("error", bench::jsonString("the hub processed " + std::to_string(processed) + " of " + std::to_string(U) +
                                      " updates in time"));
  push(up);
  log("server_update: %d updates in %.2f s (sent in %.2f s), last round %s in the master", U, up.seconds, send_s,
      visible ? "visible" : "NOT visible");
}

}  // namespace outpost::hub_bench
