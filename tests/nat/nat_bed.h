// NatBed: the NAT test bed's network namespaces (docs/spec/signaling.md; the facts it rests on are
// in shared/reference/nat-testbed.md). A "public" namespace with a bridge (the internet, where the
// hub runs), home routers doing nftables masquerade (endpoint-independent) or masquerade
// fully-random (symmetric) behind a home router's firewall (input and forward dropped unless
// established/related), and hosts behind them. Every namespace carries a prefix unique to this
// process and test, and the destructor deletes each one (RAII: also when an assertion fails), so
// parallel tests and leftovers of a killed run never collide. Needs root, iproute2 and nftables.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/spawn.h"

namespace outpost::test {

inline const char* kIp = "/usr/sbin/ip";
inline const char* kNft = "/usr/sbin/nft";

// Why the bed cannot run here ("" when it can).
inline std::string natBedUnavailable() {
  if (geteuid() != 0) return "the NAT test bed needs root (network namespaces, nftables); run scripts/test.sh as root";
  if (access(kIp, X_OK) != 0) return "iproute2 (/usr/sbin/ip) is not installed (scripts/setup.sh installs it)";
  if (access(kNft, X_OK) != 0) return "nftables (/usr/sbin/nft) is not installed (scripts/setup.sh installs it)";
  return "";
}

class NatBed {
 public:
  enum class Nat { kEndpointIndependent, kSymmetric };

  explicit NatBed(const std::string& test) {
    static int counter = 0;
    prefix_ = "op" + std::to_string(getpid()) + test + std::to_string(counter++) + "-";
  }
  ~NatBed() {
    for (auto it = namespaces_.rbegin(); it != namespaces_.rend(); ++it) runProcess({kIp, "netns", "del", *it}, 10);
    for (const auto& f : files_) std::filesystem::remove(f);
  }
  NatBed(const NatBed&) = delete;
  NatBed& operator=(const NatBed&) = delete;

  std::string ns(const std::string& name) const { return prefix_ + name; }
  const std::vector<std::string>& errors() const { return errors_; }
  bool ok() const { return errors_.empty(); }

  // ip -n <ns> <args...>
  void ip(const std::string& name, std::vector<std::string> args) {
    std::vector<std::string> argv = {kIp, "-n", ns(name)};
    argv.insert(argv.end(), args.begin(), args.end());
    run(argv);
  }
  void exec(const std::string& name, std::vector<std::string> args) {
    std::vector<std::string> argv = {kIp, "netns", "exec", ns(name)};
    argv.insert(argv.end(), args.begin(), args.end());
    run(argv);
  }

