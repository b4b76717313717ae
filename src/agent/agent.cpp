// The agent's loop: listen socket, connections, authentication, frames in and replies out
// (docs/spec/agent.md §1, §2, §4). One thread; poll() over at most 1 + max_pending_connections + 1
// descriptors. A connection's first frame is its hello; it is checked in this order, and the
// connection is closed (after an error reply where one can be written) when:
//   1. it does not arrive within hello_timeout_ms                            (refused.hello_timeout)
//   2. its length is over kMaxHelloBytes                                     (refused.hello_too_large)
//   3. it does not decode (JSON, or Godot Variant when it starts with 0x12)  (refused.bad_hello)
//   4. it is not {"hello": "outpost-agent", "secret": <64 hex>}              (refused.bad_hello)
//   5. the secret differs (constant-time comparison)                         (refused.wrong_secret)
// A connection arriving while a client is authenticated is closed at once (refused.busy); one
// arriving while max_pending_connections are waiting closes the oldest of them
// (refused.pending_evicted).
#include "agent/agent.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sodium.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "agent/dispatcher.h"
#include "agent/frame_reader.h"
#include "agent/godot_variant.h"
#include "agent/host.h"
#include "agent/json_codec.h"
#include "base/log.h"

namespace outpost::agent {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr uint8_t kGodotDictionaryHeader = 0x12;  // first byte of a Godot-encoded Dictionary

int64_t msUntil(SteadyClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t - SteadyClock::now()).count();
}

bool isHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

// "127.0.0.1:0", "[::1]:27020", ... into a loopback sockaddr. false with a reason otherwise.
bool parseLoopback(const std::string& text, sockaddr_storage* out, socklen_t* len, std::string* why) {
  std::string host, port;
  if (!text.empty() && text[0] == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      *why = "--listen: expected [v6]:port, got \"" + text + "\"";
      return false;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) {
      *why = "--listen: expected ip:port, got \"" + text + "\"";
      return false;
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p < 0 || p > 65535) {
    *why = "--listen: port must be 0..65535, got \"" + port + "\"";
    return false;
  }
  std::memset(out, 0, sizeof *out);
  in_addr a4{};
  in6_addr a6{};
  if (inet_pton(AF_INET, host.c_str(), &a4) == 1) {
    if ((ntohl(a4.s_addr) >> 24) != 127) {
      *why = "--listen: only loopback addresses (127.0.0.0/8, ::1) are allowed, got " + host;
      return false;
    }
    auto* s = reinterpret_cast<sockaddr_in*>(out);
    s->sin_family = AF_INET;
    s->sin_addr = a4;
    s->sin_port = htons(static_cast<uint16_t>(p));
    *len = sizeof(sockaddr_in);
    return true;
  }
  if (inet_pton(AF_INET6, host.c_str(), &a6) == 1) {
    if (!IN6_IS_ADDR_LOOPBACK(&a6)) {
      *why = "--listen: only loopback addresses (127.0.0.0/8, ::1) are allowed, got " + host;
      return false;
    }
    auto* s = reinterpret_cast<sockaddr_in6*>(out);
    s->sin6_family = AF_INET6;
    s->sin6_addr = a6;
    s->sin6_port = htons(static_cast<uint16_t>(p));
    *len = sizeof(sockaddr_in6);
    return true;
  }
  *why = "--listen: \"" + host + "\" is not an IP address";
  return false;
}

// Writes `text` to `path` with mode 0600: a new file next to it (O_EXCL, never through a
// symlink), renamed over `path` once complete, so a reader sees all of it or nothing.
bool writeSecretFile(const std::string& path, const std::string& text, std::string* why) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    *why = "--secret-file: cannot create " + tmp + ": " + std::strerror(errno);
    return false;
  }
  bool ok = ::fchmod(fd, 0600) == 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    *why = "--secret-file: cannot write " + path + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

void appendFrame(std::vector<uint8_t>& out, Encoding encoding, const Value& v) {
  const size_t at = out.size();
  out.resize(at + 4);
  if (encoding == Encoding::kGodot) encodeGodotVariant(v, out);
  else encodeJson(v, out);
  const uint32_t len = static_cast<uint32_t>(out.size() - at - 4);
  out[at] = static_cast<uint8_t>(len);
  out[at + 1] = static_cast<uint8_t>(len >> 8);
  out[at + 2] = static_cast<uint8_t>(len >> 16);
  out[at + 3] = static_cast<uint8_t>(len >> 24);
}

bool decodeFrame(Encoding encoding, std::span<const uint8_t> payload, Value* out, std::string* why) {
  return encoding == Encoding::kGodot ? decodeGodotVariant(payload, out, why) : decodeJson(payload, out, why);
}

}  // namespace

