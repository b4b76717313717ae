// The consumer of the installed SDK (tests/consumer/run.sh): a dedicated server logs on to a real
// outpost-hub with a login token, a player logs on, gets a session ticket bound to that server,
// and the server has the hub validate it — the public API alone, as a game would use it.
//   consumer HUB_CONTACT TOKEN SERVER_STEAM_ID PLAYER_NAME    (the password in $CONSUMER_PASSWORD)
// Exit status 0 when every step did what it must, 1 otherwise (the failed step on stderr).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

#include <outpost/game_server.h>
#include <outpost/steam_id.h>
#include <outpost/user.h>

namespace {

constexpr uint32_t kAppId = 480;

int fail(const char* what) {
  std::fprintf(stderr, "consumer: %s\n", what);
  return 1;
}

// Runs the server's callbacks until `done` holds, for at most `limit`.
bool serveUntil(outpost::GameServer& server, const std::function<bool()>& done, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    server.run_callbacks();
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  const char* password = std::getenv("CONSUMER_PASSWORD");
  if (argc != 5 || password == nullptr) {
    std::fprintf(stderr,
                 "usage: consumer HUB_CONTACT TOKEN SERVER_STEAM_ID PLAYER_NAME (password in $CONSUMER_PASSWORD)\n");
    return 2;
  }
  const std::string hub = argv[1], token = argv[2], player = argv[4];
  const uint64_t expected_server_id = std::strtoull(argv[3], nullptr, 10);

  setenv("OUTPOST_APP_ID", std::to_string(kAppId).c_str(), 1);
  outpost::GameServer server;
  server.setHub(hub, "");
  if (!server.serverInit("127.0.0.1", 27015, 0, outpost::SERVER_MODE_AUTHENTICATION_AND_SECURE, "1.0.0.0"))
    return fail("serverInit failed");
  bool connected = false, refused = false;
  server.connect_server_connected([&] { connected = true; });
  server.connect_server_connect_failure([&](const outpost::ServerConnectFailure& f) { refused = !f.retrying; });
  server.logOn(token);
  if (!serveUntil(
          server, [&] { return connected || refused; }, std::chrono::seconds(20)) ||
      !connected)
    return fail("the game server did not log on to the hub");
  if (server.getSteamID() != expected_server_id || !outpost::steamid::isValid(server.getSteamID()))
    return fail("the game server's Steam ID is not the one its token was issued for");

  outpost::User user;
  user.setHub(hub, "");
  if (user.logOn(player, password, kAppId) != outpost::RESULT_OK) return fail("the player did not log on");
  outpost::AuthTicket ticket = user.getAuthSessionTicket(server.getSteamID());
  if (ticket.id == 0 || ticket.buffer.size() != ticket.size) return fail("no session ticket for the player");

  bool answered = false;
  outpost::ValidateAuthTicketResponse verdict;
  server.connect_validate_auth_ticket_response([&](const outpost::ValidateAuthTicketResponse& v) {
    verdict = v;
    answered = true;
  });
  if (server.beginAuthSession(ticket.buffer, user.getSteamID()) != outpost::BEGIN_AUTH_SESSION_RESULT_OK)
    return fail("the server refused the player's ticket offline");
  if (!serveUntil(
          server, [&] { return answered; }, std::chrono::seconds(20)))
    return fail("the hub did not answer for the player's ticket");
  if (verdict.auth_id != user.getSteamID() || verdict.response != outpost::AUTH_SESSION_RESPONSE_OK)
    return fail("the hub did not validate the player's ticket");

  std::printf("consumer: server %llu logged on; player %llu's ticket validated by the hub\n",
              static_cast<unsigned long long>(server.getSteamID()), static_cast<unsigned long long>(user.getSteamID()));
  server.endAuthSession(user.getSteamID());
  user.logOff();
  server.logOff();
  return 0;
}
