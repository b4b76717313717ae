// outpost::User (see include/outpost/user.h): one pinned hub connection per logged-on user,
// blocking requests over it. The hub notices a logoff when the connection closes and tells the
// game servers holding this user's sessions. Once a NetworkingSockets instance is certified
// (certifyNetworkingSockets), a small service thread passes its certificate requests to the hub
// and the hub's revocation pushes to it (docs/spec/cert.md §7, §9).
#include "outpost/user.h"

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>

#include "base/log.h"
#include "crypto/crypto.h"
#include "hubrpc/hub_client.h"
#include "hubrpc/hub_contact.h"
#include "hubrpc/signal_pump.h"
#include "outpost/steam_id.h"
#include "ticket/ticket.h"
#include "transport/certificate_link.h"

namespace outpost::client {

namespace {
constexpr int kTimeoutMs = 10000;
}

class UserImpl {
 public:
  std::mutex mu;
  std::string hub_address, hub_key;
  std::string hub_error;        // why the configured hub is unusable ("" = fine)
  bool allow_unpinned = false;  // allowUnpinnedHub / OUTPOST_HUB_ALLOW_UNPINNED=1
  void configureHub(const std::string& address_or_contact, const std::string& key_hex) {
    auto hub = hubrpc::resolveHub(address_or_contact, key_hex, &hub_error);
    hub_address = hub ? hub->address : address_or_contact;
    hub_key = hub ? hub->key_hex : "";
    if (hub) hub_error.clear();
  }
  std::shared_ptr<hubrpc::HubClient> client;  // shared: the service thread waits on it unlocked
  uint64_t steam_id = 0;
  uint32_t app_id = 0;
  uint32_t next_handle = 1;
  std::map<uint32_t, uint64_t> tickets;  // handle -> ticket id

  // Certificates and P2P signaling of the NetworkingSockets instance this user certifies
  // (certifyNetworkingSockets): one service thread carries both.
  std::shared_ptr<transport::CertificateLink> link;
  hubrpc::SignalPump pump;
  std::thread cert_thread;
  std::condition_variable cert_cv;
  std::atomic<bool> pump_wake{false};
  bool stop = false;

  // What the links should know of this session (mu held).
  void publish() {
    pump.publish(client && steam_id != 0, steam_id, app_id, hub_address);
    if (!link) return;
    transport::CertificateLink::Session s;
    s.logged_on = client && steam_id != 0;
    s.steam_id = steam_id;
    s.app_id = app_id;
    cert::PublicKey key{};
    if (crypto::fromHex(hub_key, key)) s.pinned_hub_keys.push_back(key);
    link->setSession(s);
  }
  // Revocations the hub pushes reach the certified instance (mu held: called from the client).
  void onPush(const hubrpc::Envelope& e) {
    if (pump.onEnvelope(e)) return;  // a P2P signal for the certified instance
    if (!e.has_certificate_revocations() || !link) return;
    std::vector<cert::Revocation> r;
    for (const auto& v : e.certificate_revocations().revocations())
      r.push_back({v.steam_id(), v.app_id(), v.revoked_at()});
    link->revoked(std::move(r));
  }
  // The service thread: certificate requests and P2P signals to the hub, pushes from it. The hub's
  // pushes wake it at once (it waits on the hub connection, unlocked); the instance's signals
  // within 1 ms.
  void serveCertificates() {
    std::unique_lock<std::mutex> l(mu);
    while (!stop) {
      pump_wake = false;
      std::shared_ptr<hubrpc::HubClient> c = client;
      if (!c) {
        cert_cv.wait_for(l, std::chrono::milliseconds(5), [this] { return pump_wake || stop; });
        continue;
      }
      c->pollPushes();
      pump.publish(steam_id != 0, steam_id, app_id, hub_address);
      for (const auto& e : pump.take()) c->send(e);
      auto req = link && steam_id ? link->takeRequest() : std::nullopt;
      if (!req) {
        l.unlock();
        if (!pump_wake) c->waitForActivity(1);
        l.lock();
        continue;
      }
      hubrpc::Envelope e;
      e.mutable_identity_certificate_request()->set_request(req->data(), req->size());
      std::string error;
      auto resp = c->call(e, 10000, &error);
      transport::CertificateLink::Grant g;
      if (!resp || !resp->has_identity_certificate_result()) {
        g.result = RESULT_NO_CONNECTION;
        g.error = error.empty() ? "no answer" : error;
      } else {
        const auto& r = resp->identity_certificate_result();
        g.result = r.result();
        g.error = r.error();
        g.certificate.assign(r.certificate().begin(), r.certificate().end());
        for (const auto& k : r.ca_keys()) {
          cert::PublicKey key{};
          if (k.size() != key.size()) continue;
          std::copy(k.begin(), k.end(), key.begin());
          g.ca_keys.push_back(key);
        }
        for (const auto& v : r.revocations()) g.revocations.push_back({v.steam_id(), v.app_id(), v.revoked_at()});
      }
      link->deliver(std::move(g));
    }
  }
  void stopCertificates() {
    {
      std::lock_guard<std::mutex> l(mu);
      stop = true;
      if (link) link->detachSession();
      pump.detach();
    }
    cert_cv.notify_all();
    if (cert_thread.joinable()) cert_thread.join();
  }
};

}  // namespace outpost::client

