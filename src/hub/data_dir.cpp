// DataDir (see data_dir.h): the directory's permissions sweep, the safe write (O_EXCL|O_NOFOLLOW
// temporary, fsync, rename, directory fsync) and the key files. Runs on the hub's main thread
// while it starts. Every path in an error is the one to look at.
#include "hub/data_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hubrpc/client_credentials.h"

namespace outpost::hub {

namespace {

constexpr mode_t kDirMode = 0700;
constexpr mode_t kFileMode = 0600;

std::string errnoText() { return std::strerror(errno); }

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// Opens the directory (following a symlink given as the path itself: that is the operator's
// choice) and makes it ours and 0700.
bool openSecureDir(const std::string& path, Fd* out, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot open the data directory " + path + ": " + errnoText();
    return false;
  }
  out->reset(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    *error = "cannot stat " + path + ": " + errnoText();
    return false;
  }
  if (st.st_uid != ::geteuid()) {
    *error = "the data directory " + path + " belongs to uid " + std::to_string(st.st_uid) +
             ", not to this user (uid " + std::to_string(::geteuid()) + "); refusing to start";
    return false;
  }
  if ((st.st_mode & 07777) != kDirMode && ::fchmod(fd, kDirMode) != 0) {
    *error = "cannot make the data directory " + path + " mode 0700: " + errnoText();
    return false;
  }
  return true;
}

// Every entry: regular files 0600, directories 0700; anything else, or anything not ours, is
// refused (the directory holds only the hub's own files).
bool sweep(int dir_fd, const std::string& path, std::string* error) {
  int dup_fd = ::dup(dir_fd);
  if (dup_fd < 0) {
    *error = "cannot read the data directory " + path + ": " + errnoText();
    return false;
  }
  DIR* d = ::fdopendir(dup_fd);
  if (!d) {
    ::close(dup_fd);
    *error = "cannot read the data directory " + path + ": " + errnoText();
    return false;
  }
  ::rewinddir(d);
  bool ok = true;
  while (ok) {
    errno = 0;
    dirent* e = ::readdir(d);
    if (!e) {
      if (errno) {
        *error = "cannot read the data directory " + path + ": " + errnoText();
        ok = false;
      }
      break;
    }
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string full = path + "/" + name;
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // removed meanwhile
      *error = "cannot stat " + full + ": " + errnoText();
      ok = false;
    } else if (S_ISLNK(st.st_mode)) {
      *error = full + " is a symbolic link; refusing to start (the data directory holds only the hub's own files)";
      ok = false;
    } else if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
      *error = full + " is neither a file nor a directory; refusing to start";
      ok = false;
    } else if (st.st_uid != ::geteuid()) {
      *error = full + " belongs to uid " + std::to_string(st.st_uid) + ", not to this user; refusing to start";
      ok = false;
    } else {
      mode_t want = S_ISDIR(st.st_mode) ? kDirMode : kFileMode;
      if ((st.st_mode & 07777) != want && ::fchmodat(dir_fd, name.c_str(), want, 0) != 0) {
        *error = "cannot set the mode of " + full + ": " + errnoText();
        ok = false;
      }
    }
  }
  ::closedir(d);
  return ok;
}

bool readFileAt(int dir_fd, const std::string& name, std::string* out) {
  Fd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.ok()) return false;
  out->clear();
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
    if (out->size() > 65536) return false;  // not one of our files
  }
  while (!out->empty() && (out->back() == '\n' || out->back() == ' ' || out->back() == '\r')) out->pop_back();
  return true;
}

bool writeAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// <name>.tmp (O_EXCL|O_NOFOLLOW, 0600; a leftover one is removed, never reused) -> fsync ->
// rename -> fsync of the directory.
bool writeFileAtomic(int dir_fd, const std::string& dir_path, const std::string& name, const std::string& content,
                     std::string* error) {
  std::string tmp = name + ".tmp";
  int raw = -1;
  for (int attempt = 0; attempt < 2 && raw < 0; ++attempt) {
    raw = ::openat(dir_fd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kFileMode);
    if (raw < 0 && errno == EEXIST && attempt == 0) ::unlinkat(dir_fd, tmp.c_str(), 0);  // a crash's leftover
    else if (raw < 0) break;
  }
  if (raw < 0) {
    *error = "cannot create " + dir_path + "/" + tmp + ": " + errnoText();
    return false;
  }
  Fd fd(raw);
  // The mode is set explicitly: open()'s mode is only what the umask leaves of it.
  bool ok = ::fchmod(fd.get(), kFileMode) == 0 && writeAll(fd.get(), content + "\n") && ::fsync(fd.get()) == 0;
  if (!ok || ::renameat(dir_fd, tmp.c_str(), dir_fd, name.c_str()) != 0) {
    *error = "cannot write " + dir_path + "/" + name + ": " + errnoText();
    ::unlinkat(dir_fd, tmp.c_str(), 0);
    return false;
  }
  if (::fsync(dir_fd) != 0) {  // the rename itself is durable only once the directory is
    *error = "cannot fsync the data directory " + dir_path + ": " + errnoText();
    return false;
  }
  return true;
}

