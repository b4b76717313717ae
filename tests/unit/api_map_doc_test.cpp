// docs/api-map.md names, for each function it marks "works", the tests that prove it, as
// `tests/<dir>/<file>.cpp: Suite.Name`. This test keeps those names true: every such reference
// must point at an existing file that defines that test (TEST/TEST_F/TEST_P with that suite and
// name; `Suite.*` = any test of the suite in that file). A renamed or deleted test fails here
// instead of leaving the map pointing at nothing.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

std::string readFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(ApiMapDoc, EveryNamedTestExists) {
  const std::string root = OUTPOST_SOURCE_DIR;
  std::string map = readFile(root + "/docs/api-map.md");
  ASSERT_FALSE(map.empty());
  std::regex ref(R"(`(tests/[A-Za-z0-9_/]+\.cpp): ([A-Za-z0-9_]+)\.([A-Za-z0-9_]+|\*)`)");
  std::set<std::string> checked;
  size_t refs = 0;
  for (auto it = std::sregex_iterator(map.begin(), map.end(), ref); it != std::sregex_iterator(); ++it) {
    ++refs;
    std::string file = (*it)[1], suite = (*it)[2], name = (*it)[3];
    if (!checked.insert(file + ":" + suite + "." + name).second) continue;
    std::string source = readFile(root + "/" + file);
    ASSERT_FALSE(source.empty()) << file << " (named in docs/api-map.md) does not exist";
    std::string pattern =
        R"(TEST(_F|_P)?\(\s*)" + suite + R"(\s*,\s*)" + (name == "*" ? std::string(R"(\w+)") : name) + R"(\s*\))";
    EXPECT_TRUE(std::regex_search(source, std::regex(pattern)))
        << "docs/api-map.md names " << file << ": " << suite << "." << name << ", which that file does not define";
  }
  EXPECT_GT(refs, 50u);  // the map really names tests
}

}  // namespace
