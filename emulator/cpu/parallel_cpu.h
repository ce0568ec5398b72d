// The CPU kernels' threading: a dynamic parallel-for over independent tasks on a persistent pool
// of std::threads (the caller works too; parallel_cpu.cc). Nested calls run serially in the
// calling worker.
#pragma once
#include <cstdint>
#include <functional>

namespace axx::emulator::cpu {

// Runs fn(t) for t in [0, n) on up to cpu_threads() threads; tasks are taken from a shared
// counter, so uneven tasks balance. Exceptions from fn are rethrown in the caller.
void parallel_for(std::int64_t n, const std::function<void(std::int64_t)>& fn);

// The thread count parallel_for would use for n tasks.
int threads_for(std::int64_t n);

// While alive, parallel_for on this thread runs serially (small problems, nested calls).
class SerialScope {
 public:
  SerialScope();
  ~SerialScope();
  SerialScope(const SerialScope&) = delete;
  SerialScope& operator=(const SerialScope&) = delete;

 private:
  bool was_;
};

}  // namespace axx::emulator::cpu
