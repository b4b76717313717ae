// a2s_bench: how many A2S_INFO replies per second Outpost's query responder gives, over real UDP
// sockets on 127.0.0.1, and what its rate limits let through. One process: the server side is
// either a public outpost::GameServer (serverInit with its own query port, shipped limits, its
// own service and query threads) or an internal server::A2sQuerySocket with every limit raised; the
// client side is this process's main thread, driving many non-blocking UDP sockets bound to
// distinct 127.x.y.z source addresses through one epoll set, with a bounded window of outstanding
// requests and a loss timeout, for a bounded time. Every source does the challenge round-trip
// once, then sends challenged INFO requests; a fresh S2C_CHALLENGE in reply (expired or unknown
// challenge) is taken and the request re-sent. Every reply is checked byte for byte.
//
// Prints one JSON document on stdout ({"benchmark":"a2s","machine":{...},"rows":[...]}, one row
// per line) and progress on stderr. Server CPU is this process's CPU time
// (CLOCK_PROCESS_CPUTIME_ID) minus the client thread's (CLOCK_THREAD_CPUTIME_ID) over the timed
// phase. bench/README.md ("A2S benchmark") documents the rows and fields; `bench/run a2s
// [--quick] [--repeat N]` builds and runs it. Exit status: 0 every row ok, 1 a row failed,
// 2 usage error.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "a2s/reply.h"
#include "a2s/request.h"
#include "bench_json.h"
#include "outpost/game_server.h"
#include "server/a2s_query_socket.h"
#include "server/a2s_responder.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace outpost;
using namespace outpost::bench;

constexpr uint32_t kServerIp = 0x7F000001;       // 127.0.0.1: every server binds here
constexpr uint32_t kFirstSourceIp = 0x7F000101;  // 127.0.1.1: source i is 127.0.1.1 + i
constexpr uint32_t kProbeIp = 0x7F000301;        // 127.0.3.1: the readiness probe (own bucket)
constexpr uint16_t kGamePort = 27015;
constexpr uint16_t kSpectatorPort = 27020;
constexpr uint32_t kAppId = 440;
constexpr uint64_t kServerSteamId = 90071992547409921ull;  // only the raised-limit rows send it
constexpr int kPlayers = 20, kBots = 4, kMaxPlayers = 32, kRules = 40;
constexpr size_t kRecvBytes = 2048;

void log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void log(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::fputs("a2s_bench: ", stderr);
  std::vfprintf(stderr, fmt, ap);
  std::fputc('\n', stderr);
  va_end(ap);
}

std::string ipString(uint32_t host_order) {
  in_addr a{htonl(host_order)};
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

// ------------------------------------------------------------------------------------ options

struct Options {
  bool quick = false;
  double seconds = 2.0;         // timed phase of each row
  int window = 64;              // outstanding requests, all sockets together (each socket has <= 1)
  int sources = 256;            // source addresses of the many-sources rows
  int sockets_1ip = 32;         // sockets (ports) on the single source address of the 1-IP row
  int lost_after_ms = 10;       // an unanswered request counts as lost after this and its socket is reused
  int challenge_window_s = 30;  // challenge window of the raised-limit rows (shipped: 30)
  std::string rows =
      "info_shipped_limits_1ip,info_many_sources,info_unthrottled,challenge_only,challenge_only_unthrottled";
  bool runs(const std::string& row) const { return ("," + rows + ",").find("," + row + ",") != std::string::npos; }
};

[[noreturn]] void usage(const char* why) {
  if (why) std::fprintf(stderr, "a2s_bench: %s\n", why);
  std::fprintf(stderr,
               "usage: a2s_bench [--quick] [--seconds S] [--window W] [--sources N] [--sockets-1ip K]\n"
               "                 [--lost-after-ms MS] [--challenge-window-s S] [--rows ROW,ROW...]\n"
               "  measures A2S_INFO replies per second on 127.0.0.1 and prints one JSON document\n"
               "  (bench/README.md, \"A2S benchmark\").\n");
  std::exit(why ? 2 : 0);
}

double numArg(const std::string& name, const char* v, double lo, double hi) {
  char* end = nullptr;
  double x = std::strtod(v, &end);
  if (!*v || *end || !(x >= lo && x <= hi))
    usage((name + " wants a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]").c_str());
  return x;
}

Options parseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--quick") o.quick = true, o.seconds = 0.5;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage((a + " needs a value").c_str());
      return argv[++i];
    };
    if (a == "--quick") continue;
    else if (a == "--help" || a == "-h") usage(nullptr);
    else if (a == "--seconds") o.seconds = numArg(a, value(), 0.1, 600);
    else if (a == "--window") o.window = static_cast<int>(numArg(a, value(), 1, 4096));
    else if (a == "--sources") o.sources = static_cast<int>(numArg(a, value(), 1, 8192));  // 127.0.1.1 .. 127.0.33.0
    else if (a == "--sockets-1ip") o.sockets_1ip = static_cast<int>(numArg(a, value(), 1, 4096));
    else if (a == "--lost-after-ms") o.lost_after_ms = static_cast<int>(numArg(a, value(), 1, 10000));
    else if (a == "--challenge-window-s") o.challenge_window_s = static_cast<int>(numArg(a, value(), 1, 600));
    else if (a == "--rows") o.rows = value();
    else usage(("unknown argument " + a).c_str());
  }
  return o;
}

