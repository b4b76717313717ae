// Settings (see settings.h): strict integer parsing, range descriptions, flags and config-file
// lines applied through one table. Runs on the caller's thread while a program starts.
#include "base/settings.h"

#include <fstream>
#include <limits>
#include <sstream>

namespace outpost::base::settings {

namespace {

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

std::string rangeText(const Range& r) {
  return r.min == r.max ? std::to_string(r.min) : std::to_string(r.min) + ".." + std::to_string(r.max);
}

// Quotes what the user typed, cut short if it is long (it is echoed in an error).
std::string quoted(const std::string& v) {
  std::string out = "\"";
  for (size_t i = 0; i < v.size() && i < 64; ++i) out += (v[i] >= 0x20 && v[i] < 0x7F) ? v[i] : '?';
  if (v.size() > 64) out += "...";
  return out + "\"";
}

}  // namespace

std::optional<int64_t> parseInteger(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (!text.empty() && text[0] == '-') {
    negative = true;
    i = 1;
  }
  if (i >= text.size()) return std::nullopt;
  // Accumulate as a negative number so that INT64_MIN fits.
  int64_t v = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    int d = c - '0';
    if (v < (std::numeric_limits<int64_t>::min() + d) / 10) return std::nullopt;
    v = v * 10 - d;
  }
  if (!negative) {
    if (v == std::numeric_limits<int64_t>::min()) return std::nullopt;
    v = -v;
  }
  return v;
}

std::string describeAccepted(const Setting& s) {
  std::string out;
  for (size_t i = 0; i < s.ranges.size(); ++i) {
    if (i) out += i + 1 == s.ranges.size() ? " or " : ", ";
    out += rangeText(s.ranges[i]);
  }
  if (!s.unit.empty()) out += " (" + s.unit + ")";
  return out;
}

Table& Table::add(Setting s) {
  settings_.push_back(std::move(s));
  return *this;
}

Table& Table::integer(std::string name, std::vector<Range> ranges, std::string unit, std::string default_text,
                      std::string help, std::function<void(int64_t)> set) {
  Setting s;
  s.name = std::move(name);
  s.kind = Setting::Kind::kInteger;
  s.ranges = std::move(ranges);
  s.value_name = "N";
  s.unit = std::move(unit);
  s.default_text = std::move(default_text);
  s.help = std::move(help);
  s.set_integer = std::move(set);
  return add(std::move(s));
}

Table& Table::text(std::string name, std::string value_name, std::string default_text, std::string help,
                   std::function<std::string(const std::string&)> set) {
  Setting s;
  s.name = std::move(name);
  s.kind = Setting::Kind::kText;
  s.value_name = std::move(value_name);
  s.default_text = std::move(default_text);
  s.help = std::move(help);
  s.set_text = std::move(set);
  return add(std::move(s));
}

const Setting* Table::find(std::string_view name) const {
  for (const auto& s : settings_)
    if (s.name == name) return &s;
  return nullptr;
}

std::string Table::apply(const Setting& s, const std::string& value) {
  switch (s.kind) {
    case Setting::Kind::kInteger: {
      auto v = parseInteger(value);
      bool in_range = false;
      if (v)
        for (const auto& r : s.ranges) in_range = in_range || (*v >= r.min && *v <= r.max);
      if (!in_range) return s.name + " " + quoted(value) + ": expected an integer in " + describeAccepted(s);
      if (s.set_integer) s.set_integer(*v);
      return "";
    }
    case Setting::Kind::kText:
    case Setting::Kind::kFlag: {
      std::string why = s.set_text ? s.set_text(value) : "";
      return why.empty() ? "" : s.name + " " + quoted(value) + ": " + why;
    }
    case Setting::Kind::kKeyValue: {
      auto eq = value.find('=');
      std::string key = eq == std::string::npos ? value : value.substr(0, eq);
      const Setting* inner = s.sub ? s.sub->find(key) : nullptr;
      if (eq == std::string::npos || !inner) {
        std::string names;
        if (s.sub)
          for (const auto& x : s.sub->all()) names += (names.empty() ? "" : ", ") + x.name;
        return s.name + " " + quoted(value) + ": expected NAME=VALUE with NAME one of " + names;
      }
      std::string why = apply(*inner, value.substr(eq + 1));
      return why.empty() ? "" : s.name + " " + why;
    }
  }
  return "unhandled setting kind";
}

std::string Table::applyFlag(const std::vector<std::string>& args, size_t* i) const {
  const std::string& arg = args[*i];
  std::string name = arg, inline_value;
  bool has_inline = false;
  if (arg.rfind("--", 0) == 0) {
    name = arg.substr(2);
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
      has_inline = true;
    }
  }
  const Setting* s = arg.rfind("--", 0) == 0 ? find(name) : nullptr;
  if (!s) return arg.rfind("-", 0) == 0 ? "unknown flag " + quoted(arg) : "unexpected argument " + quoted(arg);
  ++*i;
  if (s->kind == Setting::Kind::kFlag) {
    if (has_inline) return "--" + s->name + " takes no value";
    return apply(*s, "");
  }
  std::string value;
  if (has_inline) {
    value = inline_value;
  } else {
    if (*i >= args.size()) return "--" + s->name + " needs a value (" + s->value_name + ")";
    value = args[(*i)++];
  }
  std::string why = apply(*s, value);
  return why.empty() ? "" : "--" + why;
}

std::string Table::applyConfigText(const std::string& text, const std::string& path) const {
  std::istringstream in(text);
  std::string raw;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    std::string where = path + ":" + std::to_string(line_no) + ": ";
    std::string line = raw;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    line = trim(line);
    if (line.empty()) continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) return where + "expected \"key = value\", got " + quoted(line);
    std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    const Setting* s = find(key);
    if (!s || !s->config_file || s->kind == Setting::Kind::kFlag) return where + "unknown setting " + quoted(key);
    std::string why = apply(*s, value);
    if (!why.empty()) return where + why;
  }
  return "";
}

std::string Table::applyConfigFile(const std::string& path) const {
  std::ifstream f(path);
  if (!f) return "cannot read " + path;
  std::stringstream ss;
  ss << f.rdbuf();
  return applyConfigText(ss.str(), path);
}

std::string Table::helpText() const {
  std::string out;
  for (const auto& s : settings_) {
    std::string head = "  --" + s.name + (s.kind == Setting::Kind::kFlag ? "" : " " + s.value_name);
    std::string line = head;
    if (line.size() < 34) line.resize(34, ' ');
    else line += "\n" + std::string(34, ' ');
    line += s.help;
    std::string notes;
    if (s.kind == Setting::Kind::kInteger) notes = describeAccepted(s);
    if (!s.default_text.empty()) notes += (notes.empty() ? "default " : "; default ") + s.default_text;
    if (!notes.empty()) line += " [" + notes + "]";
    out += line + "\n";
    if (s.kind == Setting::Kind::kKeyValue && s.sub)
      for (const auto& x : s.sub->all())
        out += std::string(36, ' ') + x.name + ": " + describeAccepted(x) +
               (x.default_text.empty() ? "" : "; default " + x.default_text) + "\n";
  }
  return out;
}

}  // namespace outpost::base::settings
