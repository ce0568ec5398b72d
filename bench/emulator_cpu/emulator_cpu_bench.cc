// axx_bench_emulator_cpu: CPU approximate-GEMM throughput, measured as ratios in one run.
//
//   naive       AdaPT-style single-thread loop, one scalar lookup per multiply (B pre-transposed so
//               the k loop reads both operands contiguously: the kindest form of the naive loop)
//   lut         gemm_cpu Path::Lut (portable C++ / AVX2 gathers), 1 and 2 threads, random table
//   lowrank R   gemm_cpu Path::LowRank on a random rank-R table (|u| <= 64, |v| <= 127), R = 1-4
//               with 1, 2 (and all) threads, R = 6 and 8 with 2+ threads, for each instruction set
//               the CPU has (avx2: int16 vpmaddwd; avxvnni: 256-bit vpdpbusd; avx512: vpdpbusd;
//               amx: TDPBUSD tiles);
//               "lowrank16" = |v| <= 300, whose factors need int16 (AVX-512: vpdpwssd); "trunc R" =
//               a truncated multiplier's rank-R form (small factors: the AVX2 byte kernel); "auto R" =
//               Path::Auto on the same table (low-rank or LUT by the cost model in kernels_cpu.h)
//   float       a blocked AVX2/FMA float GEMM of the same shape written here (6x16 register tile,
//               packed panels, 2 threads) -- no optimized BLAS is installed on this machine
//
// Figures are G lookups/s (= G MAC/s of the emulated GEMM, M*N*K per second), best of several
// repetitions. Every variant's int32 result is compared with the naive loop's.
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "emulator/emulator.h"

namespace {

using axx::emulator::CpuIsa;
using axx::emulator::GemmProblem;
using axx::emulator::Path;
using axx::emulator::TableRef;

// Best wall time of several repetitions, and the process CPU time of that repetition (on a
// shared machine the CPU time shows how much of the wall time the threads really ran).
struct Timing {
  double wall = 1e30, cpu = 0;
};

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

Timing best_of(const std::function<void()>& fn, double min_total = 0.3, int min_reps = 2) {
  Timing best;
  double total = 0;
  for (int rep = 0; rep < min_reps || total < min_total; ++rep) {
    const double c0 = process_cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double c = process_cpu_seconds() - c0;
    if (s < best.wall) best = {s, c};
    total += s;
    if (rep > 50) break;
  }
  return best;
}

void naive_gemm(const std::int32_t* lut, const std::uint8_t* A, const std::uint8_t* Bt,
                std::int32_t* C, int M, int N, int K) {
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      std::uint32_t acc = 0;
      const std::uint8_t* a = A + static_cast<std::size_t>(i) * K;
      const std::uint8_t* b = Bt + static_cast<std::size_t>(j) * K;
      for (int k = 0; k < K; ++k) acc += static_cast<std::uint32_t>(lut[(a[k] << 8) | b[k]]);
      C[static_cast<std::size_t>(i) * N + j] = static_cast<std::int32_t>(acc);
    }
}

// Float baseline: packed 6x16 FMA micro-kernel, column panels split over threads.
constexpr int kFMR = 6, kFNR = 16, kFKC = 256;

__attribute__((target("avx2,fma"))) void float_gemm_part(const float* ap, const float* bp, float* C,
                                                         int M, int N, int K, int t, int threads) {
  const int mb = (M + kFMR - 1) / kFMR, nb = (N + kFNR - 1) / kFNR;
  for (int k0 = 0; k0 < K; k0 += kFKC) {
    const int kc = std::min(kFKC, K - k0);
    for (int jb = t; jb < nb; jb += threads)
      for (int ib = 0; ib < mb; ++ib) {
        __m256 acc[kFMR][2];
        for (auto& r : acc) r[0] = r[1] = _mm256_setzero_ps();
        const float* a = ap + (static_cast<std::size_t>(ib) * K + k0) * kFMR;
        const float* b = bp + (static_cast<std::size_t>(jb) * K + k0) * kFNR;
        for (int k = 0; k < kc; ++k) {
          const __m256 b0 = _mm256_loadu_ps(b + k * kFNR), b1 = _mm256_loadu_ps(b + k * kFNR + 8);
          for (int r = 0; r < kFMR; ++r) {
            const __m256 av = _mm256_broadcast_ss(a + k * kFMR + r);
            acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
          }
        }
        alignas(32) float tmp[kFMR][kFNR];
        for (int r = 0; r < kFMR; ++r) {
          _mm256_store_ps(tmp[r], acc[r][0]);
          _mm256_store_ps(tmp[r] + 8, acc[r][1]);
        }
        for (int r = 0; r < kFMR && ib * kFMR + r < M; ++r)
          for (int c = 0; c < kFNR && jb * kFNR + c < N; ++c) {
            float& o = C[static_cast<std::size_t>(ib * kFMR + r) * N + jb * kFNR + c];
            o = (k0 == 0 ? 0.f : o) + tmp[r][c];
          }
      }
  }
}

