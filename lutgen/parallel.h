// lutgen's names for the common block-parallel loop (common/axx/parallel.h), shared by the sources
// (C function, builtin, table) and the metrics accumulator. The block boundaries are fixed
// (first = k * block), so per-block results can be combined in a deterministic order; `worker`
// indexes per-worker state and stays below worker_count(threads, blocks) (and max_workers()).
#pragma once
#include <cstdint>
#include <utility>

#include "axx/parallel.h"

namespace axx::lutgen {

// 0 means the default thread count (all hardware threads unless set_cpu_threads changed it);
// never more workers than blocks, 1 inside another parallel loop.
inline unsigned worker_count(unsigned requested, std::uint64_t blocks) {
  return parallel::worker_count(requested, blocks);
}

// Calls f(worker, first, n) for every block [first, first + n) of [0, total). Rethrows the first
// exception a worker threw (the other workers stop at their next block). Returns the workers used.
template <class F>
unsigned parallel_blocks(std::uint64_t total, std::uint64_t block, unsigned threads, F&& f) {
  return parallel::for_each_block(total, block, threads, std::forward<F>(f));
}

}  // namespace axx::lutgen
