#include "lutgen/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "axx/error.h"
#include "lutgen/parallel.h"

extern char** environ;

namespace axx::lutgen {

// ---- Models in child processes -------------------------------------------------------------
//
// Why processes: a model is arbitrary user code. In-process, a segfault, an abort() or an exit()
// in it ends axx (or the Python interpreter) without a word, and an endless loop never returns.
// Each child is a fresh program (posix_spawn of the compiled model, not a fork of this process), so
// it shares no threads, locks, atexit handlers or stdio buffers with the caller: this is safe in a
// multithreaded process such as a PyTorch program, and an exit() in the model ends only the child.
//
// Protocol: the children take blocks of rows from a counter in shared memory, evaluate each block
// into one of their two buffers there, and send {block, buffer} on their socket; the parent thread
// serving that child passes the buffer to the sink and sends the buffer back (one byte).
//
// Two programs are compiled from the model: a fast one, whose slot notes only the first pair of the
// row being evaluated (nothing in the inner loop that could keep the compiler from vectorising or
// hoisting the model: a store per pair cost 15% on a bit-level 12x12 model), and a traced one that
// notes every pair before the call, so that when one of its children dies the parent knows the
// pair. The fast one runs first; when a child of it fails (or a row exceeds the time limit), the
// traced one, compiled then, evaluates the blocks not yet delivered. After a failure there, the
// other children stop taking new blocks but finish the block they hold; blocks are taken in
// increasing order, so every block before the failing one has then been evaluated and the smallest
// failing index among the reports is the first failing pair of the table.
//
// Shared memory, in 64-byte lines: line 0 holds the next block ([0]) and the stop flag ([1]);
// line 1 + w the slot of worker w ([0]: index of the pair, or of the row's first pair, being
// evaluated; kIdle between calls); then two buffers of rows_per_block * cols int64 values per
// worker; then one byte per block, set once the block is delivered. The driver below computes the
// same offsets from its arguments.

namespace {

constexpr std::uint64_t kIdle = ~std::uint64_t{0};  // a slot between calls; also the "finished" message
constexpr std::uint64_t kPairsPerBlock = 1 << 14;

// Appended to the shim, after the model's source: so that no name of the model can clash with a
// declaration of a system header here (a model may define its own read() or link()), the few C
// library functions the driver calls are declared under axx_ names bound to the library's symbols
// with asm labels, and the constants are Linux's (PROT_READ | PROT_WRITE = 3, MAP_SHARED = 1,
// PR_SET_PDEATHSIG = 1, SIGKILL = 9). One translation unit without headers, and the driver's own
// two functions compiled without optimisation (they only move blocks; the model's loop is the shim's,
// optimised), keep the compile close to the model's own: compiling main() at -O2 cost more CPU
// time than the shared object of the whole model did.
const char kDriver[] = R"(
/* ---- axx child driver (lutgen/process.cc): evaluates blocks of rows in a process of its own ---- */
#ifdef __cplusplus
extern "C" {
#endif
long axx_libc_write(int, const void*, unsigned long) __asm__("write");
long axx_libc_read(int, void*, unsigned long) __asm__("read");
void* axx_libc_mmap(void*, unsigned long, int, int, int, long) __asm__("mmap");
unsigned long long axx_libc_strtoull(const char*, char**, int) __asm__("strtoull");
int axx_libc_getppid(void) __asm__("getppid");
int axx_libc_prctl(int, ...) __asm__("prctl");
int axx_libc_fflush(void*) __asm__("fflush");
void axx_libc_exit(int) __asm__("_exit") __attribute__((noreturn));
#ifdef __cplusplus
}
#endif

__attribute__((optimize("O0"))) static void axx_send(uint64_t block, uint64_t buffer) {
  uint64_t msg[2];
  const char* p = (const char*)msg;
  unsigned long left = sizeof msg;
  msg[0] = block;
  msg[1] = buffer;
  while (left > 0) {
    long n = axx_libc_write(4, p, left);
    if (n <= 0) axx_libc_exit(125);
    p += n;
    left -= (unsigned long)n;
  }
}

__attribute__((optimize("O0"))) int main(int argc, char** argv) {
  if (argc != 8) return 125;
  /* A child must not outlive axx (it may be stuck in the model). */
  axx_libc_prctl(1, 9, 0, 0, 0);
  if ((uint64_t)axx_libc_getppid() != axx_libc_strtoull(argv[7], 0, 10)) axx_libc_exit(125);
  const uint64_t w = axx_libc_strtoull(argv[1], 0, 10), workers = axx_libc_strtoull(argv[2], 0, 10);
  const int bits_a = (int)axx_libc_strtoull(argv[3], 0, 10), bits_b = (int)axx_libc_strtoull(argv[4], 0, 10);
  const int is_signed = (int)axx_libc_strtoull(argv[5], 0, 10);
  const uint64_t rows_per_block = axx_libc_strtoull(argv[6], 0, 10);
  const uint64_t rows = (uint64_t)1 << bits_a, cols = (uint64_t)1 << bits_b;
  const uint64_t blocks = (rows + rows_per_block - 1) / rows_per_block;
  const uint64_t values = rows_per_block * cols;
  const unsigned long bytes = (unsigned long)(64 * (1 + workers) + workers * 2 * values * 8 + blocks);
  void* mem = axx_libc_mmap(0, bytes, 3, 1, 3, 0);
  if (mem == (void*)-1) return 125;
  uint64_t* head = (uint64_t*)mem;
  /* Called through a pointer, so the compiler does not compile the model a second time inlined here. */
  void (*volatile eval_rows)(uint64_t, uint64_t, int, int, int, int64_t*, volatile uint64_t*) = axx_shim_eval_rows;
  volatile uint64_t* at = head + 8 * (1 + w);
  int64_t* buffers = (int64_t*)(head + 8 * (1 + workers)) + w * 2 * values;
  const unsigned char* delivered = (const unsigned char*)((int64_t*)(head + 8 * (1 + workers)) + workers * 2 * values);
  uint64_t n = 0; /* blocks evaluated */
  for (;;) {
    if (__atomic_load_n(&head[1], __ATOMIC_RELAXED)) break;
    const uint64_t k = __atomic_fetch_add(&head[0], 1, __ATOMIC_RELAXED);
    if (k >= blocks) break;
    if (delivered[k]) continue; /* by an earlier run */
    if (n >= 2) { /* wait until the parent has consumed this buffer */
      char token;
      if (axx_libc_read(4, &token, 1) != 1) axx_libc_exit(125);
    }
    const uint64_t a_first = k * rows_per_block;
    const uint64_t a_last = a_first + rows_per_block < rows ? a_first + rows_per_block : rows;
    eval_rows(a_first, a_last, bits_a, bits_b, is_signed, buffers + (n % 2) * values, at);
    *at = ~(uint64_t)0;
    axx_send(k, n % 2);
    ++n;
  }
  axx_libc_fflush(0); /* what the model printed; _exit runs no atexit handler of the model */
  axx_send(~(uint64_t)0, 0);
  axx_libc_exit(0);
}
)";

// A descriptor moved to 10 or above (so the children's dup2 onto 3 and 4 cannot clobber it),
// close-on-exec so other programs this process starts do not inherit it.
int high_fd(int fd) {
  const int moved = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  const int err = errno;
  ::close(fd);
  if (moved < 0) throw ToolError(std::string("cannot duplicate a descriptor: ") + std::strerror(err));
  return moved;
}

class SharedMemory {
 public:
  explicit SharedMemory(std::size_t bytes) : bytes_(bytes) {
    const int fd = memfd_create("axx-model", MFD_CLOEXEC);
    if (fd < 0) throw ToolError(std::string("cannot create shared memory: ") + std::strerror(errno));
    fd_ = high_fd(fd);
    if (ftruncate(fd_, static_cast<off_t>(bytes)) != 0) {
      const int err = errno;
      ::close(fd_);
      throw ToolError("cannot size shared memory to " + std::to_string(bytes) + " bytes: " + std::strerror(err));
    }
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED) {
      const int err = errno;
      ::close(fd_);
      throw ToolError(std::string("cannot map shared memory: ") + std::strerror(err));
    }
    words_ = static_cast<std::uint64_t*>(p);
  }
  ~SharedMemory() {
    munmap(words_, bytes_);
    ::close(fd_);
  }
  SharedMemory(const SharedMemory&) = delete;
  SharedMemory& operator=(const SharedMemory&) = delete;
  int fd() const { return fd_; }
  std::uint64_t* words() const { return words_; }

