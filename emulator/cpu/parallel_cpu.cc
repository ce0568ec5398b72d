#include "emulator/cpu/parallel_cpu.h"

#include "axx/parallel.h"
#include "emulator/emulator.h"

namespace axx::emulator {

void set_cpu_threads(int n) { parallel::set_default_threads(n); }

int cpu_threads() { return static_cast<int>(parallel::default_threads()); }

namespace cpu {

int threads_for(std::int64_t n) {
  return n <= 1 ? 1 : static_cast<int>(parallel::worker_count(0, static_cast<std::uint64_t>(n)));
}

void parallel_for(std::int64_t n, const std::function<void(std::int64_t)>& fn) {
  if (n <= 0) return;
  parallel::for_each_task(static_cast<std::uint64_t>(n), 0,
                          [&fn](unsigned, std::uint64_t t) { fn(static_cast<std::int64_t>(t)); });
}

}  // namespace cpu
}  // namespace axx::emulator
