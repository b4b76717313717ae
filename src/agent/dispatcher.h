// Dispatcher: turns one decoded request into one reply (docs/spec/agent.md §4). It checks the
// request in the spec's order — shape, function name, argument count, names, types, ranges and
// sizes — and answers a request that fails a check with an error reply naming the problem;
// otherwise it runs the function's handler. It never throws and never stops serving: a bad
// request costs its reply only. Counts each refusal by reason. Loop thread only.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "agent/api_table.h"
#include "agent/host.h"
#include "agent/value.h"

namespace outpost::agent {

enum class Encoding { kJson, kGodot };

// Error codes of error replies (docs/spec/agent.md §4.3).
namespace error_code {
inline constexpr const char* kBadFrame = "bad_frame";  // not decodable in the session's encoding
inline constexpr const char* kFrameTooLarge = "frame_too_large";
inline constexpr const char* kBadRequest = "bad_request";  // not {id?, call, args?}
inline constexpr const char* kUnknownFunction = "unknown_function";
inline constexpr const char* kBadArguments = "bad_arguments";  // count, name, type, range or size
inline constexpr const char* kRefused = "refused";             // the handler refused (reason given)
inline constexpr const char* kUnauthenticated = "unauthenticated";
}  // namespace error_code

Value errorReply(const Value& id, const char* code, const std::string& message);

class Dispatcher {
 public:
  Dispatcher(Host& host, Encoding encoding) : host_(host), encoding_(encoding) {}

  // The reply to `request`: {"id", "result"} ([id, result] for a compact request) or
  // {"id", "error": {"code", "message"}}.
  Value handle(Value& request);
  // The same reply, appended to `out` in the session's encoding. For a Godot session the hot
  // handlers (message receive) write their result straight into it, without a Value tree.
  void handleInto(Value& request, std::vector<uint8_t>& out);

  // Checks 3-7 of docs/spec/agent.md §4.3 without calling anything: the function and its
  // normalised arguments, or (function nullptr) the error reply. handle() = check + call. The
  // fuzz target calls this alone. (clang-tidy 14 reports the implicit noexcept move of this struct as
  // throwing: nlohmann::json's move constructor is noexcept, only its debug invariant check is not.)
  // NOLINTNEXTLINE(bugprone-exception-escape)
  struct Checked {
    const FunctionSpec* function = nullptr;
    bool client_side = false;
    bool compact = false;  // an Array request: the reply is [id, result] (errors stay Dictionaries)
    Value id;
    std::vector<Value> args;
    Value error_reply;
  };
  Checked check(Value& request);
  // Counters: "calls", and one "refused.<code>" per error code.
  const std::map<std::string, uint64_t>& counters() const { return counters_; }
  void count(const std::string& name) { ++counters_[name]; }

 private:
  // Checks `args` (an Array, a Dictionary by name, or absent) against f's parameters and fills
  // `out` in parameter order with normalised values. false with the reason in *why.
  bool checkArguments(const FunctionSpec& f, Value* args, std::vector<Value>* out, std::string* why);
  bool checkOne(const ParamSpec& p, Value& v, std::string* why);
  Value call(Checked& c, std::vector<uint8_t>* raw, bool* raw_written);

  Host& host_;
  Encoding encoding_;
  std::map<std::string, uint64_t> counters_;
  uint64_t& calls_ = counters_["calls"];  // std::map references stay valid
};

}  // namespace outpost::agent
