// Every CPU path (Baseline, LUT portable, LUT AVX2 where the CPU has it, low-rank, Auto; 1 and 2
// threads) against an independent nested loop, bit for bit on the int32 accumulator.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "axx/error.h"
#include "emulator/common/lut_math.h"
#include "emulator/cpu/kernels_cpu.h"
#include "emulator/emulator.h"
#include "tests/emulator/test_tables.h"

namespace axx::emulator {
namespace {

using testing::TestTable;

constexpr std::int32_t kSentinel = 0x5a5a5a5a;

// The oracle of the oracle: int64 sums reduced modulo 2^32 at the end.
std::int32_t naive_dot(const TestTable& t, const std::uint8_t* a, std::int64_t a_step,
                       const std::uint8_t* b, std::int64_t b_step, std::int64_t K) {
  std::int64_t s = 0;
  for (std::int64_t k = 0; k < K; ++k) s += t.lut[a[k * a_step] * 256 + b[k * b_step]];
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(s)));
}

TableRef ref_of(const TestTable& t) {
  TableRef r;
  r.lut = t.lut.data();
  if (t.rank >= 0) r.lowrank = LowRankView{t.rank, t.is_signed, t.u.data(), t.v.data()};
  return r;
}

// A strided batched problem with random operands, padded leading dimensions and sentinels in
// the gaps of C, so stray writes show up.
struct Case {
  GemmProblem p;
  std::vector<std::uint8_t> A, B;
  std::vector<std::int32_t> C;
  std::int64_t c_size = 0;
};

Case make_case(std::mt19937& rng, std::int64_t batch, std::int64_t M, std::int64_t N,
               std::int64_t K, bool broadcast_a = false, bool broadcast_b = false) {
  Case c;
  auto& p = c.p;
  p.batch = batch;
  p.M = M;
  p.N = N;
  p.K = K;
  p.lda = K + rng() % 3;
  p.ldb = N + rng() % 3;
  p.ldc = N + rng() % 2;
  p.stride_a = broadcast_a ? 0 : M * p.lda + 1;
  p.stride_b = broadcast_b ? 0 : K * p.ldb + 2;
  p.stride_c = M * p.ldc + 1;
  c.A.resize(static_cast<std::size_t>(
      std::max<std::int64_t>(1, (broadcast_a ? 1 : batch) * (M * p.lda + 1))));
  c.B.resize(static_cast<std::size_t>(
      std::max<std::int64_t>(1, (broadcast_b ? 1 : batch) * (K * p.ldb + 2))));
  for (auto& x : c.A) x = static_cast<std::uint8_t>(rng());
  for (auto& x : c.B) x = static_cast<std::uint8_t>(rng());
  c.c_size = std::max<std::int64_t>(1, batch * p.stride_c);
  c.C.assign(static_cast<std::size_t>(c.c_size), kSentinel);
  p.A = c.A.data();
  p.B = c.B.data();
  p.C = c.C.data();
  return c;
}

std::vector<std::int32_t> expected(const TestTable& t, const Case& c) {
  std::vector<std::int32_t> e(static_cast<std::size_t>(c.c_size), kSentinel);
  const auto& p = c.p;
  for (std::int64_t b = 0; b < p.batch; ++b)
    for (std::int64_t i = 0; i < p.M; ++i)
      for (std::int64_t j = 0; j < p.N; ++j)
        e[b * p.stride_c + i * p.ldc + j] = naive_dot(t, c.A.data() + b * p.stride_a + i * p.lda, 1,
                                                      c.B.data() + b * p.stride_b + j, p.ldb, p.K);
  return e;
}

struct Variant {
  std::string name;
  Path path;
  CpuIsa isa;
  int threads;
};

