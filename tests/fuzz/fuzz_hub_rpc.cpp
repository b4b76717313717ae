// fuzz_hub_rpc: the hub's envelope dispatch — Hub::onMessage and every request family behind it
// (src/hub/hub*.cpp, GameServers, Players, ServerTickets, handleAdmin) — against a real SQLite
// store in a temporary data directory, through Hub::openDetached (no sockets: a recording
// RpcLink) on an injected clock that moves one second per input.
//
// Each input is a sequence of records (hub_rpc_records.h) sent from four fresh connections, which
// are closed at its end. Before them, a prelude on a fifth connection puts apps 480 (anonymous
// servers may do everything) and 730 (default policy), a licence of alice for 480, and a login
// token of owner for 480 that "fill in" records may use (admin_token / token "fuzz").
//
// Properties, per record:
//  - everything the hub sends decodes as an Envelope; a Refused carries a failure result;
//  - what goes to another connection is a push (request_id 0: ServerLoggedOff, AuthSessionUpdate
//    or CertificateRevocations);
//  - a message that is not hub RPC gets exactly one Refused{ParseFailure} with request_id 0;
//  - a request whose answer carries its Result gets exactly one answer, of its kind, echoing the
//    request id; a request answered only when refused gets at most one Refused; anything else
//    (no body, or a body only the hub sends) gets exactly one Refused;
//  - a ticket issued is at most 1024 bytes; a connection is closed only after its 8th malformed
//    message.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "crypto/crypto.h"
#include "fuzz_check.h"
#include "hub/hub.h"
#include "hub_rpc_records.h"
#include "hubrpc/framing.h"
#include "ticket/ticket.h"

using namespace outpost;
using hubrpc::Envelope;

