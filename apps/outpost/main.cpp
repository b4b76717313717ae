// outpost: the command-line tool. Subcommands: `servers` (a master server's list) and `query`
// (one server's A2S info, players and rules) in browse_command.cpp; `admin` (administer a hub) in
// admin_command.cpp; `demo`, here: two NetworkingSockets peers in this process exchange reliable
// and unreliable messages over real UDP on 127.0.0.1 and print their connection status. Thin
// main(): the logic is in the SDK.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "admin_command.h"
#include "base/settings.h"
#include "browse_command.h"
#include "outpost/networking_sockets.h"

namespace {

const char* stateName(int s) {
  switch (s) {
    case outpost::CONNECTION_STATE_NONE: return "none";
    case outpost::CONNECTION_STATE_CONNECTING: return "connecting";
    case outpost::CONNECTION_STATE_FINDING_ROUTE: return "finding route";
    case outpost::CONNECTION_STATE_CONNECTED: return "connected";
    case outpost::CONNECTION_STATE_CLOSED_BY_PEER: return "closed by peer";
    case outpost::CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY: return "problem detected locally";
    default: return "other";
  }
}

int demo(int seconds) {
  using namespace outpost;
  NetworkingSockets server;
  NetworkingSockets client;
  uint32_t listen = server.createListenSocketIP("127.0.0.1:0");
  if (!listen) {
    std::fprintf(stderr, "demo: cannot open a listen socket on 127.0.0.1\n");
    return 1;
  }
  std::string address = server.getListenSocketAddress(listen, true);
  std::printf("server listening on %s\n", address.c_str());

  uint32_t server_conn = 0;
  server.connect_network_connection_status_changed([&](const NetworkConnectionStatusChanged& s) {
    std::printf("[server] connection %u: %s -> %s (%s)\n", s.connect_handle, stateName(s.old_state),
                stateName(s.connection.connection_state), s.connection.remote_address.c_str());
    if (s.connection.connection_state == CONNECTION_STATE_CONNECTING) {
      server_conn = s.connect_handle;
      server.acceptConnection(s.connect_handle);
    }
    if (s.connection.connection_state == CONNECTION_STATE_CLOSED_BY_PEER)
      std::printf("[server]   peer closed: reason %d \"%s\"\n", s.connection.end_reason,
                  s.connection.end_debug.c_str());
  });
  bool connected = false;
  client.connect_network_connection_status_changed([&](const NetworkConnectionStatusChanged& s) {
    std::printf("[client] connection %u: %s -> %s\n", s.connect_handle, stateName(s.old_state),
                stateName(s.connection.connection_state));
    if (s.connection.connection_state == CONNECTION_STATE_CONNECTED) connected = true;
  });

  uint32_t conn = client.connectByIPAddress(address);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  int sent = 0, received = 0, echoed = 0;
  auto next_status = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline) {
    server.runNetworkingCallbacks();
    client.runNetworkingCallbacks();
    if (connected && sent < 1000) {
      std::string text = "hello #" + std::to_string(sent);
      client.sendMessageToConnection(conn, {reinterpret_cast<const uint8_t*>(text.data()), text.size()},
                                     NETWORKING_SEND_RELIABLE_NO_NAGLE);
      ++sent;
    }
    if (server_conn) {
      for (auto& m : server.receiveMessagesOnConnection(server_conn, 64)) {
        ++received;
        server.sendMessageToConnection(server_conn, m.payload, NETWORKING_SEND_RELIABLE);
      }
      server.flushMessagesOnConnection(server_conn);
    }
    echoed += static_cast<int>(client.receiveMessagesOnConnection(conn, 64).size());
    if (std::chrono::steady_clock::now() >= next_status && connected) {
      auto st = client.getConnectionRealTimeStatus(conn, 1);
      if (st.connection_status)
        std::printf("[client] sent %d, server got %d, echoed back %d, ping %d ms, send rate %d B/s\n", sent, received,
                    echoed, st.connection_status->ping, st.connection_status->send_rate);
      next_status = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    }
    if (echoed >= 1000) break;
    client.waitForActivity(10);
  }
  client.closeConnection(conn, 1000, "demo finished", true);
  for (int i = 0; i < 100; ++i) {
    server.runNetworkingCallbacks();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (server_conn) {
      auto info = server.getConnectionInfo(server_conn);
      if (info && info->connection_state == CONNECTION_STATE_CLOSED_BY_PEER) break;
    }
  }
  server.runNetworkingCallbacks();
  std::printf("demo: %d messages sent, %d received by the server, %d echoed back\n", sent, received, echoed);
  return echoed == 1000 ? 0 : 1;
}

void usage(FILE* to) {
  std::fprintf(to,
               "usage: outpost servers [--master IP:PORT] [--filter TEXT] ...   (outpost servers --help)\n"
               "       outpost query IP:PORT [--info] [--players] [--rules]    (outpost query --help)\n"
               "       outpost admin [options] COMMAND   (outpost admin --help for the commands)\n"
               "       outpost demo [--seconds N]   (N: 1..3600, default 10)\n"
               "       outpost --help\n"
               "  servers  list the game servers a master server knows, with each one's A2S info\n"
               "  query    print a game server's A2S info, players (with scores) and rules\n"
               "  admin    administer an outpost-hub: apps, users, login tokens, licences, groups, bans\n"
               "  demo     two peers on 127.0.0.1 exchange 1,000 encrypted messages and print their status\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    usage(stdout);
    return 0;
  }
  if (cmd == "admin") return runAdminCommand(argc - 1, argv + 1);
  if (cmd == "servers") return runServersCommand(argc - 1, argv + 1);
  if (cmd == "query") return runQueryCommand(argc - 1, argv + 1);
  if (cmd == "demo") {
    int seconds = 10;
    outpost::base::settings::Table flags;
    flags.integer("seconds", {{1, 3600}}, "seconds", "10", "", [&](int64_t v) { seconds = static_cast<int>(v); });
    std::vector<std::string> args(argv + 2, argv + argc);
    for (size_t i = 0; i < args.size();) {
      if (args[i] == "--help") {
        usage(stdout);
        return 0;
      }
      if (std::string why = flags.applyFlag(args, &i); !why.empty()) {
        std::fprintf(stderr, "outpost demo: %s\n", why.c_str());
        return 2;
      }
    }
    return demo(seconds);
  }
  std::fprintf(stderr, "outpost: unknown command \"%s\"\n", cmd.c_str());
  usage(stderr);
  return 2;
}
