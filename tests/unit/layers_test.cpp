// No module includes a header of a module above it: docs/layers.md is the table of modules (layer,
// SDK membership, the modules each may use, the public headers each implements); this test reads
// every #include of src/ and apps/ and fails on an edge the table does not allow, naming the file
// and the line. It also checks the table itself: declared edges point down, an SDK module uses
// only SDK modules, every public header has one owner. The build reads the same table
// (cmake/layers.cmake) to add the modules and to check their links.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Row {
  std::string dir;   // "src/transport" or "apps/outpost"
  std::string name;  // "transport" or "apps/outpost"
  int layer = 0;
  bool sdk = false;
  std::set<std::string> uses;  // module names
  int line = 0;                // in docs/layers.md
};

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// "a, b, c" -> {a, b, c}; "—" or "" -> {}.
std::vector<std::string> names(const std::string& cell) {
  std::vector<std::string> out;
  std::stringstream in(cell);
  std::string item;
  while (std::getline(in, item, ',')) {
    item = trim(item);
    if (!item.empty() && item != "—" && item != "-") out.push_back(item);
  }
  return out;
}

struct Table {
  std::map<std::string, Row> rows;                  // by dir
  std::map<std::string, std::string> header_owner;  // "networking_sockets.h" -> "transport"
  std::vector<std::string> problems;
};