class AgentLoop {
 public:
  explicit AgentLoop(AgentOptions o) : options_(std::move(o)) {}
  ~AgentLoop() {
    for (auto& c : conns_) ::close(c.fd);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    if (wrote_secret_file_) ::unlink(options_.secret_file.c_str());
  }

  bool start(std::string* why);
  int run(const volatile std::sig_atomic_t* stop);
  std::map<std::string, uint64_t> allCounters() const {
    auto all = counters_;
    if (dispatcher_)
      for (const auto& [k, v] : dispatcher_->counters()) all[k] += v;
    return all;
  }

  uint16_t port_ = 0;
  std::string secret_;
  std::map<std::string, uint64_t> counters_;

 private:
  struct Conn {
    int fd = -1;
    bool authenticated = false;
    bool closing = false;  // close once `out` is written
    Encoding encoding = Encoding::kJson;
    SteadyClock::time_point hello_deadline;
    FrameReader reader{kMaxHelloBytes};
    std::vector<uint8_t> out;
    size_t out_sent = 0;
  };

  void accept();
  void readFrom(Conn& c);
  void onHello(Conn& c, std::span<const uint8_t> payload);
  void onRequest(Conn& c, std::span<const uint8_t> payload);
  void flush(Conn& c);
  bool parentGone();
  void count(const std::string& name) { ++counters_[name]; }
  size_t pendingOut(const Conn& c) const { return c.out.size() - c.out_sent; }

  AgentOptions options_;
  int listen_fd_ = -1;
  bool wrote_secret_file_ = false;
  std::vector<Conn> conns_;
  bool served_ = false;       // a client authenticated at some point
  bool client_gone_ = false;  // ... and has gone away
  std::unique_ptr<Host> host_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

bool AgentLoop::start(std::string* why) {
  if (options_.parent_pid < 0) {
    *why = "--parent-pid: must be a process id > 0";
    return false;
  }
  if (options_.parent_pid > 0) {
    // Ask the kernel for SIGTERM when our parent dies; then check it did not die before that.
    if (static_cast<int64_t>(::getppid()) == options_.parent_pid) ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (parentGone()) {
      *why = "--parent-pid: process " + std::to_string(options_.parent_pid) + " is not running";
      return false;
    }
  }
  if (options_.first_client_timeout_ms < 1 || options_.hello_timeout_ms < 1) {
    *why = "timeouts must be at least 1 ms";
    return false;
  }
  if (options_.max_frame_bytes < kMaxHelloBytes || options_.max_frame_bytes > (1u << 30)) {
    *why = "--max-frame-bytes: must be 1024..1073741824";
    return false;
  }
  if (!options_.secret_hex.empty()) {
    if (!isHex64(options_.secret_hex)) {
      *why = "OUTPOST_AGENT_SECRET: must be 64 hex characters (256 bits)";
      return false;
    }
    secret_ = options_.secret_hex;
    for (char& ch : secret_) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  } else {
    uint8_t raw[32];
    randombytes_buf(raw, sizeof raw);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    secret_ = hex;
    sodium_memzero(raw, sizeof raw);
  }
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  if (!parseLoopback(options_.listen, &addr, &addr_len, why)) return false;
  listen_fd_ = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  if (listen_fd_ < 0 || ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0 || ::listen(listen_fd_, 8) != 0) {
    *why = "--listen: cannot listen on " + options_.listen + ": " + std::strerror(errno);
    return false;
  }
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &bound_len);
  port_ = ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                           : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  if (!options_.secret_file.empty()) {
    std::string text = "outpost-agent " + std::to_string(kProtocolVersion) + "\nport=" + std::to_string(port_) +
                       "\nsecret=" + secret_ + "\npid=" + std::to_string(::getpid()) + "\n";
    if (!writeSecretFile(options_.secret_file, text, why)) return false;
    wrote_secret_file_ = true;
  }
  return true;
}

bool AgentLoop::parentGone() {
  if (options_.parent_pid <= 0) return false;
  return ::kill(static_cast<pid_t>(options_.parent_pid), 0) != 0 && errno == ESRCH;
}