namespace outpost {

using client::kTimeoutMs;
using client::UserImpl;

User::User() : impl_(std::make_unique<UserImpl>()) {
  const char* a = std::getenv("OUTPOST_HUB");
  const char* k = std::getenv("OUTPOST_HUB_KEY");
  impl_->configureHub(a ? a : "", k ? k : "");
  impl_->allow_unpinned = hubrpc::unpinnedHubAllowedByEnvironment();
}

User::~User() {
  logOff();
  impl_->stopCertificates();
}

void User::certifyNetworkingSockets(NetworkingSockets& net) {
  std::lock_guard<std::mutex> l(impl_->mu);
  if (impl_->link) impl_->link->detachSession();
  impl_->link = net.certificateLink();
  UserImpl* impl = impl_.get();
  // The wake runs under the link's mutex on the instance's thread: it only flags and notifies.
  impl->pump.attach(net.signalingLink(), [impl] {
    impl->pump_wake = true;
    impl->cert_cv.notify_all();
  });
  impl_->publish();
  if (!impl_->cert_thread.joinable())
    impl_->cert_thread = std::thread([impl = impl_.get()] { impl->serveCertificates(); });
}

void User::setHub(const std::string& address, const std::string& key) {
  std::lock_guard<std::mutex> l(impl_->mu);
  impl_->configureHub(address, key);
}

void User::allowUnpinnedHub(bool allow) {
  std::lock_guard<std::mutex> l(impl_->mu);
  impl_->allow_unpinned = allow;
}

int User::logOn(const std::string& name, const std::string& password, uint32_t app_id) {
  std::lock_guard<std::mutex> l(impl_->mu);
  if (!impl_->hub_error.empty()) {
    OUTPOST_LOG_WARN("User::logOn: the hub setting is unusable: %s", impl_->hub_error.c_str());
    return RESULT_NO_CONNECTION;
  }
  if (impl_->hub_address.empty()) {
    OUTPOST_LOG_WARN("User::logOn: no hub configured (OUTPOST_HUB)");
    return RESULT_NO_CONNECTION;
  }
  auto client = std::make_unique<hubrpc::HubClient>();
  client->allowUnpinned(impl_->allow_unpinned);
  std::string error;
  if (!client->connect(impl_->hub_address, impl_->hub_key, kTimeoutMs, &error)) {
    OUTPOST_LOG_WARN("User::logOn: %s", error.c_str());
    return RESULT_NO_CONNECTION;
  }
  hubrpc::Envelope req;
  auto* u = req.mutable_user_log_on();
  u->set_name(name);
  u->set_password(password);
  u->set_app_id(app_id);
  auto resp = client->call(req, kTimeoutMs, &error);
  if (!resp || !resp->has_user_log_on_result()) {
    OUTPOST_LOG_WARN("User::logOn: %s", error.c_str());
    return RESULT_NO_CONNECTION;
  }
  const auto& r = resp->user_log_on_result();
  if (r.result() != RESULT_OK) return r.result();
  impl_->steam_id = r.steam_id();
  impl_->app_id = app_id;
  impl_->client = std::move(client);
  impl_->client->setPushHandler([impl = impl_.get()](const hubrpc::Envelope& e) { impl->onPush(e); });
  impl_->publish();
  return RESULT_OK;
}

void User::logOff() {
  std::lock_guard<std::mutex> l(impl_->mu);
  if (impl_->client) impl_->client->close();
  impl_->client.reset();
  impl_->steam_id = 0;
  impl_->tickets.clear();
  impl_->publish();
}

bool User::loggedOn() {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->client && impl_->client->connected();
}

uint64_t User::getSteamID() {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->steam_id;
}

AuthTicket User::getAuthSessionTicket(const std::string& identity) {
  std::lock_guard<std::mutex> l(impl_->mu);
  AuthTicket t;
  if (!impl_->client) {
    OUTPOST_LOG_WARN("getAuthSessionTicket: log on first");
    t.result = RESULT_NOT_LOGGED_ON;
    return t;
  }
  hubrpc::Envelope req;
  req.mutable_ticket_request()->set_recipient(identity);
  std::string error;
  auto resp = impl_->client->call(req, kTimeoutMs, &error);
  if (!resp || !resp->has_ticket_result() || resp->ticket_result().result() != RESULT_OK) {
    t.result = resp && resp->has_ticket_result() ? resp->ticket_result().result() : RESULT_NO_CONNECTION;
    OUTPOST_LOG_WARN("getAuthSessionTicket: refused (%d): %s", t.result,
                     resp && resp->has_ticket_result() ? resp->ticket_result().error().c_str() : error.c_str());
    return t;
  }
  t.result = RESULT_OK;
  const std::string& bytes = resp->ticket_result().ticket();
  t.id = impl_->next_handle++;
  t.buffer.assign(bytes.begin(), bytes.end());
  t.size = static_cast<uint32_t>(bytes.size());
  impl_->tickets[t.id] = resp->ticket_result().ticket_id();
  return t;
}

AuthTicket User::getAuthSessionTicket(uint64_t remote_steam_id) {
  return getAuthSessionTicket(remote_steam_id ? "steamid:" + std::to_string(remote_steam_id) : std::string());
}

void User::cancelAuthTicket(uint32_t id) {
  std::lock_guard<std::mutex> l(impl_->mu);
  auto it = impl_->tickets.find(id);
  if (it == impl_->tickets.end() || !impl_->client) {
    OUTPOST_LOG_WARN("cancelAuthTicket: unknown ticket handle %u", id);
    return;
  }
  hubrpc::Envelope req;
  req.mutable_cancel_ticket()->set_ticket_id(it->second);
  impl_->client->send(req);
  impl_->tickets.erase(it);
}

AuthSessionCheck User::beginAuthSession(const std::vector<uint8_t>& bytes, uint64_t server_steam_id) {
  std::lock_guard<std::mutex> l(impl_->mu);
  AuthSessionCheck c;
  c.steam_id = server_steam_id;
  std::array<uint8_t, crypto::kSignPublicKeyBytes> hub_key{};
  if (!impl_->client || !crypto::fromHex(impl_->hub_key, hub_key)) {
    OUTPOST_LOG_WARN("User::beginAuthSession: log on to a pinned hub first (OUTPOST_HUB_KEY)");
    return c;
  }
  ticket::TicketError why = ticket::TicketError::kNone;
  ticket::Claims claims;
  c.result = ticket::checkTicketOffline(bytes, server_steam_id, impl_->app_id, static_cast<int64_t>(std::time(nullptr)),
                                        hub_key, &claims, &why);
  if (c.result == BEGIN_AUTH_SESSION_RESULT_OK && !steamid::isAnyGameServer(claims.steam_id)) {
    c.result = BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET;  // a player's ticket says nothing about a server
    why = ticket::TicketError::kBadSteamId;
  }
  if (c.result != BEGIN_AUTH_SESSION_RESULT_OK) {
    OUTPOST_LOG_INFO("User::beginAuthSession(%llu): %s", static_cast<unsigned long long>(server_steam_id),
                     ticket::toString(why));
    return c;
  }
  hubrpc::Envelope req;
  req.mutable_validate_ticket()->set_ticket(bytes.data(), bytes.size());
  req.mutable_validate_ticket()->set_steam_id(server_steam_id);
  std::string error;
  auto resp = impl_->client->call(req, kTimeoutMs, &error);
  if (!resp || !resp->has_auth_session_update()) {
    OUTPOST_LOG_WARN("User::beginAuthSession: %s", error.c_str());
    c.response = AUTH_SESSION_RESPONSE_VAC_CHECK_TIMED_OUT;  // the hub did not answer
    return c;
  }
  c.response = resp->auth_session_update().response();
  return c;
}

}  // namespace outpost
