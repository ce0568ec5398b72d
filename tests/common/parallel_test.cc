// The common parallel loop (common/axx/parallel.h): every task once, worker indices in range,
// exceptions reach the caller, nested calls run serially, fixed block boundaries, and a forked
// child gets a working pool.
#include "axx/parallel.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "axx/error.h"

namespace axx::parallel {
namespace {

// Restores the process-wide default after a test that changes it.
struct DefaultThreads {
  explicit DefaultThreads(int n) { set_default_threads(n); }
  ~DefaultThreads() { set_default_threads(0); }
};

TEST(Parallel, EveryTaskRunsExactlyOnceWithWorkerInRange) {
  for (unsigned threads : {1u, 2u, 3u, 8u, 0u}) {
    for (std::uint64_t tasks : {0ull, 1ull, 2ull, 7ull, 1000ull, 100003ull}) {
      std::vector<std::atomic<int>> seen(tasks);
      std::atomic<unsigned> max_worker{0};
      const unsigned limit = worker_count(threads, tasks);
      const unsigned used = for_each_task(tasks, threads, [&](unsigned w, std::uint64_t t) {
        seen[t].fetch_add(1);
        unsigned m = max_worker.load();
        while (w > m && !max_worker.compare_exchange_weak(m, w)) {
        }
      });
      EXPECT_EQ(used, limit) << threads << " threads, " << tasks << " tasks";
      EXPECT_LT(max_worker.load(), used);
      EXPECT_LE(used, std::max<std::uint64_t>(tasks, 1));
      if (threads) EXPECT_LE(used, threads);
      for (std::uint64_t t = 0; t < tasks; ++t) ASSERT_EQ(seen[t].load(), 1) << "task " << t;
    }
  }
}

TEST(Parallel, WorkersRunConcurrently) {
  // Two tasks that each wait for the other: only finishes when two workers run at once.
  std::atomic<int> arrived{0};
  for_each_task(2, 2, [&](unsigned, std::uint64_t) {
    arrived.fetch_add(1);
    while (arrived.load() < 2) std::this_thread::yield();
  });
  EXPECT_EQ(arrived.load(), 2);
}

TEST(Parallel, FirstExceptionReachesTheCallerAndThePoolStaysUsable) {
  std::atomic<std::uint64_t> ran{0};
  try {
    for_each_task(100000, 4, [&](unsigned, std::uint64_t t) {
      ran.fetch_add(1);
      if (t == 10) throw InputError("task ten");
    });
    ADD_FAILURE() << "no exception";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "task ten");
  }
  EXPECT_LT(ran.load(), 100000u);  // the others stopped early
  // Serial path too.
  EXPECT_THROW(for_each_task(5, 1, [](unsigned, std::uint64_t t) { if (t == 3) throw std::runtime_error("x"); }),
               std::runtime_error);
  std::atomic<std::uint64_t> sum{0};
  for_each_task(1000, 4, [&](unsigned, std::uint64_t t) { sum.fetch_add(t); });
  EXPECT_EQ(sum.load(), 999u * 1000u / 2);
}

TEST(Parallel, NestedCallsRunSeriallyInTheCallingWorker) {
  std::vector<std::atomic<int>> seen(64 * 50);
  std::atomic<int> bad{0};
  for_each_task(64, 4, [&](unsigned outer, std::uint64_t i) {
    const std::thread::id me = std::this_thread::get_id();
    EXPECT_EQ(worker_count(4, 1000), 1u);
    const unsigned used = for_each_task(50, 4, [&](unsigned inner, std::uint64_t j) {
      if (inner != 0 || std::this_thread::get_id() != me) bad.fetch_add(1);
      seen[i * 50 + j].fetch_add(1);
    });
    if (used != 1) bad.fetch_add(1);
    (void)outer;
  });
  EXPECT_EQ(bad.load(), 0);
  for (auto& s : seen) ASSERT_EQ(s.load(), 1);
}

TEST(Parallel, SerialScopeKeepsCallsOnThisThread) {
  SerialScope serial;
  EXPECT_EQ(worker_count(8, 1000), 1u);
  const std::thread::id me = std::this_thread::get_id();
  int count = 0;
  EXPECT_EQ(for_each_task(100, 8, [&](unsigned w, std::uint64_t) {
              EXPECT_EQ(w, 0u);
              EXPECT_EQ(std::this_thread::get_id(), me);
              ++count;
            }),
            1u);
  EXPECT_EQ(count, 100);
}

TEST(Parallel, BlocksHaveFixedBoundariesAndCoverTheRange) {
  for (std::uint64_t total : {0ull, 1ull, 99ull, 100ull, 101ull, 12345ull}) {
    std::mutex m;
    std::set<std::pair<std::uint64_t, std::size_t>> blocks;
    for_each_block(total, 100, 3, [&](unsigned, std::uint64_t first, std::size_t n) {
      std::lock_guard<std::mutex> lock(m);
      blocks.insert({first, n});
    });
    std::uint64_t expect_first = 0;
    for (const auto& [first, n] : blocks) {
      EXPECT_EQ(first, expect_first);
      EXPECT_EQ(first % 100, 0u);
      EXPECT_EQ(n, std::min<std::uint64_t>(100, total - first));
      expect_first += n;
    }
    EXPECT_EQ(expect_first, total);
  }
}

TEST(Parallel, DefaultThreadsSetting) {
  EXPECT_EQ(default_threads(), hardware_threads());
  {
    DefaultThreads three(3);
    EXPECT_EQ(default_threads(), 3u);
    EXPECT_EQ(worker_count(0, 1000), 3u);
    EXPECT_EQ(worker_count(5, 1000), 5u);  // an explicit count wins
    EXPECT_EQ(worker_count(0, 2), 2u);
  }
  EXPECT_EQ(default_threads(), hardware_threads());
  EXPECT_THROW(set_default_threads(-1), UsageError);
}

TEST(Parallel, CallsFromSeveralThreadsAtOnce) {
  std::vector<std::thread> users;
  std::atomic<int> bad{0};
  for (int u = 0; u < 4; ++u)
    users.emplace_back([&] {
      for (int rep = 0; rep < 50; ++rep) {
        std::atomic<std::uint64_t> sum{0};
        const unsigned used = for_each_task(1000, 3, [&](unsigned w, std::uint64_t t) {
          if (w >= 3) bad.fetch_add(1);
          sum.fetch_add(t);
        });
        if (sum.load() != 999u * 1000u / 2 || used > 3) bad.fetch_add(1);
      }
    });
  for (auto& u : users) u.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST(Parallel, ForkedChildStartsAFreshPool) {
  std::atomic<std::uint64_t> sum{0};
  for_each_task(1000, 4, [&](unsigned, std::uint64_t t) { sum.fetch_add(t); });  // the pool exists now
  ASSERT_EQ(sum.load(), 999u * 1000u / 2);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    alarm(30);  // a child waiting for the parent's workers would hang: end it instead
    std::atomic<std::uint64_t> s{0};
    std::atomic<unsigned> max_worker{0};
    const unsigned used = for_each_task(1000, 4, [&](unsigned w, std::uint64_t t) {
      s.fetch_add(t);
      unsigned m = max_worker.load();
      while (w > m && !max_worker.compare_exchange_weak(m, w)) {
      }
    });
    _exit(s.load() == 999u * 1000u / 2 && used == 4 && max_worker.load() < 4 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

}  // namespace
}  // namespace axx::parallel
