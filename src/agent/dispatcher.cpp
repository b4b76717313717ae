// Request checking and dispatch (docs/spec/agent.md §4). A request is
//   {"id": any (echoed), "call": "SteamServer.<fn>" | "Steam.<fn>" | "agent.<fn>",
//    "args": [positional...] | {"<param name>": value, ...}}           ("args" may be absent)
// or, compact, the Array [id, call, args] where call may also be a call number (api_table.h);
// its reply is [id, result]. It is refused, in this order, when:
//   1. it is neither a Dictionary nor an Array of 2 or 3 elements, or "call" is missing or
//      neither a String nor (compact) an int                                 -> bad_request
//   2. "call" names no function of the API table (or "agent.counters"), or
//      is not one of this agent's call numbers                               -> unknown_function
//   3. "args" is neither absent, an Array nor a Dictionary                  -> bad_request
//   4. more arguments than parameters, an unknown name, a missing one       -> bad_arguments
//   5. an argument of the wrong type, out of its C++ type's range, or over
//      its size limit (names the argument, the expected type and the limit) -> bad_arguments
//   6. the handler refuses it (e.g. an element of sendMessages)            -> refused
// Loop thread only.
#include "agent/dispatcher.h"

#include <cmath>
#include <limits>

#include "agent/godot_variant.h"
#include "agent/json_codec.h"

namespace outpost::agent {
namespace {

std::string describe(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null: return "null";
    case Value::value_t::boolean: return "a bool";
    case Value::value_t::number_integer:
    case Value::value_t::number_unsigned: return "an int";
    case Value::value_t::number_float: return "a float";
    case Value::value_t::string: return "a String";
    case Value::value_t::binary: return "a PoolByteArray";
    case Value::value_t::array: return "an Array";
    case Value::value_t::object: return "a Dictionary";
    default: return "an unknown value";
  }
}

// An integral value as int64/uint64 within [lo, hi]. Floats with an exact integral value are
// accepted (a JSON client may print 3 as 3.0); anything else is not.
bool integerIn(const Value& v, int64_t lo, uint64_t hi, Value* out) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > hi) return false;
    *out = u;
    return true;
  }
  if (v.is_number_integer()) {
    int64_t i = v.get<int64_t>();
    if (i < lo || (i > 0 && static_cast<uint64_t>(i) > hi)) return false;
    *out = i;
    return true;
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || std::trunc(d) != d || d < -9.2e18 || d > 9.2e18) return false;
    return integerIn(Value(static_cast<int64_t>(d)), lo, hi, out);
  }
  return false;
}

}  // namespace