 private:
  std::size_t bytes_;
  int fd_ = -1;
  std::uint64_t* words_ = nullptr;
};

struct Child {
  pid_t pid = -1;
  int sock = -1;       // the parent's end of the socket pair
  bool reaped = true;  // guarded by Children's mutex
};

// The children of one run. A pid may only be signalled while it is not reaped (a reaped pid can be
// reused by an unrelated process), so kill and reap share a mutex, and a thread that sees its
// child end first waits for it with WNOWAIT: the zombie keeps the pid reserved until the reap.
class Children {
 public:
  explicit Children(std::size_t n) : list_(n) {}
  ~Children() {
    kill_all();
    for (auto& c : list_) {
      if (!c.reaped) wait(c);
      if (c.sock >= 0) ::close(c.sock);
    }
  }
  Children(const Children&) = delete;
  Children& operator=(const Children&) = delete;
  Child& operator[](std::size_t i) { return list_[i]; }

  void kill_all() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& c : list_) {
      if (!c.reaped) ::kill(c.pid, SIGKILL);
    }
  }
  void kill(Child& c) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!c.reaped) ::kill(c.pid, SIGKILL);
  }
  // Waits for c to end; returns its wait status, -1 when there is none to be had (the caller
  // ignores SIGCHLD, so the system reaped it).
  int wait(Child& c) {
    if (c.reaped) return -1;
    siginfo_t info;
    while (waitid(P_PID, static_cast<id_t>(c.pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
    }
    std::lock_guard<std::mutex> lock(mutex_);
    int status = -1;
    while (waitpid(c.pid, &status, 0) < 0) {
      if (errno != EINTR) {
        status = -1;
        break;
      }
    }
    c.reaped = true;
    return status;
  }

 private:
  std::vector<Child> list_;
  std::mutex mutex_;
};

std::string signal_text(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV (invalid memory access, or a stack overflow such as from unbounded recursion)";
    case SIGFPE: return "SIGFPE (arithmetic exception, e.g. integer division by zero)";
    case SIGABRT: return "SIGABRT (abort() called, e.g. by a failed assert)";
    case SIGBUS: return "SIGBUS (bus error: misaligned or unmapped memory access)";
    case SIGILL: return "SIGILL (illegal instruction, e.g. __builtin_trap() or __builtin_unreachable() reached)";
    case SIGTRAP: return "SIGTRAP";
    case SIGSYS: return "SIGSYS";
    case SIGXCPU: return "SIGXCPU (CPU time limit exceeded)";
    case SIGXFSZ: return "SIGXFSZ (file size limit exceeded)";
    case SIGKILL: return "SIGKILL (killed from outside, e.g. by the out-of-memory killer)";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGHUP: return "SIGHUP";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    default: return "signal " + std::to_string(sig);
  }
}

