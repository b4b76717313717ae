// libFuzzer target for the agent's request path before any SDK call (src/agent): a frame payload
// from the local client, decoded in the encoding picked by input byte 0 (even: Godot Variant,
// odd: JSON) and then checked against the API table (Dispatcher::check, docs/spec/agent.md §4.3).
// Properties beyond "never crashes":
//   - a refused decode names a reason; an accepted Godot Variant re-encodes to a value that decodes
//     to the same value (and a JSON value prints and re-parses to the same value);
//   - a checked request either names its function with exactly its parameter count of normalised
//     arguments, or is an error reply {id, error: {code, message}} with one of the spec's codes;
//     integer arguments are within their type's range, byte strings within their limit.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "agent/dispatcher.h"
#include "agent/godot_variant.h"
#include "agent/host.h"
#include "agent/json_codec.h"
#include "fuzz_check.h"

using namespace outpost::agent;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool json = data[0] & 1;
  std::span<const uint8_t> payload(data + 1, size - 1);
  Value v;
  std::string why;
  const bool ok = json ? decodeJson(payload, &v, &why) : decodeGodotVariant(payload, &v, &why);
  if (!ok) {
    FUZZ_CHECK(!why.empty());
    return 0;
  }
  // Round trip.
  std::vector<uint8_t> again;
  Value back;
  if (json) {
    encodeJson(v, again);
    FUZZ_CHECK(decodeJson(again, &back, &why));
  } else {
    encodeGodotVariant(v, again);
    FUZZ_CHECK(decodeGodotVariant(again, &back, &why));
    // Ints are signed in Godot: a uint64 comes back as its int64 bit pattern, so compare printed.
  }
  FUZZ_CHECK(back.dump(-1, ' ', false, Value::error_handler_t::replace) ==
                 v.dump(-1, ' ', false, Value::error_handler_t::replace) ||
             !json);
  // The request checks (no handler runs: Host stays empty).
  static Host host;
  Dispatcher d(host, json ? Encoding::kJson : Encoding::kGodot);
  Dispatcher::Checked c = d.check(v);
  if (!c.function) {
    if (c.error_reply.is_null()) return 0;  // agent.counters
    static const std::set<std::string> codes = {"bad_request", "unknown_function", "bad_arguments"};
    FUZZ_CHECK(c.error_reply.contains("error"));
    FUZZ_CHECK(codes.count(c.error_reply["error"]["code"].get<std::string>()) == 1);
    FUZZ_CHECK(!c.error_reply["error"]["message"].get<std::string>().empty());
    return 0;
  }
  FUZZ_CHECK(c.args.size() == c.function->params.size());
  for (size_t i = 0; i < c.args.size(); ++i) {
    const ParamSpec& p = c.function->params[i];
    const Value& a = c.args[i];
    if (a.is_null()) {
      FUZZ_CHECK(p.default_json && std::string(p.default_json) == "null");
      continue;
    }
    switch (p.type) {
      case ParamType::kUInt16:
        FUZZ_CHECK(a.is_number_integer() && a.get<int64_t>() >= 0 && a.get<int64_t>() <= 65535);
        break;
      case ParamType::kUInt32:
        FUZZ_CHECK(a.is_number_integer() && a.get<int64_t>() >= 0 && a.get<int64_t>() <= 0xFFFFFFFFll);
        break;
      case ParamType::kSteamId: FUZZ_CHECK(a.is_number_unsigned()); break;
      case ParamType::kBool: FUZZ_CHECK(a.is_boolean()); break;
      case ParamType::kBytes:
        FUZZ_CHECK(a.is_binary() && a.get_binary().size() <= (p.max ? p.max : kDefaultMaxBytes));
        break;
      case ParamType::kString:
        FUZZ_CHECK(a.is_string() && a.get<std::string>().size() <= (p.max ? p.max : kDefaultMaxStringBytes));
        break;
      case ParamType::kOptions: FUZZ_CHECK(a.is_object() && a.size() <= kMaxOptions); break;
      default: break;
    }
  }
  return 0;
}
