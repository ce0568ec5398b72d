// Exact low-rank form of a 256x256 table (docs/emulator.md, the exact low-rank form).
//
// E = lut - val(a)*val(b). We look for E = U^T V with R = rank(E) integer rows: V taken from rows
// of E itself (then U holds each row's coefficients in that basis), U taken from columns of E, or
// V an LLL-reduced basis of the integer lattice spanned by the rows of E (always integral; it
// also recovers small factors that no row or column choice exposes, e.g. random factors, whose
// R x R minors are rarely +-1). Every candidate that verifies is kept and the one with the
// smallest max(|U|, |V|) wins. Ranks up to 64 take well under a second (tests/emulator/
// decompose_test.cc times them); every stage has a work bound, so no table can stall it.
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
#include <cmath>
#include <cmath>
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
// u, v in {0, 2, 3}, or random factors, whose R x R minors are rarely +-1): a reduced basis of the
// lattice L spanned by the rows of E over the integers. Every row of E is an integer combination
// of a basis of L by definition, and a reduced basis has small entries, so U and V come out small.
//
// The basis comes from LLL reduction (delta = 0.99) of a generating set, rows added one at a time:
// the R pivot rows first (independent), then every other row; a row already in the lattice is
// size-reduced to exactly zero and dropped; one that is not makes the set dependent, and the
// swaps of LLL shrink the volume of the first R vectors (an integer Gram determinant, so this
// ends) until the extra vector reduces to zero. The vectors are exact integers (only the
// Gram-Schmidt data is floating point, which may cost reduction quality, never exactness); work and
// entry sizes are bounded, past the bounds no lattice form is returned, and any basis found still
// has to reproduce every row exactly in solve_with_basis.
namespace lattice {

using Vec = std::vector<std::int64_t>;
constexpr std::int64_t kEntryLimit = std::int64_t{1} << 40;  // keeps the doubles accurate

// LLL on a generating set: Gram-Schmidt on coordinates g (dimension dim), the same integer
// operations applied to the full rows. Vectors reduced to zero (dependent ones) are dropped.
struct Reducer {
  int dim;
  double delta;
  std::int64_t budget;  // iterations left
  std::vector<Vec> g, full;
  std::vector<std::vector<double>> bstar, mu;
  std::vector<double> norm;  // |b*_i|^2

