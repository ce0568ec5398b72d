#include "lutgen/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>

#include "axx/error.h"

namespace axx::lutgen {

namespace {

void write_all(int fd, const std::string& contents, const std::function<void(int)>& fail) {
  const char* p = contents.data();
  std::size_t left = contents.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(errno);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace

PendingFile::PendingFile(const std::string& given, const std::string& contents) : path_(given) {
  struct stat st;
  if (::stat(given.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    // A device or pipe (/dev/stdout, /dev/null, a FIFO) cannot be replaced by a file: renaming onto
    // it would swap the device node for a regular file. It is written in place, unbuffered.
    if (S_ISDIR(st.st_mode)) throw InputError(given + ": cannot write: Is a directory");
    const int fd = ::open(given.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw InputError(given + ": cannot write: " + std::strerror(errno));
    write_all(fd, contents, [&](int err) {
      ::close(fd);
      throw InputError(given + ": cannot write: " + std::strerror(err));
    });
    if (::close(fd) != 0) throw InputError(given + ": cannot write: " + std::strerror(errno));
    committed_ = true;
    return;
  }
  // A symbolic link keeps being a link: the file it names (existing or not) is replaced.
  std::string path = given;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat lst;
    if (::lstat(path.c_str(), &lst) != 0 || !S_ISLNK(lst.st_mode)) break;
    std::error_code ec;
    const std::filesystem::path target = std::filesystem::read_symlink(path, ec);
    if (ec) break;
    path = target.is_absolute() ? target.string() : (std::filesystem::path(path).parent_path() / target).string();
  }
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty()) throw InputError(given + ": cannot write: not a file name");
  std::string tmp = (slash == std::string::npos ? "" : dir) + "." + base + ".axx-XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0) throw InputError(given + ": cannot write: " + std::strerror(errno));
  auto fail = [&](int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw InputError(given + ": cannot write: " + std::strerror(err));
  };
  // mkstemp creates 0600; give the file the usual permissions (0666 & ~umask).
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0) fail(errno);
  write_all(fd, contents, fail);
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw InputError(given + ": cannot write: " + std::strerror(err));
  }
  tmp_ = tmp;
  target_ = path;
}

PendingFile::~PendingFile() {
  if (!committed_) ::unlink(tmp_.c_str());
}

void PendingFile::commit() {
  if (committed_) return;  // written in place (a device or pipe)
  if (::rename(tmp_.c_str(), target_.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp_.c_str());
    committed_ = true;  // nothing left to remove
    throw InputError(path_ + ": cannot write: " + std::strerror(err));
  }
  committed_ = true;
}

void write_file_atomic(const std::string& path, const std::string& contents) {
  PendingFile(path, contents).commit();
}

}  // namespace axx::lutgen