// Seconds process `pid` has spent runnable but waiting for a CPU (Linux's /proc/PID/schedstat,
// second field, in ns); NaN where that is not available.
double runqueue_wait_s(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/schedstat", static_cast<int>(pid));
  std::FILE* f = std::fopen(path, "re");
  if (!f) return std::nan("");
  unsigned long long run = 0, wait = 0;
  const int got = std::fscanf(f, "%llu %llu", &run, &wait);
  std::fclose(f);
  return got == 2 ? static_cast<double>(wait) * 1e-9 : std::nan("");
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", s);
  return buf;
}

struct Failure {
  std::uint64_t pair = kIdle;  // kIdle: outside any call
  std::string what;            // before the operands: "crashed", "did not return within 10 s", ...
  std::string detail;          // after them
  bool timeout = false;
};

Failure failure_of_status(int status, std::uint64_t at) {
  Failure f;
  f.pair = at;
  if (status == -1) {
    f.what = "ended its process in an unknown way";
  } else if (WIFSIGNALED(status)) {
    f.what = "crashed";
    f.detail = ": " + signal_text(WTERMSIG(status));
  } else if (at != kIdle) {
    f.what = "ended the process with exit(" + std::to_string(WEXITSTATUS(status)) + ")";
  } else {
    f.what = "ended the evaluation process with status " + std::to_string(WEXITSTATUS(status));
  }
  return f;
}

}  // namespace

