// hub_bench: the logon and ticket rows — user_logon, ticket_issue, ticket_validate (pipelined
// over one game-server connection) — against the main hub (bench/README.md, "Hub benchmark").
#include "hub_bench_rpc.h"

namespace outpost::hub_bench {

// (a) user_logon, ticket_issue, ticket_validate.
void ticketPhase(Bench& b) {
  const int K = b.o.users, N = b.o.tickets;
  const char* names[] = {"user_logon", "ticket_issue", "ticket_validate"};
  auto fail = [&](size_t from, const std::string& why) {
    log("ticket phase failed: %s", why.c_str());
    for (size_t i = from; i < 3; ++i) b.rows.push_back(failedRow(names[i], why));
  };
  RpcPool pool(b.hub.rpc_address, b.hub.public_key);
  std::vector<uint32_t> conns;
  std::string err;
  auto ignore = [](uint32_t, const hubrpc::Envelope&) {};
  if (!openConnections(
          pool, static_cast<size_t>(K) + 1, static_cast<size_t>(K) + 1, b.deadline(), [](size_t, const auto&) {},
          ignore, &conns, &err))
    return fail(0, err);
  std::vector<uint32_t> users(conns.begin(), conns.begin() + K);
  uint32_t server = conns.back();

  // user_logon: K logons (Argon2id verification on the hub), one per connection, all at once.
  // Meanwhile a probe (a ticket request from the not-yet-logged-on server connection, answered
  // NotLoggedOn at once) measures how long any other RPC waits during the logon storm.
  std::vector<uint64_t> steam(K, 0);
  std::vector<double> lat;
  size_t refused = 0;
  Probe probe;
  probe.connection = server;
  probe.request.mutable_ticket_request();
  CpuMeter cpu;
  cpu.start();
  auto t0 = Clock::now();
  bool ok = pipelined(
      pool, K, K, b.deadline(),
      [&](size_t i, uint32_t* c, hubrpc::Envelope& e) {
        *c = users[i];
        auto* l = e.mutable_user_log_on();
        l->set_name(userName(static_cast<int>(i)));
        l->set_password(userPassword(static_cast<int>(i)));
        l->set_app_id(kApp);
      },
      [&](size_t i, const hubrpc::Envelope& e) {
        if (e.has_user_log_on_result() && e.user_log_on_result().result() == RESULT_OK)
          steam[i] = e.user_log_on_result().steam_id();
        else ++refused;
      },
      &lat, &err, &probe);
  Row r = hubRow(names[0], t0, cpu);
  if (!ok) return fail(0, err);
  r.ops = K;
  r.setLatency(lat);
  r.ok = refused == 0;
  r.addNum("users", K);
  r.addNum("refused", static_cast<double>(refused));
  r.addNum("probes", static_cast<double>(probe.lat_us.size()));
  r.addNum("probe_p50_us", bench::percentile(probe.lat_us, 50));
  r.addNum("probe_p99_us", bench::percentile(probe.lat_us, 99));
  r.addNum("probe_max_us", probe.lat_us.empty() ? 0 : *std::max_element(probe.lat_us.begin(), probe.lat_us.end()));
  r.add("note",
        bench::jsonString("Argon2id password check per logon (crypto_pwhash interactive limits); probe_* = round trips "
                          "of another RPC sent every 5 ms during the logons"));
  b.rows.push_back(r);
  if (refused) return fail(1, std::to_string(refused) + " user logons refused");

  // The game server that validates: anonymous, app 480 (not timed).
  std::vector<double> ignored;
  bool server_ok = false;
  if (!pipelined(
          pool, 1, 1, b.deadline(),
          [&](size_t, uint32_t* c, hubrpc::Envelope& e) {
            *c = server;
            e = serverLogOn(27015, 27016);
          },
          [&](size_t, const hubrpc::Envelope& e) {
            server_ok = e.has_server_log_on_result() && e.server_log_on_result().result() == RESULT_OK;
          },
          &ignored, &err))
    return fail(1, "server logon: " + err);
  if (!server_ok) return fail(1, "the validating game server's logon was refused");

  // ticket_issue: N TicketRequests round-robin over the K users, `window` outstanding.
  std::vector<std::string> tickets(N);
  refused = 0;
  lat.clear();
  cpu.start();
  t0 = Clock::now();
  ok = pipelined(
      pool, N, b.o.window, b.deadline(),
      [&](size_t i, uint32_t* c, hubrpc::Envelope& e) {
        *c = users[i % K];
        e.mutable_ticket_request()->set_recipient("");
      },
      [&](size_t i, const hubrpc::Envelope& e) {
        if (e.has_ticket_result() && e.ticket_result().result() == RESULT_OK && !e.ticket_result().ticket().empty())
          tickets[i] = e.ticket_result().ticket();
        else ++refused;
      },
      &lat, &err);
  Row ti = hubRow(names[1], t0, cpu);
  if (!ok) return fail(1, err);
  ti.ops = N;
  ti.setLatency(lat);
  ti.ok = refused == 0;
  ti.addNum("users", K);
  ti.addNum("window", b.o.window);
  ti.addNum("refused", static_cast<double>(refused));
  b.rows.push_back(ti);
  if (refused) return fail(2, std::to_string(refused) + " ticket requests refused");

  // ticket_validate: every ticket once, on the one server connection, `window` outstanding.
  std::map<int32_t, uint64_t> responses;
  lat.clear();
  cpu.start();
  t0 = Clock::now();
  ok = pipelined(
      pool, N, b.o.window, b.deadline(),
      [&](size_t i, uint32_t* c, hubrpc::Envelope& e) {
        *c = server;
        auto* v = e.mutable_validate_ticket();
        v->set_ticket(tickets[i]);
        v->set_steam_id(steam[i % K]);
      },
      [&](size_t, const hubrpc::Envelope& e) {
        responses[e.has_auth_session_update() ? e.auth_session_update().response() : -1000]++;
      },
      &lat, &err);
  Row tv = hubRow(names[2], t0, cpu);
  if (!ok) return fail(2, err);
  tv.ops = N;
  tv.setLatency(lat);
  uint64_t good = responses[AUTH_SESSION_RESPONSE_OK];
  std::string resp = "{";
  for (const auto& [code, n] : responses) {
    if (!n) continue;
    if (resp.size() > 1) resp += ',';
    resp += bench::jsonString(std::to_string(code));
    resp += ':';
    resp += std::to_string(n);
  }
  tv.ok = good == static_cast<uint64_t>(N);
  tv.addNum("window", b.o.window);
  tv.add("responses", resp + "}");
  tv.add("note", bench::jsonString(
                     "each validation is a SQLite commit (ticket_uses, synchronous=FULL) on the data dir's disk"));
  b.rows.push_back(tv);
  log("tickets: %d issued, %llu of %d validated OK", N, static_cast<unsigned long long>(good), N);
}

}  // namespace outpost::hub_bench