std::vector<Variant> variants(const TestTable& t) {
  std::vector<Variant> v = {{"baseline", Path::Baseline, CpuIsa::Portable, 1},
                            {"lut-portable-1t", Path::Lut, CpuIsa::Portable, 1},
                            {"lut-portable-2t", Path::Lut, CpuIsa::Portable, 2}};
  if (cpu_isa_supported(CpuIsa::Avx2)) {
    v.push_back({"lut-avx2-1t", Path::Lut, CpuIsa::Avx2, 1});
    v.push_back({"lut-avx2-2t", Path::Lut, CpuIsa::Avx2, 2});
    v.push_back({"auto-avx2-2t", Path::Auto, CpuIsa::Avx2, 2});
    if (t.rank >= 0) {
      v.push_back({"lowrank-avx2-1t", Path::LowRank, CpuIsa::Avx2, 1});
      v.push_back({"lowrank-avx2-2t", Path::LowRank, CpuIsa::Avx2, 2});
    }
  }
  // AVX-VNNI, AVX-512 VNNI and AMX run only where the CPU has them (the GPU machine's Xeon does; the CI
  // machine's EPYC has neither, so there these variants are absent, not skipped silently:
  // SimdVariantsPresent below prints which ran).
  for (const auto& [tag, isa] : {std::pair{"avxvnni", CpuIsa::AvxVnni},
                                 std::pair{"avx512", CpuIsa::Avx512}, std::pair{"amx", CpuIsa::Amx}}) {
    if (!cpu_isa_supported(isa)) continue;
    const std::string s = tag;
    v.push_back({"auto-" + s + "-2t", Path::Auto, isa, 2});
    if (t.rank >= 0) {
      v.push_back({"lowrank-" + s + "-1t", Path::LowRank, isa, 1});
      v.push_back({"lowrank-" + s + "-3t", Path::LowRank, isa, 3});
    }
  }
  if (t.rank >= 0) v.push_back({"lowrank-portable", Path::LowRank, CpuIsa::Portable, 2});
  return v;
}

// Restores the process-wide CPU settings after each test.
class EmulatorCpu : public ::testing::Test {
 protected:
  void TearDown() override {
    set_cpu_isa(CpuIsa::Auto);
    set_cpu_threads(0);
  }
};

void check_all_paths(const TestTable& t, Case& c, const std::string& what) {
  const auto want = expected(t, c);
  for (const auto& v : variants(t)) {
    set_cpu_isa(v.isa);
    set_cpu_threads(v.threads);
    std::fill(c.C.begin(), c.C.end(), kSentinel);
    gemm_cpu(ref_of(t), c.p, v.path);
    ASSERT_EQ(c.C, want) << what << " path " << v.name << " M=" << c.p.M << " N=" << c.p.N
                         << " K=" << c.p.K << " batch=" << c.p.batch;
  }
}

std::vector<std::pair<std::string, TestTable>> all_tables() {
  std::vector<std::pair<std::string, TestTable>> ts;
  ts.emplace_back("random-small-signed", testing::random_table(1, -20000, 20000, true));
  ts.emplace_back("random-full-int32", testing::random_table(2, INT32_MIN, INT32_MAX, false));
  ts.emplace_back("exact-signed", testing::exact_table(true));
  ts.emplace_back("exact-unsigned", testing::exact_table(false));
  for (int r = 1; r <= 4; ++r) {
    ts.emplace_back("lowrank-signed-" + std::to_string(r),
                    testing::random_lowrank_table(10 + r, r, true));
    ts.emplace_back("truncated-unsigned-" + std::to_string(r), testing::truncated_table(r, false));
  }
  ts.emplace_back("lowrank-unsigned-3", testing::random_lowrank_table(20, 3, false));
  ts.emplace_back("lowrank-signed-8", testing::random_lowrank_table(21, 8, true));
  // Factors spanning <= 256 values but not within [0, 255] x [-128, 127]: the byte form of the
  // AVX-512/AMX kernels with offsets on both sides.
  ts.emplace_back("offset-bytes-signed-3", testing::offset_lowrank_table(22, 3, true));
  ts.emplace_back("offset-bytes-unsigned-2", testing::offset_lowrank_table(23, 2, false));
  ts.emplace_back("small-offset-signed-3", testing::small_offset_table(24, 3, true));
  return ts;
}

TEST_F(EmulatorCpu, RandomShapesEveryPathEqualsReference) {
  std::mt19937 rng(42);
  const std::int64_t shapes[][3] = {{1, 1, 1},     {7, 33, 1},    {13, 37, 29}, {6, 16, 2},
                                    {2, 8, 255},   {65, 129, 67}, {3, 250, 31}, {130, 17, 5},
                                    {64, 128, 64}, {5, 7, 300}};
  for (const auto& [name, t] : all_tables())
    for (const auto& s : shapes) {
      Case c = make_case(rng, 1, s[0], s[1], s[2]);
      check_all_paths(t, c, name);
    }
}

