// Hub RPC framing (see framing.h). Protobuf's own complaints about what it parses (e.g. a string
// field that is not UTF-8) come from the wire, so a peer could make it write a line per message:
// they go to Outpost's log at a limited rate instead of to stderr.
#include "hubrpc/framing.h"

#include <google/protobuf/stubs/logging.h>

#include <mutex>
#include <string>

#include "base/log.h"

namespace outpost::hubrpc {

namespace {

base::LogLimiter g_protobuf_log_limit(5);

void protobufLog(google::protobuf::LogLevel level, const char* file, int line, const std::string& message) {
  if (level >= google::protobuf::LOGLEVEL_FATAL) {
    OUTPOST_LOG_ERROR("hubrpc: protobuf %s:%d: %s", file, line, message.c_str());
    return;
  }
  if (g_protobuf_log_limit.allow()) OUTPOST_LOG_INFO("hubrpc: protobuf: %s", message.c_str());
}

void routeProtobufLog() {
  static std::once_flag once;
  std::call_once(once, [] { google::protobuf::SetLogHandler(&protobufLog); });
}

}  // namespace

std::vector<uint8_t> encode(const Envelope& e) {
  routeProtobufLog();
  std::vector<uint8_t> out(e.ByteSizeLong());
  e.SerializeToArray(out.data(), static_cast<int>(out.size()));
  return out;
}

std::optional<Envelope> decode(std::span<const uint8_t> bytes) {
  routeProtobufLog();
  if (bytes.size() > kMaxEnvelopeBytes) return std::nullopt;
  Envelope e;
  if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return std::nullopt;
  return e;
}

}  // namespace outpost::hubrpc
