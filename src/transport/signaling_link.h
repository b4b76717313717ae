// SignalingLink: the mailbox between one NetworkingSockets instance and the hub session (a
// GameServer or a User, through certifyNetworkingSockets) that carries its P2P signal messages
// (docs/spec/signaling.md §1, §4). The instance posts encoded signals for the hub; the session
// sends each as an Envelope.p2p_signal and delivers the hub's p2p_signal messages back. The
// session also tells the instance whether it is logged on, as whom, and the hub's address (the
// P2P socket's STUN server).
//
// Either side may go away first, so neither calls into the other: each writes into the link under
// its mutex and the other takes what waits. Each side registers a wake function (an eventfd write,
// a condition variable) that is called, under the link's mutex, when mail arrives for it; it must
// not block or take other locks. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace outpost::transport {

class SignalingLink {
 public:
  static constexpr size_t kMaxQueued = 1024;  // per direction; more is dropped (and counted)

  struct Session {
    bool attached = false;
    bool logged_on = false;
    uint64_t steam_id = 0;
    uint32_t app_id = 0;
    std::string hub_address;  // "ip:port" of the hub's RPC (and STUN) port
    bool operator==(const Session& o) const {
      return attached == o.attached && logged_on == o.logged_on && steam_id == o.steam_id && app_id == o.app_id &&
             hub_address == o.hub_address;
    }
  };
  struct Mail {
    std::optional<Session> session;  // the latest state, when it changed
    std::vector<std::vector<uint8_t>> signals;
  };

  // ---- Session side (GameServer, User); any thread ----------------------------------------------
  void setSession(const Session& s);  // `attached` is set here
  void detachSession();
  void setSessionWake(std::function<void()> wake);
  std::vector<std::vector<uint8_t>> takeOutgoing();
  void deliver(std::vector<uint8_t> signal);

  // ---- Instance side ----------------------------------------------------------------------------
  void setWake(std::function<void()> wake);
  // false when the queue is full (the signal is dropped).
  bool post(std::vector<uint8_t> signal);
  Mail take();
  bool hasMail();
  uint64_t dropped();

 private:
  std::mutex mu_;
  std::function<void()> wake_, session_wake_;
  std::vector<std::vector<uint8_t>> outgoing_;
  Mail mail_;
  bool has_mail_ = false;
  uint64_t dropped_ = 0;
};

}  // namespace outpost::transport
