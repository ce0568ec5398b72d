// Host side of the low-rank encodings (lowrank_encoding.h).
#include "emulator/common/lowrank_encoding.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace axx::emulator {
namespace {

bool has_tables(const LowRankView& form) {
  return form.rank >= 0 && (form.rank == 0 || (form.u && form.v));
}

// The CPU kernels size their term tables for kMaxLowRankTerms.
bool form_ok(const LowRankView& form) { return has_tables(form) && form.rank <= kMaxLowRank; }

// ---- int8 slices --------------------------------------------------------------------------

std::int64_t parts_needed(const std::vector<std::int64_t>& t) {
  std::int64_t mx = 0, mn = 0;
  for (auto x : t) {
    mx = std::max(mx, x);
    mn = std::min(mn, x);
  }
  const std::int64_t np = (mx + 126) / 127, nn = (-mn + 127) / 128;
  return std::max<std::int64_t>({np, nn, 1});
}

int twos(const std::vector<std::int64_t>& t) {  // largest e with 2^e dividing every entry
  int e = 62;
  for (auto x : t)
    if (x != 0) e = std::min(e, __builtin_ctzll(static_cast<unsigned long long>(x)));
  return e;
}

bool all_zero(const std::vector<std::int64_t>& t) {
  return std::all_of(t.begin(), t.end(), [](std::int64_t x) { return x == 0; });
}

// Appends the plan of term t = f (x) g; false when the slices would exceed kMaxSlices.
bool plan_term(int t, std::vector<std::int64_t> f, std::vector<std::int64_t> g, SlicePlan& plan) {
  if (all_zero(f) || all_zero(g)) return true;
  const int ef = twos(f), eg = twos(g);
  // Parts lie in [-128, 127], so a slice contributes at most 2^14 per product: a term with a
  // factor 2^24 in every product needs over 1024 slices.
  if (ef + eg >= 24) return false;
  for (auto& x : f) x /= std::int64_t{1} << ef;
  for (auto& x : g) x /= std::int64_t{1} << eg;
  const int e = ef + eg;  // total power of two to place on either side
  std::int64_t best_cost = std::int64_t{1} << 62, best_nf = 1, best_ng = 1;
  int best_e1 = 0, best_s = 1;
  for (int s : {1, -1})
    for (int e1 = 0; e1 <= e; ++e1) {
      std::vector<std::int64_t> ff(kLutSide), gg(kLutSide);
      for (int a = 0; a < kLutSide; ++a) {
        ff[a] = s * f[a] * (std::int64_t{1} << e1);
        gg[a] = s * g[a] * (std::int64_t{1} << (e - e1));
      }
      const std::int64_t nf = parts_needed(ff), ng = parts_needed(gg);
      if (nf * ng < best_cost) {
        best_cost = nf * ng;
        best_nf = nf;
        best_ng = ng;
        best_e1 = e1;
        best_s = s;
      }
    }
  if (best_cost + plan.slices > kMaxSlices || plan.n_terms == kMaxPlanTerms) return false;
  plan.terms[plan.n_terms++] = {t,      best_s,  ef, eg, best_e1, e - best_e1,
                                static_cast<int>(best_nf), static_cast<int>(best_ng)};
  plan.slices += static_cast<int>(best_cost);
  return true;
}

}  // namespace

bool fits_int16(const LowRankView& form) {
  if (!form_ok(form)) return false;
  for (int i = 0; i < form.rank * kLutSide; ++i)
    if (form.u[i] < -32768 || form.u[i] > 32767 || form.v[i] < -32768 || form.v[i] > 32767)
      return false;
  return true;  // val(a) is in [-128, 255]
}

bool encode_bytes(const LowRankView& form, int first_term, ByteTerms& out) {
  out.any_cx = out.any_cy = false;  // also on failure: kernels test them before the encoding
  if (!form_ok(form) || first_term < 0 || first_term > form.rank + 1) return false;
  out.first = first_term;
  out.count = form.rank + 1 - first_term;
  std::fill_n(out.cx, kLutSide, 0u);
  std::fill_n(out.cy, kLutSide, 0u);
  out.c0 = 0;
  out.max_product = 0;
  for (int i = 0; i < out.count; ++i) {
    const int t = first_term + i;
    std::int32_t flo = term_f(form, t, 0), fhi = flo, glo = term_g(form, t, 0), ghi = glo;
    for (int x = 1; x < kLutSide; ++x) {
      flo = std::min(flo, term_f(form, t, x));
      fhi = std::max(fhi, term_f(form, t, x));
      glo = std::min(glo, term_g(form, t, x));
      ghi = std::max(ghi, term_g(form, t, x));
    }
    if (std::int64_t{fhi} - flo > 255 || std::int64_t{ghi} - glo > 255) return false;
    const std::int32_t s = fhi <= 0 ? -1 : 1;
    const std::int32_t xlo = s > 0 ? flo : -fhi, xhi = s > 0 ? fhi : -flo;
    const std::int32_t ylo = s > 0 ? glo : -ghi, yhi = s > 0 ? ghi : -glo;
    const std::int32_t ou = xlo >= 0 && xhi <= 255 ? 0 : xlo;
    const std::int32_t ov = ylo >= -128 && yhi <= 127 ? 0 : ylo + 128;
    const std::int64_t xmax = xhi - ou;  // x >= 0
    const std::int64_t ymax = std::max(std::abs(ylo - ov), std::abs(yhi - ov));
    out.max_product = std::max(out.max_product, xmax * ymax);
    for (int x = 0; x < kLutSide; ++x) {
      const std::int32_t xv = s * term_f(form, t, x) - ou, yv = s * term_g(form, t, x) - ov;
      out.x[i][x] = static_cast<std::uint8_t>(xv);
      out.y[i][x] = static_cast<std::int8_t>(yv);
      out.cx[x] += static_cast<std::uint32_t>(ov) * static_cast<std::uint32_t>(xv);
      out.cy[x] += static_cast<std::uint32_t>(ou) * static_cast<std::uint32_t>(yv);
    }
    out.c0 += static_cast<std::uint32_t>(ou) * static_cast<std::uint32_t>(ov);
  }
  out.any_cx = std::any_of(out.cx, out.cx + kLutSide, [](std::uint32_t c) { return c != 0; });
  out.any_cy = std::any_of(out.cy, out.cy + kLutSide, [](std::uint32_t c) { return c != 0; });
  return true;
}

bool plan_slices(const LowRankView& form, SlicePlan& plan) {
  plan = SlicePlan{};
  if (!has_tables(form)) return false;
  std::vector<std::int64_t> f(kLutSide), g(kLutSide);
  for (int t = 0; t <= form.rank; ++t) {
    for (int x = 0; x < kLutSide; ++x) {
      f[x] = term_f(form, t, x);
      g[x] = term_g(form, t, x);
    }
    if (!plan_term(t, f, g, plan)) return false;
  }
  return plan.slices > 0;  // no slices: an all-zero table, the LUT kernel writes zeros
}

}  // namespace axx::emulator
