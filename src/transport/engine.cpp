// Engine (see engine.h): construction and shutdown. The engine's work is split by mechanism,
// one file each; all of them run under the engine lock (mu_):
//   engine_handles.cpp        handle and local-id tables, connections' birth and death, sockets,
//                             giving freed table memory back (malloc_trim)
//   engine_input.cpp          reading sockets in batches, the fake network, packets by type
//   engine_handshake.cpp      the server side of the stateless-cookie handshake (Hello, Connect)
//                             and its recently-closed table
//   engine_listen_caps.cpp    per listen socket and per source caps, untrusted eviction
//   engine_timers.cpp         the timer heap and the next deadline
//   engine_loop.cpp           the I/O loop: epoll without the lock, the service thread,
//                             poll()/waitForActivity(), flushing and reaping after each round
//   engine_host.cpp           ConnectionHost: what a Connection tells its engine
//   engine_connect.cpp        API: listen sockets, connects, accept, close, socket pairs, trust
//   engine_messages.cpp       API: sending, lanes, receiving on a connection
//   engine_poll_groups.cpp    API: poll groups and receiving on them
//   engine_status.cpp         API: connection info and status, status callbacks, counters
//   engine_config.cpp         API: configuration values of listen sockets and connections
//   engine_authentication.cpp API: identity and certificates (authentication.h)
// Public methods take the engine lock, do their work, then flush what they produced
// (finishApiCall).
#include "transport/engine.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <unistd.h>

#include "base/log.h"
#include "transport/engine_internal.h"

namespace outpost::transport {

Engine::Engine(NetworkingSocketsOptions options, const base::Clock& clock)
    : options_(std::move(options)),
      clock_(clock),
      auth_(identity_, options_.trusted_ca_keys_hex),
      rx_(new net::RxBatch()),
      tx_(new net::TxBatch()) {
  crypto::init();
  if (options_.identity_secret_key.empty() || !crypto::identityFromSecretKey(options_.identity_secret_key, identity_)) {
    if (!options_.identity_secret_key.empty())
      OUTPOST_LOG_ERROR("NetworkingSockets: the identity key given is not a valid Ed25519 key; using a fresh one");
    identity_ = crypto::IdentityKeyPair::generate();
  }
  next_handle_ = (crypto::randomU32() & 0xFFFF) + 1;
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kEventFdKey;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, event_fd_, &ev);
  fake_.refresh();
  if (options_.service_thread) service_ = std::thread([this] { serviceLoop(); });
}

Engine::~Engine() {
  // The hub session may outlive this instance: it must stop poking the eventfd before it closes.
  if (p2p_ && p2p_->link) p2p_->link->setWake(nullptr);
  if (auto link = auth_.existingLink()) link->setWake(nullptr);
  {
    Lock lock(mu_);
    // Tell connected peers we are going away instead of letting them time out.
    base::TimeUs t = now();
    std::vector<uint32_t> handles;
    for (auto& [h, id] : handles_) handles.push_back(h);
    for (uint32_t h : handles) {
      Connection* c = byHandle(h);
      if (c && c->state() == CONNECTION_STATE_CONNECTED)
        c->closeByApp(CONNECTION_END_APP_GENERIC, "shutting down", false, t);
    }
    tx_->flush();
    stop_ = true;
    wakeService();
    service_cv_.notify_all();
  }
  if (service_.joinable()) service_.join();
  connections_.clear();
  sockets_.clear();
  if (event_fd_ >= 0) ::close(event_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

}  // namespace outpost::transport
