// The operand encodings of an exact low-rank form, derived once here for every backend (the AVX2,
// AVX-512/AMX and CUDA kernels only consume them; docs/emulator.md, docs/emulator-cuda.md).
//
// A form lut[a][b] = val(a) val(b) + sum_r u_r[a] v_r[b] (emulator.h, LowRankView) is a sum of
// terms f_t(a) g_t(b), t = 0..rank: f_0 = g_0 = val, f_t = u_{t-1}, g_t = v_{t-1}. Integer GEMM
// instructions multiply narrow operands, so each term is rewritten into operands that fit them,
// exactly:
//
// - Int16 terms (vpmaddwd, vpdpwssd): f_t and g_t themselves, when every factor fits int16.
// - Byte terms with corrections (u8 x s8: vpmaddubsw, vpdpbusd, AMX TDPBUSD), when each factor
//   spans at most 256 values: with a sign s_t (-1 when f_t <= 0 everywhere, so that it needs no
//   offset) and offsets ou_t, ov_t (0 when the range already fits),
//     x_t = s_t f_t - ou_t in [0, 255],   y_t = s_t g_t - ov_t in [-128, 127],
//     f_t g_t = x_t y_t + ov_t x_t + ou_t y_t + ou_t ov_t,
//   so sum_t f_t(a) g_t(b) = sum_t x_t(a) y_t(b) + cx[a] + cy[b] + c0, with the correction tables
//   cx[a] = sum_t ov_t x_t(a), cy[b] = sum_t ou_t y_t(b), c0 = sum_t ou_t ov_t (all modulo 2^32).
//   A GEMM adds them as rowc[i] = K c0 + sum_k cx[A_ik] and colc[j] = sum_k cy[B_kj].
// - Int8 slices without corrections (s8 x s8: IMMA tensor cores). A term is unchanged by moving a
//   sign or a power of two from one factor to the other, (-f)(-g) = f g = (2f)(g/2); what still
//   does not fit [-128, 127] is split into parts, f = f_1 + ... + f_n, and the term becomes n_f n_g
//   slices (part p of f, part q of g). plan_slices picks, per term, the rebalancing with the fewest
//   slices from the host tables; slice_entries applies a plan to the tables at one pattern (host or
//   device), reporting whether the plan still reproduces them exactly.
// Every rewrite is exact in integers and every sum wraps modulo 2^32 like the LUT accumulator, so
// any encoding gives the LUT path's int32 result for any K.
#pragma once
#include <cstdint>

#include "emulator/common/lut_math.h"
#include "emulator/emulator.h"

