// Hub: the certificate family (see hub.h) — IdentityCertificateRequest from a logged-on game
// server or user. The decisions are Certificates'. Hub thread. docs/spec/cert.md.
#include "hub/hub.h"

namespace outpost::hub {

// Identity certificates (docs/spec/cert.md; the decisions are Certificates').
void Hub::onCertificateRequest(uint32_t connection, const hubrpc::Envelope& request) {
  counters_.add(HubCounter::kRpcCertificateRequest);
  hubrpc::Envelope response;
  response.set_request_id(request.request_id());
  uint64_t steam_id = 0;
  uint32_t app_id = 0;
  const std::string& blob = request.identity_certificate_request().request();
  auto server = servers_->serverOf(connection);
  if (server || players_->userOf(connection, &steam_id, &app_id)) {
    if (server) {
      steam_id = server->steam_id;
      app_id = server->app_id;
    }
    *response.mutable_identity_certificate_result() =
        certificates_->issueForSession(connection, steam_id, app_id, blob, clock_->nowUnixS());
  } else {
    // Only a logged-on game server or user has an identity to certify.
    response.mutable_identity_certificate_result()->set_result(RESULT_NOT_LOGGED_ON);
    response.mutable_identity_certificate_result()->set_error("log on first");
  }
  if (response.identity_certificate_result().result() != RESULT_OK) counters_.add(HubCounter::kCertificatesRefused);
  else counters_.add(HubCounter::kCertificatesIssued);
  send(connection, response);
}

}  // namespace outpost::hub
