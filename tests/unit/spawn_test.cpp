// tests/support/spawn.h, the one fork/exec of the tests and benchmarks: exit codes (the program's,
// 127 for a program that cannot run, 126 for a refusing hook, 128 + signal), what reaches the
// pipe or a file, the hook and the environment applying to the child only, PATH search, process
// groups, and the bounded waits (a timeout kills; stopChild escalates to SIGKILL).
#include "support/spawn.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

using namespace outpost::test;
using Clock = std::chrono::steady_clock;

namespace {

SpawnOptions shell(const std::string& script) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", script};
  return o;
}

std::string readFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/outpost-spawn-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST(Spawn, CapturesTheExitCodeAndBothStreams) {
  ProcessResult r = runToCompletion(shell("echo to-stdout; echo to-stderr >&2; exit 7"), 10000);
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.out.find("to-stdout\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("to-stderr\n"), std::string::npos) << r.out;
  EXPECT_EQ(runToCompletion(shell("exit 0"), 10000).exit_code, 0);
}

TEST(Spawn, StderrToDevNullLeavesOnlyStdoutInThePipe) {
  SpawnOptions o = shell("echo kept; echo dropped >&2");
  o.err = Stream::kNull;
  ProcessResult r = runToCompletion(o, 10000);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "kept\n");
}

TEST(Spawn, BothStreamsToOneFileKeepBothLines) {
  TempDir dir;
  SpawnOptions o = shell("echo first; echo second >&2; echo third");
  o.out = o.err = Stream::kFile;
  o.out_path = o.err_path = dir.path + "/log";
  Child c = spawn(o);
  ASSERT_GT(c.pid, 0);
  EXPECT_EQ(c.out_fd, -1) << "no pipe without Stream::kPipe";
  EXPECT_EQ(waitExit(c.pid, 10000), 0);
  // One file offset for both streams: no line overwrites another.
  EXPECT_EQ(readFile(o.out_path), "first\nsecond\nthird\n");
}

TEST(Spawn, AMissingProgramExits127) {
  SpawnOptions o;
  o.argv = {"/nonexistent/outpost-no-such-program"};
  EXPECT_EQ(runToCompletion(o, 10000).exit_code, 127);
  // A bare name is a path unless PATH search is asked for.
  SpawnOptions bare = shell("exit 3");
  bare.argv[0] = "sh";
  EXPECT_EQ(runToCompletion(bare, 10000).exit_code, 127);
  bare.search_path = true;
  EXPECT_EQ(runToCompletion(bare, 10000).exit_code, 3);
}

TEST(Spawn, TheHookRunsInTheChildBeforeExec) {
  TempDir dir;
  const std::string before = std::filesystem::current_path().string();
  SpawnOptions o;
  o.argv = {"/bin/pwd"};
  const std::string target = dir.path;
  o.before_exec = [&target] { return chdir(target.c_str()) == 0; };
  ProcessResult r = runToCompletion(o, 10000);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, std::filesystem::canonical(dir.path).string() + "\n");
  EXPECT_EQ(std::filesystem::current_path().string(), before) << "the hook must not run in the parent";
  // A hook that refuses: the program never runs, the child exits 126.
  SpawnOptions refused = shell("echo ran");
  refused.before_exec = [] { return false; };
  r = runToCompletion(refused, 10000);
  EXPECT_EQ(r.exit_code, 126);
  EXPECT_EQ(r.out, "");
}

TEST(Spawn, TheEnvironmentChangesOnlyInTheChild) {
  ASSERT_EQ(setenv("OUTPOST_SPAWN_TEST_KEEP", "kept", 1), 0);
  ASSERT_EQ(setenv("OUTPOST_SPAWN_TEST_DROP", "inherited", 1), 0);
  ASSERT_EQ(setenv("OUTPOST_SPAWN_TEST_SET", "old", 1), 0);
  SpawnOptions o = shell(
      "echo \"$OUTPOST_SPAWN_TEST_KEEP ${OUTPOST_SPAWN_TEST_DROP-unset} $OUTPOST_SPAWN_TEST_SET "
      "$OUTPOST_SPAWN_TEST_NEW\"");
  o.env = {{"OUTPOST_SPAWN_TEST_SET", "new"}, {"OUTPOST_SPAWN_TEST_NEW", "added"}};
  o.unset_env = {"OUTPOST_SPAWN_TEST_DROP"};
  ProcessResult r = runToCompletion(o, 10000);
  EXPECT_EQ(r.out, "kept unset new added\n");
  EXPECT_STREQ(getenv("OUTPOST_SPAWN_TEST_DROP"), "inherited");
  EXPECT_STREQ(getenv("OUTPOST_SPAWN_TEST_SET"), "old");
  EXPECT_EQ(getenv("OUTPOST_SPAWN_TEST_NEW"), nullptr);
  for (const char* name : {"OUTPOST_SPAWN_TEST_KEEP", "OUTPOST_SPAWN_TEST_DROP", "OUTPOST_SPAWN_TEST_SET"})
    unsetenv(name);
}

TEST(Spawn, ATimeoutKillsTheProgram) {
  SpawnOptions o;
  o.argv = {"/bin/sleep", "30"};
  auto t0 = Clock::now();
  ProcessResult r = runToCompletion(o, 300);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(10));
  // Output closed early but the program lives on: the bound still holds.
  SpawnOptions quiet = o;
  quiet.out = quiet.err = Stream::kNull;
  r = runToCompletion(quiet, 300);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
}

TEST(Spawn, WaitExitIsBoundedAndStopChildEscalates) {
  SpawnOptions o;
  o.argv = {"/bin/sleep", "30"};
  o.out = o.err = Stream::kInherit;
  Child c = spawn(o);
  ASSERT_GT(c.pid, 0);
  EXPECT_EQ(waitExit(c.pid, 0), -1) << "still running";
  EXPECT_EQ(waitExit(c.pid, 50), -1) << "still running";
  EXPECT_EQ(stopChild(c.pid, SIGTERM, 5000), 128 + SIGTERM);
  // A program that ignores SIGTERM (an ignored signal stays ignored across exec) is SIGKILLed.
  SpawnOptions stubborn = shell("trap '' TERM; echo ready; exec /bin/sleep 30");
  stubborn.err = Stream::kInherit;
  c = spawn(stubborn);
  ASSERT_GT(c.pid, 0);
  std::string said;  // the trap is set once it says so
  char ch;
  while (said.find('\n') == std::string::npos && read(c.out_fd, &ch, 1) == 1) said.push_back(ch);
  close(c.out_fd);
  ASSERT_EQ(said, "ready\n");
  auto t0 = Clock::now();
  EXPECT_EQ(stopChild(c.pid, SIGTERM, 300), 128 + SIGKILL);
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(300));
}

TEST(Spawn, ANewProcessGroupIsLedByTheChild) {
  SpawnOptions o;
  o.argv = {"/bin/sleep", "30"};
  o.out = o.err = Stream::kInherit;
  o.new_process_group = true;
  Child c = spawn(o);
  ASSERT_GT(c.pid, 0);
  EXPECT_EQ(getpgid(c.pid), c.pid);
  EXPECT_EQ(stopChild(c.pid, SIGTERM, 5000, /*group=*/true), 128 + SIGTERM);
  // Without it the child stays in ours.
  o.new_process_group = false;
  c = spawn(o);
  ASSERT_GT(c.pid, 0);
  EXPECT_EQ(getpgid(c.pid), getpgid(0));
  EXPECT_EQ(stopChild(c.pid, SIGKILL, 5000), 128 + SIGKILL);
}
