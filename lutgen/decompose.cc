// Exact low-rank form of a 256x256 table (DESIGN.md, "Exact low-rank form").
//
// E = lut - val(a)*val(b). We look for E = U^T V with R = rank(E) integer rows, V taken from rows
// of E itself (then U holds each row's coefficients in that basis) or, as the second variant, U
// taken from columns of E. Published approximate multipliers give small integer tables this way.
//
// Exactness: the rank and the pivot rows/columns come from Gaussian elimination modulo the prime
// p = 2^61 - 1. A rank found modulo p never exceeds the rational rank, and a nonzero minor modulo
// p is nonzero over the integers, so the chosen rows are truly independent. The coefficients of
// every row are solved modulo p and lifted to the symmetric range; they are kept only if they
// reproduce the row exactly over the integers (128-bit arithmetic). Integer coefficients
// are found whenever they exist for the chosen basis and are below 2^31, and the finished form
// is verified once more on all 65536 entries, so a returned form is always exact.
#include "lutgen/decompose.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <numeric>
#include <string>

#include "axx/error.h"

namespace axx::lutgen {
namespace {

constexpr int kSide = 256;
constexpr std::uint64_t kP = (std::uint64_t{1} << 61) - 1;

using Matrix = std::vector<std::int64_t>;  // kSide x kSide, row-major

std::uint64_t mod_p(std::int64_t x) {
  const std::int64_t r = x % static_cast<std::int64_t>(kP);
  return static_cast<std::uint64_t>(r < 0 ? r + static_cast<std::int64_t>(kP) : r);
}
std::uint64_t mul_p(std::uint64_t a, std::uint64_t b) {
  const unsigned __int128 x = static_cast<unsigned __int128>(a) * b;
  std::uint64_t r = static_cast<std::uint64_t>(x & kP) + static_cast<std::uint64_t>(x >> 61);
  r = (r & kP) + (r >> 61);
  return r >= kP ? r - kP : r;
}
std::uint64_t add_p(std::uint64_t a, std::uint64_t b) {
  const std::uint64_t r = a + b;
  return r >= kP ? r - kP : r;
}
std::uint64_t sub_p(std::uint64_t a, std::uint64_t b) { return a >= b ? a - b : a + kP - b; }
std::uint64_t inv_p(std::uint64_t a) {  // Fermat
  std::uint64_t r = 1, e = kP - 2;
  while (e) {
    if (e & 1) r = mul_p(r, a);
    a = mul_p(a, a);
    e >>= 1;
  }
  return r;
}
// The integer congruent to x in (-p/2, p/2).
std::int64_t lift(std::uint64_t x) {
  return x > kP / 2 ? static_cast<std::int64_t>(x) - static_cast<std::int64_t>(kP)
                    : static_cast<std::int64_t>(x);
}

struct Basis {
  std::vector<int> rows, cols;  // pivot rows of E (in basis order) and their pivot columns
  bool too_large = false;       // rank modulo p exceeds max_rank
};

// Greedy row basis of E in the given row order, modulo p, stopping past max_rank.
Basis row_basis(const Matrix& E, const std::vector<int>& order, int max_rank) {
  Basis bs;
  std::vector<std::vector<std::uint64_t>> echelon;  // reduced rows, pivot entry 1
  std::vector<std::uint64_t> row(kSide);
  for (int a : order) {
    for (int b = 0; b < kSide; ++b) row[b] = mod_p(E[a * kSide + b]);
    for (std::size_t r = 0; r < echelon.size(); ++r) {
      const std::uint64_t f = row[bs.cols[r]];
      if (!f) continue;
      for (int b = 0; b < kSide; ++b) row[b] = sub_p(row[b], mul_p(f, echelon[r][b]));
    }
    const auto it = std::find_if(row.begin(), row.end(), [](std::uint64_t x) { return x != 0; });
    if (it == row.end()) continue;
    if (static_cast<int>(echelon.size()) == max_rank) {
      bs.too_large = true;
      return bs;
    }
    const int c = static_cast<int>(it - row.begin());
    const std::uint64_t inv = inv_p(row[c]);
    for (auto& x : row) x = mul_p(x, inv);
    // Keep earlier rows reduced at the new pivot column so later rows reduce in one pass.
    for (auto& e : echelon) {
      const std::uint64_t f = e[c];
      if (!f) continue;
      for (int b = 0; b < kSide; ++b) e[b] = sub_p(e[b], mul_p(f, row[b]));
    }
    echelon.push_back(row);
    bs.rows.push_back(a);
    bs.cols.push_back(c);
  }
  return bs;
}

// E = U^T V with V = the basis rows of E; nullopt when some row's coefficients are not integers
// (or do not fit int32).
std::optional<LowRankForm> solve_with_rows(const Matrix& E, const Basis& bs, bool is_signed) {
  const int R = static_cast<int>(bs.rows.size());
  LowRankForm f;
  f.rank = R;
  f.is_signed = is_signed;
  f.u.assign(static_cast<std::size_t>(R) * kSide, 0);
  f.v.assign(static_cast<std::size_t>(R) * kSide, 0);
  for (int r = 0; r < R; ++r)
    for (int b = 0; b < kSide; ++b) {
      const std::int64_t x = E[bs.rows[r] * kSide + b];
      if (x < INT32_MIN || x > INT32_MAX) return std::nullopt;
      f.v[r * kSide + b] = static_cast<std::int32_t>(x);
    }
  // S = E[rows][cols]; x S = E[a][cols] gives the coefficients of row a. Invert S modulo p.
  std::vector<std::uint64_t> S(R * R), Sinv(R * R, 0);
  for (int r = 0; r < R; ++r) {
    Sinv[r * R + r] = 1;
    for (int c = 0; c < R; ++c) S[r * R + c] = mod_p(E[bs.rows[r] * kSide + bs.cols[c]]);
  }
  for (int c = 0; c < R; ++c) {
    int piv = c;
    while (piv < R && S[piv * R + c] == 0) ++piv;
    if (piv == R) return std::nullopt;  // cannot happen for a basis from row_basis
    for (int k = 0; k < R; ++k) {
      std::swap(S[c * R + k], S[piv * R + k]);
      std::swap(Sinv[c * R + k], Sinv[piv * R + k]);
    }
    const std::uint64_t inv = inv_p(S[c * R + c]);
    for (int k = 0; k < R; ++k) {
      S[c * R + k] = mul_p(S[c * R + k], inv);
      Sinv[c * R + k] = mul_p(Sinv[c * R + k], inv);
    }
    for (int r = 0; r < R; ++r) {
      if (r == c || S[r * R + c] == 0) continue;
      const std::uint64_t f2 = S[r * R + c];
      for (int k = 0; k < R; ++k) {
        S[r * R + k] = sub_p(S[r * R + k], mul_p(f2, S[c * R + k]));
        Sinv[r * R + k] = sub_p(Sinv[r * R + k], mul_p(f2, Sinv[c * R + k]));
      }
    }
  }
  std::vector<std::int64_t> x(R);
  for (int a = 0; a < kSide; ++a) {
    for (int r = 0; r < R; ++r) {
      std::uint64_t s = 0;
      for (int c = 0; c < R; ++c)
        s = add_p(s, mul_p(mod_p(E[a * kSide + bs.cols[c]]), Sinv[c * R + r]));
      x[r] = lift(s);
      if (x[r] < INT32_MIN || x[r] > INT32_MAX) return std::nullopt;
    }
    for (int b = 0; b < kSide; ++b) {
      __int128 s = 0;
      for (int r = 0; r < R; ++r) s += static_cast<__int128>(x[r]) * f.v[r * kSide + b];
      if (s != E[a * kSide + b]) return std::nullopt;
    }
    for (int r = 0; r < R; ++r) f.u[r * kSide + a] = static_cast<std::int32_t>(x[r]);
  }
  return f;
}

// Fallback when neither rows nor columns of E give integer coefficients (e.g. E = u v^T with
// u, v in {0, 2, 3}): an integer echelon basis of the lattice spanned by the rows of E, built with
// unimodular (extended-gcd) row operations. Every row of E is an integer combination of such a
// basis by construction, so U is integral whenever the entries stay within range.
std::optional<LowRankForm> solve_with_lattice(const Matrix& E, bool is_signed, int max_rank) {
  using Row = std::array<__int128, kSide>;
  constexpr __int128 kLimit = static_cast<__int128>(1) << 62;
  std::vector<Row> bas;
  std::vector<int> piv;
  auto first_nonzero = [](const Row& r) {
    for (int c = 0; c < kSide; ++c)
      if (r[c] != 0) return c;
    return -1;
  };
  auto in_range = [&](const Row& r) {
    return std::all_of(r.begin(), r.end(), [&](__int128 x) { return x < kLimit && x > -kLimit; });
  };
  for (int a = 0; a < kSide; ++a) {
    Row e;
    for (int b = 0; b < kSide; ++b) e[b] = E[a * kSide + b];
    for (int c; (c = first_nonzero(e)) >= 0;) {
      const auto it = std::find(piv.begin(), piv.end(), c);
      if (it == piv.end()) {
        if (static_cast<int>(bas.size()) == max_rank) return std::nullopt;
        const auto pos = std::lower_bound(piv.begin(), piv.end(), c) - piv.begin();
        piv.insert(piv.begin() + pos, c);
        bas.insert(bas.begin() + pos, e);
        break;
      }
      Row& bv = bas[it - piv.begin()];
      const __int128 x = bv[c], y = e[c];
      if (y % x == 0) {
        const __int128 q = y / x;
        for (int b = 0; b < kSide; ++b) e[b] -= q * bv[b];
      } else {
        // s*x + t*y = g by the extended Euclidean algorithm.
        __int128 r0 = x, r1 = y, s0 = 1, s1 = 0, t0 = 0, t1 = 1;
        while (r1 != 0) {
          const __int128 q = r0 / r1;
          std::swap(r0 -= q * r1, r1);
          std::swap(s0 -= q * s1, s1);
          std::swap(t0 -= q * t1, t1);
        }
        const __int128 g = r0, xg = x / g, yg = y / g;
        for (int b = 0; b < kSide; ++b) {
          const __int128 nb = s0 * bv[b] + t0 * e[b], ne = yg * bv[b] - xg * e[b];
          bv[b] = nb;
          e[b] = ne;
        }
      }
      if (!in_range(e) || !in_range(bv)) return std::nullopt;
    }
  }
  // Size-reduce earlier rows at later pivots to keep the entries small.
  for (int i = static_cast<int>(bas.size()) - 1; i >= 0; --i)
    for (int j = 0; j < i; ++j) {
      const __int128 x = bas[i][piv[i]];
      __int128 q = bas[j][piv[i]] / x;
      if (q == 0) continue;
      for (int b = 0; b < kSide; ++b) bas[j][b] -= q * bas[i][b];
    }
  const int R = static_cast<int>(bas.size());
  LowRankForm f;
  f.rank = R;
  f.is_signed = is_signed;
  f.u.assign(static_cast<std::size_t>(R) * kSide, 0);
  f.v.assign(static_cast<std::size_t>(R) * kSide, 0);
  for (int r = 0; r < R; ++r)
    for (int b = 0; b < kSide; ++b) {
      if (bas[r][b] < INT32_MIN || bas[r][b] > INT32_MAX) return std::nullopt;
      f.v[r * kSide + b] = static_cast<std::int32_t>(bas[r][b]);
    }
  for (int a = 0; a < kSide; ++a) {
    Row e;
    for (int b = 0; b < kSide; ++b) e[b] = E[a * kSide + b];
    for (int r = 0; r < R; ++r) {
      const __int128 x = bas[r][piv[r]];
      if (e[piv[r]] % x != 0) return std::nullopt;
      const __int128 q = e[piv[r]] / x;
      if (q < INT32_MIN || q > INT32_MAX) return std::nullopt;
      for (int b = 0; b < kSide; ++b) e[b] -= q * bas[r][b];
      f.u[r * kSide + a] = static_cast<std::int32_t>(q);
    }
    if (first_nonzero(e) >= 0) return std::nullopt;
  }
  return f;
}

std::int64_t value(int pattern, bool is_signed) {
  return is_signed ? static_cast<std::int8_t>(pattern) : pattern;
}

bool verify(const std::vector<std::int32_t>& lut, const LowRankForm& f) {
  for (int a = 0; a < kSide; ++a)
    for (int b = 0; b < kSide; ++b) {
      __int128 s = static_cast<__int128>(value(a, f.is_signed)) * value(b, f.is_signed);
      for (int r = 0; r < f.rank; ++r)
        s += static_cast<__int128>(f.u[r * kSide + a]) * f.v[r * kSide + b];
      if (s != lut[a * kSide + b]) return false;
    }
  return true;
}

std::int64_t max_abs(const std::vector<std::int32_t>& t) {
  std::int64_t m = 0;
  for (auto x : t) m = std::max<std::int64_t>(m, std::llabs(x));
  return m;
}

// Row orders to try: natural pattern order, then rows with the smallest entries first (a basis
// of small rows tends to give small V).
std::vector<std::vector<int>> candidate_orders(const Matrix& E) {
  std::vector<int> natural(kSide);
  std::iota(natural.begin(), natural.end(), 0);
  std::vector<std::int64_t> mx(kSide, 0);
  for (int a = 0; a < kSide; ++a)
    for (int b = 0; b < kSide; ++b) mx[a] = std::max<std::int64_t>(mx[a], std::llabs(E[a * kSide + b]));
  std::vector<int> small = natural;
  std::stable_sort(small.begin(), small.end(), [&](int x, int y) { return mx[x] < mx[y]; });
  return {natural, small};
}

}  // namespace

std::optional<LowRankForm> decompose(const std::vector<std::int32_t>& lut256, bool is_signed,
                                     int max_rank) {
  if (lut256.size() != static_cast<std::size_t>(kSide) * kSide)
    throw UsageError("decompose: the table must have 256x256 entries, got " +
                     std::to_string(lut256.size()));
  if (max_rank < 0) throw UsageError("decompose: max_rank must be >= 0");
  max_rank = std::min(max_rank, kSide);

  Matrix E(kSide * kSide), Et(kSide * kSide);
  for (int a = 0; a < kSide; ++a)
    for (int b = 0; b < kSide; ++b) {
      const std::int64_t e = lut256[a * kSide + b] - value(a, is_signed) * value(b, is_signed);
      E[a * kSide + b] = e;
      Et[b * kSide + a] = e;
    }

  std::optional<LowRankForm> best;
  auto consider = [&](std::optional<LowRankForm> f) {
    if (!f || !verify(lut256, *f)) return;
    const auto size = [](const LowRankForm& x) { return std::max(max_abs(x.u), max_abs(x.v)); };
    if (!best || size(*f) < size(*best)) best = std::move(f);
  };
  for (const auto& order : candidate_orders(E)) {
    const Basis bs = row_basis(E, order, max_rank);
    if (bs.too_large) return std::nullopt;  // the rank modulo p bounds the true rank from below
    consider(solve_with_rows(E, bs, is_signed));
  }
  // Column variant: a basis of columns of E as U, V the coefficients (E^T = V^T U).
  for (const auto& order : candidate_orders(Et)) {
    const Basis bs = row_basis(Et, order, max_rank);
    if (bs.too_large) return std::nullopt;
    auto f = solve_with_rows(Et, bs, is_signed);
    if (f) std::swap(f->u, f->v);
    consider(std::move(f));
  }
  if (!best) consider(solve_with_lattice(E, is_signed, max_rank));
  return best;
}

}  // namespace axx::lutgen