// Problems of >= 2^20 lookups with max(M, N) >= 48 take the AVX2 column-table kernel (both
// orientations) and run on two threads; odd K (K % 4 != 0) and partial 8-column blocks.
TEST_F(EmulatorCpu, LargeShapesEveryPathEqualsReference) {
  std::mt19937 rng(43);
  const TestTable tables[] = {testing::random_table(44, INT32_MIN, INT32_MAX, true),
                              testing::random_lowrank_table(45, 4, false),
                              testing::truncated_table(2, true),
                              testing::offset_lowrank_table(46, 3, true),
                              testing::small_offset_table(47, 4, false)};
  for (const auto& t : tables) {
    Case c1 = make_case(rng, 1, 130, 67, 121);  // M > N
    check_all_paths(t, c1, "tall");
    Case c2 = make_case(rng, 1, 50, 300, 75);  // N > M: transposed
    check_all_paths(t, c2, "wide");
    Case c3 = make_case(rng, 3, 40, 70, 200, /*broadcast_a=*/false, /*broadcast_b=*/true);
    check_all_paths(t, c3, "batched wide");
    Case c4 = make_case(rng, 1, 45, 70, 700);  // K' over several K blocks and AMX tile steps
    check_all_paths(t, c4, "long K");
  }
}

// Which forms the AVX2 byte kernel takes: small factors (truncated, small-offset) yes; the
// random 64 x 128 factors (int16 sums would saturate within two instructions) no.
TEST_F(EmulatorCpu, SmallFactorFormsTakeTheByteKernel) {
  auto view = [](const TestTable& t) { return LowRankView{t.rank, t.is_signed, t.u.data(), t.v.data()}; };
  const TestTable trunc = testing::truncated_table(4, true);
  const TestTable small = testing::small_offset_table(5, 3, false);
  const TestTable big = testing::random_lowrank_table(6, 2, true);
  EXPECT_TRUE(cpu::lowrank_small_bytes(view(trunc)));
  EXPECT_TRUE(cpu::lowrank_small_bytes(view(small)));
  EXPECT_FALSE(cpu::lowrank_small_bytes(view(big)));
  EXPECT_FALSE(cpu::lowrank_small_bytes(view(testing::exact_table(true))));  // rank 0
}

TEST_F(EmulatorCpu, SimdVariantsPresent) {
  std::string ran;
  for (const auto& v : variants(testing::truncated_table(2, true))) ran += " " + v.name;
  std::printf("CPU variants on this machine:%s\n", ran.c_str());
  EXPECT_EQ(cpu_isa_supported(CpuIsa::Avx2), static_cast<bool>(__builtin_cpu_supports("avx2")));
  if (cpu_isa_supported(CpuIsa::Amx)) EXPECT_TRUE(cpu_isa_supported(CpuIsa::Avx512));
}

TEST_F(EmulatorCpu, EmptyProblems) {
  std::mt19937 rng(3);
  const TestTable t = testing::random_lowrank_table(5, 2, true);
  const std::int64_t shapes[][3] = {{0, 5, 3}, {5, 0, 3}, {4, 6, 0}, {0, 0, 0}};
  for (const auto& s : shapes) {
    Case c = make_case(rng, 2, s[0], s[1], s[2]);
    check_all_paths(t, c, "empty");  // K = 0 gives zeros, M or N = 0 writes nothing
  }
  Case c = make_case(rng, 0, 4, 4, 4);
  check_all_paths(t, c, "batch 0");
}

TEST_F(EmulatorCpu, AllOperandPairs) {
  // K = 1 over every pattern pair: C[i][j] must be lut[i][j] itself.
  std::vector<std::uint8_t> A(256), B(256);
  for (int x = 0; x < 256; ++x) A[x] = B[x] = static_cast<std::uint8_t>(x);
  for (const auto& [name, t] : all_tables()) {
    for (const auto& v : variants(t)) {
      set_cpu_isa(v.isa);
      set_cpu_threads(v.threads);
      std::vector<std::int32_t> C(256 * 256, kSentinel);
      GemmProblem p;
      p.M = p.N = 256;
      p.K = 1;
      p.A = A.data();
      p.lda = 1;
      p.B = B.data();
      p.ldb = 256;
      p.C = C.data();
      p.ldc = 256;
      gemm_cpu(ref_of(t), p, v.path);
      ASSERT_EQ(C, t.lut) << name << " path " << v.name;
    }
  }
}

