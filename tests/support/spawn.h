// spawn: the one place where tests and benchmarks start a child process (fork + exec). spawn()
// forks a program that dies with us (PR_SET_PDEATHSIG: a crashed test leaks nothing), sends its
// stdout and stderr each to a pipe the caller reads (one pipe, shared when both ask for it), to a
// file, to /dev/null or leaves them inherited, optionally gives it an environment of its own and a
// process group of its own, runs an optional hook in the child just before exec (setns, chdir),
// and execs it (execve, or execvpe with a PATH search). It returns the pid and the pipe's read
// end. waitExit(), stopChild() and runToCompletion() wait for it, always with a bound.
//
// Exit codes seen by the caller: the program's own, 128 + signal when a signal ended it, 127 when
// the program could not be executed (a missing binary), 126 when the hook refused.
//
// Everything the child needs (argv, envp, the open files) is built before fork, so between fork
// and exec the child makes only async-signal-safe calls (plus the hook, which must keep to them
// too): safe in a parent with threads. Not for signal handlers (spawn allocates): the rm -rf in
// bench/hub_bench_fleet.cpp's fatal-signal handler keeps its own fork/exec.
//
// Users: tests/support/process.h (runProcess, HubProcess), agent_process.h, tests/nat/nat_bed.h
// (NsProcess), tests/godot/godot_fixture.h (ChildProcess), tests/integration/example_background.h,
// bench/agent_bench.cpp. Unit tests: tests/unit/spawn_test.cpp.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace outpost::test {

// Where a child's stdout or stderr goes.
enum class Stream {
  kInherit,  // ours
  kPipe,     // the pipe spawn() returns (stdout and stderr share it when both are kPipe)
  kNull,     // /dev/null
  kFile,     // SpawnOptions::out_path / err_path, created or truncated (0644); one file when both name it
};

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0]: a path, or (search_path) a name looked up on PATH
  bool search_path = false;       // execvpe instead of execve
  Stream out = Stream::kPipe;     // stdout
  Stream err = Stream::kPipe;     // stderr
  std::string out_path, err_path;
  std::vector<std::pair<std::string, std::string>> env;  // set (or replaced) in the child's environment
  std::vector<std::string> unset_env;                    // removed from the child's environment
  bool new_process_group = false;                        // the child leads a process group of its own
  // Runs in the child after fork, before the redirections and exec. Async-signal-safe calls only.
  // false: the child exits with 126.
  std::function<bool()> before_exec;
};

struct Child {
  pid_t pid = -1;   // -1 when it could not be started (a pipe, a file or fork failed)
  int out_fd = -1;  // the pipe's read end (close it when done), -1 without Stream::kPipe
};

