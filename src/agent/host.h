// Host: the SDK objects one agent serves to its one client, created on first use, and the events
// their signals produce. "SteamServer" is a GameServer plus its own NetworkingSockets; "Steam" is a
// User, a ServerBrowser and another NetworkingSockets (docs/spec/agent.md §5). Each side's
// NetworkingSockets is certified by that side's hub session (certifyNetworkingSockets), so its
// connections authenticate as the game server or as the player once logged on. Signal handlers
// run only inside runCallbacks() (the SDK delivers them in run_callbacks / runNetworkingCallbacks,
// which only runCallbacks calls), so an event list is filled and emptied within one request:
// what the client receives in the reply of its run_callbacks is what the reference emits inside
// run_callbacks(). Events the agent makes itself (get_auth_session_ticket_response) wait for the
// next run_callbacks, at most kMaxQueuedEvents of them (older ones dropped and counted).
// Single-threaded: only the agent's loop thread touches a Host (the SDK objects are thread-safe
// and run their own service threads).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "agent/godot_variant.h"
#include "agent/value.h"
#include "outpost/game_server.h"
#include "outpost/networking_sockets.h"
#include "outpost/server_browser.h"
#include "outpost/user.h"

namespace outpost::agent {

class Host {
 public:
  Host();
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  GameServer& gameServer();
  NetworkingSockets& sockets(bool client_side);
  User& user();
  ServerBrowser& browser();
  // The reusable receive buffer of the message hot path (receive handlers, one call at a time).
  MessageBatch& messageBatch() { return batch_; }

  // Queues an event ["signal", args...] for the side's next run_callbacks.
  void queueEvent(bool client_side, Value event);
  // Runs the side's SDK callbacks (GameServer::run_callbacks and/or runNetworkingCallbacks) and
  // returns every event since the last call, in order: [["signal", args...], ...].
  Value runCallbacks(bool client_side, bool networking_only);
  uint64_t eventsDropped() const { return events_dropped_; }

  static constexpr size_t kMaxQueuedEvents = 1024;

 private:
  void attachGameServerSignals();
  void attachSocketSignals(NetworkingSockets& s, bool client_side);

  std::unique_ptr<GameServer> game_server_;
  std::unique_ptr<NetworkingSockets> sockets_[2];  // [0] server side, [1] client side
  std::unique_ptr<User> user_;
  std::unique_ptr<ServerBrowser> browser_;
  std::vector<Value> events_[2];
  uint64_t events_dropped_ = 0;
  MessageBatch batch_;
};

// SDK structs as the reference's dictionaries.
Value connectionInfoValue(const ConnectionInfo& info, bool with_info_flags);
Value messageValue(NetworkingMessage& message);  // moves the payload out
// The same message dictionary written straight as Godot Variant bytes (the receive hot path).
void writeMessage(GodotWriter& w, const MessageView& m);

}  // namespace outpost::agent