// ---------------------------------------------------------------------------- measurements

double cpuSeconds(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Receive-buffer drops the kernel counted on UDP sockets bound to 127.0.0.1:`server_port` (the
// server) and on sockets whose local port is in `client_ports` and that are connected to it
// (the clients): the last column of /proc/net/udp. {-1,-1} if unreadable.
std::pair<long long, long long> udpDrops(uint16_t server_port, const std::set<uint16_t>& client_ports) {
  std::ifstream f("/proc/net/udp");
  if (!f) return {-1, -1};
  std::string line;
  std::getline(f, line);  // header
  long long server = 0, clients = 0;
  while (std::getline(f, line)) {
    std::istringstream in(line);
    std::string sl, local, remote, field, last;
    in >> sl >> local >> remote;
    while (in >> field) last = field;
    auto portOf = [](const std::string& a) {
      size_t c = a.find(':');
      return c == std::string::npos ? 0u : static_cast<unsigned>(std::strtoul(a.c_str() + c + 1, nullptr, 16));
    };
    long long drops = std::strtoll(last.c_str(), nullptr, 10);
    if (local == "0100007F:" + [&] {
          char b[8];
          std::snprintf(b, sizeof b, "%04X", server_port);
          return std::string(b);
        }())
      server += drops;
    else if (client_ports.count(static_cast<uint16_t>(portOf(local))) && portOf(remote) == server_port)
      clients += drops;
  }
  return {server, clients};
}

// ---------------------------------------------------------------------------------- JSON

struct Row {
  std::vector<std::pair<std::string, std::string>> fields;  // key -> JSON value, in order
  void add(const std::string& k, const std::string& json) { fields.emplace_back(k, json); }
  void addNum(const std::string& k, double v, int decimals = 0) { add(k, num(v, decimals)); }
  void addStr(const std::string& k, const std::string& v) { add(k, jsonString(v)); }
  void addBool(const std::string& k, bool v) { add(k, v ? "true" : "false"); }
  std::string json() const {
    std::string s = "{";
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i) s += ',';
      s += jsonString(fields[i].first);
      s += ':';
      s += fields[i].second;
    }
    return s + "}";
  }
};

// --------------------------------------------------------------------------- what is served

// A busy community server: 24 of 32 slots taken (20 players, 4 bots), 40 rules, tags, SourceTV.
// `logged_on` false is what a GameServer without a hub logon answers: no SteamID (EDF 0x10 not
// sent) and not secure. The player list and rules travel in A2S_PLAYER/A2S_RULES, not in INFO;
// they are set so the server holds what a real one holds (and re-encodes it, see README).
struct Served {
  ServerInfoResult info;
  std::vector<ServerPlayer> players;
  ServerRules rules;
};

Served benchServer(bool logged_on) {
  Served served;
  ServerInfoResult& s = served.info;
  s.protocol = 17;
  s.name = "Outpost Bench | 24/7 2Fort | Fast Respawn | outpost.example";
  s.map = "ctf_2fort";
  s.folder = "tf";
  s.game = "Team Fortress";
  s.app_id = kAppId;
  s.players = kPlayers + kBots;
  s.max_players = kMaxPlayers;
  s.bots = kBots;
  s.server_type = 'd';
  s.environment = 'l';
  s.password = false;
  s.secure = logged_on;
  s.version = "1.0.0.0";
  s.game_port = kGamePort;
  s.steam_id = logged_on ? kServerSteamId : 0;
  s.spectator_port = kSpectatorPort;
  s.spectator_name = "Outpost TV";
  s.keywords = "outpost,bench,ctf,alltalk,increased_maxplayers,nocrits,norespawntime,valve";
  s.game_id = a2s::gameIdForApp(kAppId);
  for (int i = 0; i < kPlayers; ++i)
    served.players.push_back({"Player " + std::to_string(i + 1), 10 * i, 60.0f * static_cast<float>(i + 1)});
  for (int b = 0; b < kBots; ++b) served.players.push_back({"Bot " + std::to_string(b + 1), 0, 0.0f});
  static const char* const kRuleNames[kRules] = {"coop",
                                                 "deathmatch",
                                                 "decalfrequency",
                                                 "mp_allowNPCs",
                                                 "mp_autocrosshair",
                                                 "mp_autoteambalance",
                                                 "mp_disable_respawn_times",
                                                 "mp_fadetoblack",
                                                 "mp_falldamage",
                                                 "mp_flashlight",
                                                 "mp_footsteps",
                                                 "mp_forcecamera",
                                                 "mp_forcerespawn",
                                                 "mp_fraglimit",
                                                 "mp_friendlyfire",
                                                 "mp_highlander",
                                                 "mp_holiday_nogifts",
                                                 "mp_match_end_at_timelimit",
                                                 "mp_maxrounds",
                                                 "mp_respawnwavetime",
                                                 "mp_scrambleteams_auto",
                                                 "mp_stalemate_enable",
                                                 "mp_stalemate_timelimit",
                                                 "mp_teamlist",
                                                 "mp_teamplay",
                                                 "mp_timelimit",
                                                 "mp_tournament",
                                                 "mp_weaponstay",
                                                 "mp_windifference",
                                                 "mp_winlimit",
                                                 "nextlevel",
                                                 "r_AirboatViewDampenDamp",
                                                 "sv_accelerate",
                                                 "sv_airaccelerate",
                                                 "sv_alltalk",
                                                 "sv_cheats",
                                                 "sv_contact",
                                                 "sv_footsteps",
                                                 "sv_gravity",
                                                 "tf_weapon_criticals"};
  for (int i = 0; i < kRules; ++i)
    served.rules[kRuleNames[i]] = i % 3 == 0 ? "0" : i % 3 == 1 ? "1" : "admin@outpost.example";
  return served;
}