  void addNamespace(const std::string& name) {
    run({kIp, "netns", "add", ns(name)});
    namespaces_.push_back(ns(name));
    ip(name, {"link", "set", "lo", "up"});
    // Addresses usable at once (no duplicate address detection delay) on every interface.
    exec(name, {"/usr/sbin/sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"});
  }
  // The internet: a bridge in `pub` with the hub's addresses.
  void addPublic(const std::string& v4_cidr, const std::string& v6_cidr) {
    addNamespace("pub");
    ip("pub", {"link", "add", "br0", "type", "bridge"});
    ip("pub", {"addr", "add", v4_cidr, "dev", "br0"});
    if (!v6_cidr.empty()) ip("pub", {"addr", "add", v6_cidr, "dev", "br0", "nodad"});
    ip("pub", {"link", "set", "br0", "up"});
  }
  // A veth from `name`'s `ifname` to a port of `bridge_ns`'s bridge `bridge`.
  void plug(const std::string& name, const std::string& ifname, const std::string& bridge_ns,
            const std::string& bridge) {
    std::string port = "p" + std::to_string(ports_++);
    ip(name, {"link", "add", ifname, "type", "veth", "peer", "name", port, "netns", ns(bridge_ns)});
    ip(bridge_ns, {"link", "set", port, "master", bridge});
    ip(bridge_ns, {"link", "set", port, "up"});
    ip(name, {"link", "set", ifname, "up"});
  }
  // A home router: `wan` on the public bridge, a LAN bridge `lan` with `lan_cidr`, masquerade on
  // `wan` (fully-random for symmetric), and the home router's firewall.
  void addRouter(const std::string& name, const std::string& wan_cidr, const std::string& gateway,
                 const std::string& lan_cidr, Nat nat) {
    addNamespace(name);
    plug(name, "wan", "pub", "br0");
    ip(name, {"addr", "add", wan_cidr, "dev", "wan"});
    ip(name, {"route", "add", "default", "via", gateway});
    ip(name, {"link", "add", "lan", "type", "bridge"});
    ip(name, {"addr", "add", lan_cidr, "dev", "lan"});
    ip(name, {"link", "set", "lan", "up"});
    exec(name, {"/usr/sbin/sysctl", "-qw", "net.ipv4.ip_forward=1"});
    std::string rules =
        std::string("table ip nat {\n  chain postrouting {\n    type nat hook postrouting priority 100;\n") +
        "    oifname \"wan\" masquerade" + (nat == Nat::kSymmetric ? " fully-random" : "") + "\n  }\n}\n" +
        "table inet home {\n"
        "  chain input {\n    type filter hook input priority 0; policy drop;\n"
        "    ct state established,related accept\n    iifname \"lo\" accept\n    iifname \"lan\" accept\n  }\n"
        "  chain forward {\n    type filter hook forward priority 0; policy drop;\n"
        "    ct state established,related accept\n    iifname \"lan\" accept\n  }\n}\n";
    std::string file = "/tmp/" + ns(name) + ".nft";
    std::ofstream(file) << rules;
    files_.push_back(file);
    exec(name, {kNft, "-f", file});
  }
  // A host on `bridge` of `bridge_ns` (a router's "lan", or "pub"'s "br0").
  void addHost(const std::string& name, const std::string& bridge_ns, const std::string& bridge,
               const std::string& cidr, const std::string& gateway) {
    addNamespace(name);
    plug(name, "eth0", bridge_ns, bridge);
    bool v6 = cidr.find(':') != std::string::npos;
    if (v6) ip(name, {"addr", "add", cidr, "dev", "eth0", "nodad"});
    else ip(name, {"addr", "add", cidr, "dev", "eth0"});
    if (!gateway.empty()) ip(name, {v6 ? "-6" : "-4", "route", "add", "default", "via", gateway});
  }

 private:
  void run(const std::vector<std::string>& argv) {
    auto r = runProcess(argv, 20);
    if (r.exit_code != 0) {
      std::string cmd;
      for (const auto& a : argv) cmd += a + " ";
      errors_.push_back(cmd + "-> " + std::to_string(r.exit_code) + ": " + r.out);
    }
  }
  std::string prefix_;
  std::vector<std::string> namespaces_;
  std::vector<std::string> files_;
  std::vector<std::string> errors_;
  int ports_ = 0;
};

// A process started inside a namespace (support/spawn.h; setns in the child before exec), whose
// stdout is read line by line with deadlines; its stderr goes to /dev/null unless
// OUTPOST_NAT_VERBOSE is set. Killed (SIGKILL) and reaped by the destructor.
class NsProcess {
 public:
  NsProcess(const std::string& netns, const std::vector<std::string>& argv) {
    const std::string path = "/run/netns/" + netns;
    SpawnOptions o;
    o.argv = argv;
    o.out = Stream::kPipe;
    o.err = getenv("OUTPOST_NAT_VERBOSE") == nullptr ? Stream::kNull : Stream::kInherit;
    o.before_exec = [&path] {  // into the namespace (exit 126 if it cannot)
      int nfd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
      return nfd >= 0 && setns(nfd, CLONE_NEWNET) == 0;
    };
    Child c = spawn(o);
    pid_ = c.pid;
    fd_ = c.out_fd;
  }
  ~NsProcess() {
    if (pid_ > 0) stopChild(pid_, SIGKILL, 0);
    if (fd_ >= 0) close(fd_);
  }
  // The next line that starts with `prefix` (skipping others; all are kept in output()), or "" at
  // the deadline or end of output.
  std::string waitFor(const std::string& prefix, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      auto nl = buf_.find('\n');
      while (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        out_ += line + "\n";
        if (line.rfind(prefix, 0) == 0) return line;
        nl = buf_.find('\n');
      }
      int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
      if (left <= 0 || fd_ < 0) return "";
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, left) <= 0) continue;
      char b[4096];
      ssize_t n = read(fd_, b, sizeof b);
      if (n <= 0) return "";
      buf_.append(b, static_cast<size_t>(n));
    }
  }
  const std::string& output() const { return out_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string buf_, out_;
};

}  // namespace outpost::test