const std::string& child_driver_source() {
  static const std::string source = kDriver;
  return source;
}

double call_timeout_from_env() {
  const char* v = std::getenv("AXX_C_TIMEOUT");
  if (!v || !*v) return 10;
  char* end = nullptr;
  const double t = std::strtod(v, &end);
  if (end == v || *end != '\0' || !std::isfinite(t) || t < 0) {
    throw UsageError(std::string("AXX_C_TIMEOUT=") + v + ": expected the time limit per call in seconds (0: none)");
  }
  return t;
}

namespace {

// The fixed shape of one run: blocks of rows, one child per worker.
struct Layout {
  OperandSpec spec;
  std::uint64_t rows, cols, rows_per_block, blocks, values;  // values: int64 per buffer
  unsigned workers;
  std::size_t bytes() const { return 64 * (1 + workers) + workers * 2 * values * 8 + blocks; }
};

// What one phase ended with.
struct PhaseResult {
  std::vector<Failure> failures;
  std::exception_ptr error;  // from the sink or the machinery: rethrown as is
};

// One phase: children running `executable` over the blocks not yet marked delivered; the sink gets
// each block once and the block is then marked. `exact`: the program notes every pair, and after a
// failure the other children finish their block (the first failing pair is then among the
// reports); otherwise it notes rows, and the first failure kills every child.
PhaseResult run_phase(const std::string& executable, bool exact, const Layout& L, SharedMemory& shm,
                      const ValueSink& sink, double timeout) {
  std::uint64_t* const head = shm.words();
  auto slot = [&](unsigned w) { return head + 8 * (1 + w); };
  auto buffer = [&](unsigned w, std::uint64_t b) {
    return reinterpret_cast<std::int64_t*>(head + 8 * (1 + L.workers)) + (2 * w + b) * L.values;
  };
  std::uint8_t* const delivered = reinterpret_cast<std::uint8_t*>(buffer(L.workers, 0));
  head[0] = 0;  // next block
  head[1] = 0;  // stop
  for (unsigned w = 0; w < L.workers; ++w) *slot(w) = kIdle;

  Children children(L.workers);
  {
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Default actions for the signals a crash raises, whatever the caller installed or ignored,
    // and nothing blocked: the child must die by them so that the parent sees which one.
    sigset_t none, crash;
    sigemptyset(&none);
    sigemptyset(&crash);
    for (int s : {SIGSEGV, SIGFPE, SIGABRT, SIGBUS, SIGILL, SIGTRAP, SIGSYS, SIGXCPU, SIGPIPE}) sigaddset(&crash, s);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &crash);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    const std::string parent = std::to_string(getpid());
    for (unsigned w = 0; w < L.workers; ++w) {
      int sv[2];
      if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        const int err = errno;
        posix_spawnattr_destroy(&attr);
        throw ToolError(std::string("cannot create a socket pair: ") + std::strerror(err));
      }
      const int child_end = high_fd(sv[1]);
      children[w].sock = high_fd(sv[0]);
      posix_spawn_file_actions_t actions;
      posix_spawn_file_actions_init(&actions);
      posix_spawn_file_actions_adddup2(&actions, shm.fd(), 3);
      posix_spawn_file_actions_adddup2(&actions, child_end, 4);
      // What the model prints goes to stderr, never into axx's own output on stdout.
      posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
      posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
      const std::vector<std::string> argv = {executable, std::to_string(w), std::to_string(L.workers),
                                             std::to_string(L.spec.bits_a), std::to_string(L.spec.bits_b),
                                             L.spec.is_signed ? "1" : "0", std::to_string(L.rows_per_block), parent};
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      pid_t pid;
      const int rc = posix_spawn(&pid, executable.c_str(), &actions, &attr, args.data(), environ);
      posix_spawn_file_actions_destroy(&actions);
      ::close(child_end);
      if (rc != 0) {
        posix_spawnattr_destroy(&attr);
        throw ToolError("cannot run the compiled model " + executable + ": " + std::strerror(rc));
      }
      children[w].pid = pid;
      children[w].reaped = false;
    }
    posix_spawnattr_destroy(&attr);
  }

  std::mutex mutex;
  PhaseResult result;
  std::atomic<bool> failed{false};   // a model failure: no more sink calls
  std::atomic<bool> aborted{false};  // every child is (being) killed
  auto stop_children = [&] { __atomic_store_n(&head[1], std::uint64_t{1}, __ATOMIC_RELAXED); };
  auto report = [&](Failure f) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      result.failures.push_back(std::move(f));
    }
    failed = true;
    stop_children();
    if (!exact) {
      aborted = true;
      children.kill_all();
    }
  };
  auto abort_all = [&](std::exception_ptr e) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!result.error) result.error = e;
    }
    aborted = true;
    stop_children();
    children.kill_all();
  };
  using Clock = std::chrono::steady_clock;
  // The watchdog looks at the child's slot every interval while the child is in one call (one row
  // when not `exact`). The time counted against it is the time between looks (at most two
  // intervals per look, so a stopped axx, Ctrl-Z, does not count) less the time the child waited
  // for a CPU meanwhile (on a loaded machine a healthy call can wait long for one); sleeping or
  // blocked time counts.
  const int interval_ms = timeout > 0 ? static_cast<int>(std::clamp(timeout * 1000 / 8, 10.0, 1000.0)) : -1;

  auto serve = [&](unsigned w) {
    Child& c = children[w];
    std::uint64_t last_at = kIdle;
    double stuck = 0, last_wait = runqueue_wait_s(c.pid);
    Clock::time_point last_look = Clock::now();
    bool done = false;
    try {
      for (;;) {
        pollfd p{c.sock, POLLIN, 0};
        const int r = ::poll(&p, 1, interval_ms);
        if (r < 0) {
          if (errno == EINTR) continue;
          throw ToolError(std::string("waiting for the model's process failed: ") + std::strerror(errno));
        }
        if (r == 0) {
          const Clock::time_point now = Clock::now();
          const double gap = std::chrono::duration<double>(now - last_look).count();
          last_look = now;
          const std::uint64_t at = __atomic_load_n(slot(w), __ATOMIC_RELAXED);
          const double wait = runqueue_wait_s(c.pid);
          const double waited = std::isnan(wait) || std::isnan(last_wait) ? 0 : std::max(0.0, wait - last_wait);
          last_wait = wait;
          if (at == kIdle || at != last_at) {
            last_at = at;
            stuck = 0;
            continue;
          }
          stuck += std::max(0.0, std::min(gap, 2.0 * interval_ms / 1000) - waited);
          if (stuck < timeout) continue;
          children.kill(c);
          children.wait(c);
          Failure f;
          f.pair = at;
          f.timeout = true;
          f.what = "did not return within " + seconds_text(timeout);
          f.detail = " (the limit per call is AXX_C_TIMEOUT, in seconds; 0: none)";
          report(std::move(f));
          return;
        }
        std::uint64_t msg[2];
        std::size_t got = 0;
        while (got < sizeof msg) {
          const ssize_t n = ::recv(c.sock, reinterpret_cast<char*>(msg) + got, sizeof msg - got, 0);
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0) break;
          got += static_cast<std::size_t>(n);
        }
        if (got < sizeof msg) {  // the child has ended
          const int status = children.wait(c);
          if (aborted) return;
          if (done) return;  // every block it took has been delivered
          report(failure_of_status(status, __atomic_load_n(slot(w), __ATOMIC_RELAXED)));
          return;
        }
        if (msg[0] == kIdle) {
          done = true;
          continue;
        }
        if (!failed && !aborted) {
          const std::uint64_t a_first = msg[0] * L.rows_per_block;
          const std::uint64_t n = (std::min(a_first + L.rows_per_block, L.rows) - a_first) * L.cols;
          sink(w, a_first * L.cols, buffer(w, msg[1] & 1), static_cast<std::size_t>(n));
          delivered[msg[0]] = 1;
        }
        const char token = static_cast<char>(msg[1]);
        ::send(c.sock, &token, 1, MSG_NOSIGNAL);  // a child that died shows as the end of its stream
      }
    } catch (...) {
      abort_all(std::current_exception());
      children.wait(c);
    }
  };

  if (L.workers == 1) {
    serve(0);
  } else {
    std::vector<std::thread> pool;
    pool.reserve(L.workers - 1);
    try {
      for (unsigned w = 1; w < L.workers; ++w) pool.emplace_back(serve, w);
    } catch (...) {
      abort_all(std::current_exception());
    }
    serve(0);
    for (auto& t : pool) t.join();
  }
  return result;
}

