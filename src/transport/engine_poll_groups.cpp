// Engine, API of poll groups: create, destroy, move a connection into one (its waiting messages
// follow, oldest first), and receive from all of a group's connections in arrival order.
#include "transport/engine.h"

#include <algorithm>
#include <optional>

#include "transport/engine_internal.h"

namespace outpost::transport {

int Engine::receiveOnPollGroup(uint32_t g, int max, std::vector<NetworkingMessage>* owned, MessageBatch* batch) {
  std::optional<MessageBatchWriter> writer;
  if (batch) writer.emplace(*batch);
  Lock lock(mu_);
  auto it = poll_groups_.find(g);
  if (it == poll_groups_.end()) {
    misuse("receiveMessagesOnPollGroup: invalid poll group handle %u", g);
    return -1;
  }
  auto& order = it->second.order;
  int count = 0;
  std::vector<Connection*>& touched = touched_scratch_;
  touched.clear();
  while (count < max && !order.empty()) {
    auto [h, seq] = order.front();
    order.pop_front();
    Connection* c = byHandle(h);
    if (!c || c->pollGroup() != g || c->queue().empty() || c->queue().front().sequence != seq) continue;
    MessageQueue& q = c->queue();
    const QueuedMessage& m = q.front();
    if (owned) fillOwned(*owned, q.frontPayload(), m, *c, h);
    if (writer) writer->add(q.frontPayload(), viewOf(m, *c, h));
    c->noteConsumed(q.pop());
    if (std::find(touched.begin(), touched.end(), c) == touched.end()) touched.push_back(c);
    ++count;
  }
  queued_messages_ -= std::min<uint64_t>(queued_messages_, static_cast<uint64_t>(count));
  if (writer) writer->finish();
  base::TimeUs t = now();
  for (Connection* c : touched) c->onMessagesTaken(t);
  finishApiCall(t);
  return count;
}

uint32_t Engine::createPollGroup() {
  Lock lock(mu_);
  uint32_t g = allocateHandle();
  poll_groups_[g];
  return g;
}

bool Engine::destroyPollGroup(uint32_t g) {
  Lock lock(mu_);
  if (!poll_groups_.erase(g)) {
    misuse("destroyPollGroup: invalid poll group handle %u", g);
    return false;
  }
  for (auto& [id, c] : connections_)
    if (c->pollGroup() == g) c->setPollGroup(0);
  return true;
}

bool Engine::setConnectionPollGroup(uint32_t h, uint32_t g) {
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("setConnectionPollGroup: invalid connection handle %u", h);
    return false;
  }
  if (g == 0) {
    c->setPollGroup(0);
    return true;
  }
  auto it = poll_groups_.find(g);
  if (it == poll_groups_.end()) {
    misuse("setConnectionPollGroup: invalid poll group handle %u", g);
    return false;
  }
  c->setPollGroup(g);
  // Messages already waiting become visible through the new group, oldest first.
  for (size_t i = 0; i < c->queue().count(); ++i) it->second.order.push_back({h, c->queue().at(i).sequence});
  return true;
}

}  // namespace outpost::transport