bool existsAt(int dir_fd, const std::string& name) {
  struct stat st {};
  return ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

}  // namespace

bool openDataDir(const std::string& path, DataDir& out, std::string* error) {
  out.path = path;
  if (::mkdir(path.c_str(), kDirMode) != 0 && errno != EEXIST) {
    *error = "cannot create data directory " + path + ": " + errnoText();
    return false;
  }
  Fd dir;
  if (!openSecureDir(path, &dir, error) || !sweep(dir.get(), path, error)) return false;
  const std::string key_name = "hub.key";
  const std::string key_path = path + "/" + key_name;
  if (!existsAt(dir.get(), key_name)) {
    out.key = crypto::IdentityKeyPair::generate();
    if (!writeFileAtomic(dir.get(), path, key_name, crypto::toHex(out.key.secret_key), error)) return false;
    if (!writeFileAtomic(dir.get(), path, hubrpc::kHubPublicKeyFile, crypto::toHex(out.key.public_key), error))
      return false;
    out.created_key = true;
  } else {
    std::string hex;
    std::array<uint8_t, crypto::kSignSecretKeyBytes> sk{};
    if (!readFileAt(dir.get(), key_name, &hex) || !crypto::fromHex(hex, sk) ||
        !crypto::identityFromSecretKey(sk, out.key)) {
      *error =
          key_path +
          " is unreadable or not an Ed25519 secret key; refusing to start (move it away to make a new hub identity)";
      return false;
    }
    // hub.pub follows hub.key (a lost or stale copy would make clients pin the wrong key).
    std::string pub;
    if (!readFileAt(dir.get(), hubrpc::kHubPublicKeyFile, &pub) || pub != crypto::toHex(out.key.public_key)) {
      if (!writeFileAtomic(dir.get(), path, hubrpc::kHubPublicKeyFile, crypto::toHex(out.key.public_key), error))
        return false;
    }
  }
  out.public_key_hex = crypto::toHex(out.key.public_key);
  const std::string token_path = path + "/" + hubrpc::kAdminTokenFile;
  if (!existsAt(dir.get(), hubrpc::kAdminTokenFile)) {
    std::array<uint8_t, 32> token{};
    crypto::randomBytes(token.data(), token.size());
    if (!writeFileAtomic(dir.get(), path, hubrpc::kAdminTokenFile, crypto::toHex(token), error)) return false;
  }
  if (!readFileAt(dir.get(), hubrpc::kAdminTokenFile, &out.admin_token_hex) || out.admin_token_hex.size() != 64) {
    *error = token_path + " is unreadable or malformed";
    return false;
  }
  for (char& c : out.admin_token_hex) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  // The store file exists before SQLite opens it, with our mode: SQLite creates its -wal and
  // -shm files with the database file's permissions.
  if (!existsAt(dir.get(), "hub.sqlite")) {
    int fd = ::openat(dir.get(), "hub.sqlite", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kFileMode);
    if (fd < 0) {
      *error = "cannot create " + out.storePath() + ": " + errnoText();
      return false;
    }
    ::fchmod(fd, kFileMode);
    ::close(fd);
    ::fsync(dir.get());
  }
  return true;
}

bool secureDataDir(const std::string& path, std::string* error) {
  Fd dir;
  return openSecureDir(path, &dir, error) && sweep(dir.get(), path, error);
}

bool writeContactFile(const std::string& path, const std::string& contact, std::string* error) {
  Fd dir;
  return openSecureDir(path, &dir, error) && writeFileAtomic(dir.get(), path, hubrpc::kHubContactFile, contact, error);
}

}  // namespace outpost::hub
