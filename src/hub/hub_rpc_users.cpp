// Hub: the user logon family (see hub.h) — UserLogOn. UserLogons decides at once whether an
// attempt may be checked (password guessing limits, the fair check queue; time on the hub's
// monotonic clock) and answers a refusal now; an admitted attempt is answered once its password
// check (worker threads) is done, by answerUserLogOns at each poll, and Players logs the user on.
// A logon that succeeds trusts the connection. Hub thread. docs/spec/hub-rpc.md §5.
#include "hub/hub.h"

namespace outpost::hub {

void Hub::onUserLogOn(uint32_t connection, const hubrpc::Envelope& request) {
  counters_.add(HubCounter::kRpcUserLogOn);
  auto refused = user_logons_->request(connection, logonSourceOf(link_->remoteAddress(connection)),
                                       request.request_id(), request.user_log_on(), clock_->nowSteadyMs());
  if (!refused) return;  // answered when the check is done
  hubrpc::Envelope response;
  response.set_request_id(request.request_id());
  *response.mutable_user_log_on_result() = *refused;
  send(connection, response);
}

void Hub::answerUserLogOns() {
  for (auto& a : user_logons_->takeAnswers(clock_->nowSteadyMs())) {
    if (!link_->connected(a.connection)) continue;  // left meanwhile
    hubrpc::Envelope response;
    response.set_request_id(a.request_id);
    *response.mutable_user_log_on_result() =
        a.refusal ? *a.refusal : players_->logOn(a.connection, a.request, a.password_ok);
    // A password checked out: the connection leaves the transport's untrusted budget.
    if (response.user_log_on_result().result() == RESULT_OK) link_->trust(a.connection);
    send(a.connection, response);
  }
}

}  // namespace outpost::hub