int AgentLoop::run(const volatile std::sig_atomic_t* stop) {
  const auto first_client_deadline = SteadyClock::now() + std::chrono::milliseconds(options_.first_client_timeout_ms);
  auto next_parent_check = SteadyClock::now();
  std::vector<pollfd> fds;
  while (!(stop && *stop)) {
    const auto now = SteadyClock::now();
    if (client_gone_) return 0;
    if (!served_ && now >= first_client_deadline) {
      OUTPOST_LOG_WARN("outpost-agent: no client authenticated within %d ms; exiting",
                       options_.first_client_timeout_ms);
      return 1;
    }
    if (now >= next_parent_check) {
      if (parentGone()) {
        OUTPOST_LOG_WARN("outpost-agent: parent process %lld is gone; exiting",
                         static_cast<long long>(options_.parent_pid));
        return served_ ? 0 : 1;
      }
      next_parent_check = now + std::chrono::milliseconds(kParentCheckMs);
    }
    // Expire hellos that took too long.
    for (auto& c : conns_)
      if (!c.authenticated && !c.closing && now >= c.hello_deadline) {
        count("refused.hello_timeout");
        c.closing = true;
      }
    // Drop connections that are done.
    for (size_t i = 0; i < conns_.size();) {
      Conn& c = conns_[i];
      if (c.closing && pendingOut(c) == 0) {
        ::close(c.fd);
        if (c.authenticated) client_gone_ = true;
        conns_.erase(conns_.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
    if (client_gone_) return 0;

    int64_t timeout_ms =
        std::min<int64_t>(msUntil(next_parent_check), served_ ? kParentCheckMs : msUntil(first_client_deadline));
    for (const auto& c : conns_)
      if (!c.authenticated) timeout_ms = std::min<int64_t>(timeout_ms, msUntil(c.hello_deadline));
    fds.clear();
    fds.push_back({listen_fd_, POLLIN, 0});
    for (const auto& c : conns_) {
      short events = 0;
      if (!c.closing && pendingOut(c) < options_.max_output_bytes) events |= POLLIN;
      if (pendingOut(c) > 0) events |= POLLOUT;
      fds.push_back({c.fd, events, 0});
    }
    int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, timeout_ms)));
    if (n < 0) {
      if (errno == EINTR) continue;
      OUTPOST_LOG_ERROR("outpost-agent: poll: %s", std::strerror(errno));
      return 1;
    }
    // Connections first (fds[1..] match conns_ as they were when polled), then new ones.
    const size_t polled = fds.size() - 1;
    for (size_t i = 0; i < polled && i < conns_.size(); ++i) {
      Conn& c = conns_[i];
      const short re = fds[i + 1].revents;
      if (re & (POLLIN | POLLHUP | POLLERR)) readFrom(c);
      if (pendingOut(c) > 0) flush(c);
    }
    if (fds[0].revents & POLLIN) accept();
  }
  return 0;
}

void AgentLoop::accept() {
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    size_t pending = 0;
    bool busy = false;
    Conn* oldest = nullptr;
    for (auto& c : conns_) {
      if (c.authenticated) {
        busy = true;
      } else if (!c.closing) {
        ++pending;
        if (!oldest || c.hello_deadline < oldest->hello_deadline) oldest = &c;
      }
    }
    if (busy) {
      count("refused.busy");
      ::close(fd);
      continue;
    }
    // Full: the oldest waiting connection makes room. A real client says hello right after
    // connecting, so connections that only sit there (someone holding the slots) go first.
    if (pending >= options_.max_pending_connections && oldest) {
      count("refused.pending_evicted");
      oldest->closing = true;
      oldest->out.clear();
      oldest->out_sent = 0;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Conn c;
    c.fd = fd;
    c.hello_deadline = SteadyClock::now() + std::chrono::milliseconds(options_.hello_timeout_ms);
    conns_.push_back(std::move(c));
  }
}

