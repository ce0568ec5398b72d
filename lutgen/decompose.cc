// Exact low-rank form of a 256x256 table (DESIGN.md, "Exact low-rank form").
//
// E = lut - val(a)*val(b). We look for E = U^T V with R = rank(E) integer rows: V taken from rows
// of E itself (then U holds each row's coefficients in that basis), U taken from columns of E, or
// V a size-reduced basis of the integer lattice spanned by the rows of E (always integral; it
// also recovers small factors that no row or column choice exposes). Every candidate that
// verifies is kept and the one with the smallest max(|U|, |V|) wins.
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

using Rows = std::vector<std::vector<std::int64_t>>;  // R rows of 256

// S^-1 modulo p for an R x R matrix given modulo p; false when singular.
bool invert_mod_p(std::vector<std::uint64_t> S, int R, std::vector<std::uint64_t>& inv) {
  inv.assign(static_cast<std::size_t>(R) * R, 0);
  for (int r = 0; r < R; ++r) inv[r * R + r] = 1;
  for (int c = 0; c < R; ++c) {
    int piv = c;
    while (piv < R && S[piv * R + c] == 0) ++piv;
    if (piv == R) return false;
    for (int k = 0; k < R; ++k) {
      std::swap(S[c * R + k], S[piv * R + k]);
      std::swap(inv[c * R + k], inv[piv * R + k]);
    }
    const std::uint64_t f = inv_p(S[c * R + c]);
    for (int k = 0; k < R; ++k) {
      S[c * R + k] = mul_p(S[c * R + k], f);
      inv[c * R + k] = mul_p(inv[c * R + k], f);
    }
    for (int r = 0; r < R; ++r) {
      if (r == c || S[r * R + c] == 0) continue;
      const std::uint64_t g = S[r * R + c];
      for (int k = 0; k < R; ++k) {
        S[r * R + k] = sub_p(S[r * R + k], mul_p(g, S[c * R + k]));
        inv[r * R + k] = sub_p(inv[r * R + k], mul_p(g, inv[c * R + k]));
      }
    }
  }
  return true;
}

// E = U^T W for the given basis rows W (integer, spanning the row space of E) and columns Q with
// W[:, Q] nonsingular: the coefficients of row a are E[a][Q] W[:, Q]^-1, solved modulo p, lifted,
// and kept only when they reproduce the row exactly. nullopt when some row's coefficients are
// not integers or W does not fit int32.
std::optional<LowRankForm> solve_with_basis(const Matrix& E, const Rows& W,
                                            const std::vector<int>& Q, bool is_signed) {
  const int R = static_cast<int>(W.size());
  LowRankForm f;
  f.rank = R;
  f.is_signed = is_signed;
  f.u.assign(static_cast<std::size_t>(R) * kSide, 0);
  f.v.assign(static_cast<std::size_t>(R) * kSide, 0);
  for (int r = 0; r < R; ++r)
    for (int b = 0; b < kSide; ++b) {
      const std::int64_t x = W[r][b];
      if (x < INT32_MIN || x > INT32_MAX) return std::nullopt;
      f.v[r * kSide + b] = static_cast<std::int32_t>(x);
    }
  std::vector<std::uint64_t> S(static_cast<std::size_t>(R) * R), Sinv;
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < R; ++c) S[r * R + c] = mod_p(W[r][Q[c]]);
  if (!invert_mod_p(S, R, Sinv)) return std::nullopt;
  std::vector<std::int64_t> x(R);
  for (int a = 0; a < kSide; ++a) {
    for (int r = 0; r < R; ++r) {
      std::uint64_t sum = 0;
      for (int c = 0; c < R; ++c)
        sum = add_p(sum, mul_p(mod_p(E[a * kSide + Q[c]]), Sinv[c * R + r]));
      x[r] = lift(sum);
      if (x[r] < INT32_MIN || x[r] > INT32_MAX) return std::nullopt;
    }
    for (int b = 0; b < kSide; ++b) {
      __int128 sum = 0;
      for (int r = 0; r < R; ++r) sum += static_cast<__int128>(x[r]) * f.v[r * kSide + b];
      if (sum != E[a * kSide + b]) return std::nullopt;
    }
    for (int r = 0; r < R; ++r) f.u[r * kSide + a] = static_cast<std::int32_t>(x[r]);
  }
  return f;
}

std::optional<LowRankForm> solve_with_rows(const Matrix& E, const Basis& bs, bool is_signed) {
  Rows W;
  for (int a : bs.rows) W.emplace_back(E.begin() + a * kSide, E.begin() + (a + 1) * kSide);
  return solve_with_basis(E, W, bs.cols, is_signed);
}