std::string operands_text(const OperandSpec& spec, std::uint64_t pair) {
  const std::uint64_t a = pair >> spec.bits_b, b = pair & (spec.cols() - 1);
  return "a=" + std::to_string(spec.value_a(a)) + ", b=" + std::to_string(spec.value_b(b));
}

}  // namespace

unsigned run_isolated_rows(const IsolatedModel& model, const ValueSink& sink, unsigned threads) {
  Layout L;
  L.spec = model.spec;
  L.rows = L.spec.rows();
  L.cols = L.spec.cols();
  L.rows_per_block = std::max<std::uint64_t>(1, kPairsPerBlock / L.cols);
  L.blocks = (L.rows + L.rows_per_block - 1) / L.rows_per_block;
  L.workers = worker_count(threads, L.blocks);
  L.values = L.rows_per_block * L.cols;
  SharedMemory shm(L.bytes());

  // First the fast program; only when it fails, the traced one over the blocks not yet delivered,
  // which names the operands.
  PhaseResult fast = run_phase(model.executable, false, L, shm, sink, model.timeout_s);
  if (fast.error) std::rethrow_exception(fast.error);
  if (fast.failures.empty()) return L.workers;
  const Failure first_try = fast.failures.front();
  PhaseResult exact = run_phase(model.traced_executable(), true, L, shm, sink, model.timeout_s);
  if (exact.error) std::rethrow_exception(exact.error);
  if (!exact.failures.empty()) {
    const Failure& f = *std::min_element(exact.failures.begin(), exact.failures.end(),
                                         [](const Failure& x, const Failure& y) { return x.pair < y.pair; });
    const std::string where = f.pair == kIdle ? " outside any call of it (e.g. in a static initialiser)"
                                              : " at " + operands_text(L.spec, f.pair);
    throw InputError(model.subject + " " + f.what + where + f.detail);
  }
  // Evaluated again, the model did not fail. A row that only took longer than the limit is fine
  // (its calls each stayed within it); a crash or an exit that does not come back means the model
  // does not compute the same thing every time, and its table cannot be trusted.
  if (!first_try.timeout) {
    const std::string where =
        first_try.pair == kIdle ? "" : " in the row a=" + std::to_string(L.spec.value_a(first_try.pair >> L.spec.bits_b));
    throw InputError(model.subject + " " + first_try.what + where + first_try.detail +
                     ", but not when evaluated again: its results are not reproducible");
  }
  return L.workers;
}

}  // namespace axx::lutgen