void AgentLoop::readFrom(Conn& c) {
  uint8_t buf[65536];
  for (;;) {
    if (c.closing || pendingOut(c) >= options_.max_output_bytes) return;
    // Before authentication, never read past the hello's limit: a stranger's connection holds at
    // most kMaxHelloBytes + 4 bytes here.
    size_t want = sizeof buf;
    if (!c.authenticated) {
      const size_t cap = kMaxHelloBytes + 4;
      want = c.reader.bufferedBytes() >= cap ? 0 : std::min(want, cap - c.reader.bufferedBytes());
      if (want == 0) return;
    }
    ssize_t n = ::recv(c.fd, buf, want, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      c.closing = true;
      c.out.clear();  // nobody to write to
      c.out_sent = 0;
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    c.reader.append(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
    for (;;) {
      auto e = c.reader.next();
      if (e.kind == FrameReader::Event::kNone) break;
      if (e.kind == FrameReader::Event::kOversized) {
        if (!c.authenticated) {
          count("refused.hello_too_large");
          c.closing = true;
          return;
        }
        dispatcher_->count(std::string("refused.") + error_code::kFrameTooLarge);
        appendFrame(c.out, c.encoding,
                    errorReply(nullptr, error_code::kFrameTooLarge,
                               "a frame of " + std::to_string(e.declared_bytes) + " bytes is over the limit of " +
                                   std::to_string(c.reader.maxPayloadBytes()) + "; it was skipped"));
        continue;
      }
      if (c.authenticated) onRequest(c, e.payload);
      else onHello(c, e.payload);
      if (c.closing) return;
    }
    if (static_cast<size_t>(n) < want) return;
  }
}

void AgentLoop::onHello(Conn& c, std::span<const uint8_t> payload) {
  c.encoding = !payload.empty() && payload[0] == kGodotDictionaryHeader ? Encoding::kGodot : Encoding::kJson;
  Value hello;
  std::string why;
  auto refuse = [&](const char* counter, const std::string& message) {
    count(counter);
    appendFrame(c.out, c.encoding, errorReply(nullptr, error_code::kUnauthenticated, message));
    c.closing = true;
  };
  if (!decodeFrame(c.encoding, payload, &hello, &why))
    return refuse("refused.bad_hello", "the hello does not decode: " + why);
  Value id = hello.is_object() && hello.contains("id") ? hello["id"] : Value();
  if (!hello.is_object() || hello.value("hello", Value()) != "outpost-agent" || !hello.contains("secret") ||
      !hello["secret"].is_string())
    return refuse("refused.bad_hello", "the first frame must be {\"hello\": \"outpost-agent\", \"secret\": <64 hex>}");
  const std::string& secret = hello["secret"].get_ref<const std::string&>();
  if (secret.size() != secret_.size() || sodium_memcmp(secret.data(), secret_.data(), secret_.size()) != 0)
    return refuse("refused.wrong_secret", "wrong secret");
  c.authenticated = true;
  served_ = true;
  c.reader.setMaxPayloadBytes(options_.max_frame_bytes);
  host_ = std::make_unique<Host>();
  dispatcher_ = std::make_unique<Dispatcher>(*host_, c.encoding);
  count("clients_authenticated");
  // Anyone still waiting to authenticate is turned away: one client per agent.
  for (auto& other : conns_)
    if (&other != &c && !other.authenticated && !other.closing) {
      count("refused.busy");
      other.closing = true;
    }
  appendFrame(c.out, c.encoding,
              {{"id", id},
               {"result",
                {{"agent", "outpost-agent"},
                 {"protocol", kProtocolVersion},
                 {"encoding", c.encoding == Encoding::kGodot ? "godot" : "json"},
                 {"pid", ::getpid()},
                 {"max_frame_bytes", options_.max_frame_bytes},
                 {"calls", callNumbers()}}}});
}

void AgentLoop::onRequest(Conn& c, std::span<const uint8_t> payload) {
  Value request;
  std::string why;
  if (!decodeFrame(c.encoding, payload, &request, &why)) {
    dispatcher_->count(std::string("refused.") + error_code::kBadFrame);
    appendFrame(c.out, c.encoding,
                errorReply(nullptr, error_code::kBadFrame,
                           std::string(c.encoding == Encoding::kGodot ? "not a Godot Variant: " : "not JSON: ") + why));
    return;
  }
  // The length is written once the reply is (handleInto appends the payload).
  const size_t at = c.out.size();
  c.out.resize(at + 4);
  dispatcher_->handleInto(request, c.out);
  const uint32_t len = static_cast<uint32_t>(c.out.size() - at - 4);
  for (int i = 0; i < 4; ++i) c.out[at + i] = static_cast<uint8_t>(len >> (8 * i));
}

void AgentLoop::flush(Conn& c) {
  while (pendingOut(c) > 0) {
    ssize_t n = ::send(c.fd, c.out.data() + c.out_sent, pendingOut(c), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        c.closing = true;
        c.out.clear();
        c.out_sent = 0;
      }
      return;
    }
    c.out_sent += static_cast<size_t>(n);
  }
  c.out.clear();
  c.out_sent = 0;
}

Agent::Agent(AgentOptions options) : loop_(std::make_unique<AgentLoop>(std::move(options))) {}
Agent::~Agent() = default;
bool Agent::start(std::string* error) { return loop_->start(error); }
uint16_t Agent::port() const { return loop_->port_; }
const std::string& Agent::secretHex() const { return loop_->secret_; }
int Agent::run(const volatile std::sig_atomic_t* stop) { return loop_->run(stop); }
std::map<std::string, uint64_t> Agent::counters() const { return loop_->allCounters(); }

}  // namespace outpost::agent