// Packing is timed too, as in the integer paths.
void float_gemm(const float* A, const float* B, float* C, int M, int N, int K, int threads) {
  const int mb = (M + kFMR - 1) / kFMR, nb = (N + kFNR - 1) / kFNR;
  std::vector<float> ap(static_cast<std::size_t>(mb) * kFMR * K, 0.f),
      bp(static_cast<std::size_t>(nb) * kFNR * K, 0.f);
  for (int i = 0; i < M; ++i)
    for (int k = 0; k < K; ++k)
      ap[(static_cast<std::size_t>(i / kFMR) * K + k) * kFMR + i % kFMR] =
          A[static_cast<std::size_t>(i) * K + k];
  for (int k = 0; k < K; ++k)
    for (int j = 0; j < N; ++j)
      bp[(static_cast<std::size_t>(j / kFNR) * K + k) * kFNR + j % kFNR] =
          B[static_cast<std::size_t>(k) * N + j];
  std::vector<std::thread> ts;
  for (int t = 1; t < threads; ++t)
    ts.emplace_back(float_gemm_part, ap.data(), bp.data(), C, M, N, K, t, threads);
  float_gemm_part(ap.data(), bp.data(), C, M, N, K, 0, threads);
  for (auto& th : ts) th.join();
}

std::vector<std::int32_t> lowrank_table(int rank, int vmax, std::mt19937& rng,
                                        std::vector<std::int32_t>& u, std::vector<std::int32_t>& v) {
  std::uniform_int_distribution<int> du(-64, 64), dv(-vmax, vmax);
  u.resize(rank * 256);
  v.resize(rank * 256);
  for (auto& x : u) x = du(rng);
  for (auto& x : v) x = dv(rng);
  std::vector<std::int32_t> lut(65536);
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      std::int32_t s = static_cast<std::int8_t>(a) * static_cast<std::int8_t>(b);
      for (int r = 0; r < rank; ++r) s += u[r * 256 + a] * v[r * 256 + b];
      lut[a * 256 + b] = s;
    }
  return lut;
}

// The exact form of a truncated multiplier (partial-product bits a_i b_j with i + j < t dropped,
// signed operands): u_i = bit i of a, v_i = -2^i (b mod 2^(t-i)); small factors, like the
// published truncated and broken-array designs.
std::vector<std::int32_t> truncated_table(int t, std::vector<std::int32_t>& u,
                                          std::vector<std::int32_t>& v) {
  u.assign(t * 256, 0);
  v.assign(t * 256, 0);
  for (int i = 0; i < t; ++i)
    for (int x = 0; x < 256; ++x) {
      u[i * 256 + x] = (x >> i) & 1;
      v[i * 256 + x] = -(1 << i) * (x & ((1 << (t - i)) - 1));
    }
  std::vector<std::int32_t> lut(65536);
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      std::int32_t s = static_cast<std::int8_t>(a) * static_cast<std::int8_t>(b);
      for (int r = 0; r < t; ++r) s += u[r * 256 + a] * v[r * 256 + b];
      lut[a * 256 + b] = s;
    }
  return lut;
}

}  // namespace