namespace {

struct Sent {
  uint32_t connection;
  std::vector<uint8_t> bytes;
};

class RecordingLink final : public hub::RpcLink {
 public:
  int32_t send(uint32_t connection, std::span<const uint8_t> bytes) override {
    sent.push_back({connection, std::vector<uint8_t>(bytes.begin(), bytes.end())});
    return RESULT_OK;
  }
  void close(uint32_t connection, int, const char*) override { closed.insert(connection); }
  std::string remoteAddress(uint32_t connection) override {
    return "127.0.0." + std::to_string(1 + connection % 200) + ":" + std::to_string(40000 + connection % 20000);
  }
  bool connected(uint32_t connection) override { return !closed.count(connection); }
  void trust(uint32_t) override {}
  std::vector<Sent> sent;
  std::set<uint32_t> closed;
};

struct World {
  std::string root;
  hub::ManualHubClock clock{1700000000};
  RecordingLink link;
  std::unique_ptr<hub::Hub> hub;
  uint32_t next_connection = 1;
  std::string token;  // owner's login token for app 480, made by this input's prelude
  std::string last_ticket;
  uint64_t last_ticket_user = 0;
};

World* g_world = nullptr;

void cleanup() {
  if (!g_world) return;
  g_world->hub.reset();
  std::error_code ec;
  std::filesystem::remove_all(g_world->root, ec);
}

World& world() {
  if (g_world) return *g_world;
  g_world = new World();
  char tmpl[] = "/tmp/outpost-fuzz-hub-XXXXXX";
  FUZZ_CHECK(mkdtemp(tmpl) != nullptr);
  g_world->root = tmpl;
  std::atexit(cleanup);
  hub::HubConfig config;
  config.data_dir = g_world->root + "/data";
  config.master = "";
  config.clock = &g_world->clock;
  config.ticket_limits.requests_per_sec = 1000000;  // the fuzzer's requests come in bursts
  config.ticket_limits.request_burst = 1000000;
  std::string error;
  g_world->hub = hub::Hub::openDetached(config, g_world->link, &error);
  FUZZ_CHECK(g_world->hub != nullptr);
  return *g_world;
}

// One admin request from the prelude connection, answered OK (or refused for a reason the
// prelude expects, e.g. a user that exists already).
hubrpc::AdminResponse adminCall(World& w, uint32_t connection, hubrpc::AdminRequest req) {
  Envelope e;
  e.set_request_id(1);
  req.set_admin_token(w.hub->adminTokenHex());
  *e.mutable_admin_request() = std::move(req);
  size_t before = w.link.sent.size();
  auto bytes = hubrpc::encode(e);
  w.hub->deliver(connection, bytes);
  w.hub->poll(0);
  for (size_t i = before; i < w.link.sent.size(); ++i) {
    auto r = hubrpc::decode(w.link.sent[i].bytes);
    if (r && r->has_admin_response() && w.link.sent[i].connection == connection) return r->admin_response();
  }
  FUZZ_CHECK(false && "the prelude's admin request was not answered");
  return {};
}

void prelude(World& w) {
  uint32_t c = w.next_connection++;
  hubrpc::AdminRequest r;
  auto* a = r.mutable_put_app();
  a->set_app_id(480);
  a->set_name("Spacewar");
  a->mutable_anonymous()->set_logon(true);
  a->mutable_anonymous()->set_listed(true);
  a->mutable_anonymous()->set_secure(true);
  adminCall(w, c, r);
  r.mutable_put_app()->set_app_id(730);
  r.mutable_put_app()->clear_anonymous();
  adminCall(w, c, r);
  for (const char* name : {"owner", "alice", "bob"}) {
    hubrpc::AdminRequest u;
    u.mutable_create_user()->set_name(name);
    u.mutable_create_user()->set_password(std::string(name) + "-password");
    static std::set<std::string> made;
    if (made.insert(name).second) adminCall(w, c, u);  // once: Argon2 hashing is slow
  }
  hubrpc::AdminRequest g;
  g.mutable_grant_licence()->set_user("alice");
  g.mutable_grant_licence()->set_app_id(480);
  adminCall(w, c, g);
  hubrpc::AdminRequest unban;
  unban.mutable_unban()->set_user("alice");
  unban.mutable_unban()->set_app_id(480);
  adminCall(w, c, unban);  // "no such record" most of the time
  hubrpc::AdminRequest t;
  t.mutable_create_token()->set_app_id(480);
  t.mutable_create_token()->set_owner("owner");
  auto made = adminCall(w, c, t);
  w.token = made.token();
  w.hub->disconnect(c);
  w.hub->poll(0);
}

// The kind of answer a request gets, and whether one is always due.
enum class Due { kAlways, kOnlyWhenRefused, kRefusal };
struct Expect {
  Due due;
  Envelope::BodyCase answer;  // BODY_NOT_SET: a Refused
};

Expect expectationFor(Envelope::BodyCase body) {
  switch (body) {
    case Envelope::kAdminRequest: return {Due::kAlways, Envelope::kAdminResponse};
    case Envelope::kServerLogOn: return {Due::kAlways, Envelope::kServerLogOnResult};
    case Envelope::kUserLogOn: return {Due::kAlways, Envelope::kUserLogOnResult};
    case Envelope::kTicketRequest: return {Due::kAlways, Envelope::kTicketResult};
    case Envelope::kValidateTicket: return {Due::kAlways, Envelope::kAuthSessionUpdate};
    case Envelope::kGroupStatusRequest: return {Due::kAlways, Envelope::kGroupStatusResult};
    case Envelope::kAssociateClan: return {Due::kAlways, Envelope::kAssociateClanResult};
    case Envelope::kPlayerCompatRequest: return {Due::kAlways, Envelope::kPlayerCompatResult};
    case Envelope::kGameplayStatsRequest: return {Due::kAlways, Envelope::kGameplayStatsResult};
    case Envelope::kIdentityCertificateRequest: return {Due::kAlways, Envelope::kIdentityCertificateResult};
    case Envelope::kServerListing:
    case Envelope::kCancelTicket:
    case Envelope::kResumeAuthSession:
    case Envelope::kEndAuthSession:
    case Envelope::kP2PSignal: return {Due::kOnlyWhenRefused, Envelope::BODY_NOT_SET};  // signals answer in kind
    default: return {Due::kRefusal, Envelope::BODY_NOT_SET};
  }
}

void fillIn(World& w, Envelope& e) {
  if (e.has_admin_request() && e.admin_request().admin_token() == "fuzz")
    e.mutable_admin_request()->set_admin_token(w.hub->adminTokenHex());
  if (e.has_server_log_on() && e.server_log_on().token() == "fuzz") e.mutable_server_log_on()->set_token(w.token);
  auto fill = [&](std::string* ticket, uint64_t steam_id, auto set_id) {
    if (!ticket->empty() || w.last_ticket.empty()) return;
    *ticket = w.last_ticket;
    if (steam_id == 0) set_id(w.last_ticket_user);
  };
  if (e.has_validate_ticket()) {
    auto* v = e.mutable_validate_ticket();
    fill(v->mutable_ticket(), v->steam_id(), [&](uint64_t id) { v->set_steam_id(id); });
  }
  if (e.has_resume_auth_session()) {
    auto* v = e.mutable_resume_auth_session();
    fill(v->mutable_ticket(), v->steam_id(), [&](uint64_t id) { v->set_steam_id(id); });
  }
}

void runRecord(World& w, uint32_t connection, std::vector<uint8_t> payload, bool fill_in,
               std::map<uint32_t, int>* malformed) {
  std::optional<Envelope> request = hubrpc::decode(payload);
  if (request && fill_in) {
    fillIn(w, *request);
    payload = hubrpc::encode(*request);
    request = hubrpc::decode(payload);
  }
  size_t before = w.link.sent.size();
  w.hub->deliver(connection, payload);
  w.hub->poll(0);
  // A logon is answered once its password check is done (worker threads): wait for it.
  if (request && request->has_user_log_on())
    for (int i = 0; i < 5000; ++i) {
      bool answered = false;
      for (size_t k = before; k < w.link.sent.size() && !answered; ++k) {
        auto e = hubrpc::decode(w.link.sent[k].bytes);
        answered = e && e->has_user_log_on_result() && w.link.sent[k].connection == connection;
      }
      if (answered) break;
      usleep(1000);
      w.hub->poll(0);
    }

  size_t answers = 0, refusals = 0;
  Expect expect = request ? expectationFor(request->body_case()) : Expect{Due::kRefusal, Envelope::BODY_NOT_SET};
  for (size_t k = before; k < w.link.sent.size(); ++k) {
    const Sent& s = w.link.sent[k];
    auto e = hubrpc::decode(s.bytes);
    FUZZ_CHECK(e.has_value());
    if (e->has_refused()) FUZZ_CHECK(e->refused().result() != 0 && e->refused().result() != 1);
    if (e->has_ticket_result() && e->ticket_result().result() == 1) {
      FUZZ_CHECK(!e->ticket_result().ticket().empty() && e->ticket_result().ticket().size() <= ticket::kMaxTicketBytes);
      std::vector<uint8_t> bytes(e->ticket_result().ticket().begin(), e->ticket_result().ticket().end());
      ticket::TicketError why = ticket::TicketError::kNone;
      auto parsed = ticket::parseTicket(bytes, &why);
      FUZZ_CHECK(parsed.has_value());
      w.last_ticket = e->ticket_result().ticket();
      w.last_ticket_user = parsed->claims.steam_id;
    }
    if (std::getenv("FUZZ_HUB_RPC_TRACE"))  // what the hub answered, for a person reading a run
      std::fprintf(stderr, "  -> connection %u: %s", s.connection,
                   e->ShortDebugString().substr(0, 160).append("\n").c_str());
    if (s.connection != connection) {
      // Only pushes reach other connections.
      FUZZ_CHECK(e->request_id() == 0);
      FUZZ_CHECK(e->has_server_logged_off() || e->has_auth_session_update() || e->has_certificate_revocations() ||
                 e->has_p2p_signal());  // an Offer, Answer or Cancel forwarded (fuzz_signaling checks them)
      continue;
    }
    if (!request) {
      FUZZ_CHECK(e->has_refused() && e->request_id() == 0 && e->refused().result() == RESULT_PARSE_FAILURE);
      ++refusals;
      continue;
    }
    if (e->request_id() != request->request_id()) continue;  // a push to this connection
    if (e->has_refused()) {
      FUZZ_CHECK(e->refused().request() == static_cast<uint32_t>(request->body_case()));
      ++refusals;
    } else if (expect.answer != Envelope::BODY_NOT_SET && e->body_case() == expect.answer) {
      ++answers;
    }
  }
  if (!request) {
    FUZZ_CHECK(refusals == 1);
    ++(*malformed)[connection];
  } else if (expect.due == Due::kAlways) {
    FUZZ_CHECK(answers + refusals == 1);
  } else if (expect.due == Due::kOnlyWhenRefused) {
    FUZZ_CHECK(answers == 0 && refusals <= 1);
  } else {
    FUZZ_CHECK(answers == 0 && refusals == 1);
  }
  // Closed by the hub only after its eighth malformed message.
  if (w.link.closed.count(connection)) FUZZ_CHECK((*malformed)[connection] >= 8);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& w = world();
  w.clock.advance(1);
  w.last_ticket.clear();
  w.last_ticket_user = 0;
  prelude(w);
  w.link.sent.clear();
  uint32_t base = w.next_connection;
  w.next_connection += 4;
  std::map<uint32_t, int> malformed;
  for (auto& record : fuzz::parseRecords(data, size)) {
    uint32_t connection = base + (record.flags & fuzz::kConnectionMask);
    if (w.link.closed.count(connection)) continue;  // the transport delivers nothing more
    runRecord(w, connection, std::move(record.payload), record.flags & fuzz::kFillIn, &malformed);
  }
  for (uint32_t c = base; c < base + 4; ++c) {
    w.hub->disconnect(c);
    w.link.closed.erase(c);
  }
  w.hub->poll(0);
  w.link.sent.clear();
  return 0;
}