Value errorReply(const Value& id, const char* code, const std::string& message) {
  return {{"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

Value Dispatcher::handle(Value& request) {
  ++calls_;
  Checked c = check(request);
  return call(c, nullptr, nullptr);
}

Value Dispatcher::call(Checked& c, std::vector<uint8_t>* raw, bool* raw_written) {
  if (!c.function) {
    if (c.error_reply.is_null()) {  // agent.counters
      Value counters = Value::object();
      for (const auto& [k, v] : counters_) counters[k] = v;
      counters["events_dropped"] = host_.eventsDropped();
      return {{"id", c.id}, {"result", counters}};
    }
    return c.error_reply;
  }
  Call call{host_, c.client_side, c.args, {}, raw, false};
  Value result = c.function->handler(call);
  if (!call.error.empty()) {
    ++counters_[std::string("refused.") + error_code::kRefused];
    return errorReply(c.id, error_code::kRefused, call.error);
  }
  if (raw_written) *raw_written = call.raw_written;
  if (c.compact) return Value::array({c.id, std::move(result)});
  return {{"id", c.id}, {"result", std::move(result)}};
}

void Dispatcher::handleInto(Value& request, std::vector<uint8_t>& out) {
  ++calls_;
  Checked c = check(request);
  if (encoding_ == Encoding::kGodot && c.function) {
    // {"id": id, "result": <raw>} or [id, <raw>]: the container header and the id first, the
    // handler's bytes last.
    const size_t start = out.size();
    GodotWriter w(out);
    if (c.compact) {
      w.arrayHeader(2);
      encodeGodotVariant(c.id, out);
    } else {
      w.dictionaryHeader(2);
      w.string("id");
      encodeGodotVariant(c.id, out);
      w.string("result");
    }
    bool raw_written = false;
    Value reply = call(c, &out, &raw_written);
    if (raw_written) return;
    out.resize(start);  // a Value after all (or an error): encode it whole
    encodeGodotVariant(reply, out);
    return;
  }
  Value reply = call(c, nullptr, nullptr);
  if (encoding_ == Encoding::kGodot) encodeGodotVariant(reply, out);
  else encodeJson(reply, out);
}

Dispatcher::Checked Dispatcher::check(Value& request) {
  Checked out;
  auto refuse = [&](const char* code, const std::string& message) {
    ++counters_[std::string("refused.") + code];
    out.function = nullptr;
    out.error_reply = errorReply(out.id, code, message);
    return std::move(out);
  };
  Value* call_value = nullptr;
  Value* args = nullptr;
  if (request.is_array()) {
    // The compact form [id, call, args] (args may be left out).
    if (request.size() < 2 || request.size() > 3)
      return refuse(error_code::kBadRequest, "a compact request is an Array [id, call, args], not an Array of " +
                                                 std::to_string(request.size()) + " elements");
    out.compact = true;
    out.id = request[0];
    call_value = &request[1];
    if (request.size() == 3) args = &request[2];
  } else if (request.is_object()) {
    if (auto it = request.find("id"); it != request.end()) out.id = *it;
    if (auto it = request.find("call"); it != request.end()) call_value = &*it;
    if (auto it = request.find("args"); it != request.end()) args = &*it;
  } else {
    return refuse(error_code::kBadRequest,
                  "a request is a Dictionary {id, call, args} or an Array [id, call, args], not " + describe(request));
  }
  const FunctionSpec* f = nullptr;
  bool client_side = false;
  std::string_view call;  // for messages; a call number's is built only when one is needed
  if (call_value && out.compact && (call_value->is_number_integer() || call_value->is_number_unsigned())) {
    const int64_t number =
        call_value->is_number_unsigned() && call_value->get<uint64_t>() > INT64_MAX ? -1 : call_value->get<int64_t>();
    f = functionByCallNumber(number, &client_side);
    if (!f)
      return refuse(error_code::kUnknownFunction,
                    "call number " + call_value->dump() +
                        " is not one of this agent's (its hello reply lists them as \"calls\")");
  } else if (call_value && call_value->is_string()) {
    call = call_value->get_ref<const std::string&>();
    if (call == "agent.counters") return out;  // function and error_reply both empty
    const size_t dot = call.find('.');
    f = dot == std::string_view::npos ? nullptr : findFunction(call.substr(0, dot), call.substr(dot + 1));
    if (!f) {
      std::string shown(call.substr(0, 80));
      if (call.size() > 80) shown += "...";
      return refuse(error_code::kUnknownFunction,
                    "\"" + shown + "\" is not a function of the agent (outpost-agent --print-api lists them)");
    }
    client_side = call.compare(0, dot, "Steam") == 0;
  } else {
    return refuse(error_code::kBadRequest,
                  out.compact
                      ? "the compact request's call is neither a String nor a call number"
                      : "the request has no \"call\" String (\"SteamServer.<function>\" or \"Steam.<function>\")");
  }
  auto label = [&] { return std::string(client_side ? "Steam." : "SteamServer.") + f->name; };
  if (args && !args->is_null() && !args->is_array() && !args->is_object())
    return refuse(error_code::kBadRequest,
                  label() + ": \"args\" must be an Array or a Dictionary, not " + describe(*args));
  std::string why;
  if (!checkArguments(*f, args, &out.args, &why)) return refuse(error_code::kBadArguments, label() + ": " + why);
  out.function = f;
  out.client_side = client_side;
  return out;
}

bool Dispatcher::checkArguments(const FunctionSpec& f, Value* args, std::vector<Value>* out, std::string* why) {
  const size_t n = f.params.size();
  out->assign(n, Value());
  std::vector<bool> given(n, false);
  if (args && args->is_array()) {
    if (args->size() > n) {
      *why = "takes " + std::to_string(n) + " argument" + (n == 1 ? "" : "s") + ", got " + std::to_string(args->size());
      return false;
    }
    for (size_t i = 0; i < args->size(); ++i) {
      (*out)[i] = std::move((*args)[i]);
      given[i] = true;
    }
  } else if (args && args->is_object()) {
    for (auto& [name, value] : args->items()) {
      size_t i = 0;
      while (i < n && name != f.params[i].name) ++i;
      if (i == n) {
        std::string shown = name.size() > 64 ? name.substr(0, 64) + "..." : name;
        *why = "has no argument named \"" + shown + "\"";
        return false;
      }
      (*out)[i] = std::move(value);
      given[i] = true;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    const ParamSpec& p = f.params[i];
    if (!given[i]) {
      if (!p.default_json) {
        *why = "argument \"" + std::string(p.name) + "\" (" + paramTypeName(p.type) + ") is missing";
        return false;
      }
      (*out)[i] = Value::parse(p.default_json);
      continue;
    }
    if (p.default_json && std::string_view(p.default_json) == "null" && (*out)[i].is_null()) continue;
    if (!checkOne(p, (*out)[i], why)) return false;
  }
  return true;
}

bool Dispatcher::checkOne(const ParamSpec& p, Value& v, std::string* why) {
  auto name = [&p] { return std::string("argument \"") + p.name + "\""; };  // built only for a refusal
  auto wrong = [&](const std::string& expected) {
    *why = name() + " must be " + expected + ", got " + describe(v);
    return false;
  };
  Value normalised;
  switch (p.type) {
    case ParamType::kBool: return v.is_boolean() ? true : wrong("a bool");
    case ParamType::kInt32:
      if (!integerIn(v, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), &normalised))
        return wrong("an int in -2147483648..2147483647");
      v = std::move(normalised);
      return true;
    case ParamType::kUInt32:
      if (!integerIn(v, 0, std::numeric_limits<uint32_t>::max(), &normalised)) return wrong("an int in 0..4294967295");
      v = std::move(normalised);
      return true;
    case ParamType::kUInt16:
      if (!integerIn(v, 0, 65535, &normalised)) return wrong("an int in 0..65535");
      v = std::move(normalised);
      return true;
    case ParamType::kInt64:
      if (!integerIn(v, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), &normalised))
        return wrong("a 64-bit int");
      v = std::move(normalised);
      return true;
    case ParamType::kSteamId:
      // A GDScript int is signed: a uint64 above INT64_MAX arrives negative (its bit pattern).
      if (!integerIn(v, std::numeric_limits<int64_t>::min(), std::numeric_limits<uint64_t>::max(), &normalised))
        return wrong("a 64-bit int (a Steam ID)");
      v = static_cast<uint64_t>(normalised.is_number_unsigned() ? normalised.get<uint64_t>()
                                                                : static_cast<uint64_t>(normalised.get<int64_t>()));
      return true;
    case ParamType::kFloat:
      if (!v.is_number()) return wrong("a float");
      v = v.get<double>();
      return true;
    case ParamType::kString: {
      if (!v.is_string()) return wrong("a String");
      const size_t max = p.max ? p.max : kDefaultMaxStringBytes;
      if (v.get_ref<const std::string&>().size() > max) {
        *why = name() + " is " + std::to_string(v.get_ref<const std::string&>().size()) + " bytes, over its limit of " +
               std::to_string(max);
        return false;
      }
      return true;
    }
    case ParamType::kBytes: {
      const size_t max = p.max ? p.max : kDefaultMaxBytes;
      if (encoding_ == Encoding::kJson && v.is_string()) {
        const auto& text = v.get_ref<const std::string&>();
        if (text.size() / 4 * 3 > max + 3) {
          *why = name() + " (base64) decodes to more than its limit of " + std::to_string(max) + " bytes";
          return false;
        }
        Bytes b;
        if (!decodeBase64(text, &b)) {
          *why = name() + " is not valid base64 (RFC 4648, padded)";
          return false;
        }
        v = bytesValue(std::move(b));
      }
      if (!v.is_binary()) return wrong(encoding_ == Encoding::kJson ? "a base64 String (bytes)" : "a PoolByteArray");
      if (v.get_binary().size() > max) {
        *why = name() + " is " + std::to_string(v.get_binary().size()) + " bytes, over its limit of " +
               std::to_string(max);
        return false;
      }
      return true;
    }
    case ParamType::kOptions: {
      if (v.is_array() && v.empty()) {  // GodotSteam's older "or an empty array"
        v = Value::object();
        return true;
      }
      if (!v.is_object()) return wrong("a Dictionary {NetworkingConfigValue: value}");
      if (v.size() > kMaxOptions) {
        *why =
            name() + " has " + std::to_string(v.size()) + " options, over the limit of " + std::to_string(kMaxOptions);
        return false;
      }
      for (auto& [key, value] : v.items()) {
        Value id;
        char* end = nullptr;
        long long k = std::strtoll(key.c_str(), &end, 10);
        if (key.empty() || *end != '\0' ||
            !integerIn(Value(k), std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), &id)) {
          *why = name() + " has the key \"" + key.substr(0, 32) + "\", which is not a NetworkingConfigValue int";
          return false;
        }
        if (value.is_number_integer() || value.is_number_unsigned()) {
          Value n;
          const bool wide = k == 40;  // NETWORKING_CONFIG_CONNECTION_USER_DATA is an int64
          if (!integerIn(value, wide ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int32_t>::min(),
                         wide ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int32_t>::max(), &n)) {
            *why = name() + "[" + key + "] is out of range for an int32";
            return false;
          }
          value = n.is_number_unsigned() ? static_cast<int64_t>(n.get<uint64_t>()) : n.get<int64_t>();
        } else if (value.is_string()) {
          if (value.get_ref<const std::string&>().size() > 1024) {
            *why = name() + "[" + key + "] is a String over 1024 bytes";
            return false;
          }
        } else if (!value.is_number_float()) {
          *why = name() + "[" + key + "] must be an int, a float or a String, got " + describe(value);
          return false;
        }
      }
      return true;
    }
    case ParamType::kIntArray: {
      if (!v.is_array()) return wrong("an Array of ints");
      const size_t max = p.max ? p.max : kDefaultMaxArrayElements;
      if (v.size() > max) {
        *why = name() + " has " + std::to_string(v.size()) + " elements, over its limit of " + std::to_string(max);
        return false;
      }
      for (auto& e : v) {
        Value n;
        if (!integerIn(e, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), &n))
          return wrong("an Array of int32s");
        e = n.is_number_unsigned() ? static_cast<int64_t>(n.get<uint64_t>()) : n.get<int64_t>();
      }
      return true;
    }
    case ParamType::kArray: {
      if (!v.is_array()) return wrong("an Array");
      const size_t max = p.max ? p.max : kDefaultMaxArrayElements;
      if (v.size() > max) {
        *why = name() + " has " + std::to_string(v.size()) + " elements, over its limit of " + std::to_string(max);
        return false;
      }
      // Byte strings inside the array arrive as base64 in JSON: decode the "data" of each element.
      if (encoding_ == Encoding::kJson)
        for (auto& e : v)
          if (e.is_object())
            if (auto d = e.find("data"); d != e.end() && d->is_string()) {
              Bytes b;
              if (d->get_ref<const std::string&>().size() > (MAX_STEAM_PACKET_SIZE / 3 + 1) * 4 ||
                  !decodeBase64(d->get_ref<const std::string&>(), &b)) {
                *why = name() + " has an element whose \"data\" is not base64 of at most 524288 bytes";
                return false;
              }
              *d = bytesValue(std::move(b));
            }
      return true;
    }
    case ParamType::kBytesArray: {
      if (!v.is_array()) return wrong("an Array of PoolByteArray");
      const size_t max = p.max ? p.max : kDefaultMaxArrayElements;
      if (v.size() > max) {
        *why = name() + " has " + std::to_string(v.size()) + " elements, over its limit of " + std::to_string(max);
        return false;
      }
      for (size_t i = 0; i < v.size(); ++i) {
        Value& e = v[i];
        if (encoding_ == Encoding::kJson && e.is_string()) {
          Bytes b;
          if (e.get_ref<const std::string&>().size() > (MAX_STEAM_PACKET_SIZE / 3 + 1) * 4 ||
              !decodeBase64(e.get_ref<const std::string&>(), &b)) {
            *why = name() + "[" + std::to_string(i) + "] is not base64 of at most 524288 bytes";
            return false;
          }
          e = bytesValue(std::move(b));
        }
        if (!e.is_binary()) {
          *why = name() + "[" + std::to_string(i) + "] must be a PoolByteArray, got " + describe(e);
          return false;
        }
        if (e.get_binary().size() > static_cast<size_t>(MAX_STEAM_PACKET_SIZE)) {
          *why = name() + "[" + std::to_string(i) + "] is " + std::to_string(e.get_binary().size()) +
                 " bytes, over the limit of 524288";
          return false;
        }
      }
      return true;
    }
  }
  return wrong("?");
}

}  // namespace outpost::agent
