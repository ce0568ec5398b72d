// The one parallel loop of axx: a persistent pool of std::threads shared by the emulator's CPU
// kernels, the netlist simulator and lutgen's sources and metrics (parallel.cc).
//
// - Tasks are taken from a shared counter, so uneven tasks balance; every task runs exactly once
//   (unless a task throws: then the remaining ones are skipped and the first exception is rethrown
//   in the caller).
// - Each call hands its function a `worker` index in [0, workers), where `workers` is what the call
//   returns and never exceeds worker_count(threads, tasks): callers keep per-worker state (buffers,
//   partial sums) in a vector of that size. The calling thread works too, as worker 0.
// - A call made from inside a task (or under SerialScope) runs serially in the calling thread, as
//   worker 0: nested loops never wait for a pool that is busy with their own parent.
// - One job runs on the pool at a time; callers from other threads queue.
// - A child process after fork() has none of the parent's workers; it starts a fresh pool on its
//   first parallel call (pthread_atfork in parallel.cc).
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>

namespace axx::parallel {

// Hardware threads (at least 1).
unsigned hardware_threads();

// The process-wide default thread count used when a call asks for 0 threads: the last
// set_default_threads(n > 0), else hardware_threads(). (The emulator's set_cpu_threads.)
void set_default_threads(int n);  // 0 restores the hardware default; negative: axx::UsageError
unsigned default_threads();

// Workers a call with `threads` (0 = default_threads()) uses for `tasks` tasks on this thread:
// at most `threads`, at most `tasks` (at least 1), and 1 inside a task or a SerialScope.
unsigned worker_count(unsigned threads, std::uint64_t tasks);

// Calls fn(worker, task) for every task in [0, tasks). Returns the number of workers used.
unsigned for_each_task(std::uint64_t tasks, unsigned threads,
                       const std::function<void(unsigned worker, std::uint64_t task)>& fn);

// Calls f(worker, first, n) for every block [first, first + n) of [0, total), with fixed block
// boundaries (first = k * block), so per-block results can be combined in a deterministic order.
// Returns the number of workers used.
template <class F>
unsigned for_each_block(std::uint64_t total, std::uint64_t block, unsigned threads, F&& f) {
  const std::uint64_t blocks = block == 0 ? 0 : (total + block - 1) / block;
  return for_each_task(blocks, threads, [&](unsigned worker, std::uint64_t k) {
    const std::uint64_t first = k * block;
    f(worker, first, static_cast<std::size_t>(std::min(block, total - first)));
  });
}

// While alive, parallel calls made on this thread run serially (small problems, callers that
// must not fan out).
class SerialScope {
 public:
  SerialScope();
  ~SerialScope();
  SerialScope(const SerialScope&) = delete;
  SerialScope& operator=(const SerialScope&) = delete;

 private:
  bool was_;
};

}  // namespace axx::parallel
