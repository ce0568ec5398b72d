#include "emulator/cpu/parallel_cpu.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "axx/error.h"
#include "emulator/emulator.h"

namespace axx::emulator {
namespace {
std::atomic<int> g_threads{0};
thread_local bool t_in_worker = false;
}  // namespace

void set_cpu_threads(int n) {
  if (n < 0) throw UsageError("set_cpu_threads: negative thread count " + std::to_string(n));
  g_threads.store(n);
}

int cpu_threads() {
  const int n = g_threads.load();
  if (n > 0) return n;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw ? static_cast<int>(hw) : 1;
}

namespace cpu {

SerialScope::SerialScope() : was_(t_in_worker) { t_in_worker = true; }
SerialScope::~SerialScope() { t_in_worker = was_; }

int threads_for(std::int64_t n) {
  if (t_in_worker || n <= 1) return 1;
  return static_cast<int>(std::min<std::int64_t>(cpu_threads(), n));
}

void parallel_for(std::int64_t n, const std::function<void(std::int64_t)>& fn) {
  const int nt = threads_for(n);
  if (nt <= 1) {
    for (std::int64_t t = 0; t < n; ++t) fn(t);
    return;
  }
  std::atomic<std::int64_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    const bool was = t_in_worker;
    t_in_worker = true;
    try {
      for (std::int64_t t; (t = next.fetch_add(1)) < n;) fn(t);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      next.store(n);
    }
    t_in_worker = was;
  };
  std::vector<std::thread> workers;
  workers.reserve(nt - 1);
  for (int i = 1; i < nt; ++i) workers.emplace_back(work);
  work();
  for (auto& w : workers) w.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace cpu
}  // namespace axx::emulator