// ------------------------------------------------------------------------------- servers

// The server of one row; destroying it stops its threads and closes its socket.
struct Server {
  std::unique_ptr<GameServer> game_server;               // the public SDK, shipped limits
  std::unique_ptr<server::A2sQuerySocket> query_socket;  // the internal responder, raised limits
  uint16_t port = 0;
  Served served;  // what it answers (its INFO reply must encode served.info)
  std::optional<server::A2sCounters> counters() const {
    if (query_socket) return query_socket->counters();
    return std::nullopt;  // GameServer does not expose its responder's counters
  }
};

// A UDP port on 127.0.0.1 that was free a moment ago (GameServer takes a port number, not 0).
uint16_t freePort() {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(kServerIp);
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  if (fd >= 0) ::close(fd);
  return port;
}

// A GameServer answering on its own query port with the shipped A2S limits, configured through
// the public API only. The AppID comes from the environment, as in the reference.
std::unique_ptr<Server> startGameServer(std::string* err) {
  auto s = std::make_unique<Server>();
  s->served = benchServer(false);
  ::setenv("OUTPOST_APP_ID", std::to_string(kAppId).c_str(), 1);
  for (int attempt = 0; attempt < 5 && !s->game_server; ++attempt) {
    uint16_t port = freePort();
    if (port == 0) continue;
    auto gs = std::make_unique<GameServer>();
    if (!gs->serverInit(ipString(kServerIp), kGamePort, port, SERVER_MODE_NO_AUTHENTICATION, s->served.info.version))
      continue;
    s->game_server = std::move(gs);
    s->port = port;
  }
  if (!s->game_server) {
    *err = "GameServer::serverInit failed 5 times (see its log lines above)";
    return nullptr;
  }
  GameServer& gs = *s->game_server;
  const ServerInfoResult& i = s->served.info;
  bool ok = gs.setModDir(i.folder) && gs.setGameDescription(i.game) && gs.setDedicatedServer(true) &&
            gs.setServerName(i.name) && gs.setMapName(i.map) && gs.setGameTags(i.keywords);
  gs.setMaxPlayerCount(i.max_players);
  gs.setBotPlayerCount(kBots);
  gs.setPasswordProtected(i.password);
  gs.setSpectatorPort(i.spectator_port);
  gs.setSpectatorServerName(i.spectator_name);
  for (const auto& [k, v] : s->served.rules) ok = ok && gs.setKeyValue(k, v);
  for (int p = 0; p < kPlayers; ++p) {
    uint64_t id = gs.createUnauthenticatedUserConnection();
    const ServerPlayer& player = s->served.players[p];
    ok = ok && gs.updateUserData(id, player.name, static_cast<uint32_t>(player.score));
  }
  if (!ok) {
    *err = "a GameServer setter refused a value";
    return nullptr;
  }
  return s;
}

// An A2sQuerySocket with every rate limit raised so that none can bite: the responder's own speed.
std::unique_ptr<Server> startQuerySocket(int challenge_window_s, std::string* err) {
  auto s = std::make_unique<Server>();
  s->served = benchServer(true);
  server::A2sQuerySocketOptions o;
  o.bind_address = ipString(kServerIp) + ":0";
  o.responder.challenge_window_us = base::TimeUs{challenge_window_s} * 1'000'000;
  o.responder.replies_per_sec_per_ip = 1e9;
  o.responder.reply_burst_per_ip = 1e9;
  o.responder.reply_bytes_per_sec_global = 1e12;
  o.responder.reply_burst_bytes_global = 1e12;
  o.responder.challenges_per_sec_global = 1e9;
  o.responder.challenge_burst_global = 1e9;
  s->query_socket = std::make_unique<server::A2sQuerySocket>(o);
  s->query_socket->update(s->served.info, s->served.players, s->served.rules);
  if (!s->query_socket->start(err)) return nullptr;
  s->port = s->query_socket->localAddress().port();
  return s;
}

// ------------------------------------------------------------------------------- clients

// FF FF FF FF 'T' "Source Engine Query\0": 25 bytes.
const std::vector<uint8_t> kInfoRequest = a2s::encodeRequest(a2s::kInfoRequest);