TEST_F(EmulatorCpu, AllOperandPairsBatchedThroughColumnTables) {
  // 16 broadcast copies of the K = 1 all-pairs problem: 2^20 lookups, so the AVX2 LUT path uses
  // its column tables; every copy must be the table itself.
  std::vector<std::uint8_t> A(256), B(256);
  for (int x = 0; x < 256; ++x) A[x] = B[x] = static_cast<std::uint8_t>(x);
  const TestTable tables[] = {testing::random_table(46, INT32_MIN, INT32_MAX, false),
                              testing::random_lowrank_table(47, 3, true)};
  for (const auto& t : tables)
    for (const auto& v : variants(t)) {
      set_cpu_isa(v.isa);
      set_cpu_threads(v.threads);
      std::vector<std::int32_t> C(16 * 65536, kSentinel);
      GemmProblem p;
      p.batch = 16;
      p.M = p.N = 256;
      p.K = 1;
      p.A = A.data();
      p.lda = 1;
      p.B = B.data();
      p.ldb = 256;
      p.C = C.data();
      p.ldc = 256;
      p.stride_c = 65536;
      gemm_cpu(ref_of(t), p, v.path);
      for (int b = 0; b < 16; ++b)
        ASSERT_TRUE(std::equal(t.lut.begin(), t.lut.end(), C.begin() + b * 65536))
            << v.name << " copy " << b;
    }
}

TEST_F(EmulatorCpu, BatchedStridedAndBroadcast) {
  std::mt19937 rng(7);
  const TestTable rnd = testing::random_table(8, -1000000, 1000000, true);
  const TestTable lr = testing::random_lowrank_table(9, 3, true);
  for (const TestTable* t : {&rnd, &lr}) {
    Case c1 = make_case(rng, 5, 19, 23, 17);
    check_all_paths(*t, c1, "batched");
    Case c2 = make_case(rng, 4, 9, 40, 21, /*broadcast_a=*/true, false);
    check_all_paths(*t, c2, "broadcast A");
    Case c3 = make_case(rng, 3, 70, 9, 33, false, /*broadcast_b=*/true);
    check_all_paths(*t, c3, "broadcast B");
  }
}

TEST_F(EmulatorCpu, AccumulatorWrapsModulo2To32OnEveryPath) {
  std::mt19937 rng(11);
  // Entries near the int32 limits: the sums wrap many times.
  const TestTable big = testing::random_table(12, INT32_MAX - 1000, INT32_MAX, true);
  Case c = make_case(rng, 1, 9, 35, 200);
  check_all_paths(big, c, "near INT32_MAX");
  // A low-rank form with |u|, |v| close to the int16 limit: u*v products near 2^28, sums wrap.
  std::vector<std::int32_t> u(2 * 256), v(2 * 256);
  std::uniform_int_distribution<int> d(-16000, 16000);
  for (auto& x : u) x = d(rng);
  for (auto& x : v) x = d(rng);
  const TestTable lr = testing::from_form(true, 2, u, v);
  Case c2 = make_case(rng, 1, 11, 20, 301);
  check_all_paths(lr, c2, "wrapping low-rank");
}

TEST_F(EmulatorCpu, LowRankOutsideInt16FallsBackExactly) {
  std::mt19937 rng(13);
  std::vector<std::int32_t> u(256), v(256);
  for (int x = 0; x < 256; ++x) {
    u[x] = (x % 7) * 20000;  // up to 120000: does not fit int16
    v[x] = (x % 5) - 2;
  }
  const TestTable t = testing::from_form(false, 1, u, v);
  Case c = make_case(rng, 2, 17, 19, 23);
  check_all_paths(t, c, "u beyond int16");
}

// Direct convolution through the table; padded positions read the pattern 0.
std::vector<std::int32_t> conv_reference(const TestTable& t, const Conv2dProblem& p) {
  const std::int64_t OH = p.out_h(), OW = p.out_w(), Cg = p.C / p.groups, Og = p.O / p.groups;
  std::vector<std::int32_t> y(static_cast<std::size_t>(p.N * p.O * OH * OW));
  for (std::int64_t n = 0; n < p.N; ++n)
    for (std::int64_t o = 0; o < p.O; ++o)
      for (std::int64_t oh = 0; oh < OH; ++oh)
        for (std::int64_t ow = 0; ow < OW; ++ow) {
          const std::int64_t g = o / Og;
          std::int64_t s = 0;
          for (std::int64_t c = 0; c < Cg; ++c)
            for (std::int64_t kh = 0; kh < p.KH; ++kh)
              for (std::int64_t kw = 0; kw < p.KW; ++kw) {
                const std::int64_t ih = oh * p.stride_h - p.pad_h + kh * p.dil_h;
                const std::int64_t iw = ow * p.stride_w - p.pad_w + kw * p.dil_w;
                const bool in = ih >= 0 && ih < p.H && iw >= 0 && iw < p.W;
                const int a = in ? p.x[((n * p.C + g * Cg + c) * p.H + ih) * p.W + iw] : 0;
                const int w = p.w[((o * Cg + c) * p.KH + kh) * p.KW + kw];
                s += t.lut[a * 256 + w];
              }
          y[((n * p.O + o) * OH + oh) * OW + ow] =
              static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(s)));
        }
  return y;
}