  void push(Vec coords, Vec row) {
    g.push_back(std::move(coords));
    full.push_back(std::move(row));
    bstar.emplace_back(dim);
    mu.emplace_back(g.size(), 0.0);
    norm.push_back(0);
  }
  void erase(int k) {
    g.erase(g.begin() + k);
    full.erase(full.begin() + k);
    bstar.erase(bstar.begin() + k);
    mu.erase(mu.begin() + k);
    norm.erase(norm.begin() + k);
  }
  void gs_row(int k) {  // b*_k and mu[k][0..k-1]
    if (static_cast<int>(mu[k].size()) < k + 1) mu[k].resize(k + 1);
    std::vector<double>& bk = bstar[k];
    for (int x = 0; x < dim; ++x) bk[x] = static_cast<double>(g[k][x]);
    for (int j = 0; j < k; ++j) {
      double d = 0;
      for (int x = 0; x < dim; ++x) d += static_cast<double>(g[k][x]) * bstar[j][x];
      mu[k][j] = norm[j] > 0 ? d / norm[j] : 0;
      for (int x = 0; x < dim; ++x) bk[x] -= mu[k][j] * bstar[j][x];
    }
    double n = 0;
    for (int x = 0; x < dim; ++x) n += bk[x] * bk[x];
    norm[k] = n;
  }
  static bool is_zero(const Vec& w) {
    return std::all_of(w.begin(), w.end(), [](std::int64_t x) { return x == 0; });
  }
  // b_k -= q b_j on both coordinate sets; false past the entry bound.
  bool sub(int k, int j, std::int64_t q) {
    for (int x = 0; x < dim; ++x) {
      g[k][x] -= q * g[j][x];
      if (g[k][x] > kEntryLimit || g[k][x] < -kEntryLimit) return false;
    }
    for (int x = 0; x < kSide; ++x) {
      full[k][x] -= q * full[j][x];
      if (full[k][x] > kEntryLimit || full[k][x] < -kEntryLimit) return false;
    }
    return true;
  }
  // Reduces b[0..n) given b[0..k0) already reduced; false when a bound is hit.
  bool run(int k0) {
    if (g.empty()) return true;
    if (k0 == 0) gs_row(0);
    int k = std::max(k0, 1);
    while (k < static_cast<int>(g.size())) {
      if (--budget < 0) return false;
      gs_row(k);
      for (int j = k - 1; j >= 0; --j) {
        const double q = std::nearbyint(mu[k][j]);
        if (q == 0) continue;
        if (std::fabs(q) > 1e12 || !sub(k, j, static_cast<std::int64_t>(q))) return false;
        for (int i = 0; i < j; ++i) mu[k][i] -= q * mu[j][i];
        mu[k][j] -= q;
      }
      if (is_zero(g[k])) {  // in the lattice of the others (g is injective on the row space)
        erase(k);
        continue;
      }
      gs_row(k);
      const double m = mu[k][k - 1];
      if (norm[k] < (delta - m * m) * norm[k - 1]) {
        std::swap(g[k], g[k - 1]);
        std::swap(full[k], full[k - 1]);
        if (k == 1) gs_row(0);
        gs_row(k - 1);
        k = std::max(k - 1, 1);
      } else {
        ++k;
      }
    }
    return true;
  }
};

// LLL of independent full rows through their exact Gram matrix: Gram-Schmidt costs O(k^2) per
// row instead of O(k * 256), and the integer operations update G exactly.
struct GramReducer {
  double delta;
  std::int64_t budget;
  std::vector<Vec> b;
  std::vector<std::vector<__int128>> G;
  std::vector<std::vector<double>> mu;
  std::vector<double> norm;

  void init() {
    const int n = static_cast<int>(b.size());
    G.assign(n, std::vector<__int128>(n, 0));
    for (int i = 0; i < n; ++i)
      for (int j = 0; j <= i; ++j) {
        __int128 d = 0;
        for (int x = 0; x < kSide; ++x) d += static_cast<__int128>(b[i][x]) * b[j][x];
        G[i][j] = G[j][i] = d;
      }
    mu.assign(n, std::vector<double>(n, 0.0));
    norm.assign(n, 0.0);
  }
  void gs_row(int k) {
    double nk = static_cast<double>(G[k][k]);
    for (int j = 0; j < k; ++j) {
      double r = static_cast<double>(G[k][j]);
      for (int i = 0; i < j; ++i) r -= mu[j][i] * mu[k][i] * norm[i];
      mu[k][j] = norm[j] > 0 ? r / norm[j] : 0;
      nk -= mu[k][j] * mu[k][j] * norm[j];
    }
    norm[k] = nk;
  }
  bool sub(int k, int j, std::int64_t q) {  // b_k -= q b_j, G updated
    for (int x = 0; x < kSide; ++x) {
      b[k][x] -= q * b[j][x];
      if (b[k][x] > kEntryLimit || b[k][x] < -kEntryLimit) return false;
    }
    const int n = static_cast<int>(b.size());
    const __int128 gkk = G[k][k] - 2 * q * G[k][j] + static_cast<__int128>(q) * q * G[j][j];
    for (int i = 0; i < n; ++i)
      if (i != k) G[k][i] = G[i][k] = G[k][i] - q * G[j][i];
    G[k][k] = gkk;
    return true;
  }
  void swap_rows(int k) {
    std::swap(b[k], b[k - 1]);
    std::swap(G[k], G[k - 1]);
    for (auto& r : G) std::swap(r[k], r[k - 1]);
  }
  bool run() {
    const int n = static_cast<int>(b.size());
    if (n == 0) return true;
    init();
    gs_row(0);
    int k = 1;
    while (k < n) {
      if (--budget < 0) return false;
      gs_row(k);
      for (int j = k - 1; j >= 0; --j) {
        const double q = std::nearbyint(mu[k][j]);
        if (q == 0) continue;
        if (std::fabs(q) > 1e12 || !sub(k, j, static_cast<std::int64_t>(q))) return false;
        for (int i = 0; i < j; ++i) mu[k][i] -= q * mu[j][i];
        mu[k][j] -= q;
      }
      gs_row(k);
      const double m = mu[k][k - 1];
      if (norm[k] < (delta - m * m) * norm[k - 1]) {
        swap_rows(k);
        if (k == 1) gs_row(0);
        gs_row(k - 1);
        k = std::max(k - 1, 1);
      } else {
        ++k;
      }
    }
    return true;
  }
};

}  // namespace lattice

