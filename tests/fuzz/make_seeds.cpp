// Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/) from the real
// encoders, so each fuzzer starts from valid packets, payloads and stream operations rather than
// from nothing. Run once by hand after a wire format change:
//   ninja -C build fuzz_make_seeds && ./build/tests/fuzz_make_seeds tests/fuzz/corpus
// Deterministic: no randomness, so re-running produces the same files.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "a2s/reply.h"
#include "a2s/split.h"
#include "base/bytes.h"
#include "hub_rpc_records.h"
#include "hubrpc/framing.h"
#include "master/reply_page.h"
#include "support/sample_server.h"
#include "transport/frames.h"
#include "transport/wire.h"

using namespace outpost;
namespace fs = std::filesystem;
namespace frames = outpost::transport::frames;
namespace wire = outpost::transport::wire;

namespace {

fs::path g_root;
int g_written = 0;

void save(const std::string& target, const std::string& name, const std::vector<uint8_t>& bytes) {
  fs::path dir = g_root / target;
  fs::create_directories(dir);
  std::ofstream out(dir / ("seed_" + name), std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ++g_written;
}

template <size_t N>
std::array<uint8_t, N> pattern(uint8_t seed) {
  std::array<uint8_t, N> a{};
  for (size_t i = 0; i < N; ++i) a[i] = static_cast<uint8_t>(seed + 17 * i);
  return a;
}

std::vector<uint8_t> withSignature(std::vector<uint8_t> unsigned_part, size_t n) {
  unsigned_part.resize(n);
  auto sig = pattern<64>(0x99);
  unsigned_part.insert(unsigned_part.end(), sig.begin(), sig.end());
  return unsigned_part;
}

void handshakeSeeds() {
  const std::string t = "fuzz_handshake";
  {
    wire::Hello h;
    h.client_connection_id = 0x11223344;
    std::vector<uint8_t> b(wire::kHelloSize);
    wire::writeHello(h, b.data());
    save(t, "hello", b);
    b[1] = 2;
    save(t, "hello_bad_version", b);
    // The server's answer to that Hello, as a client of version 2 would receive it.
    std::vector<uint8_t> reply = {static_cast<uint8_t>(wire::PacketType::kVersionMismatch), 2, b[2], b[3], b[4], b[5]};
    save(t, "version_mismatch", reply);
  }
  {
    wire::Challenge c;
    c.client_connection_id = 0x11223344;
    c.cookie.window = 1000;
    c.cookie.mac = pattern<16>(1);
    std::vector<uint8_t> b(wire::kChallengeSize);
    wire::writeChallenge(c, b.data());
    save(t, "challenge", b);
  }
  for (size_t cert : {size_t{0}, size_t{40}}) {
    wire::Connect c;
    std::vector<uint8_t> certificate(cert, 0xC7);
    c.cipher_mask = 0x06;
    c.unencrypted_mode = 0;
    c.client_connection_id = 0x11223344;
    c.cookie.window = 1000;
    c.cookie.mac = pattern<16>(1);
    c.kx_public = pattern<32>(2);
    c.identity_public = pattern<32>(3);
    c.claimed_steam_id = 76561197960265729ull;
    c.certificate = certificate;
    std::vector<uint8_t> b(1024);
    size_t n = wire::writeConnectUnsigned(c, b.data(), b.size());
    save(t, cert ? "connect_cert" : "connect", withSignature(b, n));
  }
  for (bool rejected : {false, true}) {
    wire::Accept a;
    a.flags = rejected ? wire::kAcceptRejected : 0;
    a.cipher = 1;
    a.client_connection_id = 0x11223344;
    a.server_connection_id = rejected ? 0 : 0x55667788;
    a.kx_public = pattern<32>(4);
    a.identity_public = pattern<32>(5);
    a.claimed_steam_id = 90000000000000001ull;
    if (rejected) {
      a.reject_reason = 5003;
      a.reject_debug = "no free slots";
    }
    std::vector<uint8_t> b(1024);
    size_t n = wire::writeAcceptUnsigned(a, b.data(), b.size());
    save(t, rejected ? "accept_rejected" : "accept", withSignature(b, n));
  }
  {
    std::vector<uint8_t> b(wire::kDataHeaderSize + 24, 0xAB);
    wire::writeDataHeader({0x55667788, 0xFFFFFFF0}, b.data());
    save(t, "data", b);
  }
}

// A frames payload written by the frame writers.
class Payload {
 public:
  Payload() : buf_(2048), w_(buf_.data(), buf_.size()) {}
  base::ByteWriter& w() { return w_; }
  std::vector<uint8_t> bytes() const { return {buf_.begin(), buf_.begin() + static_cast<long>(w_.size())}; }

 private:
  std::vector<uint8_t> buf_;
  base::ByteWriter w_;
};

void framesSeeds() {
  const std::string t = "fuzz_frames";
  const std::vector<uint8_t> data = {'h', 'e', 'l', 'l', 'o', ' ', 'l', 'a', 'n', 'e'};
  {
    Payload p;
    frames::writePing(p.w());
    save(t, "ping", p.bytes());
  }
  {
    Payload p;
    std::vector<frames::AckRange> ranges;
    uint64_t next = 100000;
    for (int i = 0; i < 12; ++i) {
      ranges.push_back({next - static_cast<uint64_t>(i % 4), next});
      next -= static_cast<uint64_t>(i % 4) + 2 + static_cast<uint64_t>(i * 70);
    }
    frames::writeAck(p.w(), ranges, 2500, 1 << 20);
    save(t, "ack_ranges", p.bytes());
  }
  {
    Payload p;
    frames::writeReliable(p.w(), 0, 0, data);
    frames::writeReliable(p.w(), 3, 70000, data);
    save(t, "reliable", p.bytes());
  }
  {
    Payload p;
    frames::writeUnreliable(p.w(), 1, 5, 0, 10, data);
    frames::writeUnreliable(p.w(), 1, 6, 1200, 1210, data);
    save(t, "unreliable", p.bytes());
  }
  {
    Payload p;
    const char reason[] = "server shutting down";
    frames::writeClose(p.w(), 1000, {reinterpret_cast<const uint8_t*>(reason), sizeof reason - 1});
    save(t, "close", p.bytes());
  }
  {
    // What a data packet usually carries: an ACK, stream data and padding.
    Payload p;
    std::vector<frames::AckRange> ranges = {{90, 100}, {50, 80}, {1, 10}};
    frames::writeAck(p.w(), ranges, 100, 65536);
    frames::writeReliable(p.w(), 2, 4096, data);
    frames::writeUnreliable(p.w(), 2, 77, 0, 10, data);
    frames::writePing(p.w());
    p.w().zeros(16);  // padding
    save(t, "mixed_padded", p.bytes());

    // The same payload behind a data packet header.
    std::vector<uint8_t> packet(wire::kDataHeaderSize);
    wire::writeDataHeader({42, 7}, packet.data());
    auto payload = p.bytes();
    packet.insert(packet.end(), payload.begin(), payload.end());
    save(t, "data_packet", packet);
  }
}

// An input of fuzz_recv_stream: header, operations, stream bytes.
struct StreamInput {
  uint8_t mode = 0, max = 255, credit = 255;
  std::vector<std::array<uint8_t, 4>> ops;
  std::vector<uint8_t> stream;

  void insert(uint16_t offset, uint8_t len, uint8_t source = 0) {
    ops.push_back({static_cast<uint8_t>(offset), static_cast<uint8_t>(offset >> 8), len, source});
  }
  std::vector<uint8_t> bytes() const {
    std::vector<uint8_t> b = {mode, max, credit, static_cast<uint8_t>(ops.size())};
    for (const auto& op : ops) b.insert(b.end(), op.begin(), op.end());
    b.insert(b.end(), stream.begin(), stream.end());
    return b;
  }
};

std::vector<uint8_t> messageStream(int count) {
  std::vector<uint8_t> s;
  for (int i = 0; i < count; ++i) {
    uint8_t header[16];
    base::ByteWriter w(header, sizeof header);
    size_t size = static_cast<size_t>(i * 23 % 100);
    w.varint(1 + static_cast<uint64_t>(i % 2));
    w.varint(size);
    s.insert(s.end(), header, header + w.size());
    for (size_t k = 0; k < size; ++k) s.push_back(static_cast<uint8_t>(i + k));
  }
  return s;
}

void recvStreamSeeds() {
  const std::string t = "fuzz_recv_stream";
  auto stream = messageStream(12);
  auto segments = [&](StreamInput& in, bool reverse, int copies) {
    std::vector<uint16_t> offs;
    for (size_t off = 0; off < stream.size(); off += 40) offs.push_back(static_cast<uint16_t>(off));
    if (reverse) std::reverse(offs.begin(), offs.end());
    for (int c = 0; c < copies; ++c)
      for (uint16_t off : offs) in.insert(off, 40);
  };
  {
    StreamInput in;
    in.stream = stream;
    segments(in, false, 1);
    save(t, "in_order", in.bytes());
  }
  {
    StreamInput in;
    in.stream = stream;
    segments(in, true, 2);
    save(t, "reversed_duplicated", in.bytes());
  }
  {
    StreamInput in;
    in.stream = stream;
    in.credit = 1;  // a 128-byte window: later segments are refused until delivery catches up
    segments(in, false, 2);
    save(t, "small_window", in.bytes());
  }
  {
    StreamInput in;
    in.stream = stream;
    in.max = 4;  // 33-byte limit: a violation part way through
    segments(in, false, 1);
    save(t, "too_large", in.bytes());
  }
  {
    StreamInput in;
    in.mode = 4;  // tight buffers (an untrusted connection's): segments in reverse, twice
    in.stream = stream;
    segments(in, true, 2);
    save(t, "tight_reversed", in.bytes());
  }
  {
    StreamInput in;
    in.mode = 1 | 2;  // hostile, deliver at the end
    in.stream = stream;
    for (uint16_t i = 0; i < 8; ++i) in.insert(static_cast<uint16_t>(i * 30), 60, static_cast<uint8_t>(i * 37));
    save(t, "hostile_overlaps", in.bytes());
  }
}

// fuzz_a2s_reply: the sample server's real INFO, PLAYER and RULES replies (mode 0, header
// stripped), a challenge reply, a split fragment and a master page (mode 0, whole datagrams), and
// round-trip inputs (mode 1).
void a2sReplySeeds() {
  const std::string t = "fuzz_a2s_reply";
  const test::SampleServer s = test::sampleServer();
  auto mode0 = [](std::vector<uint8_t> message) {
    message.erase(message.begin(), message.begin() + 4);  // FF FF FF FF
    message.insert(message.begin(), 0);
    return message;
  };
  save(t, "info", mode0(a2s::encodeInfoReply(s.info)));
  save(t, "players", mode0(a2s::encodePlayerReply(s.players)));
  save(t, "rules", mode0(a2s::encodeRulesReply(s.rules)));
  auto datagram = [](const std::vector<uint8_t>& d) {
    std::vector<uint8_t> in = {0};
    in.insert(in.end(), d.begin(), d.end());
    return in;
  };
  save(t, "challenge", datagram(a2s::encodeChallengeReply({0x12, 0x34, 0x56, 0x78})));
  save(t, "split_fragment", datagram(a2s::encodeSplitFragment(a2s::encodeRulesReply(s.rules), 1, 5, 0, false)));
  const master::PageEntry listed[] = {{0x0A000001, 27015}};
  save(t, "master_page", datagram(master::encodeReplyPage(listed, true)));
  std::vector<uint8_t> trip = {1};
  for (int i = 0; i < 200; ++i) trip.push_back(static_cast<uint8_t>(i * 37 + 11));
  save(t, "round_trip", trip);
}

}  // namespace

// fuzz_hub_rpc: sessions that reach every request family (records from hub_rpc_records.h).
void hubRpcSeeds() {
  const std::string t = "fuzz_hub_rpc";
  using hubrpc::Envelope;
  uint32_t next_id = 1;
  auto rec = [&](std::vector<uint8_t>& out, uint8_t flags, Envelope e) {
    e.set_request_id(next_id++);
    auto bytes = hubrpc::encode(e);
    fuzz::appendRecord(out, flags, bytes);
  };
  auto serverLogOn = [](const std::string& token, uint32_t app) {
    Envelope e;
    auto* l = e.mutable_server_log_on();
    l->set_token(token);
    l->set_app_id(app);
    l->set_version("1.0.0.0");
    l->set_server_mode(3);
    l->set_game_port(27015);
    l->set_query_port(27016);
    l->set_product("spacewar");
    l->set_mod_dir("spacewar");
    l->set_description("Spacewar");
    return e;
  };
  const uint8_t user = 0, server = 1, fill = fuzz::kFillIn;
  {
    std::vector<uint8_t> b;
    const std::vector<uint8_t> garbage = {0xFF, 0xFF, 0xFF, 0xFF, 0x07};
    for (int i = 0; i < 9; ++i) fuzz::appendRecord(b, user, garbage);
    save(t, "malformed", b);
  }
  {
    // Each request from a connection that is not logged on, and bodies only the hub sends.
    std::vector<uint8_t> b;
    std::vector<Envelope> all(14);
    all[0].mutable_server_listing()->set_name("x");
    all[1].mutable_ticket_request();
    all[2].mutable_cancel_ticket()->set_ticket_id(1);
    all[3].mutable_validate_ticket()->set_steam_id(76561197960265729ull);
    all[4].mutable_end_auth_session()->set_steam_id(76561197960265729ull);
    all[5].mutable_resume_auth_session()->set_steam_id(76561197960265729ull);
    all[6].mutable_group_status_request()->set_group_id(1);
    all[7].mutable_associate_clan()->set_clan_id(1);
    all[8].mutable_player_compat_request()->set_steam_id(76561197960265729ull);
    all[9].mutable_gameplay_stats_request();
    all[10].mutable_admin_request()->mutable_status();
    all[11].mutable_ticket_result()->set_result(1);
    all[12].mutable_server_logged_off();
    for (auto& e : all) rec(b, user, e);
    save(t, "not_logged_on", b);
  }
  {
    // A token server (filled-in token), listed, with its own tickets, statistics and a clan.
    std::vector<uint8_t> b;
    rec(b, server | fill, serverLogOn("fuzz", 480));
    Envelope l;
    auto* x = l.mutable_server_listing();
    x->set_advertise(true);
    x->set_name("Fuzz server");
    x->set_map("de_dust");
    x->set_max_players(16);
    x->set_tags("a,b");
    x->set_os("l");
    rec(b, server, l);
    Envelope t1;
    t1.mutable_ticket_request()->set_recipient("steamid:76561197960265730");
    rec(b, server, t1);
    Envelope c;
    c.mutable_cancel_ticket()->set_ticket_id(42);
    rec(b, server, c);
    Envelope g;
    g.mutable_gameplay_stats_request();
    rec(b, server, g);
    Envelope a;
    a.mutable_associate_clan()->set_clan_id(103582791429521409ull);
    rec(b, server, a);
    rec(b, 2, serverLogOn("", 730));             // anonymous, another app
    rec(b, 3 | fill, serverLogOn("fuzz", 480));  // the same token again: the first session is replaced
    save(t, "server_session", b);
  }
  {
    // A player logs on, takes a ticket; a server validates it (filled in), asks about her, ends.
    std::vector<uint8_t> b;
    Envelope logon;
    logon.mutable_user_log_on()->set_name("alice");
    logon.mutable_user_log_on()->set_password("alice-password");
    logon.mutable_user_log_on()->set_app_id(480);
    rec(b, user, logon);
    Envelope tr;
    tr.mutable_ticket_request();
    rec(b, user, tr);
    rec(b, server | fill, serverLogOn("fuzz", 480));
    Envelope v;
    v.mutable_validate_ticket();
    rec(b, server | fill, v);
    Envelope gs;
    gs.mutable_group_status_request()->set_steam_id(76561197960265730ull);
    gs.mutable_group_status_request()->set_group_id(1);
    rec(b, server, gs);
    Envelope pc;
    pc.mutable_player_compat_request()->set_steam_id(76561197960265730ull);
    rec(b, server, pc);
    Envelope r;
    r.mutable_resume_auth_session();
    rec(b, server | fill, r);
    Envelope again;
    again.mutable_validate_ticket();
    rec(b, 2 | fill, again);  // another connection, not a server: AuthTicketInvalid
    Envelope end;
    end.mutable_end_auth_session()->set_steam_id(76561197960265730ull);
    rec(b, server, end);
    Envelope cancel;
    cancel.mutable_cancel_ticket()->set_ticket_id(7);
    rec(b, user, cancel);
    save(t, "player_session", b);
  }
  {
    // Administration with the filled-in token: revocation paths while a server is on.
    std::vector<uint8_t> b;
    rec(b, server | fill, serverLogOn("fuzz", 480));
    auto adminOp = [&](auto set) {
      Envelope e;
      e.mutable_admin_request()->set_admin_token("fuzz");
      set(e.mutable_admin_request());
      rec(b, user | fill, e);
    };
    adminOp([](hubrpc::AdminRequest* a) { a->mutable_list_servers(); });
    adminOp([](hubrpc::AdminRequest* a) {
      a->mutable_ban()->set_user("owner");
      a->mutable_ban()->set_app_id(480);
    });
    adminOp([](hubrpc::AdminRequest* a) {
      a->mutable_unban()->set_user("owner");
      a->mutable_unban()->set_app_id(480);
    });
    adminOp([](hubrpc::AdminRequest* a) { a->set_revoke_token(1); });
    adminOp([](hubrpc::AdminRequest* a) {
      a->mutable_put_app()->set_app_id(480);
      a->mutable_put_app()->set_name("Spacewar");
      a->mutable_put_app()->mutable_anonymous();  // none
    });
    adminOp([](hubrpc::AdminRequest* a) { a->set_delete_app(730); });
    adminOp([](hubrpc::AdminRequest* a) { a->mutable_status(); });
    save(t, "admin_revocation", b);
  }
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus-root>   (tests/fuzz/corpus)\n", argv[0]);
    return 1;
  }
  g_root = argv[1];
  handshakeSeeds();
  framesSeeds();
  recvStreamSeeds();
  a2sReplySeeds();
  hubRpcSeeds();
  std::printf("wrote %d seed files under %s\n", g_written, g_root.c_str());
  return 0;
}
