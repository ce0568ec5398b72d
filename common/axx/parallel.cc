#include "axx/parallel.h"

#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "axx/error.h"

namespace axx::parallel {
namespace {

std::atomic<int> g_default_threads{0};
thread_local bool t_serial = false;  // inside a task or a SerialScope

using TaskFn = std::function<void(unsigned, std::uint64_t)>;

// Workers sleep on a condition variable between jobs, so a GEMM of a few hundred microseconds
// does not pay for starting and joining threads (on 16 cores that cost ~1 ms per call). The pool
// grows to the largest worker count asked for, is created on first use and never destroyed (its
// threads end with the process).
class Pool {
 public:
  void run(unsigned workers, std::uint64_t tasks, const TaskFn& fn) {
    std::lock_guard<std::mutex> job(job_mutex_);
    {
      std::lock_guard<std::mutex> lock(m_);
      while (threads_.size() < workers - 1) {
        const unsigned index = static_cast<unsigned>(threads_.size());
        threads_.emplace_back([this, index, seen = generation_] { thread_main(index, seen); });
      }
      fn_ = &fn;
      tasks_ = tasks;
      next_.store(0);
      active_ = pending_ = workers - 1;
      error_ = nullptr;
      ++generation_;
    }
    cv_work_.notify_all();
    work(0);
    std::unique_lock<std::mutex> lock(m_);
    cv_done_.wait(lock, [&] { return pending_ == 0; });
    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void work(unsigned worker) {
    const bool was = t_serial;
    t_serial = true;
    try {
      for (std::uint64_t t; (t = next_.fetch_add(1)) < tasks_;) (*fn_)(worker, t);
    } catch (...) {
      std::lock_guard<std::mutex> lock(m_);
      if (!error_) error_ = std::current_exception();
      next_.store(tasks_);  // the other workers stop at their next task
    }
    t_serial = was;
  }

  void thread_main(unsigned index, std::uint64_t seen) {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(m_);
        cv_work_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (index >= active_) continue;
      }
      work(index + 1);
      std::lock_guard<std::mutex> lock(m_);
      if (--pending_ == 0) cv_done_.notify_one();
    }
  }

  std::mutex job_mutex_, m_;
  std::condition_variable cv_work_, cv_done_;
  std::vector<std::thread> threads_;
  std::uint64_t generation_ = 0;
  unsigned active_ = 0, pending_ = 0;
  const TaskFn* fn_ = nullptr;
  std::uint64_t tasks_ = 0;
  std::atomic<std::uint64_t> next_{0};
  std::exception_ptr error_;
};

std::atomic<Pool*> g_pool{nullptr};
std::mutex g_pool_create;

// fork() copies only the calling thread: the child must not use the parent's pool, whose workers
// do not exist there (a job would wait for them forever). g_pool_create is held across fork() so
// the child never inherits it locked.
void before_fork() { g_pool_create.lock(); }
void after_fork_in_parent() { g_pool_create.unlock(); }
void after_fork_in_child() {
  g_pool.store(nullptr);  // the old Pool is leaked: its mutexes may be locked by threads gone here
  g_pool_create.unlock();
}

Pool& pool() {
  if (Pool* p = g_pool.load()) return *p;
  std::lock_guard<std::mutex> lock(g_pool_create);
  if (!g_pool.load()) {
    static const bool registered = pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child) == 0;
    (void)registered;
    g_pool.store(new Pool);  // never deleted: see the class comment
  }
  return *g_pool.load();
}

}  // namespace

unsigned hardware_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

void set_default_threads(int n) {
  if (n < 0) throw UsageError("set_cpu_threads: negative thread count " + std::to_string(n));
  g_default_threads.store(n);
}

unsigned default_threads() {
  const int n = g_default_threads.load();
  return n > 0 ? static_cast<unsigned>(n) : hardware_threads();
}

unsigned worker_count(unsigned threads, std::uint64_t tasks) {
  if (t_serial || tasks <= 1) return 1;
  const unsigned n = threads ? threads : default_threads();
  return static_cast<unsigned>(std::min<std::uint64_t>(n, tasks));
}

unsigned for_each_task(std::uint64_t tasks, unsigned threads, const TaskFn& fn) {
  const unsigned workers = worker_count(threads, tasks);
  if (workers <= 1) {
    for (std::uint64_t t = 0; t < tasks; ++t) fn(0, t);
    return 1;
  }
  pool().run(workers, tasks, fn);
  return workers;
}

SerialScope::SerialScope() : was_(t_serial) { t_serial = true; }
SerialScope::~SerialScope() { t_serial = was_; }

}  // namespace axx::parallel
