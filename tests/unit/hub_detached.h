// A Hub without sockets for unit tests of its request families: Hub::openDetached with a real
// SQLite store in a temporary data directory, a ManualHubClock the test moves, and a recording
// RpcLink (what the hub sent, what it closed; a send result the test may set per connection).
// call() delivers one request and polls until its answer is out (a user logon's answer waits for
// its password check on the hub's worker threads: bounded by a deadline, never a fixed sleep).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hub/hub.h"
#include "hubrpc/framing.h"
#include "outpost/types.h"

namespace outpost::test {

class RecordingLink final : public hub::RpcLink {
 public:
  struct Sent {
    uint32_t connection;
    hubrpc::Envelope envelope;
  };
  int32_t send(uint32_t connection, std::span<const uint8_t> bytes) override {
    auto it = send_result.find(connection);
    if (it != send_result.end() && it->second != RESULT_OK) return it->second;  // refused: not sent
    auto e = hubrpc::decode(bytes);
    EXPECT_TRUE(e.has_value()) << "the hub sent something that is not an Envelope";
    if (e) sent.push_back({connection, *e});
    return RESULT_OK;
  }
  void close(uint32_t connection, int, const char*) override { closed.insert(connection); }
  std::string remoteAddress(uint32_t connection) override { return "127.0.0.1:" + std::to_string(40000 + connection); }
  bool connected(uint32_t connection) override { return !closed.count(connection); }
  void trust(uint32_t connection) override { trusted.insert(connection); }

  std::vector<Sent> sent;
  std::set<uint32_t> closed, trusted;
  std::map<uint32_t, int32_t> send_result;  // what send() returns for a connection (default OK)
};

class DetachedHub : public ::testing::Test {
 protected:
  static constexpr int64_t kStartUnixS = 1800000000;  // 2027-01-15
  static constexpr uint32_t kApp = 480;

  // Tests adjust config before open().
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("outpost-hub-unit-" + std::to_string(getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    config.data_dir = (root_ / "data").string();
    config.master = "";
    config.clock = &clock;
  }
  void TearDown() override {
    hub.reset();
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  void open() {
    std::string error;
    hub = hub::Hub::openDetached(config, link, &error);
    ASSERT_TRUE(hub) << error;
  }

  // Delivers `request` from `connection` and returns the answer carrying its request id, or
  // nullopt if none came within the deadline (requests answered only when refused: nullopt).
  std::optional<hubrpc::Envelope> call(uint32_t connection, hubrpc::Envelope request, int deadline_ms = 0) {
    request.set_request_id(++next_request_id_);
    size_t before = link.sent.size();
    hub->deliver(connection, hubrpc::encode(request));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(deadline_ms);
    for (;;) {
      hub->poll(0);
      for (size_t i = before; i < link.sent.size(); ++i)
        if (link.sent[i].connection == connection && link.sent[i].envelope.request_id() == request.request_id())
          return link.sent[i].envelope;
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      usleep(2000);  // a password check is running on a worker thread
    }
  }

  hubrpc::AdminResponse admin(hubrpc::AdminRequest request) {
    request.set_admin_token(hub->adminTokenHex());
    hubrpc::Envelope e;
    *e.mutable_admin_request() = std::move(request);
    auto answer = call(kAdminConnection, e);
    EXPECT_TRUE(answer && answer->has_admin_response());
    return answer ? answer->admin_response() : hubrpc::AdminResponse();
  }
  // App 480 (anonymous servers may log on and be listed), user `name` with a licence for it.
  void provision(const std::string& name = "alice") {
    hubrpc::AdminRequest app;
    app.mutable_put_app()->set_app_id(kApp);
    app.mutable_put_app()->set_name("Spacewar");
    app.mutable_put_app()->mutable_anonymous()->set_logon(true);
    app.mutable_put_app()->mutable_anonymous()->set_listed(true);
    ASSERT_EQ(admin(app).result(), RESULT_OK);
    createUser(name);
  }
  void createUser(const std::string& name) {
    hubrpc::AdminRequest user;
    user.mutable_create_user()->set_name(name);
    user.mutable_create_user()->set_password(name + "-password");
    ASSERT_EQ(admin(user).result(), RESULT_OK);
    hubrpc::AdminRequest licence;
    licence.mutable_grant_licence()->set_user(name);
    licence.mutable_grant_licence()->set_app_id(kApp);
    ASSERT_EQ(admin(licence).result(), RESULT_OK);
  }
  std::string createToken(const std::string& owner) {
    hubrpc::AdminRequest t;
    t.mutable_create_token()->set_app_id(kApp);
    t.mutable_create_token()->set_owner(owner);
    auto r = admin(t);
    EXPECT_EQ(r.result(), RESULT_OK);
    return r.token();
  }

  hubrpc::ServerLogOnResult serverLogOn(uint32_t connection, const std::string& token = "") {
    hubrpc::Envelope e;
    auto* s = e.mutable_server_log_on();
    s->set_token(token);
    s->set_app_id(kApp);
    s->set_version("1.0.0.0");
    s->set_server_mode(3);
    s->set_game_port(27015);
    s->set_query_port(27016);
    auto answer = call(connection, e);
    EXPECT_TRUE(answer && answer->has_server_log_on_result());
    return answer ? answer->server_log_on_result() : hubrpc::ServerLogOnResult();
  }
  hubrpc::UserLogOnResult userLogOn(uint32_t connection, const std::string& name, const std::string& password) {
    hubrpc::Envelope e;
    e.mutable_user_log_on()->set_name(name);
    e.mutable_user_log_on()->set_password(password);
    e.mutable_user_log_on()->set_app_id(kApp);
    auto answer = call(connection, e, 60000);
    EXPECT_TRUE(answer && answer->has_user_log_on_result());
    return answer ? answer->user_log_on_result() : hubrpc::UserLogOnResult();
  }
  hubrpc::TicketResult ticket(uint32_t user_connection) {
    hubrpc::Envelope e;
    e.mutable_ticket_request();
    auto answer = call(user_connection, e);
    EXPECT_TRUE(answer && answer->has_ticket_result());
    return answer ? answer->ticket_result() : hubrpc::TicketResult();
  }
  int32_t validate(uint32_t server_connection, uint64_t user, const std::string& ticket_bytes) {
    hubrpc::Envelope e;
    e.mutable_validate_ticket()->set_steam_id(user);
    e.mutable_validate_ticket()->set_ticket(ticket_bytes);
    auto answer = call(server_connection, e);
    EXPECT_TRUE(answer && answer->has_auth_session_update());
    return answer ? answer->auth_session_update().response() : -1;
  }
  uint64_t counter(const std::string& name) {
    auto c = hub->counters();
    auto it = c.find(name);
    return it == c.end() ? 0 : it->second;
  }

  static constexpr uint32_t kAdminConnection = 1000;
  hub::ManualHubClock clock{kStartUnixS};
  hub::HubConfig config;
  RecordingLink link;
  std::unique_ptr<hub::Hub> hub;

 private:
  std::filesystem::path root_;
  uint64_t next_request_id_ = 0;
};

}  // namespace outpost::test