Table readTable(const fs::path& root) {
  Table t;
  std::ifstream f(root / "docs/layers.md");
  if (!f) {
    t.problems.push_back("docs/layers.md: cannot read it");
    return t;
  }
  std::string line;
  int number = 0;
  while (std::getline(f, line)) {
    ++number;
    if (line.rfind("| src/", 0) != 0 && line.rfind("| apps/", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream in(line.substr(1));
    std::string cell;
    while (std::getline(in, cell, '|')) cells.push_back(trim(cell));
    std::string where = "docs/layers.md:" + std::to_string(number) + ": ";
    if (cells.size() < 5 || cells[1].size() != 1 || !std::isdigit(static_cast<unsigned char>(cells[1][0])) ||
        (cells[2] != "yes" && cells[2] != "no")) {
      t.problems.push_back(where + "a row is | directory | layer (0-9) | SDK (yes/no) | uses | public headers |");
      continue;
    }
    Row r;
    r.dir = cells[0];
    r.name = r.dir.rfind("src/", 0) == 0 ? r.dir.substr(4) : r.dir;
    r.layer = cells[1][0] - '0';
    r.sdk = cells[2] == "yes";
    for (auto& u : names(cells[3])) r.uses.insert(u);
    r.line = number;
    for (auto& h : names(cells[4])) {
      auto [it, fresh] = t.header_owner.emplace(h, r.name);
      if (!fresh) t.problems.push_back(where + "include/outpost/" + h + " is owned by " + it->second + " already");
    }
    if (!t.rows.emplace(r.dir, r).second) t.problems.push_back(where + r.dir + " has two rows");
  }
  return t;
}

const Row* moduleRow(const Table& t, const std::string& module) {
  auto it = t.rows.find("src/" + module);
  return it == t.rows.end() ? nullptr : &it->second;
}

// Every problem of the tree at `root`, one line each ("file:line: what").
std::vector<std::string> checkLayers(const fs::path& root) {
  Table t = readTable(root);
  std::vector<std::string> problems = t.problems;

  // The table: declared edges point down; the SDK is closed under "uses".
  for (const auto& [dir, r] : t.rows) {
    std::string where = "docs/layers.md:" + std::to_string(r.line) + ": " + r.name;
    for (const auto& u : r.uses) {
      const Row* used = moduleRow(t, u);
      if (!used) {
        problems.push_back(where + " uses " + u + ", which has no row (src/" + u + ")");
      } else if (used->layer >= r.layer) {
        problems.push_back(where + " (layer " + std::to_string(r.layer) + ") uses " + u + " (layer " +
                           std::to_string(used->layer) + "): a declared edge must point to a lower layer");
      } else if (r.sdk && !used->sdk) {
        problems.push_back(where + " is in the SDK but uses " + u + ", which is not");
      }
    }
  }
  // Every public header has an owner, every owned header exists.
  std::set<std::string> public_headers;
  if (fs::is_directory(root / "include/outpost")) {
    for (const auto& e : fs::directory_iterator(root / "include/outpost")) {
      std::string h = e.path().filename().string();
      public_headers.insert(h);
      if (!t.header_owner.count(h))
        problems.push_back("include/outpost/" + h +
                           ": no module of docs/layers.md implements it (public headers column)");
    }
  }
  for (const auto& [h, owner] : t.header_owner)
    if (!public_headers.count(h))
      problems.push_back("docs/layers.md: " + owner + " implements include/outpost/" + h + ", which does not exist");

  // The includes.
  static const std::regex include_re(R"(^\s*#\s*include\s*[<"]([A-Za-z0-9_.-]+)/([^">]+)[">])");
  for (const char* top : {"src", "apps"}) {
    if (!fs::is_directory(root / top)) continue;
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(root / top)) {
      static const std::set<std::string> kSourceExtensions = {".h", ".hpp", ".cpp", ".cc", ".inc", ".inl"};
      if (e.is_regular_file() && kSourceExtensions.count(e.path().extension().string())) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::string rel = fs::relative(file, root).generic_string();
      std::string dir = rel.substr(0, rel.find('/', std::string(top).size() + 1));
      auto row_it = t.rows.find(dir);
      if (row_it == t.rows.end()) {
        problems.push_back(rel + ": " + dir + " has no row in docs/layers.md (an undeclared module)");
        continue;
      }
      const Row& row = row_it->second;
      std::ifstream in(file);
      std::string line;
      int number = 0;
      while (std::getline(in, line)) {
        ++number;
        std::smatch m;
        if (!std::regex_search(line, m, include_re)) continue;
        std::string first = m[1], rest = m[2];
        std::string target;
        if (first == "outpost") {
          auto owner = t.header_owner.find(rest);
          if (owner == t.header_owner.end()) {
            problems.push_back(rel + ":" + std::to_string(number) + ": includes outpost/" + rest +
                               ", which no row of docs/layers.md implements");
            continue;
          }
          target = owner->second;
        } else if (fs::is_directory(root / "src" / first)) {
          target = first;
        } else {
          continue;  // a library outside the tree (google/protobuf/..., nlohmann/...)
        }
        if (target == row.name) continue;
        std::string at = rel + ":" + std::to_string(number) + ": " + row.name;
        const Row* used = moduleRow(t, target);
        if (!used) {
          problems.push_back(at + " includes " + first + "/" + rest + ": src/" + target +
                             " has no row in docs/layers.md (an undeclared module)");
        } else if (used->layer >= row.layer) {
          problems.push_back(at + " (layer " + std::to_string(row.layer) + ") includes " + first + "/" + rest + " of " +
                             target + " (layer " + std::to_string(used->layer) +
                             "): an upward edge (a module may only include modules below it)");
        } else if (!row.uses.count(target)) {
          problems.push_back(at + " includes " + first + "/" + rest + " of " + target +
                             ", an undeclared edge: docs/layers.md does not list " + target + " among the modules " +
                             row.name + " uses");
        }
      }
    }
  }
  return problems;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += "  " + l + "\n";
  return s;
}

TEST(Layers, NoModuleIncludesAModuleAboveIt) {
  auto problems = checkLayers(OUTPOST_SOURCE_DIR);
  EXPECT_TRUE(problems.empty()) << "docs/layers.md does not allow:\n" << joined(problems);
}

// The checker against a small tree written here, so a passing run above means something.
class LayersChecker : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("outpost-layers-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    write("docs/layers.md",
          "| directory | layer | SDK | uses | public headers | what |\n"
          "|---|---|---|---|---|---|\n"
          "| src/base | 0 | yes | — | types.h | |\n"
          "| src/low | 1 | yes | base | — | |\n"
          "| src/high | 2 | yes | base, low | api.h | |\n"
          "| src/hubonly | 1 | no | base | — | |\n"
          "| apps/tool | 9 | no | high | — | |\n");
    write("include/outpost/types.h", "");
    write("include/outpost/api.h", "");
    write("src/base/a.h", "#include <string>\n#include \"outpost/types.h\"\n");
    write("src/low/l.cpp", "#include \"base/a.h\"\n#include \"low/l.h\"\n");
    write("src/low/l.h", "");
    write("src/high/h.cpp", "#include \"low/l.h\"\n#include \"google/protobuf/message.h\"\n");
    write("src/hubonly/x.cpp", "#include \"base/a.h\"\n");
    write("apps/tool/main.cpp", "#include \"outpost/api.h\"\n");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  bool reports(const std::string& needle) {
    for (const auto& p : checkLayers(root_))
      if (p.find(needle) != std::string::npos) return true;
    return false;
  }
  fs::path root_;
};