// The exit status of a waitpid() status: the exit code, or 128 + signal.
inline int exitStatus(int wait_status) {
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

namespace spawn_detail {

inline int openOutput(const std::string& path) {
  return open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

// The environment for the child: ours, without `unset` and the names `env` sets, then `env`.
inline std::vector<std::string> childEnvironment(const SpawnOptions& o) {
  std::vector<std::string> out;
  auto dropped = [&](const char* entry) {
    const char* eq = std::strchr(entry, '=');
    std::string name(entry, eq ? static_cast<size_t>(eq - entry) : std::strlen(entry));
    for (const auto& u : o.unset_env)
      if (u == name) return true;
    for (const auto& [k, v] : o.env)
      if (k == name) return true;
    return false;
  };
  for (char** e = environ; e && *e; ++e)
    if (!dropped(*e)) out.emplace_back(*e);
  for (const auto& [k, v] : o.env) out.push_back(k + "=" + v);
  return out;
}

inline std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> p;
  for (auto& s : strings) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

}  // namespace spawn_detail

// Starts o.argv (see the file's abstract). Thread-safe; the caller reaps the pid (waitExit,
// stopChild) and closes out_fd.
inline Child spawn(const SpawnOptions& o) {
  Child c;
  if (o.argv.empty()) return c;
  std::vector<std::string> argv_strings = o.argv;
  std::vector<std::string> env_strings = spawn_detail::childEnvironment(o);
  std::vector<char*> argv = spawn_detail::pointers(argv_strings);
  std::vector<char*> envp = spawn_detail::pointers(env_strings);

  // Every descriptor opened here is close-on-exec: only what is dup2()ed onto 1 and 2 reaches the
  // program, and no other child started meanwhile holds our pipe open.
  int pipe_fds[2] = {-1, -1};
  int out_fd = -1, err_fd = -1, null_fd = -1;
  auto closeAll = [&] {
    for (int fd : {pipe_fds[0], pipe_fds[1], out_fd, err_fd, null_fd})
      if (fd >= 0) close(fd);
  };
  bool ok = true;
  if (o.out == Stream::kPipe || o.err == Stream::kPipe) ok = pipe2(pipe_fds, O_CLOEXEC) == 0;
  if (ok && (o.out == Stream::kNull || o.err == Stream::kNull))
    ok = (null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) >= 0;
  if (ok && o.out == Stream::kFile) ok = (out_fd = spawn_detail::openOutput(o.out_path)) >= 0;
  if (ok && o.err == Stream::kFile) {
    if (o.out == Stream::kFile && o.err_path == o.out_path) err_fd = dup(out_fd);  // one file offset
    else err_fd = spawn_detail::openOutput(o.err_path);
    ok = err_fd >= 0;
  }
  if (!ok) {
    closeAll();
    return c;
  }
  auto target = [&](Stream s, int file_fd) {
    switch (s) {
      case Stream::kPipe: return pipe_fds[1];
      case Stream::kNull: return null_fd;
      case Stream::kFile: return file_fd;
      case Stream::kInherit: break;
    }
    return -1;
  };
  const int stdout_to = target(o.out, out_fd), stderr_to = target(o.err, err_fd);

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);     // never outlive the test or benchmark
    if (getppid() != parent) _exit(127);  // it died before prctl took effect
    if (o.new_process_group) setpgid(0, 0);
    if (o.before_exec && !o.before_exec()) _exit(126);
    if (stdout_to >= 0) dup2(stdout_to, 1);  // dup2 clears close-on-exec on 1 and 2
    if (stderr_to >= 0) dup2(stderr_to, 2);
    if (o.search_path) execvpe(argv[0], argv.data(), envp.data());
    else execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  if (pid > 0 && o.new_process_group) setpgid(pid, pid);  // also here: a signal sent at once finds the group
  const int read_end = pipe_fds[0];
  pipe_fds[0] = -1;
  closeAll();
  if (pid < 0) {
    if (read_end >= 0) close(read_end);
    return c;
  }
  c.pid = pid;
  c.out_fd = read_end;
  return c;
}

// Waits up to timeout_ms (0: just looks) for child `pid` to end and reaps it: its exit status,
// or -1 while it is still running.
inline int waitExit(pid_t pid, int timeout_ms) {
  if (pid <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return exitStatus(status);
    if (r < 0 && errno != EINTR) return -1;  // not our child (or already reaped)
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Sends `sig` (to the child's whole process group with `group`), waits up to wait_ms for it to
// end, then SIGKILLs it and reaps it. Its exit status (128 + SIGKILL when it had to be killed).
inline int stopChild(pid_t pid, int sig, int wait_ms, bool group = false) {
  if (pid <= 0) return -1;
  kill(group ? -pid : pid, sig);
  int r = waitExit(pid, wait_ms);
  if (r >= 0) return r;
  if (waitpid(pid, nullptr, WNOHANG) < 0) return -1;  // not our child: signal nothing more
  kill(pid, SIGKILL);
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return exitStatus(status);
}

struct ProcessResult {
  int exit_code = -1;  // exit status (128 + signal); 137 when the timeout killed it; -1: not started
  std::string out;     // what it wrote to the pipe (stdout and stderr, with the default streams)
  bool timed_out = false;
};

// Runs o to completion, collecting the pipe's output, bounded by timeout_ms: then it is SIGKILLed.
inline ProcessResult runToCompletion(const SpawnOptions& o, int timeout_ms) {
  ProcessResult r;
  Child c = spawn(o);
  if (c.pid < 0) return r;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto leftMs = [&] {
    return static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
  };
  if (c.out_fd >= 0) {
    char buf[4096];
    for (;;) {
      int left = leftMs();
      if (left <= 0) {
        r.timed_out = true;
        break;
      }
      pollfd p{c.out_fd, POLLIN, 0};
      if (poll(&p, 1, left) <= 0) continue;
      ssize_t n = read(c.out_fd, buf, sizeof buf);
      if (n <= 0) break;
      r.out.append(buf, static_cast<size_t>(n));
    }
    close(c.out_fd);
  }
  if (!r.timed_out) {  // output closed (or none was piped): the rest of the time for its exit
    r.exit_code = waitExit(c.pid, std::max(leftMs(), 0));
    r.timed_out = r.exit_code < 0;
  }
  if (r.timed_out) r.exit_code = stopChild(c.pid, SIGKILL, 0);
  return r;
}

}  // namespace outpost::test