namespace axx::emulator {

constexpr int kMaxLowRank = 8;  // the CPU kernels' limit on R (fits_int16, encode_bytes)
constexpr int kMaxLowRankTerms = kMaxLowRank + 1;

// Factor f_t / g_t of term t at operand pattern x (u and v may be host or device tables).
AXX_HOST_DEVICE std::int32_t term_f(const LowRankView& form, int t, int x) {
  return t == 0 ? operand_value(static_cast<std::uint8_t>(x), form.is_signed)
                : form.u[(t - 1) * kLutSide + x];
}
AXX_HOST_DEVICE std::int32_t term_g(const LowRankView& form, int t, int x) {
  return t == 0 ? operand_value(static_cast<std::uint8_t>(x), form.is_signed)
                : form.v[(t - 1) * kLutSide + x];
}

// --- host (lowrank_encoding.cc); u and v are host tables -------------------------------------

// 0 <= rank <= kMaxLowRank, u and v present, every factor in [-32768, 32767].
bool fits_int16(const LowRankView& form);

// Terms first_term..rank as u8 x s8 bytes plus corrections.
struct ByteTerms {
  int first = 0, count = 0;  // term first + i is row i of x and y
  alignas(64) std::uint8_t x[kMaxLowRankTerms][kLutSide];  // A side, x_t(a)
  alignas(64) std::int8_t y[kMaxLowRankTerms][kLutSide];   // B side, y_t(b)
  std::uint32_t cx[kLutSide], cy[kLutSide], c0;
  bool any_cx, any_cy;      // some cx / cy entry is nonzero
  std::int64_t max_product;  // max over terms of max|x_t| * max|y_t|: bounds one product
};

// False when some factor spans more than 256 values, or the rank is out of range; then out's
// tables are unspecified and any_cx, any_cy false. first_term 0 includes the exact product val(a) val(b); 1 encodes only the corrections.
bool encode_bytes(const LowRankView& form, int first_term, ByteTerms& out);

// Term t's place in an int8 slice plan: f_t is scaled as sign * (f_t / 2^ef) * 2^e1 and split
// into nf parts, g_t as sign * (g_t / 2^eg) * 2^e2 into ng parts; the term's slices are (p, q),
// p < nf, q < ng, in that order.
struct SliceTerm {
  int t;
  int sign;
  int ef, eg, e1, e2;
  int nf, ng;
};

// Rank 64 with int8-ready factors is 65 slices, twice that when every factor needs two parts,
// three times (193) with three. The CUDA gather kernels keep all slice tables in dynamic shared
// memory, kMaxSlices * 256 bytes = 216 KiB plus a 4.25 KiB transpose tile within the 227 KiB a
// block may use on sm_90. The limit never binds where speed decides the path: at
// lut_per_mac / lr_per_mac (cost_model.h, about 700 slices) one tensor-core MAC per slice already
// costs as much as the lookup, before any gather.
constexpr int kMaxSlices = 864;
constexpr int kMaxPlanTerms = 65;  // rank <= 64

struct SlicePlan {  // trivially copyable: a CUDA kernel takes it by value
  SliceTerm terms[kMaxPlanTerms];  // terms with an all-zero factor are left out
  int n_terms = 0;
  int slices = 0;               // sum of nf * ng
};

// False when the form needs more than kMaxSlices slices or kMaxPlanTerms terms, or has none (an
// all-zero table).
bool plan_slices(const LowRankView& form, SlicePlan& plan);

// --- per entry (host and device) --------------------------------------------------------------

namespace lowrank_detail {

AXX_HOST_DEVICE std::int64_t clamp_s8(std::int64_t y) { return y < -128 ? -128 : (y > 127 ? 127 : y); }

// sign * (x / 2^e_div) * 2^e_mul; clears ok when 2^e_div does not divide x.
AXX_HOST_DEVICE std::int64_t scaled(std::int64_t x, int sign, int e_div, int e_mul, bool& ok) {
  if (x & ((std::int64_t{1} << e_div) - 1)) ok = false;
  return sign * (x >> e_div) * (std::int64_t{1} << e_mul);
}

}  // namespace lowrank_detail

// Slice s's factor entries at pattern x: a_tab[s * 256 + x] (A side) and b_tab[s * 256 + x]
// (B side) for every slice of the plan, sides swapped when transposed (the table looked up as
// lut[b][a]). Returns false when the plan does not reproduce the form's current tables at x.
AXX_HOST_DEVICE bool slice_entries(const LowRankView& form, const SlicePlan& plan, int x,
                                   bool transposed, std::int8_t* a_tab, std::int8_t* b_tab) {
  using namespace lowrank_detail;
  bool ok = true;
  int s = 0;
  for (int i = 0; i < plan.n_terms; ++i) {
    const SliceTerm& tp = plan.terms[i];
    const std::int64_t f = scaled(term_f(form, tp.t, x), tp.sign, tp.ef, tp.e1, ok);
    const std::int64_t g = scaled(term_g(form, tp.t, x), tp.sign, tp.eg, tp.e2, ok);
    // The parts are taken greedily, each the clamp of what is left; the plan reproduces y when
    // nothing is left after its n parts. One pass per side: nf * ng work for nf * ng slices.
    std::int64_t rf = f;
    for (int p = 0; p < tp.nf; ++p) {
      const auto fp = static_cast<std::int8_t>(clamp_s8(rf));
      rf -= fp;
      std::int64_t rg = g;
      for (int q = 0; q < tp.ng; ++q, ++s) {
        const auto gq = static_cast<std::int8_t>(clamp_s8(rg));
        rg -= gq;
        a_tab[s * kLutSide + x] = transposed ? gq : fp;
        b_tab[s * kLutSide + x] = transposed ? fp : gq;
      }
      if (rg != 0) ok = false;
    }
    if (rf != 0) ok = false;
  }
  return ok;
}

}  // namespace axx::emulator
