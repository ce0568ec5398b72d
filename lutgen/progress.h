// A progress line for long work (`axx metrics` of 16x16 operands streams 2^32 pairs): written to a
// terminal only, so logs and pipes stay clean, and only once the work has run for a while.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "lutgen/table_stream.h"

namespace axx::lutgen {

// "LABEL: 37% of 4.29 G pairs, 12 s, about 20 s left" (no estimate before 1% is done).
std::string progress_text(const std::string& label, std::uint64_t done, std::uint64_t total, double elapsed_s);

// Pairs in SI units with three significant digits: 65536 -> "65.5 k", 4294967296 -> "4.29 G".
std::string count_text(std::uint64_t n);

// Seconds as "7 s", "2 min 05 s", "1 h 02 min".
std::string duration_text(double s);

// Rewrites one line of a terminal (carriage return, then erase to the end of the line) with
// progress_text, at most every `interval` and not before `delay` has passed since start(); does
// nothing at all when `fd` is not a terminal. The line is erased by finish() and by the destructor,
// so an error message that follows starts on a clean line.
class TerminalProgress {
 public:
  using Clock = std::function<double()>;  // seconds, monotonic
  explicit TerminalProgress(int fd, double delay_s = 1.0, double interval_s = 0.2, Clock clock = {});
  ~TerminalProgress();
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;

  bool enabled() const { return enabled_; }
  // Starts timing a new piece of work named `label`; returns the callback for counting_sink /
  // metrics_of. The callback must not outlive this object.
  ProgressFn start(const std::string& label);
  void finish();

 private:
  void update(std::uint64_t done, std::uint64_t total);
  void write_text(const std::string& s);

  int fd_;
  bool enabled_;
  double delay_, interval_;
  Clock clock_;
  std::string label_;
  double started_ = 0, last_ = 0;
  bool shown_ = false;
};

}  // namespace axx::lutgen
