#include "emulator/cpu/parallel_cpu.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
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

namespace {

// A persistent pool: workers sleep on a condition variable between jobs, so a GEMM of a few
// hundred microseconds does not pay for starting and joining threads (on 16 cores that cost
// ~1 ms per call). One job runs at a time (callers queue on job_mutex_); the caller works too.
// The pool is created on first use and never destroyed (its threads end with the process); a
// child process after fork() starts a fresh one (pthread_atfork below).
class Pool {
 public:
  void run(int nt, std::int64_t n, const std::function<void(std::int64_t)>& fn) {
    std::lock_guard<std::mutex> job(job_mutex_);
    {
      std::lock_guard<std::mutex> lock(m_);
      while (static_cast<int>(threads_.size()) < nt - 1) {
        const int index = static_cast<int>(threads_.size());
        threads_.emplace_back([this, index, seen = generation_] { worker(index, seen); });
      }
      fn_ = &fn;
      n_ = n;
      next_.store(0);
      active_ = pending_ = nt - 1;
      error_ = nullptr;
      ++generation_;
    }
    cv_work_.notify_all();
    work();
    std::unique_lock<std::mutex> lock(m_);
    cv_done_.wait(lock, [&] { return pending_ == 0; });
    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void work() {
    const bool was = t_in_worker;
    t_in_worker = true;
    try {
      for (std::int64_t t; (t = next_.fetch_add(1)) < n_;) (*fn_)(t);
    } catch (...) {
      std::lock_guard<std::mutex> lock(m_);
      if (!error_) error_ = std::current_exception();
      next_.store(n_);
    }
    t_in_worker = was;
  }

  void worker(int index, std::uint64_t seen) {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(m_);
        cv_work_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (index >= active_) continue;
      }
      work();
      std::lock_guard<std::mutex> lock(m_);
      if (--pending_ == 0) cv_done_.notify_one();
    }
  }

  std::mutex job_mutex_, m_;
  std::condition_variable cv_work_, cv_done_;
  std::vector<std::thread> threads_;
  std::uint64_t generation_ = 0;
  int active_ = 0, pending_ = 0;
  const std::function<void(std::int64_t)>* fn_ = nullptr;
  std::int64_t n_ = 0;
  std::atomic<std::int64_t> next_{0};
  std::exception_ptr error_;
};

std::atomic<Pool*> g_pool{nullptr};
std::mutex g_pool_create;

void forget_pool_in_child() { g_pool.store(nullptr); }  // the parent's workers do not exist here

Pool& pool() {
  if (Pool* p = g_pool.load()) return *p;
  std::lock_guard<std::mutex> lock(g_pool_create);
  if (!g_pool.load()) {
    static const bool registered = pthread_atfork(nullptr, nullptr, forget_pool_in_child) == 0;
    (void)registered;
    g_pool.store(new Pool);  // never deleted: see the class comment
  }
  return *g_pool.load();
}

}  // namespace

void parallel_for(std::int64_t n, const std::function<void(std::int64_t)>& fn) {
  const int nt = threads_for(n);
  if (nt <= 1) {
    for (std::int64_t t = 0; t < n; ++t) fn(t);
    return;
  }
  pool().run(nt, n, fn);
}

}  // namespace cpu
}  // namespace axx::emulator
