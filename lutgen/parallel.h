// Block-parallel loop over an index range, shared by the sources (C function, builtin, table) and
// the metrics accumulator. Blocks are handed out dynamically; the block boundaries themselves are
// fixed (first = k * block), so per-block results can be combined in a deterministic order.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace axx::lutgen {

// 0 means all hardware threads; never more workers than blocks.
inline unsigned worker_count(unsigned requested, std::uint64_t blocks) {
  unsigned n = requested ? requested : std::max(1u, std::thread::hardware_concurrency());
  if (blocks < n) n = static_cast<unsigned>(std::max<std::uint64_t>(blocks, 1));
  return n;
}

// Calls f(worker, first, n) for every block [first, first + n) of [0, total). Rethrows the first
// exception a worker threw (the other workers stop at their next block). Returns the workers used.
template <class F>
unsigned parallel_blocks(std::uint64_t total, std::uint64_t block, unsigned threads, F&& f) {
  const std::uint64_t blocks = (total + block - 1) / block;
  const unsigned workers = worker_count(threads, blocks);
  std::atomic<std::uint64_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto body = [&](unsigned worker) {
    try {
      for (;;) {
        if (failed.load(std::memory_order_relaxed)) return;
        const std::uint64_t k = next.fetch_add(1, std::memory_order_relaxed);
        if (k >= blocks) return;
        const std::uint64_t first = k * block;
        f(worker, first, static_cast<std::size_t>(std::min(block, total - first)));
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      failed = true;
    }
  };
  if (workers == 1) {
    body(0);
  } else {
    std::vector<std::thread> pool;
    pool.reserve(workers - 1);
    for (unsigned w = 1; w < workers; ++w) pool.emplace_back(body, w);
    body(0);
    for (auto& t : pool) t.join();
  }
  if (error) std::rethrow_exception(error);
  return workers;
}

}  // namespace axx::lutgen
