#include "lutgen/progress.h"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>

namespace axx::lutgen {

ValueSink counting_sink(ValueSink sink, std::uint64_t total, ProgressFn progress) {
  struct State {
    std::atomic<std::uint64_t> done{0};
    std::mutex reporting;
  };
  auto state = std::make_shared<State>();
  return [sink = std::move(sink), progress = std::move(progress), state, total](
             unsigned worker, std::uint64_t first, const std::int64_t* values, std::size_t n) {
    sink(worker, first, values, n);
    const std::uint64_t done = state->done.fetch_add(n, std::memory_order_relaxed) + n;
    // Only the block that completes the count waits for its report: the last report is the total.
    std::unique_lock<std::mutex> lock(state->reporting, std::defer_lock);
    if (done == total) {
      lock.lock();
    } else if (!lock.try_lock()) {
      return;
    }
    // The count is read under the lock, so successive reports never go backwards.
    progress(state->done.load(std::memory_order_relaxed), total);
  };
}

std::string count_text(std::uint64_t n) {
  static const char* kUnits[] = {"k", "M", "G", "T", "P", "E"};
  if (n < 1000) return std::to_string(n);
  double v = static_cast<double>(n) / 1000;
  int unit = 0;
  while (v >= 999.5 && unit < 5) {  // 999.5 k would print as "1e+03 k"
    v /= 1000;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g %s", v, kUnits[unit]);
  return buf;
}

std::string duration_text(double s) {
  const long t = std::lround(std::max(0.0, s));
  char buf[48];
  if (t < 60) {
    std::snprintf(buf, sizeof buf, "%ld s", t);
  } else if (t < 3600) {
    std::snprintf(buf, sizeof buf, "%ld min %02ld s", t / 60, t % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld h %02ld min", t / 3600, t / 60 % 60);
  }
  return buf;
}

std::string progress_text(const std::string& label, std::uint64_t done, std::uint64_t total, double elapsed_s) {
  const unsigned percent =
      total == 0 ? 100 : static_cast<unsigned>(static_cast<long double>(done) * 100 / static_cast<long double>(total));
  std::string s = label + ": " + std::to_string(percent) + "% of " + count_text(total) + " pairs, " +
                  duration_text(elapsed_s);
  // Below 1% the rate is mostly start-up (compiling, starting processes): no estimate yet.
  if (done < total && percent >= 1) {
    const double left = elapsed_s * static_cast<double>(total - done) / static_cast<double>(done);
    s += ", about " + duration_text(left) + " left";
  }
  return s;
}

TerminalProgress::TerminalProgress(int fd, double delay_s, double interval_s, Clock clock)
    : fd_(fd), enabled_(::isatty(fd) == 1), delay_(delay_s), interval_(interval_s), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = [] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    };
  }
}

TerminalProgress::~TerminalProgress() { finish(); }

ProgressFn TerminalProgress::start(const std::string& label) {
  finish();
  label_ = label;
  started_ = clock_();
  return [this](std::uint64_t done, std::uint64_t total) { update(done, total); };
}

void TerminalProgress::update(std::uint64_t done, std::uint64_t total) {
  if (!enabled_) return;
  const double now = clock_();
  if (now - started_ < delay_) return;
  if (shown_ && now - last_ < interval_) return;
  // Built with append(): g++ 12 reports a false -Wrestrict on "literal" + std::string.
  std::string line = "\r";
  line.append(progress_text(label_, done, total, now - started_)).append("\033[K");
  write_text(line);
  shown_ = true;
  last_ = now;
}

void TerminalProgress::finish() {
  if (shown_) write_text("\r\033[K");
  shown_ = false;
}

void TerminalProgress::write_text(const std::string& s) {
  std::size_t at = 0;
  while (at < s.size()) {
    const ssize_t n = ::write(fd_, s.data() + at, s.size() - at);
    if (n <= 0) return;  // a progress line is not worth an error
    at += static_cast<std::size_t>(n);
  }
}

}  // namespace axx::lutgen