TEST_F(EmulatorCpu, Conv2dMatchesDirectLoop) {
  std::mt19937 rng(23);
  // lut[0][w] != 0 in the random table, so padding must contribute lut[0][w].
  const TestTable rnd = testing::random_table(24, -5000, 5000, true);
  const TestTable lr = testing::random_lowrank_table(25, 2, true);
  struct Shape {
    std::int64_t N, C, H, W, O, KH, KW, sh, sw, ph, pw, dh, dw, g;
  };
  const Shape shapes[] = {
      {2, 3, 9, 8, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1},    // plain
      {2, 3, 9, 8, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1},    // stride + padding
      {1, 4, 11, 10, 6, 3, 2, 1, 2, 2, 1, 2, 3, 2},  // dilation, groups, non-square kernel
      {3, 6, 7, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1, 6},    // depthwise
      {2, 4, 8, 9, 8, 5, 3, 2, 1, 2, 1, 1, 1, 4},    // depthwise with multiplier 2
      {2, 3, 16, 16, 7, 4, 4, 4, 4, 0, 0, 1, 1, 1},  // patch embedding
      {1, 5, 5, 6, 3, 1, 1, 1, 1, 0, 0, 1, 1, 1},    // 1x1
      {1, 2, 3, 3, 2, 3, 3, 1, 1, 2, 2, 1, 1, 1},    // padding wider than the image
  };
  for (const TestTable* t : {&rnd, &lr})
    for (const auto& s : shapes) {
      Conv2dProblem p;
      p.N = s.N;
      p.C = s.C;
      p.H = s.H;
      p.W = s.W;
      p.O = s.O;
      p.KH = s.KH;
      p.KW = s.KW;
      p.stride_h = s.sh;
      p.stride_w = s.sw;
      p.pad_h = s.ph;
      p.pad_w = s.pw;
      p.dil_h = s.dh;
      p.dil_w = s.dw;
      p.groups = s.g;
      std::vector<std::uint8_t> x(p.N * p.C * p.H * p.W), w(p.O * (p.C / p.groups) * p.KH * p.KW);
      for (auto& v : x) v = static_cast<std::uint8_t>(rng());
      for (auto& v : w) v = static_cast<std::uint8_t>(rng());
      p.x = x.data();
      p.w = w.data();
      const auto want = conv_reference(*t, p);
      for (const auto& v : variants(*t)) {
        set_cpu_isa(v.isa);
        set_cpu_threads(v.threads);
        std::vector<std::int32_t> y(want.size(), kSentinel);
        p.y = y.data();
        conv2d_cpu(ref_of(*t), p, v.path);
        ASSERT_EQ(y, want) << v.name << " groups=" << p.groups << " stride=" << p.stride_h;
      }
    }
}

TEST_F(EmulatorCpu, BadArgumentsHaveClearMessages) {
  const TestTable t = testing::random_table(30, -10, 10, true);
  std::vector<std::uint8_t> A(16), B(16);
  std::vector<std::int32_t> C(16);
  GemmProblem p;
  p.M = p.N = p.K = 4;
  p.A = A.data();
  p.B = B.data();
  p.C = C.data();
  p.lda = p.ldb = 4;
  p.ldc = 3;
  auto message = [&](const GemmProblem& q, Path path) -> std::string {
    try {
      gemm_cpu(ref_of(t), q, path);
    } catch (const UsageError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message(p, Path::Lut), "gemm_cpu: ldc (3) < N (4)");
  p.ldc = 4;
  EXPECT_EQ(message(p, Path::LowRank),
            "gemm_cpu: Path::LowRank requested but the table has no low-rank form");
  GemmProblem q = p;
  q.A = nullptr;
  EXPECT_EQ(message(q, Path::Lut), "gemm_cpu: A is null");
  q = p;
  q.K = -1;
  EXPECT_EQ(message(q, Path::Lut), "gemm_cpu: negative problem size (batch 1, M 4, N 4, K -1)");
  q = p;
  q.batch = 2;
  q.stride_c = 0;
  EXPECT_EQ(message(q, Path::Lut),
            "gemm_cpu: C batch stride is 0 with batch > 1 (outputs would overlap)");
  EXPECT_THROW(set_cpu_threads(-1), UsageError);
  Conv2dProblem cp;
  cp.N = 1;
  cp.C = 3;
  cp.H = cp.W = 4;
  cp.O = 4;
  cp.groups = 2;
  try {
    conv2d_cpu(ref_of(t), cp);
    ADD_FAILURE() << "no error";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "conv2d_cpu: channels (3 in, 4 out) not divisible by groups (2)");
  }
}