// Fallback when no choice of rows or columns of E gives integer coefficients (e.g. E = u v^T with
// u, v in {0, 2, 3}, or random factors, whose R x R minors are rarely +-1): a basis of the lattice
// L spanned by the rows of E over the integers. Every row of E is an integer combination of such a
// basis by definition. The basis is found by integer row operations on the rows of E themselves
// (never through rationals, so nothing has to be lifted back from a modulus): one pivot column
// q of Q at a time, the row with the smallest nonzero entry at q reduces all others there
// (nearest-integer quotients) until it alone is nonzero; it becomes a basis row. A row zero at
// every pivot column is zero (the pivot columns carry the row space). Pairwise size reduction
// then keeps W, and so U, small. Work is bounded (kMaxSteps reductions, entries below 2^100):
// past the bounds the lattice form is given up, so decompose answers in bounded time.
std::optional<LowRankForm> solve_with_lattice(const Matrix& E, const Basis& bs, bool is_signed) {
  const int R = static_cast<int>(bs.rows.size());
  if (R == 0) return std::nullopt;
  constexpr __int128 kLimit = static_cast<__int128>(1) << 100;
  constexpr std::int64_t kMaxSteps = 40000;  // row reductions, each 256 entries
  using Vec = std::vector<__int128>;
  std::vector<Vec> vs;
  for (int a = 0; a < kSide; ++a) {
    bool nonzero = false;
    for (int c = 0; c < R; ++c) nonzero |= E[a * kSide + bs.cols[c]] != 0;
    if (nonzero) vs.emplace_back(E.begin() + a * kSide, E.begin() + (a + 1) * kSide);
  }
  auto abs128 = [](__int128 x) { return x < 0 ? -x : x; };
  std::int64_t steps = 0;
  std::vector<Vec> H;
  for (int c = 0; c < R; ++c) {
    const int q_col = bs.cols[c];
    for (;;) {
      std::size_t piv = vs.size();
      for (std::size_t t = 0; t < vs.size(); ++t)
        if (vs[t][q_col] != 0 &&
            (piv == vs.size() || abs128(vs[t][q_col]) < abs128(vs[piv][q_col])))
          piv = t;
      if (piv == vs.size()) return std::nullopt;  // rank below R: cannot happen
      bool others = false;
      const Vec& pv = vs[piv];
      for (std::size_t t = 0; t < vs.size(); ++t) {
        if (t == piv || vs[t][q_col] == 0) continue;
        if (++steps > kMaxSteps) return std::nullopt;
        const __int128 x = pv[q_col], y = vs[t][q_col];
        __int128 q = y / x, r = y - q * x;
        if (2 * abs128(r) > abs128(x)) q += ((r < 0) == (x < 0)) ? 1 : -1;
        for (int k = 0; k < kSide; ++k) {
          vs[t][k] -= q * pv[k];
          if (abs128(vs[t][k]) >= kLimit) return std::nullopt;
        }
        others |= vs[t][q_col] != 0;
      }
      if (!others) {
        H.push_back(pv);
        vs.erase(vs.begin() + static_cast<std::ptrdiff_t>(piv));
        // Rows now zero at every pivot column processed so far carry nothing more only once all
        // columns are done; drop the ones that are already zero.
        vs.erase(std::remove_if(vs.begin(), vs.end(),
                                [](const Vec& w) {
                                  return std::all_of(w.begin(), w.end(),
                                                     [](__int128 x) { return x == 0; });
                                }),
                 vs.end());
        break;
      }
    }
  }
  Rows W(R, std::vector<std::int64_t>(kSide));
  for (int i = 0; i < R; ++i)
    for (int b = 0; b < kSide; ++b) {
      if (abs128(H[i][b]) > (static_cast<__int128>(1) << 62)) return std::nullopt;
      W[i][b] = static_cast<std::int64_t>(H[i][b]);
    }
  // Pairwise size reduction: w_i -= round(<w_i, w_j> / <w_j, w_j>) w_j while some norm shrinks
  // (a bounded number of passes).
  auto dot = [](const std::vector<std::int64_t>& x, const std::vector<std::int64_t>& y) {
    __int128 s = 0;
    for (int b = 0; b < kSide; ++b) s += static_cast<__int128>(x[b]) * y[b];
    return s;
  };
  std::vector<__int128> norm(R);
  for (int i = 0; i < R; ++i) norm[i] = dot(W[i], W[i]);
  for (int pass = 0, changed = 1; changed && pass < 64; ++pass) {
    changed = 0;
    for (int i = 0; i < R; ++i)
      for (int j = 0; j < R; ++j) {
        if (i == j || norm[j] == 0) continue;
        const __int128 nj = norm[j], d = dot(W[i], W[j]);
        const __int128 q = (2 * d + (d >= 0 ? nj : -nj)) / (2 * nj);  // nearest integer
        if (q == 0) continue;
        std::vector<std::int64_t> w = W[i];
        bool fits = true;
        for (int b = 0; b < kSide && fits; ++b) {
          const __int128 x = static_cast<__int128>(w[b]) - q * W[j][b];
          fits = abs128(x) < (static_cast<__int128>(1) << 62);
          w[b] = static_cast<std::int64_t>(x);
        }
        if (!fits) continue;
        const __int128 nw = dot(w, w);
        if (nw < norm[i]) {
          W[i] = std::move(w);
          norm[i] = nw;
          changed = 1;
        }
      }
  }
  return solve_with_basis(E, W, bs.cols, is_signed);
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
    for (int b = 0; b < kSide; ++b)
      mx[a] = std::max<std::int64_t>(mx[a], std::llabs(E[a * kSide + b]));
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
  consider(solve_with_lattice(E, row_basis(E, candidate_orders(E)[0], max_rank), is_signed));
  return best;
}

}  // namespace axx::lutgen
