// Atomic output: contents go to a temporary file in the destination's directory, which is then
// renamed over the destination, so readers never see a partial file and a failed write leaves
// nothing behind (docs/cli.md). A destination that is a symbolic link stays one (its target is
// replaced); one that is a device or pipe (/dev/stdout, /dev/null) is written in place.
#pragma once
#include <string>

namespace axx::lutgen {

// Throws axx::InputError naming PATH when it cannot be written.
void write_file_atomic(const std::string& path, const std::string& contents);

// The two halves of write_file_atomic, for a command with several outputs: every output is
// written to its temporary file first, and only when all are complete are they renamed, so a
// failure to write one (a full disk, a missing folder) changes none. The destructor removes the
// temporary file of an output never committed.
class PendingFile {
 public:
  PendingFile(const std::string& path, const std::string& contents);  // throws InputError
  ~PendingFile();
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;
  void commit();  // renames the temporary file onto the path; throws InputError

 private:
  std::string path_;    // as given, for messages
  std::string target_;  // the file renamed onto (a link's target)
  std::string tmp_;
  bool committed_ = false;
};

}  // namespace axx::lutgen