// One client socket: a source address and port, connected to the server, at most one request
// outstanding (so a reply is matched to its request without any id on the wire).
struct Sock {
  int fd = -1;
  uint32_t ip = 0;
  uint16_t port = 0;
  bool busy = false;
  uint64_t seq = 0;  // of the outstanding request
  Clock::time_point sent_at;
  bool has_challenge = false;
  std::array<uint8_t, 4> challenge{};
};

struct Clients {
  std::vector<Sock> socks;
  int epoll_fd = -1;
  Clients() = default;
  Clients(const Clients&) = delete;
  Clients& operator=(const Clients&) = delete;
  ~Clients() {
    for (auto& s : socks)
      if (s.fd >= 0) ::close(s.fd);
    if (epoll_fd >= 0) ::close(epoll_fd);
  }
  std::set<uint16_t> ports() const {
    std::set<uint16_t> p;
    for (const auto& s : socks) p.insert(s.port);
    return p;
  }
  std::set<uint32_t> ips() const {
    std::set<uint32_t> p;
    for (const auto& s : socks) p.insert(s.ip);
    return p;
  }
};

// `sources` addresses from `first_ip` on, `per_source` sockets each, all connected to
// 127.0.0.1:`server_port`, non-blocking, in one epoll set.
bool openClients(Clients& c, uint32_t first_ip, int sources, int per_source, uint16_t server_port, std::string* err) {
  c.epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (c.epoll_fd < 0) return *err = std::string("epoll_create1: ") + std::strerror(errno), false;
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_addr.s_addr = htonl(kServerIp);
  server.sin_port = htons(server_port);
  for (int i = 0; i < sources; ++i)
    for (int k = 0; k < per_source; ++k) {
      Sock s;
      s.ip = first_ip + static_cast<uint32_t>(i);
      s.fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (s.fd < 0) return *err = std::string("socket: ") + std::strerror(errno), false;
      c.socks.push_back(s);
      Sock& t = c.socks.back();
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(t.ip);
      socklen_t len = sizeof a;
      if (::bind(t.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
          ::getsockname(t.fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        return *err = "bind " + ipString(t.ip) + ":0: " + std::strerror(errno), false;
      t.port = ntohs(a.sin_port);
      if (::connect(t.fd, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0)
        return *err = std::string("connect: ") + std::strerror(errno), false;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u32 = static_cast<uint32_t>(c.socks.size() - 1);
      if (::epoll_ctl(c.epoll_fd, EPOLL_CTL_ADD, t.fd, &ev) != 0)
        return *err = std::string("epoll_ctl: ") + std::strerror(errno), false;
    }
  return true;
}

// ----------------------------------------------------------------------------- the loop

enum class Phase {
  kHandshake,      // unchallenged INFO until every socket holds a challenge (not timed)
  kInfo,           // challenged INFO for a fixed time; a fresh challenge in reply is taken and re-sent
  kChallengeOnly,  // unchallenged INFO for a fixed time; every reply must be the 9-byte challenge
};

struct PhaseResult {
  uint64_t sent = 0;
  uint64_t replies = 0;               // INFO replies (kInfo) or challenges (kChallengeOnly, kHandshake)
  uint64_t reply_bytes = 0;           // bytes of those replies
  uint64_t rechallenges = 0;          // kInfo: S2C_CHALLENGE instead of INFO (challenge expired/refused)
  uint64_t lost = 0;                  // unanswered after lost_after
  uint64_t late = 0;                  // replies that came after their request was counted lost
  double late_max_ms = 0;             // the latest of them, measured from its own request's send
  uint64_t bad = 0;                   // replies of the wrong type, size or content
  size_t max_unchallenged_reply = 0;  // largest reply to a request without a valid challenge
  size_t max_unchallenged_request = 0;
  std::string first_bad;
  std::vector<double> latency_us;
  double seconds = 0;
  bool complete = true;  // kHandshake: every socket got its challenge
};

std::string hexPrefix(const uint8_t* d, size_t n) {
  std::string s;
  char b[4];
  for (size_t i = 0; i < std::min<size_t>(n, 16); ++i) std::snprintf(b, sizeof b, "%02x", d[i]), s += b;
  return s + (n > 16 ? "..." : "");
}

// Runs one phase over every socket of `c`: at most `window` requests outstanding, each socket at
// most one; a request unanswered after `lost_after` is counted lost and its socket rests for
// kLateHorizon lost_after periods before it goes to the back of the idle queue, so that a late
// reply is counted against the request it answers (late) and not taken as the reply to the
// socket's next request. Timed phases send for `duration` and then wait for the outstanding
// requests (answered or lost); the handshake ends when every socket has a challenge or after
// `duration`. `expected_info` is the exact INFO reply.
PhaseResult runPhase(Clients& c, Phase phase, int window, std::chrono::milliseconds lost_after,
                     std::chrono::duration<double> duration, const std::vector<uint8_t>& expected_info) {
  PhaseResult r;
  std::deque<uint32_t> idle;
  for (uint32_t i = 0; i < c.socks.size(); ++i)
    if (phase != Phase::kHandshake || !c.socks[i].has_challenge) idle.push_back(i);
  size_t need = idle.size();  // kHandshake: sockets still without a challenge
  struct InFlight {
    uint32_t sock;
    uint64_t seq;
    Clock::time_point at;
  };
  std::deque<InFlight> inflight;  // send order, for the loss timeout
  struct Resting {
    uint32_t sock;
    Clock::time_point until;
  };
  std::deque<Resting> resting;  // sockets whose request was lost, in loss order
  constexpr int kLateHorizon = 10;
  int outstanding = 0;
  std::vector<epoll_event> events(std::min<size_t>(c.socks.size(), 1024));
  std::array<uint8_t, kRecvBytes> buf{};
  std::array<uint8_t, a2s::kInfoChallengedRequestBytes> req{};
  std::memcpy(req.data(), kInfoRequest.data(), kInfoRequest.size());
  if (phase != Phase::kHandshake) r.latency_us.reserve(1 << 20);

  const auto t0 = Clock::now();
  const auto end = t0 + std::chrono::duration_cast<Clock::duration>(duration);
  auto last_event = t0;
  while (true) {
    auto now = Clock::now();
    const bool sending = phase == Phase::kHandshake ? need > 0 && now < end : now < end;
    if (phase == Phase::kHandshake) {
      // Done when every socket holds a challenge and nothing is in flight any more (a late
      // challenge must not arrive in the timed phase); failed at the deadline.
      if (need == 0 && outstanding == 0) break;
      if (need > 0 && now >= end) {
        r.complete = false;
        break;
      }
    }
    // Loss timeouts, oldest first.
    while (!inflight.empty() && now - inflight.front().at >= lost_after) {
      InFlight f = inflight.front();
      inflight.pop_front();
      Sock& s = c.socks[f.sock];
      if (s.busy && s.seq == f.seq) {
        s.busy = false;
        --outstanding;
        ++r.lost;
        last_event = now;
        resting.push_back({f.sock, now + lost_after * kLateHorizon});
      }
    }
    while (!resting.empty() && (now >= resting.front().until || !sending)) {
      idle.push_back(resting.front().sock);
      resting.pop_front();
    }
    // Fill the window.
    while (sending && outstanding < window && !idle.empty()) {
      uint32_t i = idle.front();
      Sock& s = c.socks[i];
      size_t n = kInfoRequest.size();
      if (phase == Phase::kInfo) {
        std::memcpy(req.data() + kInfoRequest.size(), s.challenge.data(), 4);
        n = a2s::kInfoChallengedRequestBytes;
      }
      ssize_t sent = ::send(s.fd, req.data(), n, 0);
      if (sent != static_cast<ssize_t>(n)) break;  // socket buffer full (or an ICMP error): retry later
      idle.pop_front();
      s.busy = true;
      s.seq += 1;
      s.sent_at = Clock::now();
      inflight.push_back({i, s.seq, s.sent_at});
      ++outstanding;
      ++r.sent;
      if (phase != Phase::kInfo) r.max_unchallenged_request = std::max(r.max_unchallenged_request, n);
    }
    if (!sending && outstanding == 0) break;
    // Wait for replies, at most until the next loss timeout or the end of sending.
    int timeout_ms = 0;
    if (!(sending && outstanding < window && !idle.empty())) {
      auto until = inflight.empty() ? now + lost_after : inflight.front().at + lost_after;
      if (!resting.empty()) until = std::min(until, resting.front().until);
      if (sending) until = std::min(until, end);
      timeout_ms = static_cast<int>(
          std::clamp<long long>(std::chrono::ceil<std::chrono::milliseconds>(until - now).count(), 0, 100));
    }
    int ready = ::epoll_wait(c.epoll_fd, events.data(), static_cast<int>(events.size()), timeout_ms);
    for (int e = 0; e < ready; ++e) {
      uint32_t i = events[e].data.u32;
      Sock& s = c.socks[i];
      while (true) {
        ssize_t got = ::recv(s.fd, buf.data(), buf.size(), MSG_DONTWAIT | MSG_TRUNC);
        if (got < 0) break;  // EAGAIN, or an ICMP error queued from an earlier send
        auto at = Clock::now();
        last_event = at;
        size_t n = static_cast<size_t>(got);
        const uint8_t* d = buf.data();
        bool is_challenge = a2s::parseChallengeReply(std::span<const uint8_t>(d, n)).has_value();
        bool is_info = n == expected_info.size() && std::memcmp(d, expected_info.data(), n) == 0;
        bool good = phase == Phase::kInfo ? is_info || is_challenge : is_challenge;
        // A challenge answers a request without a valid challenge: it must be no larger than it.
        if (is_challenge || phase != Phase::kInfo) r.max_unchallenged_reply = std::max(r.max_unchallenged_reply, n);
        if (!good) {
          if (r.bad++ == 0) r.first_bad = std::to_string(n) + " bytes " + hexPrefix(d, n);
        } else if (is_challenge && phase == Phase::kInfo) {
          ++r.rechallenges;  // the server does not take our challenge (any more): use the new one
          std::memcpy(s.challenge.data(), d + 5, 4);
        } else {
          ++r.replies;
          r.reply_bytes += n;
          if (is_challenge && !s.has_challenge) {
            std::memcpy(s.challenge.data(), d + 5, 4);
            s.has_challenge = true;
            if (phase == Phase::kHandshake) --need;
          }
        }
        if (!s.busy) {
          // The reply to a request already counted lost (the socket rests until kLateHorizon).
          ++r.late;
          r.late_max_ms = std::max(r.late_max_ms, std::chrono::duration<double, std::milli>(at - s.sent_at).count());
          continue;
        }
        if (phase == Phase::kInfo ? is_info : phase == Phase::kChallengeOnly && is_challenge)
          r.latency_us.push_back(std::chrono::duration<double, std::micro>(at - s.sent_at).count());
        s.busy = false;
        --outstanding;
        if (phase != Phase::kHandshake || !s.has_challenge) idle.push_back(i);
      }
    }
  }
  r.seconds = std::chrono::duration<double>(last_event - t0).count();
  return r;
}

// Sends challenged INFO requests from `c`'s first socket (after its handshake) until the reply
// equals `expected` (the GameServer's service thread publishes its fields shortly after the
// setters), for at most 5 s. Returns an error, or "" when the expected reply came.
std::string waitForInfo(Clients& c, const std::vector<uint8_t>& expected) {
  auto deadline = Clock::now() + std::chrono::seconds(5);
  std::string last = "no reply";
  while (Clock::now() < deadline) {
    PhaseResult h =
        runPhase(c, Phase::kHandshake, 1, std::chrono::milliseconds(200), std::chrono::seconds(1), expected);
    if (!h.complete) continue;
    // One request, any reply accepted here: compare it ourselves to say what differs.
    Sock& s = c.socks[0];
    std::array<uint8_t, a2s::kInfoChallengedRequestBytes> req{};
    std::memcpy(req.data(), kInfoRequest.data(), kInfoRequest.size());
    std::memcpy(req.data() + kInfoRequest.size(), s.challenge.data(), 4);
    if (::send(s.fd, req.data(), req.size(), 0) != static_cast<ssize_t>(req.size())) continue;
    std::array<uint8_t, kRecvBytes> buf{};
    for (int waited = 0; waited < 200; ++waited) {
      ssize_t n = ::recv(s.fd, buf.data(), buf.size(), MSG_DONTWAIT);
      if (n < 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      if (static_cast<size_t>(n) == expected.size() && std::memcmp(buf.data(), expected.data(), expected.size()) == 0)
        return "";
      if (n == 9 && buf[4] == a2s::kChallengeReply) s.has_challenge = false;  // take a fresh one
      last = "INFO reply " + std::to_string(n) + " bytes " + hexPrefix(buf.data(), static_cast<size_t>(n)) +
             ", expected " + std::to_string(expected.size()) + " bytes " + hexPrefix(expected.data(), expected.size());
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return last;
}

// ------------------------------------------------------------------------------- rows

struct RowSpec {
  std::string name;
  bool shipped;  // GameServer (shipped limits) or A2sQuerySocket (raised)
  Phase phase;   // kInfo or kChallengeOnly
  int sources;
  int per_source;
  int window;
};

Row failedRow(const RowSpec& spec, const std::string& error) {
  Row r;
  r.addStr("workload", spec.name);
  r.addStr("server", spec.shipped ? "GameServer" : "A2sQuerySocket");
  r.add("replies_per_s", "null");
  r.addBool("ok", false);
  r.addStr("error", error);
  log("%s FAILED: %s", spec.name.c_str(), error.c_str());
  return r;
}

// The 1-minute load average (how busy the shared machine is while a row runs).
double loadAverage1m() {
  double l = NAN;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &l) != 1) l = NAN;
    std::fclose(f);
  }
  return l;
}

Row runRow(const Options& o, const RowSpec& spec) {
  log("%s: starting the %s", spec.name.c_str(),
      spec.shipped ? "GameServer (shipped limits)" : "A2sQuerySocket (limits raised)");
  std::string err;
  std::unique_ptr<Server> server = spec.shipped ? startGameServer(&err) : startQuerySocket(o.challenge_window_s, &err);
  if (!server) return failedRow(spec, err);
  const std::vector<uint8_t> expected = a2s::encodeInfoReply(server->served.info);

  // Readiness: a probe source of its own (so no row's source buckets are touched) until the
  // INFO reply is exactly the expected one.
  Clients probe;
  if (!openClients(probe, kProbeIp, 1, 1, server->port, &err)) return failedRow(spec, err);
  std::string ready = waitForInfo(probe, expected);
  if (!ready.empty()) return failedRow(spec, "the server's INFO reply is not the expected one: " + ready);

  Clients c;
  if (!openClients(c, kFirstSourceIp, spec.sources, spec.per_source, server->port, &err)) return failedRow(spec, err);
  const auto lost_after = std::chrono::milliseconds(o.lost_after_ms);
  PhaseResult hs;
  if (spec.phase == Phase::kInfo) {
    hs =
        runPhase(c, Phase::kHandshake, spec.window, std::chrono::milliseconds(200), std::chrono::seconds(10), expected);
    if (!hs.complete) return failedRow(spec, "challenge round-trip did not complete for every socket within 10 s");
    log("%s: %zu sockets hold a challenge (%llu requests)", spec.name.c_str(), c.socks.size(),
        static_cast<unsigned long long>(hs.sent));
  }

  auto counters0 = server->counters();
  auto drops0 = udpDrops(server->port, c.ports());
  double proc0 = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID), self0 = cpuSeconds(CLOCK_THREAD_CPUTIME_ID);
  PhaseResult m = runPhase(c, spec.phase, spec.window, lost_after, std::chrono::duration<double>(o.seconds), expected);
  double proc1 = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID), self1 = cpuSeconds(CLOCK_THREAD_CPUTIME_ID);
  auto drops1 = udpDrops(server->port, c.ports());
  auto counters1 = server->counters();
  const double client_cpu = self1 - self0, server_cpu = (proc1 - proc0) - client_cpu;

  const size_t reply_size = spec.phase == Phase::kInfo ? expected.size() : a2s::kChallengeReplyBytes;
  const size_t request_size = spec.phase == Phase::kInfo ? a2s::kInfoChallengedRequestBytes : a2s::kInfoRequestBytes;
  size_t max_unchallenged_reply = std::max(hs.max_unchallenged_reply, m.max_unchallenged_reply);
  size_t max_unchallenged_request = std::max(hs.max_unchallenged_request, m.max_unchallenged_request);
  if (max_unchallenged_request == 0) max_unchallenged_request = a2s::kInfoRequestBytes;
  // Every challenge is an answer to a request without a valid challenge; the smallest such
  // request we send is the 25-byte INFO, so that is what no such reply may exceed.
  const bool no_amplification = max_unchallenged_reply <= a2s::kInfoRequestBytes;

  // What the shipped limits allow over the timed phase (docs/spec/a2s.md §6): buckets start full.
  const server::A2sResponderOptions shipped;
  const double T = m.seconds;
  std::string bound_by = "none";
  double bound = NAN;
  if (spec.shipped && spec.phase == Phase::kInfo) {
    double per_ip =
        static_cast<double>(c.ips().size()) * (shipped.reply_burst_per_ip + shipped.replies_per_sec_per_ip * T);
    double global =
        std::floor((shipped.reply_burst_bytes_global + shipped.reply_bytes_per_sec_global * T) / double(reply_size));
    bound = std::min(per_ip, global);
    bound_by = per_ip <= global ? "per_ip" : "global_bytes";
  } else if (spec.shipped) {
    bound = shipped.challenge_burst_global + shipped.challenges_per_sec_global * T;
    bound_by = "challenge_global";
  }
  // Tolerance: one reply per source for the two clocks' reads.
  const bool within_bound =
      !std::isfinite(bound) || static_cast<double>(m.replies) <= bound + double(c.ips().size()) + 1;

  std::string error;
  if (m.bad) error = std::to_string(m.bad) + " wrong replies, first: " + m.first_bad;
  else if (hs.bad) error = std::to_string(hs.bad) + " wrong replies in the handshake, first: " + hs.first_bad;
  else if (!no_amplification) error = "a reply to an unchallenged request was larger than the request";
  else if (m.replies == 0) error = "no replies";
  else if (!within_bound) error = "more replies than the shipped limits allow";
  uint64_t server_dropped = 0;
  if (counters0 && counters1) {
    server_dropped = counters1->dropped() - counters0->dropped();
    if (error.empty() && server_dropped != 0)
      error = std::to_string(server_dropped) + " requests dropped by the responder although every limit is raised";
  }

  Row r;
  r.addStr("workload", spec.name);
  r.addStr("server", spec.shipped ? "GameServer" : "A2sQuerySocket");
  r.addStr("limits", spec.shipped ? "shipped" : "raised");
  r.addStr("request", spec.phase == Phase::kInfo ? "info_challenged" : "info_unchallenged");
  r.addNum("sources", static_cast<double>(c.ips().size()));
  r.addNum("sockets", static_cast<double>(c.socks.size()));
  r.addNum("window", spec.window);
  r.addNum("seconds", m.seconds, 4);
  r.addNum("requests_sent", static_cast<double>(m.sent));
  r.addNum("replies", static_cast<double>(m.replies));
  r.addNum("replies_per_s", static_cast<double>(m.replies) / m.seconds, 1);
  r.addNum("offered_per_s", static_cast<double>(m.sent) / m.seconds, 1);
  r.addNum("reply_bytes", static_cast<double>(m.reply_bytes));
  r.addNum("reply_size", static_cast<double>(reply_size));
  r.addNum("request_size", static_cast<double>(request_size));
  r.addNum("p50_us", percentile(m.latency_us, 50), 1);
  r.addNum("p99_us", percentile(m.latency_us, 99), 1);
  r.addNum("lost", static_cast<double>(m.lost));
  r.addNum("late_replies", static_cast<double>(m.late));
  r.addNum("late_reply_max_ms", m.late_max_ms, 2);
  r.addNum("rechallenges", static_cast<double>(m.rechallenges));
  r.addNum("server_cpu_s", server_cpu, 4);
  r.addNum("client_cpu_s", client_cpu, 4);
  // Of the machine's cores, how many this process had: near 2 on an idle 2-core machine when
  // both sides are saturated; well below when other work took the cores.
  r.addNum("cores_used", (proc1 - proc0) / m.seconds, 2);
  r.addNum("loadavg_1m", loadAverage1m(), 2);
  r.addNum("server_cpu_us_per_request", m.sent ? server_cpu * 1e6 / static_cast<double>(m.sent) : NAN, 2);
  r.addNum("max_unchallenged_reply_bytes", static_cast<double>(max_unchallenged_reply));
  r.addNum("unchallenged_request_bytes", static_cast<double>(max_unchallenged_request));
  r.addNum("limit_bound_replies", bound, 0);
  r.addStr("bound_by", bound_by);
  r.addNum("server_kernel_drops", drops0.first < 0 || drops1.first < 0 ? NAN : double(drops1.first - drops0.first));
  r.addNum("client_kernel_drops", drops0.second < 0 || drops1.second < 0 ? NAN : double(drops1.second - drops0.second));
  if (counters0 && counters1) {
    std::string cj = "{";
    auto a = counters0->toMap(), b = counters1->toMap();
    for (const auto& [k, v] : b)
      if (v != a[k]) cj += (cj.size() > 1 ? "," : "") + jsonString(k) + ":" + std::to_string(v - a[k]);
    r.add("responder_counters", cj + "}");
  } else {
    r.add("responder_counters", "null");
  }
  r.addBool("ok", error.empty());
  if (!error.empty()) r.addStr("error", error);
  log("%s: %.0f replies/s (%llu replies, %llu sent, %llu lost, %llu rechallenges) in %.3f s; p50 %.1f us, p99 %.1f us; "
      "server cpu %.3f s, client cpu %.3f s%s%s",
      spec.name.c_str(), static_cast<double>(m.replies) / m.seconds, static_cast<unsigned long long>(m.replies),
      static_cast<unsigned long long>(m.sent), static_cast<unsigned long long>(m.lost),
      static_cast<unsigned long long>(m.rechallenges), m.seconds, percentile(m.latency_us, 50),
      percentile(m.latency_us, 99), server_cpu, client_cpu, error.empty() ? "" : "; FAILED: ", error.c_str());
  return r;
}

std::string machineJson(const Options& o) {
  return "{" + machineFields() + ",\"quick\":" + (o.quick ? "true" : "false") + ",\"seconds\":" + num(o.seconds, 3) +
         ",\"lost_after_ms\":" + std::to_string(o.lost_after_ms) +
         ",\"challenge_window_s_raised_rows\":" + std::to_string(o.challenge_window_s) + "}";
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parseOptions(argc, argv);
  if (kInfoRequest.size() != a2s::kInfoRequestBytes) {
    log("internal error: the INFO request is %zu bytes, not %zu", kInfoRequest.size(), a2s::kInfoRequestBytes);
    return 1;
  }
  // Up to --sources sockets per row plus the server's: lift the soft descriptor limit.
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);
  }
  const std::vector<RowSpec> specs = {
      {"info_shipped_limits_1ip", true, Phase::kInfo, 1, o.sockets_1ip, std::min(o.window, o.sockets_1ip)},
      {"info_many_sources", true, Phase::kInfo, o.sources, 1, o.window},
      {"info_unthrottled", false, Phase::kInfo, o.sources, 1, o.window},
      {"challenge_only", true, Phase::kChallengeOnly, o.sources, 1, o.window},
      {"challenge_only_unthrottled", false, Phase::kChallengeOnly, o.sources, 1, o.window},
  };
  for (const std::string& name : [&] {
         std::vector<std::string> v;
         std::stringstream ss(o.rows);
         for (std::string x; std::getline(ss, x, ',');) v.push_back(x);
         return v;
       }())
    if (std::none_of(specs.begin(), specs.end(), [&](const RowSpec& s) { return s.name == name; }))
      usage(("unknown row " + name).c_str());

  std::string machine = machineJson(o);
  std::vector<Row> rows;
  for (const RowSpec& spec : specs)
    if (o.runs(spec.name)) rows.push_back(runRow(o, spec));

  std::string doc = "{\"benchmark\":\"a2s\",\"machine\":" + machine + ",\"rows\":[";
  for (size_t i = 0; i < rows.size(); ++i) doc += (i ? ",\n" : "\n") + rows[i].json();
  doc += "\n]}\n";
  std::fputs(doc.c_str(), stdout);
  std::fflush(stdout);
  bool ok = std::all_of(rows.begin(), rows.end(), [](const Row& r) {
    return std::any_of(r.fields.begin(), r.fields.end(),
                       [](const auto& f) { return f.first == "ok" && f.second == "true"; });
  });
  return ok ? 0 : 1;
}
