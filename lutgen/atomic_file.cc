#include "lutgen/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "axx/error.h"

namespace axx::lutgen {

void write_file_atomic(const std::string& path, const std::string& contents) {
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty()) throw InputError(path + ": cannot write: not a file name");
  std::string tmp = (slash == std::string::npos ? "" : dir) + "." + base + ".axx-XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0) throw InputError(path + ": cannot write: " + std::strerror(errno));
  auto fail = [&](int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw InputError(path + ": cannot write: " + std::strerror(err));
  };
  // mkstemp creates 0600; give the file the usual permissions (0666 & ~umask).
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0) fail(errno);
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
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw InputError(path + ": cannot write: " + std::strerror(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw InputError(path + ": cannot write: " + std::strerror(err));
  }
}

}  // namespace axx::lutgen
