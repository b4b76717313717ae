// An on-path attacker for the example game, as issue 9 describes it: it sits at another address
// (127.0.0.2, so the bot reaches it by following A2S through it) and
//  - DatagramRelay passes the server's A2S queries and replies through unchanged, so the bot
//    learns the real server's Steam ID and game port but connects to the attacker's address;
//  - MitmRelay terminates the bot's transport connection on its own NetworkingSockets, opens one of
//    its own to the real game server, and relays every message both ways: the Hello with the
//    player's session ticket to the server, the Welcome and game state back.
// Before certificates, this completed an authenticated session in each direction. Both run on
// threads of their own until destroyed.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "outpost/networking_sockets.h"

namespace outpost::test {

// Forwards UDP datagrams from `front` (ip, port) to `to_port` on 127.0.0.1, and the answers back
// to whoever sent the last datagram.
class DatagramRelay {
 public:
  DatagramRelay(const std::string& front_ip, uint16_t front_port, uint16_t to_port) : to_port_(to_port) {
    front_ = bindTo(front_ip, front_port);
    back_ = bindTo(front_ip, 0);
    thread_ = std::thread([this] { run(); });
  }
  ~DatagramRelay() {
    stop_ = true;
    thread_.join();
    ::close(front_);
    ::close(back_);
  }
  bool ok() const { return front_ >= 0 && back_ >= 0; }

 private:
  static int bindTo(const std::string& ip, uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  void run() {
    sockaddr_in client{};
    bool have_client = false;
    std::vector<uint8_t> buf(65536);
    while (!stop_) {
      pollfd p[2] = {{front_, POLLIN, 0}, {back_, POLLIN, 0}};
      if (::poll(p, 2, 10) <= 0) continue;
      if (p[0].revents & POLLIN) {
        socklen_t len = sizeof client;
        ssize_t n = ::recvfrom(front_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&client), &len);
        if (n > 0) {
          have_client = true;
          sockaddr_in server{};
          server.sin_family = AF_INET;
          server.sin_port = htons(to_port_);
          server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
          ::sendto(back_, buf.data(), static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&server), sizeof server);
        }
      }
      if (p[1].revents & POLLIN) {
        ssize_t n = ::recv(back_, buf.data(), buf.size(), 0);
        if (n > 0 && have_client)
          ::sendto(front_, buf.data(), static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&client), sizeof client);
      }
    }
  }
  int front_ = -1, back_ = -1;
  uint16_t to_port_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class MitmRelay {
 public:
  struct Leg {
    int state = CONNECTION_STATE_NONE;
    int end_reason = 0;
    std::string end_debug;
    uint64_t peer_identity = 0;
    bool peer_authenticated = false;
  };

  // Listens on `front` (accepting anyone) and relays each connection to `server`.
  MitmRelay(NetworkingSockets& net, const std::string& front, const std::string& server) : net_(net), server_(server) {
    net_.connect_network_connection_status_changed([this](const NetworkConnectionStatusChanged& s) { onStatus(s); });
    listen_ = net_.createListenSocketIP(front, {{NETWORKING_CONFIG_IP_ALLOW_WITHOUT_AUTH, int32_t{2}},
                                                {NETWORKING_CONFIG_IP_LOCAL_HOST_ALLOW_WITHOUT_AUTH, int32_t{2}}});
    thread_ = std::thread([this] { run(); });
  }
  ~MitmRelay() {
    stop_ = true;
    thread_.join();
    net_.closeListenSocket(listen_);
  }
  bool listening() const { return listen_ != 0; }
  // What happened to the first relayed connection on each side.
  Leg front() {
    std::lock_guard<std::mutex> l(mu_);
    return front_leg_;
  }
  Leg back() {
    std::lock_guard<std::mutex> l(mu_);
    return back_leg_;
  }
  int relayedToServer() const { return to_server_; }
  // Sends `bytes` to the server on the relay's own connection (an attacker using a ticket it
  // holds), once that connection is up.
  void sendToServer(const std::vector<uint8_t>& bytes) {
    std::lock_guard<std::mutex> l(mu_);
    inject_.push_back(bytes);
  }

 private:
  void onStatus(const NetworkConnectionStatusChanged& s) {
    std::lock_guard<std::mutex> l(mu_);
    const auto& c = s.connection;
    if (c.listen_socket == listen_ && c.connection_state == CONNECTION_STATE_CONNECTING &&
        s.old_state == CONNECTION_STATE_NONE) {
      net_.acceptConnection(s.connect_handle);
      uint32_t back =
          net_.connectByIPAddress(server_, {{NETWORKING_CONFIG_IP_ALLOW_WITHOUT_AUTH, int32_t{2}},
                                            {NETWORKING_CONFIG_IP_LOCAL_HOST_ALLOW_WITHOUT_AUTH, int32_t{2}}});
      partner_[s.connect_handle] = back;
      partner_[back] = s.connect_handle;
      if (!front_handle_) {
        front_handle_ = s.connect_handle;
        back_handle_ = back;
      }
    }
    auto record = [&](Leg& leg) {
      leg.state = c.connection_state;
      leg.end_reason = c.end_reason;
      leg.end_debug = c.end_debug;
      if (auto info = net_.getConnectionInfo(s.connect_handle)) {
        leg.peer_identity = info->identity;
        leg.peer_authenticated = !(info->info_flags & NETWORKING_CONNECTION_INFO_FLAG_UNAUTHENTICATED);
      }
    };
    if (s.connect_handle == front_handle_) record(front_leg_);
    if (s.connect_handle == back_handle_) record(back_leg_);
    if (c.connection_state == CONNECTION_STATE_CLOSED_BY_PEER ||
        c.connection_state == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY) {
      // The attacker keeps its other leg (it may still have a use for it); nothing more is relayed.
      auto p = partner_.find(s.connect_handle);
      if (p != partner_.end()) {
        partner_.erase(p->second);
        partner_.erase(p);
      }
    }
  }
  void run() {
    while (!stop_) {
      net_.runNetworkingCallbacks();
      {
        std::lock_guard<std::mutex> l(mu_);
        for (auto& [from, to] : partner_) {
          auto info = net_.getConnectionInfo(to);
          if (!info || info->connection_state != CONNECTION_STATE_CONNECTED) continue;
          for (auto& m : net_.receiveMessagesOnConnection(from, 32)) {
            net_.sendMessageToConnection(to, m.payload, NETWORKING_SEND_RELIABLE_NO_NAGLE);
            if (to == back_handle_) ++to_server_;
          }
        }
        if (back_handle_ && back_leg_.state == CONNECTION_STATE_CONNECTED) {
          for (auto& bytes : inject_)
            net_.sendMessageToConnection(back_handle_, bytes, NETWORKING_SEND_RELIABLE_NO_NAGLE);
          inject_.clear();
        }
      }
      net_.waitForActivity(5);
    }
  }

  NetworkingSockets& net_;
  std::string server_;
  uint32_t listen_ = 0;
  std::mutex mu_;
  std::map<uint32_t, uint32_t> partner_;
  uint32_t front_handle_ = 0, back_handle_ = 0;
  Leg front_leg_, back_leg_;
  std::vector<std::vector<uint8_t>> inject_;
  std::atomic<int> to_server_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace outpost::test
