// Keeps the settings table of docs/operations.md equal to outpost-hub's settings table
// (src/hub/hub_settings.cpp): renders the table as markdown and compares it with the part of the
// file between the hub-settings markers. With OUTPOST_UPDATE_DOCS=1 it rewrites that part.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "hub/hub_settings.h"

#ifndef OUTPOST_SOURCE_DIR
#error "OUTPOST_SOURCE_DIR must point at the source tree (set in tests/CMakeLists.txt)"
#endif

namespace outpost::hub {
namespace {

const char* kBegin =
    "<!-- hub-settings:begin (generated from src/hub/hub_settings.cpp; see tests/unit/hub_settings_doc_test.cpp) -->\n";
const char* kEnd = "<!-- hub-settings:end -->\n";

std::string cell(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out.empty() ? "-" : out;
}

std::string render() {
  HubConfig scratch;
  base::settings::Table t = hubSettings(scratch);
  std::ostringstream md;
  md << kBegin << "| flag / config key | accepts | default | meaning |\n|---|---|---|---|\n";
  for (const auto& s : t.all()) {
    if (s.kind == base::settings::Setting::Kind::kFlag) continue;
    std::string key = "`--" + s.name + (s.value_name.empty() ? "" : " " + s.value_name) + "`" +
                      (s.config_file ? " / `" + s.name + "`" : "");
    std::string accepts =
        s.kind == base::settings::Setting::Kind::kInteger ? base::settings::describeAccepted(s) : s.value_name;
    md << "| " << key << " | " << cell(accepts) << " | " << cell(s.default_text) << " | " << cell(s.help) << " |\n";
    if (s.kind == base::settings::Setting::Kind::kKeyValue && s.sub)
      for (const auto& x : s.sub->all())
        md << "| `--" << s.name << " " << x.name << "=N` | " << cell(base::settings::describeAccepted(x)) << " | "
           << cell(x.default_text) << " | " << cell(x.help.empty() ? "master rate limit `" + x.name + "`" : x.help)
           << " |\n";
  }
  md << kEnd;
  return md.str();
}

std::string docPath() { return std::string(OUTPOST_SOURCE_DIR) + "/docs/operations.md"; }

TEST(HubSettingsDoc, OperationsMdShowsTheSettingsTable) {
  std::ifstream in(docPath(), std::ios::binary);
  ASSERT_TRUE(in) << docPath();
  std::ostringstream text;
  text << in.rdbuf();
  std::string doc = text.str();
  size_t begin = doc.find(kBegin), end = doc.find(kEnd);
  ASSERT_NE(begin, std::string::npos) << "docs/operations.md lacks the hub-settings:begin marker";
  ASSERT_NE(end, std::string::npos) << "docs/operations.md lacks the hub-settings:end marker";
  std::string committed = doc.substr(begin, end + std::string(kEnd).size() - begin);
  std::string rendered = render();
  const char* update = std::getenv("OUTPOST_UPDATE_DOCS");
  if (update && std::string(update) == "1" && committed != rendered) {
    doc.replace(begin, committed.size(), rendered);
    std::ofstream out(docPath(), std::ios::binary | std::ios::trunc);
    out << doc;
    ASSERT_TRUE(out.good());
    committed = rendered;
  }
  EXPECT_EQ(committed, rendered) << "docs/operations.md's settings table differs from src/hub/hub_settings.cpp; "
                                    "regenerate it with OUTPOST_UPDATE_DOCS=1 ./build/tests/unit/hub_unit_tests "
                                    "--gtest_filter='HubSettingsDoc.*'";
}

}  // namespace
}  // namespace outpost::hub