int main() {
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::printf("axx_bench_emulator_cpu: %d hardware threads, AVX2 %s\n", hw,
              axx::emulator::cpu_isa_supported(CpuIsa::Avx2) ? "yes" : "no");
  const int shapes[][3] = {
      {197 * 2, 768, 768}, {197 * 8, 768, 768}, {197, 768, 3072}, {128, 256, 256}};
  std::mt19937 rng(1);
  std::vector<std::int32_t> rnd(65536);
  for (auto& x : rnd) x = static_cast<std::int32_t>(rng() % 131072) - 65536;
  bool all_equal = true;

  for (const auto& s : shapes) {
    const int M = s[0], K = s[1], N = s[2];
    const double macs = double(M) * N * K;
    std::vector<std::uint8_t> A(static_cast<std::size_t>(M) * K),
        B(static_cast<std::size_t>(K) * N), Bt(B.size());
    for (auto& x : A) x = static_cast<std::uint8_t>(rng());
    for (auto& x : B) x = static_cast<std::uint8_t>(rng());
    for (int k = 0; k < K; ++k)
      for (int j = 0; j < N; ++j)
        Bt[static_cast<std::size_t>(j) * K + k] = B[static_cast<std::size_t>(k) * N + j];
    std::vector<std::int32_t> want(static_cast<std::size_t>(M) * N), got(want.size());
    GemmProblem p;
    p.M = M;
    p.N = N;
    p.K = K;
    p.A = A.data();
    p.lda = K;
    p.B = B.data();
    p.ldb = N;
    p.C = got.data();
    p.ldc = N;

    std::printf("\nM=%d K=%d N=%d (%.0f M lookups per GEMM)\n", M, K, N, macs / 1e6);
    std::printf("  %-34s %9s %9s %11s %8s\n", "variant", "wall ms", "cpu ms", "G lookup/s",
                "x naive");
    double naive_rate = 0;
    auto report = [&](const std::string& name, Timing t) {
      const double rate = macs / t.wall / 1e9;
      if (naive_rate == 0) naive_rate = rate;
      std::printf("  %-34s %9.2f %9.2f %11.2f %8.2f\n", name.c_str(), t.wall * 1e3, t.cpu * 1e3,
                  rate, rate / naive_rate);
    };
    auto check = [&](const std::string& name) {
      if (got != want) {
        std::printf("  MISMATCH in %s\n", name.c_str());
        all_equal = false;
      }
    };

    report("naive loop, 1 thread",
           best_of([&] { naive_gemm(rnd.data(), A.data(), Bt.data(), want.data(), M, N, K); }));
    TableRef t;
    t.lut = rnd.data();
    struct V {
      const char* name;
      CpuIsa isa;
      int threads;
    };
    std::vector<V> lut_variants = {{"lut portable, 1 thread", CpuIsa::Portable, 1},
                                   {"lut portable, 2 threads", CpuIsa::Portable, 2}};
    if (axx::emulator::cpu_isa_supported(CpuIsa::Avx2)) {
      lut_variants.push_back({"lut avx2, 1 thread", CpuIsa::Avx2, 1});
      lut_variants.push_back({"lut avx2, 2 threads", CpuIsa::Avx2, 2});
    }
    if (hw > 2 && axx::emulator::cpu_isa_supported(CpuIsa::Avx2))
      lut_variants.push_back({"lut avx2, all threads", CpuIsa::Avx2, hw});
    for (const auto& v : lut_variants) {
      axx::emulator::set_cpu_isa(v.isa);
      axx::emulator::set_cpu_threads(v.threads);
      report(v.name, best_of([&] { axx::emulator::gemm_cpu(t, p, Path::Lut); }));
      check(v.name);
    }
    struct IsaRow {
      const char* tag;
      CpuIsa isa;
    };
    std::vector<IsaRow> isas;
    for (const IsaRow& r : {IsaRow{"avx2", CpuIsa::Avx2}, IsaRow{"avxvnni", CpuIsa::AvxVnni},
                            IsaRow{"avx512", CpuIsa::Avx512}, IsaRow{"amx", CpuIsa::Amx}})
      if (axx::emulator::cpu_isa_supported(r.isa)) isas.push_back(r);
    std::vector<int> thread_counts = {1, 2};
    if (hw > 2) thread_counts.push_back(hw);
    for (int rank : {1, 2, 3, 4, 6, 8}) {
      for (int kind = 0; kind < 3; ++kind) {
        // kind 1: |v| up to 300, so the factors need int16 (AVX-512 runs vpdpwssd, not bytes);
        // kind 2: a truncated multiplier's form (small factors: the AVX2 byte kernel).
        const bool wide = kind == 1, trunc = kind == 2;
        if (wide && (rank != 4 || !axx::emulator::cpu_isa_supported(CpuIsa::Avx512))) continue;
        if (trunc && rank > 4) continue;
        std::vector<std::int32_t> u, v;
        const auto lut = trunc ? truncated_table(rank, u, v)
                               : lowrank_table(rank, wide ? 300 : 127, rng, u, v);
        TableRef lt;
        lt.lut = lut.data();
        lt.lowrank = {rank, true, u.data(), v.data()};
        naive_gemm(lut.data(), A.data(), Bt.data(), want.data(), M, N, K);
        for (const auto& ir : isas) {
          axx::emulator::set_cpu_isa(ir.isa);
          for (int threads : thread_counts) {
            if ((rank > 4 || wide) && threads == 1) continue;  // ranks 6, 8: Auto crossover only
            axx::emulator::set_cpu_threads(threads);
            const std::string name =
                std::string(wide ? "lowrank16 R=" : trunc ? "trunc R=" : "lowrank R=") +
                std::to_string(rank) + " " +
                ir.tag + ", " + std::to_string(threads) + (threads == 1 ? " thread" : " threads");
            report(name,
                   best_of([&] { axx::emulator::gemm_cpu(lt, p, Path::LowRank); }));
            check(name);
          }
          if (wide) continue;
          axx::emulator::set_cpu_threads(2);
          const std::string name = std::string(trunc ? "auto trunc R=" : "auto R=") +
                                   std::to_string(rank) + " " + ir.tag + ", 2 threads";
          report(name, best_of([&] { axx::emulator::gemm_cpu(lt, p, Path::Auto); }));
          check(name);
        }
      }
    }
    axx::emulator::set_cpu_isa(CpuIsa::Auto);
    axx::emulator::set_cpu_threads(0);
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
      std::vector<float> fa(A.size()), fb(B.size()), fc(want.size());
      for (std::size_t i = 0; i < A.size(); ++i) fa[i] = static_cast<std::int8_t>(A[i]);
      for (std::size_t i = 0; i < B.size(); ++i) fb[i] = static_cast<std::int8_t>(B[i]);
      for (int threads : {1, 2})
        report(std::string("float gemm (own AVX2 FMA), ") + std::to_string(threads) +
                   (threads == 1 ? " thread" : " threads"),
               best_of([&] { float_gemm(fa.data(), fb.data(), fc.data(), M, N, K, threads); }));
    }
  }
  std::printf("\nall int32 results equal to the naive loop: %s\n", all_equal ? "yes" : "NO");
  return all_equal ? 0 : 1;
}
