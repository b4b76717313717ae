// A2sQuerySocket (see a2s_query_socket.h): the A2S query port — a UdpService (net/udp_service.h)
// whose thread hands each datagram to A2sResponder and sends its replies. Protocol logic lives
// in a2s_responder.cpp and the A2S codec (src/a2s).
#include "server/a2s_query_socket.h"

#include <vector>

#include "base/log.h"

namespace outpost::server {

A2sQuerySocket::A2sQuerySocket(A2sQuerySocketOptions options)
    : options_(std::move(options)),
      clock_(options_.clock ? *options_.clock : base::SystemClock::instance()),
      responder_(options_.responder, clock_.nowUs()) {}

A2sQuerySocket::~A2sQuerySocket() { stop(); }

bool A2sQuerySocket::start(std::string* error) {
  std::string bad = validateOptions(options_.responder);
  if (!bad.empty()) {
    OUTPOST_LOG_ERROR("a2s: cannot start: %s", bad.c_str());
    if (error) *error = std::move(bad);
    return false;
  }
  return service_.start(
      options_.bind_address,
      [this, out = std::vector<A2sResponder::Outgoing>()](const base::SocketAddress& from,
                                                          std::span<const uint8_t> datagram) mutable {
        out.clear();
        responder_.handle(from, datagram, clock_.nowUs(), out);
        for (const auto& o : out)
          if (!service_.sendTo(o.address, o.bytes)) responder_.countSendFailure();
      },
      error);
}

void A2sQuerySocket::stop() { service_.stop(); }

}  // namespace outpost::server