// Without a CUDA device, whether or not CUDA was compiled in (a CI machine with nvcc and no GPU):
// the CUDA entry points stop with one clear message on a valid problem, and the CPU paths are
// unaffected.
TEST_F(EmulatorCpu, CudaEntryPointsReportTheirAbsence) {
  if (cuda_available()) GTEST_SKIP() << "a CUDA device is present; emulator_cuda_test covers it";
  std::mt19937 rng(5);
  const TestTable t = testing::random_table(6, -1000, 1000, true);
  Case c = make_case(rng, 1, 9, 7, 13);
  const std::string gemm_msg = cuda_compiled() ? "gemm_cuda: no CUDA device is present" : "axx was built without CUDA";
  const std::string conv_msg = cuda_compiled() ? "conv2d_cuda: no CUDA device is present" : "axx was built without CUDA";
  try {
    gemm_cuda(ref_of(t), c.p, Path::Auto, nullptr);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), gemm_msg);
  }
  std::vector<std::uint8_t> x(2 * 3 * 5 * 5, 1), w(4 * 3 * 3 * 3, 2);
  std::vector<std::int32_t> y(2 * 4 * 3 * 3, kSentinel);
  Conv2dProblem cp;
  cp.N = 2;
  cp.C = 3;
  cp.H = cp.W = 5;
  cp.O = 4;
  cp.KH = cp.KW = 3;
  cp.x = x.data();
  cp.w = w.data();
  cp.y = y.data();
  try {
    conv2d_cuda(ref_of(t), cp, Path::Auto, nullptr);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), conv_msg);
  }
  EXPECT_EQ(y, std::vector<std::int32_t>(y.size(), kSentinel));  // nothing written
  set_cpu_isa(CpuIsa::Auto);
  gemm_cpu(ref_of(t), c.p, Path::Auto);
  EXPECT_EQ(c.C, expected(t, c));
}

// The persistent worker pool (parallel_cpu.cc): many small calls back to back, calls from
// several user threads at once, and a forked child (which has none of the parent's workers).
TEST_F(EmulatorCpu, WorkerPoolSurvivesRepeatedConcurrentAndForkedCalls) {
  std::mt19937 rng(77);
  const TestTable t = testing::random_table(78, -1000, 1000, true);
  Case c = make_case(rng, 1, 130, 67, 121);
  const auto want = expected(t, c);
  set_cpu_isa(CpuIsa::Portable);
  set_cpu_threads(3);
  for (int rep = 0; rep < 200; ++rep) {
    std::fill(c.C.begin(), c.C.end(), kSentinel);
    gemm_cpu(ref_of(t), c.p, Path::Lut);
    ASSERT_EQ(c.C, want) << "repetition " << rep;
  }
  std::vector<std::thread> users;
  std::atomic<int> bad{0};
  for (int u = 0; u < 4; ++u)
    users.emplace_back([&] {
      // Each thread's output starts poisoned on every call: a copy of c.C would already hold
      // the expected result, so a call that wrote nothing would pass.
      Case mine = c;
      for (int rep = 0; rep < 20; ++rep) {
        std::fill(mine.C.begin(), mine.C.end(), kSentinel);
        mine.p.C = mine.C.data();
        gemm_cpu(ref_of(t), mine.p, Path::Lut);
        if (mine.C != want) ++bad;
      }
    });
  for (auto& u : users) u.join();
  EXPECT_EQ(bad.load(), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::fill(c.C.begin(), c.C.end(), kSentinel);
    gemm_cpu(ref_of(t), c.p, Path::Lut);
    _exit(c.C == want ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

}  // namespace
}  // namespace axx::emulator
