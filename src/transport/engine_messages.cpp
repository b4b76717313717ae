// Engine, API of messages on one connection: sending (one or a batch), flushing, lanes, and
// receiving into owned messages or a MessageBatch.
#include "transport/engine.h"

#include <algorithm>
#include <optional>

#include "base/log.h"
#include "transport/engine_internal.h"

namespace outpost::transport {

SendResult Engine::sendMessageToConnection(uint32_t h, std::span<const uint8_t> data, int flags, uint16_t lane) {
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("sendMessageToConnection: invalid connection handle %u", h);
    return {RESULT_INVALID_PARAM, 0};
  }
  base::TimeUs t = now();
  SendResult r = c->send(data, flags, lane, t);
  if (r.result == RESULT_INVALID_PARAM) misuse("sendMessageToConnection: bad size or lane on connection %u", h);
  finishApiCall(t);
  return r;
}

std::vector<SendResult> Engine::sendMessages(std::span<const OutgoingMessage> messages) {
  std::vector<SendResult> out;
  out.reserve(messages.size());
  Lock lock(mu_);
  base::TimeUs t = now();
  for (const OutgoingMessage& m : messages) {
    Connection* c = byHandle(m.connection);
    if (!c) {
      misuse("sendMessages: invalid connection handle %u", m.connection);
      out.push_back({RESULT_INVALID_PARAM, 0});
      continue;
    }
    out.push_back(c->send(m.data, m.flags, m.lane, t));
  }
  finishApiCall(t);
  return out;
}

int Engine::flushMessagesOnConnection(uint32_t h) {
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("flushMessagesOnConnection: invalid connection handle %u", h);
    return RESULT_INVALID_PARAM;
  }
  base::TimeUs t = now();
  int r = c->flush(t);
  finishApiCall(t);
  return r;
}

int Engine::configureConnectionLanes(uint32_t h, int lanes, std::span<const int> priorities,
                                     std::span<const int> weights) {
  if (lanes < 1 || lanes > NETWORKING_MAX_LANES || priorities.size() < static_cast<size_t>(lanes) ||
      (!weights.empty() && weights.size() < static_cast<size_t>(lanes))) {
    OUTPOST_LOG_WARN("configureConnectionLanes: %d lanes need as many priorities and weights (1-255 lanes)", lanes);
    return RESULT_INVALID_PARAM;
  }
  for (size_t i = 0; i < weights.size() && i < static_cast<size_t>(lanes); ++i) {
    if (weights[i] < 1 || weights[i] > 65535) {
      OUTPOST_LOG_WARN("configureConnectionLanes: weight %d of lane %zu is outside 1-65535", weights[i], i);
      return RESULT_INVALID_PARAM;
    }
  }
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("configureConnectionLanes: invalid connection handle %u", h);
    return RESULT_INVALID_PARAM;
  }
  int r = c->configureLanes(priorities.first(static_cast<size_t>(lanes)),
                            weights.empty() ? weights : weights.first(static_cast<size_t>(lanes)));
  if (r != RESULT_OK) OUTPOST_LOG_WARN("configureConnectionLanes: lanes can only be added, not removed");
  return r;
}

int Engine::receiveOnConnection(uint32_t h, int max, std::vector<NetworkingMessage>* owned, MessageBatch* batch) {
  std::optional<MessageBatchWriter> writer;
  if (batch) writer.emplace(*batch);
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("receiveMessagesOnConnection: invalid connection handle %u", h);
    return -1;
  }
  int count = 0;
  MessageQueue& q = c->queue();
  while (count < max && !q.empty()) {
    const QueuedMessage& m = q.front();
    if (owned) fillOwned(*owned, q.frontPayload(), m, *c, h);
    if (writer) writer->add(q.frontPayload(), viewOf(m, *c, h));
    c->noteConsumed(q.pop());
    ++count;
  }
  queued_messages_ -= std::min<uint64_t>(queued_messages_, static_cast<uint64_t>(count));
  if (writer) writer->finish();
  base::TimeUs t = now();
  if (count) c->onMessagesTaken(t);
  finishApiCall(t);
  return count;
}

}  // namespace outpost::transport
