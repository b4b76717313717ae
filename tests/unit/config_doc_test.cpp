// Keeps docs/config.md equal to the configuration table (src/transport/config_table.h): renders
// the table as markdown and compares it with the committed file. With OUTPOST_UPDATE_DOCS=1 in
// the environment it writes the file instead, which is how docs/config.md is regenerated.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "transport/config_table.h"

#ifndef OUTPOST_SOURCE_DIR
#error "OUTPOST_SOURCE_DIR must point at the source tree (set in tests/CMakeLists.txt)"
#endif

namespace outpost::transport {
namespace {

const char* typeName(int32_t type) {
  switch (type) {
    case NETWORKING_CONFIG_TYPE_INT32: return "int32";
    case NETWORKING_CONFIG_TYPE_INT64: return "int64";
    case NETWORKING_CONFIG_TYPE_FLOAT: return "float";
    case NETWORKING_CONFIG_TYPE_STRING: return "string";
    default: return "?";
  }
}

// Integers print exactly (the int64 extremes do not survive a round trip through double, so they
// are clamped back to the int64 range); floats print in the shortest %g form.
std::string number(const ConfigDef& d, double v) {
  if (d.type == NETWORKING_CONFIG_TYPE_FLOAT) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
  }
  if (v >= static_cast<double>(std::numeric_limits<int64_t>::max()))
    return std::to_string(std::numeric_limits<int64_t>::max());
  if (v <= static_cast<double>(std::numeric_limits<int64_t>::min()))
    return std::to_string(std::numeric_limits<int64_t>::min());
  return std::to_string(static_cast<int64_t>(v));
}

std::string cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out.empty() ? "-" : out;
}

std::string renderConfigMarkdown() {
  std::ostringstream md;
  md << "# Configuration values\n"
        "\n"
        "<!-- Generated file: do not edit by hand. -->\n"
        "\n"
        "This file is generated from the configuration table in "
        "`src/transport/config_table.h`, the one place every value is declared. The unit test "
        "`ConfigDoc.MatchesConfigTable` (tests/unit/config_doc_test.cpp) fails when the two "
        "disagree. To regenerate it after changing the table, build `transport_unit_tests` and run\n"
        "\n"
        "```sh\n"
        "OUTPOST_UPDATE_DOCS=1 ./build/tests/unit/transport_unit_tests --gtest_filter='ConfigDoc.*'\n"
        "```\n"
        "\n"
        "Values are identified by their `NetworkingConfigValue` id. *global* values are "
        "process-wide (`setGlobalConfigValue*`); *connection* values can also be set on a "
        "listen socket through the `ConfigOptions` of `createListenSocketIP` (inherited by the "
        "connections it accepts) or on one connection (`setConnectionConfigValue*`), and the "
        "most specific setting wins. *listen socket* values belong to a listen socket as a "
        "whole (its caps): they are set globally or in `createListenSocketIP`'s options, not "
        "on one connection. Command-line tools that set them take `NAME=VALUE` with the name "
        "below, with or without the `NETWORKING_CONFIG_` prefix (`outpost-hub --transport`, "
        "`outpost-example-server --transport`). Min and max are inclusive; a value outside "
        "them, or of the wrong type, is refused.\n"
        "\n"
        "| ID | Name | Type | Scope | Default | Min | Max | Unit | Description |\n"
        "|---:|------|------|-------|--------:|----:|----:|------|-------------|\n";
  for (const ConfigDef& d : configTable()) {
    md << "| " << d.id << " | `NETWORKING_CONFIG_" << d.name << "` | " << typeName(d.type) << " | "
       << (d.scope == ConfigScopeKind::kGlobal         ? "global"
           : d.scope == ConfigScopeKind::kListenSocket ? "listen socket"
                                                       : "connection")
       << " | " << number(d, d.default_value) << " | " << number(d, d.min_value) << " | " << number(d, d.max_value)
       << " | " << cell(d.unit) << " | " << cell(d.description) << " |\n";
  }
  return md.str();
}

// "line N: committed '...' vs table '...'" for the first line that differs.
std::string firstDifference(const std::string& committed, const std::string& rendered) {
  std::istringstream a(committed), b(rendered);
  std::string la, lb;
  for (int line = 1;; ++line) {
    bool more_a = static_cast<bool>(std::getline(a, la));
    bool more_b = static_cast<bool>(std::getline(b, lb));
    if (!more_a && !more_b) return "they differ only in line endings";
    if (!more_a) la = "<end of file>";
    if (!more_b) lb = "<end of file>";
    if (!more_a || !more_b || la != lb)
      return "line " + std::to_string(line) + ": committed '" + la + "', table '" + lb + "'";
  }
}

std::string docPath() { return std::string(OUTPOST_SOURCE_DIR) + "/docs/config.md"; }

TEST(ConfigDoc, MatchesConfigTable) {
  const std::string rendered = renderConfigMarkdown();
  const char* update = std::getenv("OUTPOST_UPDATE_DOCS");
  if (update && std::string(update) == "1") {
    std::ofstream out(docPath(), std::ios::binary | std::ios::trunc);
    ASSERT_TRUE(out) << "cannot write " << docPath();
    out << rendered;
    out.close();
    ASSERT_TRUE(out.good()) << "writing " << docPath() << " failed";
    std::printf("wrote %s\n", docPath().c_str());
  }
  std::ifstream in(docPath(), std::ios::binary);
  ASSERT_TRUE(in) << docPath() << " is missing; regenerate it with OUTPOST_UPDATE_DOCS=1";
  std::ostringstream committed;
  committed << in.rdbuf();
  EXPECT_TRUE(committed.str() == rendered)
      << "docs/config.md does not match src/transport/config_table.h (" << firstDifference(committed.str(), rendered)
      << "); regenerate it with\n"
      << "  OUTPOST_UPDATE_DOCS=1 ./build/tests/unit/transport_unit_tests --gtest_filter='ConfigDoc.*'";
}

TEST(ConfigDoc, HasOneRowPerValueWithExactBounds) {
  const std::string md = renderConfigMarkdown();
  for (const ConfigDef& d : configTable())
    EXPECT_NE(md.find("`NETWORKING_CONFIG_" + std::string(d.name) + "`"), std::string::npos) << d.name;
  // CONNECTION_USER_DATA spans the whole int64 range; it must print exactly, not as a rounded
  // double.
  EXPECT_NE(md.find("| -1 | -9223372036854775808 | 9223372036854775807 |"), std::string::npos);
  EXPECT_NE(md.find("| 1300 | 576 | 1472 | bytes |"), std::string::npos);
}

}  // namespace
}  // namespace outpost::transport