// Fallback when no choice of rows or columns of E gives integer coefficients (e.g. E = u v^T with
// u, v in {0, 2, 3}, or random factors, whose R x R minors are rarely +-1): a reduced basis of the
// lattice L spanned by the rows of E over the integers. Every row of E is an integer combination
// of a basis of L by definition, and a reduced basis has small entries, so U and V come out small.
//
// LLL reduction of a generating set, rows added one at a time: the R pivot rows first
// (independent), then every other row; a row already in the lattice is size-reduced to exactly
// zero and dropped; one that is not makes the set dependent, and the swaps of LLL shrink the
// volume of the first R vectors (an integer Gram determinant, so this ends) until the extra vector
// reduces to zero. This first phase works on the rows' entries at the pivot columns Q only (the
// projection is injective on the row space, so it decides membership and dependence exactly) with
// delta = 0.75, and carries the full rows along; a second phase reduces the R full rows found
// (delta = 0.99) so that V is small in every column. The vectors are exact integers (only the
// Gram-Schmidt data is floating point, which may cost reduction quality, never exactness); work and
// entry sizes are bounded, past the bounds no lattice form is returned, and any basis found still
// has to reproduce every row exactly in solve_with_basis.
std::optional<LowRankForm> solve_with_lattice(const Matrix& E, const Basis& bs, bool is_signed) {
  const int R = static_cast<int>(bs.rows.size());
  if (R == 0) return std::nullopt;
  using lattice::Vec;
  auto row = [&](int a) { return Vec(E.begin() + a * kSide, E.begin() + (a + 1) * kSide); };
  auto proj = [&](int a) {
    Vec p(R);
    for (int c = 0; c < R; ++c) p[c] = E[a * kSide + bs.cols[c]];
    return p;
  };
  lattice::Reducer first{R, 0.5, 200000, {}, {}, {}, {}, {}};
  for (int a : bs.rows) first.push(proj(a), row(a));
  if (!first.run(0)) return std::nullopt;
  std::vector<bool> is_pivot(kSide, false);
  for (int a : bs.rows) is_pivot[a] = true;
  for (int a = 0; a < kSide; ++a) {
    if (is_pivot[a]) continue;
    Vec p = proj(a);
    if (lattice::Reducer::is_zero(p)) continue;  // a zero row (the projection is injective)
    const int n = static_cast<int>(first.g.size());
    first.push(std::move(p), row(a));
    if (!first.run(n)) return std::nullopt;
  }
  if (static_cast<int>(first.g.size()) != R) return std::nullopt;
  lattice::GramReducer second{0.9, 200000, first.full, {}, {}, {}};
  const bool ok2 = second.run();
  if (!ok2) return std::nullopt;
  return solve_with_basis(E, second.b, bs.cols, is_signed);
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
  Basis natural_basis;
  for (const auto& order : candidate_orders(E)) {
    const Basis bs = row_basis(E, order, max_rank);
    if (bs.too_large) return std::nullopt;  // the rank modulo p bounds the true rank from below
    if (natural_basis.rows.empty()) natural_basis = bs;
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
  consider(solve_with_lattice(E, natural_basis, is_signed));
  return best;
}

}  // namespace axx::lutgen
