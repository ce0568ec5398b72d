// Small file-system helpers on plain POSIX calls, shared by lutgen and netlist_sim.
//
// Why not std::filesystem: inside the Python module, libtorch exports its own copies of
// std::filesystem symbols, and the dynamic linker can bind our calls to them (seen as a crash in
// remove_all on the GPU machine's torch 2.11). POSIX calls have no such duplicate.
#pragma once
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "axx/error.h"

namespace axx::posix_fs {

inline bool is_regular_file(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

inline bool is_directory(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

inline bool exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

// p made absolute against the current directory (no symlink resolution, like fs::absolute).
inline std::string absolute(const std::string& p) {
  if (!p.empty() && p[0] == '/') return p;
  std::vector<char> buf(4096);
  while (!::getcwd(buf.data(), buf.size())) {
    if (errno != ERANGE) throw Error(std::string("cannot read the current directory: ") + std::strerror(errno));
    buf.resize(buf.size() * 2);
  }
  std::string cwd = buf.data();
  return cwd == "/" ? "/" + p : cwd + "/" + p;
}

// Removes a file or a folder tree; errors are ignored (used for cleanup only).
inline void remove_all(const std::string& p) {
  struct stat st;
  if (::lstat(p.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    if (DIR* d = ::opendir(p.c_str())) {
      std::vector<std::string> names;
      while (dirent* e = ::readdir(d))
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.push_back(e->d_name);
      ::closedir(d);
      for (const auto& n : names) remove_all(p + "/" + n);
    }
    ::rmdir(p.c_str());
  } else {
    ::unlink(p.c_str());
  }
}

// A fresh folder under $TMPDIR (or /tmp), removed with its contents when the object goes away.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "-XXXXXX";
    if (!::mkdtemp(pattern.data()))
      throw ToolError("cannot create a temporary folder " + pattern + ": " + std::strerror(errno));
    path_ = pattern;
  }
  ~TempDir() { remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace axx::posix_fs
