// Progress of long streams: the counting sink, the text of the progress line, and the terminal
// writer (silent when its descriptor is not a terminal; throttled on one, checked through a pty).
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <mutex>

#include "lutgen/metrics.h"
#include "lutgen/progress.h"
#include "lutgen/table_stream.h"
#include "test_util.h"

namespace axx::lutgen {
namespace {

TEST(ProgressText, CountsAndDurations) {
  EXPECT_EQ(count_text(999), "999");
  EXPECT_EQ(count_text(1000), "1 k");
  EXPECT_EQ(count_text(65536), "65.5 k");
  EXPECT_EQ(count_text(999999), "1 M");
  EXPECT_EQ(count_text(16777216), "16.8 M");
  EXPECT_EQ(count_text(4294967296), "4.29 G");
  EXPECT_EQ(duration_text(0.4), "0 s");
  EXPECT_EQ(duration_text(59.6), "1 min 00 s");
  EXPECT_EQ(duration_text(125), "2 min 05 s");
  EXPECT_EQ(duration_text(3725), "1 h 02 min");
}

TEST(ProgressText, PercentElapsedAndEstimate) {
  // 3/8 done in 12 s: 5/8 left at the same rate is 20 s.
  EXPECT_EQ(progress_text("axx metrics m.c", 1610612736, 4294967296, 12),
            "axx metrics m.c: 37% of 4.29 G pairs, 12 s, about 20 s left");
  EXPECT_EQ(progress_text("x", 0, 65536, 0.2), "x: 0% of 65.5 k pairs, 0 s");
  EXPECT_EQ(progress_text("x", 100, 65536, 0.4), "x: 0% of 65.5 k pairs, 0 s");  // below 1%: no estimate
  EXPECT_EQ(progress_text("x", 65536, 65536, 3), "x: 100% of 65.5 k pairs, 3 s");
}

TEST(CountingSink, ReportsEveryPairOnceInOrder) {
  const OperandSpec spec{10, 10, false};
  auto table = std::make_shared<std::vector<std::int32_t>>(spec.rows() * spec.cols(), 7);
  const TableStream s = stream_of_table("t", spec, {}, table);
  const std::uint64_t total = spec.rows() * spec.cols();
  // One thread: a report after each block of 2^14 pairs, the last one the total.
  std::vector<std::uint64_t> seen;
  std::uint64_t received = 0;
  s.run(counting_sink([&](unsigned, std::uint64_t, const std::int64_t*, std::size_t n) { received += n; }, total,
                      [&](std::uint64_t done, std::uint64_t all) {
                        EXPECT_EQ(all, total);
                        seen.push_back(done);
                      }),
        1);
  EXPECT_EQ(received, total);
  ASSERT_EQ(seen.size(), total / (1 << 14));
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], (i + 1) << 14);
  // Several threads: reports never go backwards and the last one is the total.
  std::mutex m;
  std::uint64_t many = 0;
  seen.clear();
  s.run(counting_sink([&](unsigned, std::uint64_t, const std::int64_t*, std::size_t n) {
          std::lock_guard<std::mutex> lock(m);
          many += n;
        },
                      total, [&](std::uint64_t done, std::uint64_t) { seen.push_back(done); }),
        4);
  EXPECT_EQ(many, total);
  ASSERT_FALSE(seen.empty());
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_LE(seen[i - 1], seen[i]);
  EXPECT_EQ(seen.back(), total);
}

TEST(CountingSink, MetricsOfReportsTheWholeTable) {
  std::uint64_t last = 0, all = 0;
  const Metrics m = metrics_of("builtin:mul8s_exact", {}, [&](std::uint64_t done, std::uint64_t total) {
    last = done;
    all = total;
  });
  EXPECT_EQ(m.mae, 0);
  EXPECT_EQ(all, 65536u);
  EXPECT_EQ(last, 65536u);
}

// A clock the test moves by hand.
struct FakeClock {
  double now = 100;
  TerminalProgress::Clock fn() {
    return [this] { return now; };
  }
};

TEST(TerminalProgress, SilentWhenNotATerminal) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  FakeClock clock;
  {
    TerminalProgress p(fileno(f), 1.0, 0.2, clock.fn());
    EXPECT_FALSE(p.enabled());
    ProgressFn fn = p.start("axx metrics m.c");
    for (int i = 1; i <= 50; ++i) {
      clock.now += 0.5;
      fn(static_cast<std::uint64_t>(i) * 1000, 50000);
    }
    p.finish();
  }
  std::fseek(f, 0, SEEK_END);
  EXPECT_EQ(std::ftell(f), 0);
  std::fclose(f);
}

std::string drain(int fd) {
  std::string out;
  char buf[512];
  pollfd p{fd, POLLIN, 0};
  while (poll(&p, 1, 100) > 0) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

TEST(TerminalProgress, RewritesOneLineOnATerminal) {
  const int master = posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(grantpt(master), 0);
  ASSERT_EQ(unlockpt(master), 0);
  const int tty = open(ptsname(master), O_RDWR | O_NOCTTY);
  ASSERT_GE(tty, 0);
  FakeClock clock;
  {
    TerminalProgress p(tty, 1.0, 0.2, clock.fn());
    EXPECT_TRUE(p.enabled());
    ProgressFn fn = p.start("m");
    clock.now += 0.5;
    fn(100, 1000);  // before the delay: short work shows nothing
    EXPECT_EQ(drain(master), "");
    clock.now += 1.0;
    fn(300, 1000);
    EXPECT_EQ(drain(master), "\rm: 30% of 1 k pairs, 2 s, about 4 s left\033[K");
    clock.now += 0.1;
    fn(350, 1000);  // within the interval: not redrawn
    EXPECT_EQ(drain(master), "");
    clock.now += 0.2;
    fn(400, 1000);
    EXPECT_EQ(drain(master), "\rm: 40% of 1 k pairs, 2 s, about 3 s left\033[K");
    p.finish();
    EXPECT_EQ(drain(master), "\r\033[K");
    p.finish();  // nothing shown: nothing to erase
    EXPECT_EQ(drain(master), "");
  }
  close(tty);
  close(master);
}

}  // namespace
}  // namespace axx::lutgen
