// The CPU kernels' threading: the common parallel loop (common/axx/parallel.h), a dynamic
// parallel-for over independent tasks on the process-wide persistent pool. Nested calls run
// serially in the calling worker; the thread count is set_cpu_threads (emulator.h).
#pragma once
#include <cstdint>
#include <functional>

#include "axx/parallel.h"

namespace axx::emulator::cpu {

// Runs fn(t) for t in [0, n) on up to cpu_threads() threads; tasks are taken from a shared
// counter, so uneven tasks balance. Exceptions from fn are rethrown in the caller.
void parallel_for(std::int64_t n, const std::function<void(std::int64_t)>& fn);

// The thread count parallel_for would use for n tasks.
int threads_for(std::int64_t n);

// While alive, parallel_for on this thread runs serially (small problems, nested calls).
using SerialScope = axx::parallel::SerialScope;

}  // namespace axx::emulator::cpu