TEST_F(LayersChecker, ACleanTreePasses) { EXPECT_EQ(joined(checkLayers(root_)), ""); }

TEST_F(LayersChecker, AnUpwardIncludeIsReportedWithFileAndLine) {
  write("src/low/l.cpp", "#include \"base/a.h\"\n// why\n#include \"high/h.h\"\n");
  EXPECT_TRUE(reports("src/low/l.cpp:3: low (layer 1) includes high/h.h of high (layer 2): an upward edge"))
      << joined(checkLayers(root_));
}

TEST_F(LayersChecker, AnUpwardPublicHeaderIsReported) {
  write("src/low/l.h", "#include \"outpost/api.h\"\n");
  EXPECT_TRUE(reports("src/low/l.h:1: low (layer 1) includes outpost/api.h of high (layer 2)"))
      << joined(checkLayers(root_));
}

TEST_F(LayersChecker, AnUndeclaredDownwardIncludeIsReported) {
  write("src/high/h.cpp", "#include \"hubonly/x.h\"\n");
  EXPECT_TRUE(reports("src/high/h.cpp:1: high includes hubonly/x.h of hubonly, an undeclared edge"))
      << joined(checkLayers(root_));
  write("src/high/h.cpp", "#include \"low/l.h\"\n");
  write("apps/tool/main.cpp", "#include \"low/l.h\"\n");
  EXPECT_TRUE(reports("apps/tool/main.cpp:1: apps/tool includes low/l.h of low, an undeclared edge"))
      << joined(checkLayers(root_));
}

TEST_F(LayersChecker, AModuleWithoutARowIsReported) {
  write("src/stray/s.cpp", "#include \"base/a.h\"\n");
  write("src/low/l.cpp", "#include \"stray/s.h\"\n");
  EXPECT_TRUE(reports("src/stray/s.cpp: src/stray has no row")) << joined(checkLayers(root_));
  EXPECT_TRUE(reports("src/low/l.cpp:1: low includes stray/s.h: src/stray has no row")) << joined(checkLayers(root_));
}

TEST_F(LayersChecker, TheTableItselfIsChecked) {
  write("docs/layers.md",
        "| src/base | 0 | yes | — | types.h, api.h | |\n"
        "| src/low | 1 | yes | base, high | — | |\n"
        "| src/high | 2 | yes | base, low, hubonly | — | |\n"
        "| src/hubonly | 1 | no | base | — | |\n"
        "| apps/tool | 9 | no | high | — | |\n");
  write("include/outpost/orphan.h", "");
  EXPECT_TRUE(
      reports("docs/layers.md:2: low (layer 1) uses high (layer 2): a declared edge must point to a lower layer"))
      << joined(checkLayers(root_));
  EXPECT_TRUE(reports("docs/layers.md:3: high is in the SDK but uses hubonly, which is not"))
      << joined(checkLayers(root_));
  EXPECT_TRUE(reports("include/outpost/orphan.h: no module of docs/layers.md implements it"))
      << joined(checkLayers(root_));
}

}  // namespace
