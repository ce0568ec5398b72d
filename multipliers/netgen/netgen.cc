// Netlist generator: partial-product array -> column reduction -> ripple-carry adder -> Verilog.
// docs/netgen.md describes the structures; multipliers/c/pp_array.h is the definition the
// array families must match bit for bit.
#include "multipliers/netgen/netgen.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "axx/error.h"

namespace axx::netgen {
namespace {

// ---------------------------------------------------------------------------------------------
// A gate graph with constant folding and structural hashing. Net 0 is constant 0, net 1 constant 1;
// inputs and gate outputs follow. Folding happens while building, so a pruned or constant partial
// product never becomes a gate, and an adder cell fed a constant shrinks to the gates it still needs.

enum class Op : std::uint8_t { And, Or, Xor, Nand, Nor, Xnor, Not };

const char* op_name(Op op) {
  switch (op) {
    case Op::And: return "and";
    case Op::Or: return "or";
    case Op::Xor: return "xor";
    case Op::Nand: return "nand";
    case Op::Nor: return "nor";
    case Op::Xnor: return "xnor";
    case Op::Not: return "not";
  }
  return "?";
}

Op inverted(Op op) {
  switch (op) {
    case Op::And: return Op::Nand;
    case Op::Or: return Op::Nor;
    case Op::Xor: return Op::Xnor;
    case Op::Nand: return Op::And;
    case Op::Nor: return Op::Or;
    case Op::Xnor: return Op::Xor;
    case Op::Not: return Op::Not;
  }
  return op;
}

using Net = int;
constexpr Net kZero = 0, kOne = 1;

struct GateRec {
  Op op;
  Net x, y;  // y unused (-1) for Not
  Net out;
};

class Circuit {
 public:
  Circuit() {
    names_ = {"1'b0", "1'b1"};
    driver_ = {-1, -1};
  }

  Net input(const std::string& name) {
    names_.push_back(name);
    driver_.push_back(-1);
    return static_cast<Net>(names_.size() - 1);
  }

  static bool is_const(Net n) { return n == kZero || n == kOne; }

  Net and_(Net x, Net y) {
    if (x == kZero || y == kZero) return kZero;
    if (x == kOne) return y;
    if (y == kOne || x == y) return x;
    return emit(Op::And, x, y);
  }
  Net or_(Net x, Net y) {
    if (x == kOne || y == kOne) return kOne;
    if (x == kZero) return y;
    if (y == kZero || x == y) return x;
    return emit(Op::Or, x, y);
  }
  Net xor_(Net x, Net y) {
    if (x == y) return kZero;
    if (x == kZero) return y;
    if (y == kZero) return x;
    if (x == kOne) return not_(y);
    if (y == kOne) return not_(x);
    return emit(Op::Xor, x, y);
  }
  Net nand_(Net x, Net y) {
    if (is_const(x) || is_const(y) || x == y) return not_(and_(x, y));
    return emit(Op::Nand, x, y);
  }
  Net xnor_(Net x, Net y) {
    if (is_const(x) || is_const(y) || x == y) return not_(xor_(x, y));
    return emit(Op::Xnor, x, y);
  }
  // NOT of a two-input gate's output is the inverted gate on the same inputs (one gate either way,
  // and the original often becomes dead); NOT of NOT is the net itself.
  Net not_(Net x) {
    if (x == kZero) return kOne;
    if (x == kOne) return kZero;
    int g = driver_[x];
    if (g >= 0) {
      const GateRec& r = gates_[g];
      if (r.op == Op::Not) return r.x;
      return emit(inverted(r.op), r.x, r.y);
    }
    return emit(Op::Not, x, -1);
  }

  // Full adder x + y + z = 2 carry + sum: sum = x ^ y ^ z, carry = x y | (x ^ y) z; with constant
  // inputs only the gates that still compute something are built.
  std::pair<Net, Net> full_add(Net x, Net y, Net z) {
    std::vector<Net> v;
    int ones = 0;
    for (Net n : {x, y, z}) {
      if (n == kOne) ++ones;
      else if (n != kZero) v.push_back(n);
    }
    if (v.size() == 3) {
      Net t = xor_(v[0], v[1]);
      return {xor_(t, v[2]), or_(and_(v[0], v[1]), and_(t, v[2]))};
    }
    if (v.size() == 2) {
      if (ones == 0) return {xor_(v[0], v[1]), and_(v[0], v[1])};
      return {xnor_(v[0], v[1]), or_(v[0], v[1])};  // x + y + 1
    }
    if (v.size() == 1) {
      if (ones == 0) return {v[0], kZero};
      if (ones == 1) return {not_(v[0]), v[0]};
      return {v[0], kOne};
    }
    return {ones & 1 ? kOne : kZero, ones >= 2 ? kOne : kZero};
  }
  std::pair<Net, Net> half_add(Net x, Net y) { return full_add(x, y, kZero); }

  // Balanced tree of two-input ORs.
  Net or_tree(std::vector<Net> v) {
    if (v.empty()) return kZero;
    while (v.size() > 1) {
      std::vector<Net> w;
      for (std::size_t i = 0; i + 1 < v.size(); i += 2) w.push_back(or_(v[i], v[i + 1]));
      if (v.size() % 2) w.push_back(v.back());
      v = std::move(w);
    }
    return v[0];
  }

  // Writes the module: only gates that reach an output, nets renumbered in creation order.
  void write(std::ostream& os, const std::vector<Net>& outputs, Generated& g) const {
    std::vector<bool> live(names_.size(), false);
    std::vector<Net> stack(outputs.begin(), outputs.end());
    while (!stack.empty()) {
      Net n = stack.back();
      stack.pop_back();
      if (live[n]) continue;
      live[n] = true;
      int d = driver_[n];
      if (d >= 0) {
        stack.push_back(gates_[d].x);
        if (gates_[d].y >= 0) stack.push_back(gates_[d].y);
      }
    }
    std::vector<std::string> name = names_;
    std::vector<const GateRec*> kept;
    for (const GateRec& r : gates_)
      if (live[r.out]) {
        name[r.out] = "n" + std::to_string(kept.size());
        kept.push_back(&r);
      }
    if (!kept.empty()) {
      for (std::size_t i = 0; i < kept.size(); i += 16) {
        os << "  wire ";
        for (std::size_t k = i; k < std::min(kept.size(), i + 16); ++k)
          os << (k > i ? ", " : "") << name[kept[k]->out];
        os << ";\n";
      }
    }
    for (const GateRec* r : kept) {
      os << "  " << op_name(r->op) << " (" << name[r->out] << ", " << name[r->x];
      if (r->y >= 0) os << ", " << name[r->y];
      os << ");\n";
      ++g.gates[op_name(r->op)];
    }
    g.total_gates = static_cast<int>(kept.size());
    os << "  assign p = {";
    for (std::size_t i = outputs.size(); i-- > 0;) os << name[outputs[i]] << (i ? ", " : "");
    os << "};\n";
  }

 private:
  Net emit(Op op, Net x, Net y) {
    if (op != Op::Not && x > y) std::swap(x, y);
    auto key = std::make_tuple(op, x, y);
    auto it = memo_.find(key);
    if (it != memo_.end()) return it->second;
    Net out = static_cast<Net>(names_.size());
    names_.push_back("");
    driver_.push_back(static_cast<int>(gates_.size()));
    gates_.push_back({op, x, y, out});
    memo_.emplace(key, out);
    return out;
  }

  std::vector<std::string> names_;
  std::vector<int> driver_;
  std::vector<GateRec> gates_;
  std::map<std::tuple<Op, Net, Net>, Net> memo_;
};

// ---------------------------------------------------------------------------------------------
// Parameters.

struct Params {
  std::map<std::string, std::string> kv;
  const DesignSpec* d;

  [[noreturn]] void fail(const std::string& msg) const {
    throw UsageError("netgen: design '" + d->name + "' (family " + d->family + ", params '" +
                     d->params + "'): " + msg);
  }
  long long integer(const std::string& key, long long lo, long long hi, std::optional<long long> dflt) const {
    auto it = kv.find(key);
    if (it == kv.end()) {
      if (!dflt) fail("missing parameter '" + key + "'");
      return *dflt;
    }
    return parse_int(key, it->second, lo, hi);
  }
  long long parse_int(const std::string& key, const std::string& s, long long lo, long long hi) const {
    std::size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(s, &used, 10);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != s.size()) fail("parameter '" + key + "' is not an integer: '" + s + "'");
    if (v < lo || v > hi)
      fail("parameter '" + key + "' = " + s + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return v;
  }
};

Params parse_params(const DesignSpec& d, std::initializer_list<const char*> allowed) {
  Params p{{}, &d};
  std::istringstream in(d.params);
  std::string tok;
  while (in >> tok) {
    auto eq = tok.find('=');
    if (eq == std::string::npos || eq == 0) p.fail("'" + tok + "' is not key=value");
    std::string key = tok.substr(0, eq);
    if (std::find_if(allowed.begin(), allowed.end(), [&](const char* k) { return key == k; }) == allowed.end()) {
      std::string list;
      for (const char* k : allowed) list += std::string(list.empty() ? "" : ", ") + k;
      p.fail("unknown parameter '" + key + "' (accepted: " + (list.empty() ? "none" : list) + ")");
    }
    if (!p.kv.emplace(key, tok.substr(eq + 1)).second) p.fail("parameter '" + key + "' given twice");
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// The partial-product array of one design, after pruning: bits by row (row i = b_i), a constant
// added to the sum, and the columns (if any) reduced by OR instead of addition.

struct ArrayPlan {
  int m = 8, n = 8;              // bits of a, b
  bool is_signed = false;
  std::uint32_t a_zero = 0, b_zero = 0;  // operand bits forced to 0
  int min_col = 0;               // columns below are dropped (Baugh-Wooley constants too)
  int lor_cols = 0;              // columns below are ORed, no carries out
  long long corr = 0;            // added modulo 2^(m+n)
  int c42_cols = 0;              // columns below get approximate 4:2 compressors first
};

// The approximate 4:2 compressor of Venkatachalam and Ko (IEEE TVLSI 25(5), 2017): carry =
// x1 x2 + x3 x4, sum = (x1 ^ x2) + (x3 ^ x4) + x1 x2 x3 x4; no carry in or out.
std::pair<Net, Net> compress_vk(Circuit& c, Net x1, Net x2, Net x3, Net x4) {
  Net w1 = c.and_(x1, x2), w2 = c.and_(x3, x4);
  Net sum = c.or_(c.or_(c.xor_(x1, x2), c.xor_(x3, x4)), c.and_(w1, w2));
  return {sum, c.or_(w1, w2)};
}

struct PPBit {
  int col;
  Net net;
};

// The sum of weighted bits, modulo 2^N: each row holds at most one bit per column (PPBit.col < N;
// constant ones allowed). Rows are absorbed in order by the array; the trees take each column's bits
// in row order.
std::vector<Net> sum_rows(Circuit& c, const std::vector<std::vector<PPBit>>& rows, int N, Reduction red,
                          Generated& g) {
  // Reduce to at most two bits per column.
  auto fa = [&](Net x, Net y, Net z) { ++g.full_adders; return c.full_add(x, y, z); };
  auto ha = [&](Net x, Net y) { ++g.half_adders; return c.half_add(x, y); };
  std::vector<Net> sum(N, kZero), carry(N, kZero);  // the two rows left for the final adder
  std::vector<Net> out(N, kZero);
  std::vector<std::deque<Net>> cols(N);

  if (red == Reduction::Array) {
    // Carry-save array: the running (sum, carry) pair absorbs one partial-product row at a time.
    // A column with three bits gets a full adder; a column with two keeps both when no carry
    // arrives from its right-hand neighbour in the same row, else a half adder.
    std::vector<std::deque<Net>> state(N);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      std::vector<std::deque<Net>> next(N);
      for (const PPBit& p : rows[i]) state[p.col].push_back(p.net);
      bool carry_in = false;
      for (int col = 0; col < N; ++col) {
        std::deque<Net>& v = state[col];
        bool made_carry = false;
        if (v.size() > 3) throw std::logic_error("netgen: a row with two bits in one column");
        if (v.size() == 3 || (v.size() == 2 && carry_in)) {
          auto [s, co] = v.size() == 3 ? fa(v[0], v[1], v[2]) : ha(v[0], v[1]);
          next[col].push_back(s);
          if (col + 1 < N) next[col + 1].push_back(co);
          made_carry = true;
        } else {
          for (Net x : v) next[col].push_back(x);
        }
        carry_in = made_carry;
      }
      state = std::move(next);
    }
    for (int col = 0; col < N; ++col) {
      if (state[col].size() > 2) throw std::logic_error("netgen: carry-save array left three bits");
      if (state[col].size() > 0) sum[col] = state[col][0];
      if (state[col].size() > 1) carry[col] = state[col][1];
    }
  } else {
    for (std::size_t i = 0; i < rows.size(); ++i)
      for (const PPBit& p : rows[i]) cols[p.col].push_back(p.net);
    auto height = [&] {
      std::size_t h = 0;
      for (auto& v : cols) h = std::max(h, v.size());
      return h;
    };
    if (red == Reduction::Wallace) {
      // Every stage: full adders on each group of three bits, a half adder on a leftover pair.
      while (height() > 2) {
        std::vector<std::deque<Net>> next(N);
        for (int col = 0; col < N; ++col) {
          std::deque<Net>& v = cols[col];
          std::size_t k = 0;
          for (; k + 3 <= v.size(); k += 3) {
            auto [s, co] = fa(v[k], v[k + 1], v[k + 2]);
            next[col].push_back(s);
            if (col + 1 < N) next[col + 1].push_back(co);
          }
          if (v.size() - k == 2) {
            auto [s, co] = ha(v[k], v[k + 1]);
            next[col].push_back(s);
            if (col + 1 < N) next[col + 1].push_back(co);
          } else if (v.size() - k == 1) {
            next[col].push_back(v[k]);
          }
        }
        cols = std::move(next);
      }
    } else {
      // Dadda: stage targets d_1 = 2, d_{j+1} = floor(3 d_j / 2); each stage brings every column
      // down to its target with as few adders as possible, lowest column first, counting the
      // carries that arrive from the column to its right in the same stage.
      std::vector<std::size_t> targets{2};
      while (targets.back() < height()) targets.push_back(targets.back() * 3 / 2);
      targets.pop_back();
      for (std::size_t t = targets.size(); t-- > 0;) {
        std::size_t d = targets[t];
        if (height() <= d) continue;
        std::vector<std::deque<Net>> next(N);
        for (int col = 0; col < N; ++col) {
          std::deque<Net>& v = cols[col];
          while (v.size() + next[col].size() > d) {
            if (v.size() < 2) throw std::logic_error("netgen: Dadda stage ran out of bits");
            bool half = v.size() + next[col].size() == d + 1 || v.size() == 2;
            std::pair<Net, Net> r;
            if (half) {
              r = ha(v[0], v[1]);
              v.erase(v.begin(), v.begin() + 2);
            } else {
              r = fa(v[0], v[1], v[2]);
              v.erase(v.begin(), v.begin() + 3);
            }
            next[col].push_back(r.first);
            if (col + 1 < N) next[col + 1].push_back(r.second);
          }
          for (Net x : v) next[col].push_back(x);
        }
        cols = std::move(next);
      }
    }
    for (int col = 0; col < N; ++col) {
      if (cols[col].size() > 2) throw std::logic_error("netgen: reduction left three bits");
      if (cols[col].size() > 0) sum[col] = cols[col][0];
      if (cols[col].size() > 1) carry[col] = cols[col][1];
    }
  }

  // Final carry-propagate adder: ripple carry, least significant column first. The carry out of
  // the top column is not needed (the product is taken modulo 2^(m+n)) and is removed as dead.
  Net rc = kZero;
  for (int col = 0; col < N; ++col) {
    int live = !Circuit::is_const(sum[col]) + !Circuit::is_const(carry[col]) + !Circuit::is_const(rc);
    std::pair<Net, Net> r = live >= 3 ? fa(sum[col], carry[col], rc) : c.full_add(sum[col], carry[col], rc);
    if (live == 2) ++g.half_adders;
    out[col] = r.first;
    rc = r.second;
  }
  return out;
}

// The product of operand nets A, B under PLAN (plan.a_zero / b_zero are applied by the caller, who
// passes constant-zero nets), m + n bits.
std::vector<Net> build_array(Circuit& c, std::vector<Net> a, std::vector<Net> b, const ArrayPlan& plan,
                             Reduction red, Generated& g) {
  const int m = plan.m, n = plan.n, N = m + n;
  const std::uint64_t mask = (std::uint64_t{1} << N) - 1;

  std::uint64_t constant = 0;
  std::vector<std::vector<PPBit>> rows(n);
  std::vector<std::vector<Net>> or_cols(plan.lor_cols);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < m; ++j) {
      int col = i + j;
      if (col < plan.min_col && col >= plan.lor_cols) continue;
      // Baugh-Wooley: a sign bit times a non-sign bit enters inverted.
      bool inv = plan.is_signed && ((i == n - 1) != (j == m - 1));
      Net bit = inv ? c.nand_(a[j], b[i]) : c.and_(a[j], b[i]);
      if (!Circuit::is_const(bit)) ++g.partial_products;
      if (col < plan.lor_cols) {
        or_cols[col].push_back(bit);
      } else if (bit == kOne) {
        constant += std::uint64_t{1} << col;
      } else if (bit != kZero) {
        rows[i].push_back({col, bit});
      }
    }
  if (plan.is_signed) {
    // 2^(m-1) + 2^(n-1) + 2^(m+n-1) restores the two's complement value modulo 2^(m+n); for m = n
    // the first two are one bit at column m (pp_array.h: columns 8 and 15).
    std::vector<int> cols = m == n ? std::vector<int>{m, N - 1} : std::vector<int>{m - 1, n - 1, N - 1};
    for (int col : cols)
      if (col >= plan.min_col) constant += std::uint64_t{1} << col;  // in an OR column: dropped
  }
  constant = (constant + static_cast<std::uint64_t>(plan.corr)) & mask;

  std::vector<std::deque<Net>> cols(N);
  for (int col = 0; col < N; ++col)
    if ((constant >> col) & 1) cols[col].push_back(kOne);
  // An OR column's result is its only bit, so no carry can leave it. No constant lands there: lor
  // takes no correction and drops the Baugh-Wooley constants of its OR columns.
  for (int col = 0; col < plan.lor_cols; ++col)
    if (!or_cols[col].empty()) {
      if (!cols[col].empty())
        throw std::logic_error("netgen: a constant in an OR-reduced column");
      cols[col].push_back(c.or_tree(or_cols[col]));
    }

  if (plan.c42_cols > 0) {
    // The column lists of the compressor42 C model (multipliers/c/compressor42.c), in its order:
    // the rows' bits, then the Baugh-Wooley constant ones; in columns below c42_cols the first four
    // bits of the list enter a compressor while four remain, its carry appended to the next
    // column's list. Everything left is then added exactly, as rows made of the lists' layers.
    std::vector<std::vector<Net>> lists(N + 1);
    for (int col = 0; col < N; ++col)
      for (int i = 0; i < n; ++i)
        for (const PPBit& p : rows[i])
          if (p.col == col) lists[col].push_back(p.net);
    for (int col = 0; col < N; ++col)
      if ((constant >> col) & 1) lists[col].push_back(kOne);
    constant = 0;
    for (int col = 0; col < N; ++col) {
      std::vector<Net> kept;
      std::size_t first = 0;
      if (col < plan.c42_cols)
        for (; lists[col].size() - first >= 4; first += 4) {
          ++g.compressors42;
          auto [s, cy] = compress_vk(c, lists[col][first], lists[col][first + 1], lists[col][first + 2],
                                     lists[col][first + 3]);
          kept.push_back(s);
          lists[col + 1].push_back(cy);
        }
      kept.insert(kept.end(), lists[col].begin() + static_cast<std::ptrdiff_t>(first), lists[col].end());
      lists[col] = std::move(kept);
    }
    std::size_t layers = 0;
    for (int col = 0; col < N; ++col) layers = std::max(layers, lists[col].size());
    rows.assign(layers, {});
    for (int col = 0; col < N; ++col)
      for (std::size_t r = 0; r < lists[col].size(); ++r) rows[r].push_back({col, lists[col][r]});
    cols.assign(N, {});
  }

  std::vector<std::vector<PPBit>> all(1);
  for (int col = 0; col < N; ++col)
    for (Net x : cols[col]) all[0].push_back({col, x});
  all.insert(all.end(), rows.begin(), rows.end());
  return sum_rows(c, all, N, red, g);
}

// ---------------------------------------------------------------------------------------------
// Datapath blocks of the magnitude-based families (sign-magnitude for signed operands).

Net mux(Circuit& c, Net sel, Net when0, Net when1) {
  if (when0 == when1) return when0;  // e.g. two sign-extension bits in a shifter
  return c.or_(c.and_(c.not_(sel), when0), c.and_(sel, when1));
}

// S ? -X : X modulo 2^width. Bit i of -X is x[i] XOR (any lower bit of X set), so the negation
// is a prefix OR and an XOR per bit, gated by S: cheaper than (X ^ S) + S's incrementer chain. The
// magnitude of a two's complement X is this with S its sign bit; for the most negative value it is
// 2^(width-1), which still fits as an unsigned number.
std::vector<Net> cond_negate(Circuit& c, const std::vector<Net>& x, Net s) {
  std::vector<Net> y(x.size());
  Net lower = kZero;  // OR of x[0..i-1]
  for (std::size_t i = 0; i < x.size(); ++i) {
    y[i] = c.xor_(x[i], c.and_(s, lower));
    lower = c.or_(lower, x[i]);
  }
  return y;
}

// NEGATE ? -X : X for an unsigned X, as a two's complement number sign-extended to WIDTH bits. A
// product that is shifted left afterwards is negated before the shift, on its few bits, since
// -(X << s) = (-X) << s modulo 2^WIDTH; the extension bits are all one net, so the shifter's
// multiplexers between two of them vanish.
std::vector<Net> negate_narrow(Circuit& c, std::vector<Net> x, Net negate, int width) {
  if (negate == kZero) return x;
  x.push_back(kZero);  // room for the sign of -X
  x = cond_negate(c, x, negate);
  x.resize(static_cast<std::size_t>(width), x.back());
  return x;
}

// Leading-one detector as a tree (a priority encoder): the position of the highest set bit of X,
// encoded in ceil(log2 w) bits (0 for X = 0), and whether X has a set bit. Each level merges two
// halves: the upper half's "any" is the top position bit and picks the half whose lower position
// bits are passed on (w - 1 ORs and about w/2 multiplexers, logarithmic depth).
struct LeadingOne {
  std::vector<Net> pos;
  Net any = kZero;
};

LeadingOne leading_one_tree(Circuit& c, const std::vector<Net>& x) {
  if (x.size() <= 1) return {{}, x.empty() ? kZero : x[0]};
  std::size_t half = 1;
  int bits = 0;
  while (half * 2 < x.size()) half *= 2, ++bits;
  LeadingOne lo = leading_one_tree(c, std::vector<Net>(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(half)));
  LeadingOne hi = leading_one_tree(c, std::vector<Net>(x.begin() + static_cast<std::ptrdiff_t>(half), x.end()));
  LeadingOne r;
  for (int i = 0; i < bits; ++i)
    r.pos.push_back(mux(c, hi.any, lo.pos[i], i < static_cast<int>(hi.pos.size()) ? hi.pos[i] : kZero));
  r.pos.push_back(hi.any);
  r.any = c.or_(lo.any, hi.any);
  return r;
}

// Logarithmic (barrel) left shifter by an encoded amount (bit b of AMOUNT shifts by 2^b), one stage
// of multiplexers per amount bit, zeros shifted in; the result has WIDTH bits. Stage outputs that a
// zero feeds fold to AND gates, and bits no output needs are removed as dead gates.
std::vector<Net> shift_left_log(Circuit& c, std::vector<Net> x, const std::vector<Net>& amount, int width) {
  x.resize(static_cast<std::size_t>(width), kZero);
  for (std::size_t b = 0; b < amount.size(); ++b) {
    const long long d = 1LL << b;
    std::vector<Net> y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
      y[i] = mux(c, amount[b], x[i], static_cast<long long>(i) >= d ? x[i - static_cast<std::size_t>(d)] : kZero);
    x = std::move(y);
  }
  return x;
}

// X + Y of two small encoded numbers (ripple carry), one bit wider than the wider operand.
std::vector<Net> add_encoded(Circuit& c, const std::vector<Net>& x, const std::vector<Net>& y) {
  const std::size_t n = std::max(x.size(), y.size());
  std::vector<Net> s(n + 1);
  Net carry = kZero;
  for (std::size_t i = 0; i < n; ++i)
    std::tie(s[i], carry) = c.full_add(i < x.size() ? x[i] : kZero, i < y.size() ? y[i] : kZero, carry);
  s[n] = carry;
  return s;
}

// C - X for an encoded X <= C, in as many bits as C needs (C + ~X + 1; for C = 2^b - 1 the
// constants fold and it is ~X).
std::vector<Net> const_minus(Circuit& c, int C, const std::vector<Net>& x) {
  std::size_t n = x.size();
  while ((1LL << n) <= C) ++n;
  std::vector<Net> s(n);
  Net carry = kOne;
  for (std::size_t i = 0; i < n; ++i)
    std::tie(s[i], carry) = c.full_add((C >> i) & 1 ? kOne : kZero, c.not_(i < x.size() ? x[i] : kZero), carry);
  return s;
}

// Leading-one detector: sel[t] = 1 for the highest set bit t >= LO of X (one-hot or all zero);
// *none = no bit at or above LO is set.
std::vector<Net> leading_one(Circuit& c, const std::vector<Net>& x, int lo, Net* none) {
  const int w = static_cast<int>(x.size());
  std::vector<Net> sel(w, kZero);
  Net above = kZero;  // OR of the bits above t
  for (int t = w - 1; t >= lo; --t) {
    sel[t] = c.and_(x[t], c.not_(above));
    above = c.or_(above, x[t]);
  }
  *none = c.not_(above);
  return sel;
}

// Left shift of X by the amount whose one-hot select is given as (amount, select) pairs; at most
// one select is 1 (none: the result is 0). Negative amounts shift right. Result WIDTH bits.
std::vector<Net> shift_onehot(Circuit& c, const std::vector<Net>& x, const std::vector<std::pair<int, Net>>& sels,
                              int width) {
  std::vector<Net> out(width, kZero);
  for (int k = 0; k < width; ++k) {
    std::vector<Net> terms;
    for (auto [s, sel] : sels) {
      int from = k - s;
      if (from >= 0 && from < static_cast<int>(x.size())) terms.push_back(c.and_(sel, x[from]));
    }
    out[k] = c.or_tree(terms);
  }
  return out;
}

// Unsigned product of X, Y (any widths) with an exact array of the given reduction.
std::vector<Net> multiply_unsigned(Circuit& c, const std::vector<Net>& x, const std::vector<Net>& y, Reduction red,
                                   Generated& g) {
  ArrayPlan p;
  p.m = static_cast<int>(x.size());
  p.n = static_cast<int>(y.size());
  return build_array(c, x, y, p, red, g);
}

// DRUM (Hashemi, Bahar, Reda, ICCAD 2015), multipliers/c/drum.c: each magnitude keeps the K bits
// from its leading one, lowest kept bit forced to 1 (magnitudes below 2^K pass whole); a KxK core
// multiplies the segments and the product is shifted back. The right shift of an operand is the
// position of its leading one among bits K-1..w-1 (0 when none of them, or only bit K-1, is set),
// which a tree leading-one detector gives encoded; a barrel shifter extracts the segment, and one
// barrel shifter by the sum of the two shifts restores the scale.
// The binary code of the amount selected by one-hot (amount, select) pairs (0 when none is
// selected): bit b is the OR of the selects whose amount has bit b set.
std::vector<Net> encode_onehot(Circuit& c, const std::vector<std::pair<int, Net>>& sels) {
  int top = 0;
  for (const auto& [amount, sel] : sels) top = std::max(top, amount);
  std::vector<Net> code;
  for (int b = 0; (1 << b) <= top; ++b) {
    std::vector<Net> terms;
    for (const auto& [amount, sel] : sels)
      if ((amount >> b) & 1) terms.push_back(sel);
    code.push_back(c.or_tree(terms));
  }
  return code;
}

// DRUM (Hashemi, Bahar, Reda, ICCAD 2015), multipliers/c/drum.c: each magnitude keeps the K bits
// from its leading one, lowest kept bit forced to 1 (magnitudes below 2^K pass whole); a KxK core
// multiplies the segments and the product is shifted back. The segment is selected by the decoded
// leading-one position among bits K..w-1 (w - K + 1 candidate alignments: at 8 bits fewer gates and
// less switching than a barrel shifter by the encoded position); the two shift amounts are
// encoded, added, and one barrel shifter by their sum restores the scale (instead of two cascaded
// shifters, one per operand).
std::vector<Net> drum_core(Circuit& c, const std::vector<Net>& x, const std::vector<Net>& y, int k, int width,
                           Reduction red, Generated& g, Net negate) {
  auto segment = [&](const std::vector<Net>& v, std::vector<Net>* shift) {
    const int w = static_cast<int>(v.size());
    const int kk = std::min(k, w);
    if (w <= kk) return v;
    Net small;
    std::vector<Net> sel = leading_one(c, v, kk, &small);
    std::vector<Net> seg(kk);
    for (int q = 0; q < kk; ++q) {
      std::vector<Net> terms{c.and_(small, v[q])};
      for (int t = kk; t < w; ++t) terms.push_back(c.and_(sel[t], v[q + t - kk + 1]));
      seg[q] = c.or_tree(terms);
    }
    seg[0] = c.or_(seg[0], c.not_(small));
    std::vector<std::pair<int, Net>> amounts;
    for (int t = kk; t < w; ++t) amounts.push_back({t - kk + 1, sel[t]});
    *shift = encode_onehot(c, amounts);
    return seg;
  };
  std::vector<Net> sx, sy;
  std::vector<Net> px = segment(x, &sx), py = segment(y, &sy);
  std::vector<Net> prod = multiply_unsigned(c, px, py, red, g);
  return shift_left_log(c, negate_narrow(c, prod, negate, width), add_encoded(c, sx, sy), width);
}

// Mitchell's logarithmic product (IRE Trans. EC-11(4), 1962), multipliers/c/mitchell.c. With
// x = 2^k1 + m1: the fractions are left-aligned to F = max(width x, width y) - 1 bits
// (F1 = m1 << (F - k1): the operand normalised by a barrel shifter, its leading one dropped), added
// (S, carry c), the mantissa M = c ? 2S : 2^F + S shifted left by k1 + k2 (one barrel shifter) and
// right by F (the dropped bits are zero: m1 2^k2 + m2 2^k1 is an integer). A zero operand gives 0.
std::vector<Net> mitchell_core(Circuit& c, const std::vector<Net>& x, const std::vector<Net>& y, int width,
                               Generated& g, Net negate) {
  const int F = static_cast<int>(std::max(x.size(), y.size())) - 1;
  auto fraction = [&](const std::vector<Net>& v, LeadingOne* lead) {
    const int w = static_cast<int>(v.size());
    *lead = leading_one_tree(c, v);
    std::vector<Net> norm = shift_left_log(c, v, const_minus(c, w - 1, lead->pos), w);  // leading one at w-1
    std::vector<Net> f(F, kZero);
    for (int i = 0; i < w - 1; ++i) f[i + F - (w - 1)] = norm[i];
    return f;
  };
  LeadingOne lx, ly;
  std::vector<Net> f1 = fraction(x, &lx), f2 = fraction(y, &ly);
  std::vector<Net> s(F + 1);
  Net carry = kZero;
  for (int i = 0; i < F; ++i) {
    ++(i == 0 ? g.half_adders : g.full_adders);
    std::tie(s[i], carry) = c.full_add(f1[i], f2[i], carry);
  }
  s[F] = carry;
  std::vector<Net> mant(F + 2);
  mant[0] = F > 0 ? c.and_(c.not_(carry), s[0]) : kZero;
  for (int i = 1; i < F; ++i) mant[i] = mux(c, carry, s[i], s[i - 1]);
  mant[F] = F > 0 ? c.or_(c.not_(carry), s[F - 1]) : kOne;
  mant[F + 1] = carry;
  Net nonzero = c.and_(lx.any, ly.any);
  for (Net& m : mant) m = c.and_(m, nonzero);
  std::vector<Net> wide =
      shift_left_log(c, negate_narrow(c, mant, negate, width + F), add_encoded(c, lx.pos, ly.pos), width + F);
  return std::vector<Net>(wide.begin() + F, wide.end());
}

// Rows of the shifted copies of X selected one-hot: X << s for the selected s (0 when none).
std::vector<PPBit> row_of(const std::vector<Net>& bits, int N) {
  std::vector<PPBit> r;
  for (int i = 0; i < static_cast<int>(bits.size()) && i < N; ++i)
    if (bits[i] != kZero) r.push_back({i, bits[i]});
  return r;
}

// UDM (Kulkarni, Gupta, Ercegovac, VLSI Design 2011): the 2x2 block p0 = a0 b0,
// p1 = a1 b0 | a0 b1, p2 = a1 b1 (3 x 3 = 7, every other pair exact); the blocks of all base-4 digit
// pairs added exactly.
std::vector<Net> udm_core(Circuit& c, const std::vector<Net>& x, const std::vector<Net>& y, int N, Reduction red,
                          Generated& g) {
  auto bit = [](const std::vector<Net>& v, std::size_t i) { return i < v.size() ? v[i] : kZero; };
  std::vector<std::vector<PPBit>> rows;
  for (std::size_t i = 0; i < x.size(); i += 2)
    for (std::size_t j = 0; j < y.size(); j += 2) {
      Net a0 = bit(x, i), a1 = bit(x, i + 1), b0 = bit(y, j), b1 = bit(y, j + 1);
      int w = static_cast<int>(i + j);
      std::vector<Net> blk(w + 3, kZero);
      blk[w] = c.and_(a0, b0);
      blk[w + 1] = c.or_(c.and_(a1, b0), c.and_(a0, b1));
      blk[w + 2] = c.and_(a1, b1);
      g.partial_products += 4;
      rows.push_back(row_of(blk, N));
    }
  return sum_rows(c, rows, N, red, g);
}

// SSM (Narayanamoorthy et al., IEEE TVLSI 23(6), 2015): each operand becomes its low M bits when
// the bits above are zero, else its high M bits (a multiplexer per bit); an MxM core; a shift by
// 0 or 2 (w - M) positions in total.
std::vector<Net> ssm_core(Circuit& c, const std::vector<Net>& x, const std::vector<Net>& y, int M, int N,
                          Reduction red, Generated& g) {
  auto segment = [&](const std::vector<Net>& v, std::vector<std::pair<int, Net>>* shifts) {
    const int w = static_cast<int>(v.size());
    const int mm = std::min(M, w);
    std::vector<Net> upper(v.begin() + mm, v.end());
    Net hi = c.or_tree(upper);
    std::vector<Net> seg(mm);
    for (int q = 0; q < mm; ++q) seg[q] = mux(c, hi, v[q], v[q + w - mm]);
    shifts->push_back({0, c.not_(hi)});
    if (w > mm) shifts->push_back({w - mm, hi});
    return seg;
  };
  std::vector<std::pair<int, Net>> sx, sy;
  std::vector<Net> px = segment(x, &sx), py = segment(y, &sy);
  std::vector<Net> prod = multiply_unsigned(c, px, py, red, g);
  return shift_onehot(c, shift_onehot(c, prod, sx, N), sy, N);
}

// ETM (Kyaw, Goh, Yeo, IEEE EDSSC 2010): split at bit K. Both high parts zero: one (w-K)x(w-K)
// multiplier takes the low parts; otherwise it takes the high parts (result at 2^(2K)) and the 2K
// low result bits are filled from v = a_low | b_low: bit q is set when v has a one at or above
// position q - K (all of them, for q <= K, when v is not zero).
std::vector<Net> etm_core(Circuit& c, const std::vector<Net>& x, const std::vector<Net>& y, int K, int N,
                          Reduction red, Generated& g) {
  const int wx = static_cast<int>(x.size()), wy = static_cast<int>(y.size());
  if (K >= wx || K >= wy) return multiply_unsigned(c, x, y, red, g);
  std::vector<Net> xh(x.begin() + K, x.end()), yh(y.begin() + K, y.end());
  Net low_only = c.not_(c.or_(c.or_tree(xh), c.or_tree(yh)));
  auto pick = [&](const std::vector<Net>& v, const std::vector<Net>& high) {
    std::vector<Net> r(std::max(high.size(), static_cast<std::size_t>(K)));
    for (std::size_t i = 0; i < r.size(); ++i)
      r[i] = mux(c, low_only, i < high.size() ? high[i] : kZero, i < static_cast<std::size_t>(K) ? v[i] : kZero);
    return r;
  };
  std::vector<Net> prod = multiply_unsigned(c, pick(x, xh), pick(y, yh), red, g);
  std::vector<Net> v(K);
  for (int i = 0; i < K; ++i) v[i] = c.or_(x[i], y[i]);
  std::vector<Net> out(N, kZero);
  for (int q = 0; q < N; ++q) {
    Net shifted = q >= 2 * K && q - 2 * K < static_cast<int>(prod.size()) ? prod[q - 2 * K] : kZero;
    if (q < 2 * K) {
      std::vector<Net> tail(v.begin() + std::max(0, q - K), v.end());
      shifted = c.or_tree(tail);
    }
    Net direct = q < static_cast<int>(prod.size()) ? prod[q] : kZero;
    out[q] = mux(c, low_only, shifted, direct);
  }
  return out;
}

// Leading-one selects of X with the exponent of X rounded to the nearest power of two (RoBA: at
// 3 * 2^(p-1) the larger one): r[e] for e = 0..w, one-hot, all zero for X = 0.
std::vector<Net> round_pow2(Circuit& c, const std::vector<Net>& x) {
  const int w = static_cast<int>(x.size());
  Net none;
  std::vector<Net> sel = leading_one(c, x, 0, &none);
  std::vector<Net> r(w + 1, kZero);
  for (int e = 0; e <= w; ++e) {
    Net stay = e < w ? (e > 0 ? c.and_(sel[e], c.not_(x[e - 1])) : sel[0]) : kZero;
    Net up = e - 1 >= 1 ? c.and_(sel[e - 1], x[e - 2]) : kZero;
    r[e] = c.or_(stay, up);
  }
  return r;
}

// RoBA (Zendegani et al., IEEE TVLSI 25(2), 2017): Ar b + a Br - Ar Br with Ar, Br the operands
// rounded to powers of two: two one-hot shifters and the one-hot Ar Br, subtracted as its
// complement plus one, all three added in one reduction.
std::vector<Net> roba_core(Circuit& c, const std::vector<Net>& x, const std::vector<Net>& y, int N, Reduction red,
                           Generated& g) {
  std::vector<Net> rx = round_pow2(c, x), ry = round_pow2(c, y);
  std::vector<std::pair<int, Net>> sx, sy;
  for (int e = 0; e < static_cast<int>(rx.size()); ++e) sx.push_back({e, rx[e]});
  for (int e = 0; e < static_cast<int>(ry.size()); ++e) sy.push_back({e, ry[e]});
  std::vector<Net> t1 = shift_onehot(c, y, sx, N), t2 = shift_onehot(c, x, sy, N);
  std::vector<Net> t3 = shift_onehot(c, shift_onehot(c, {kOne}, sx, N), sy, N);
  for (Net& n : t3) n = c.not_(n);
  std::vector<Net> one(N, kZero);
  one[0] = kOne;
  return sum_rows(c, {row_of(one, N), row_of(t1, N), row_of(t2, N), row_of(t3, N)}, N, red, g);
}

// ILM (Babic, Avramovic, Bulic, Microprocessors and Microsystems 35(1), 2011): block n adds
// 2^(k1+k2) + x' 2^k2 + y' 2^k1 for the residues x, y left by block n-1 (x' = x without its leading
// one); a block with a zero operand adds 0. Since 2^(k1+k2) + x' 2^k2 = x 2^k2, a block is two
// barrel-shifted terms, x << k2 and y' << k1, each gated by the other operand being nonzero (the
// tree detectors give k = 0 for a zero operand). Blocks 0..iter, all terms added in one reduction.
std::vector<Net> ilm_core(Circuit& c, std::vector<Net> x, std::vector<Net> y, int iter, int N, Reduction red,
                          Generated& g) {
  // V without its leading one (bit t stays when a higher bit is set); *any: V is not zero.
  auto residue = [&](const std::vector<Net>& v, Net* any) {
    std::vector<Net> r(v.size());
    Net above = kZero;
    for (std::size_t t = v.size(); t-- > 0;) {
      r[t] = c.and_(v[t], above);
      above = c.or_(above, v[t]);
    }
    *any = above;
    return r;
  };
  std::vector<std::vector<PPBit>> rows;
  for (int n = 0; n <= iter; ++n) {
    Net anyx, anyy;
    std::vector<Net> rx = residue(x, &anyx), ry = residue(y, &anyy);
    std::vector<Net> k1 = leading_one_tree(c, x).pos, k2 = leading_one_tree(c, y).pos;
    std::vector<Net> tx(x.size()), ty(y.size());
    for (std::size_t i = 0; i < x.size(); ++i) tx[i] = c.and_(x[i], anyy);
    for (std::size_t i = 0; i < y.size(); ++i) ty[i] = c.and_(ry[i], anyx);
    rows.push_back(row_of(shift_left_log(c, tx, k2, N), N));
    rows.push_back(row_of(shift_left_log(c, ty, k1, N), N));
    x = rx;
    y = ry;
  }
  return sum_rows(c, rows, N, red, g);
}

void check_spec(const DesignSpec& d) {
  if (d.name.empty() || !(std::isalpha(static_cast<unsigned char>(d.name[0])) || d.name[0] == '_') ||
      !std::all_of(d.name.begin(), d.name.end(),
                   [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; }))
    throw UsageError("netgen: '" + d.name + "' is not a Verilog module name ([A-Za-z_][A-Za-z0-9_]*)");
  static const char* const kKeywords[] = {"and", "assign", "buf", "endmodule", "input", "module", "nand",
                                          "nor", "not", "or", "output", "signed", "wire", "xnor", "xor"};
  for (const char* k : kKeywords)
    if (d.name == k) throw UsageError("netgen: '" + d.name + "' is a Verilog keyword, not a module name");
  if (d.bits_a < 2 || d.bits_a > 16 || d.bits_b < 2 || d.bits_b > 16)
    throw UsageError("netgen: design '" + d.name + "': operand widths " + std::to_string(d.bits_a) + "x" +
                     std::to_string(d.bits_b) + " are outside 2..16");
}

ArrayPlan plan_of(const DesignSpec& d) {
  ArrayPlan p;
  p.m = d.bits_a;
  p.n = d.bits_b;
  p.is_signed = d.is_signed;
  const int N = p.m + p.n;
  const std::string& f = d.family;
  if (f == "exact") {
    parse_params(d, {});
  } else if (f == "operand_trunc") {
    Params q = parse_params(d, {"ka", "kb"});
    p.a_zero = (1u << q.integer("ka", 0, p.m, 0)) - 1;
    p.b_zero = (1u << q.integer("kb", 0, p.n, 0)) - 1;
  } else if (f == "column_trunc") {
    Params q = parse_params(d, {"k", "corr"});
    p.min_col = static_cast<int>(q.integer("k", 0, N, std::nullopt));
    p.corr = q.integer("corr", -(1LL << N), (1LL << N) - 1, 0);
  } else if (f == "bam") {
    Params q = parse_params(d, {"hbl", "vbl"});
    p.b_zero = (1u << q.integer("hbl", 0, p.n, std::nullopt)) - 1;
    p.min_col = static_cast<int>(q.integer("vbl", 0, N, std::nullopt));
  } else if (f == "perforation") {
    Params q = parse_params(d, {"rows"});
    auto it = q.kv.find("rows");
    if (it == q.kv.end()) q.fail("missing parameter 'rows'");
    std::stringstream ss(it->second);
    std::string r;
    while (std::getline(ss, r, ',')) p.b_zero |= 1u << q.parse_int("rows", r, 0, p.n - 1);
    if (p.b_zero == 0) q.fail("parameter 'rows' lists no row");
  } else if (f == "compressor42") {
    Params q = parse_params(d, {"variant", "cols"});
    auto it = q.kv.find("variant");
    if (it == q.kv.end()) q.fail("missing parameter 'variant'");
    if (it->second != "vk") q.fail("unknown compressor variant '" + it->second + "' (vk)");
    p.c42_cols = static_cast<int>(q.integer("cols", 0, N, std::nullopt));
  } else if (f == "lor") {
    Params q = parse_params(d, {"k"});
    p.lor_cols = static_cast<int>(q.integer("k", 0, N, std::nullopt));
    p.min_col = p.lor_cols;
  } else {
    std::string list;
    for (const GeneratorFamily& g : generator_families()) list += std::string(list.empty() ? "" : ", ") + g.name;
    throw UsageError("netgen: design '" + d.name + "': family '" + f + "' has no netlist generator (families: " +
                     list + ")");
  }
  return p;
}

}  // namespace

const std::vector<GeneratorFamily>& generator_families() {
  static const std::vector<GeneratorFamily> f = {
      {"exact", "", "exact product (Baugh-Wooley array for signed operands)"},
      {"operand_trunc", "ka=K kb=K", "the K low bits of a / b forced to 0, then the exact product"},
      {"column_trunc", "k=K corr=C", "partial-product columns below K dropped, constant C added"},
      {"bam", "hbl=H vbl=V", "broken array: rows below H and columns below V dropped"},
      {"perforation", "rows=R,R,...", "the listed partial-product rows never generated"},
      {"lor", "k=K", "columns below K reduced by OR, no carries; the rest exact"},
      {"compressor42", "variant=vk cols=C",
       "approximate 4:2 compressors (Venkatachalam-Ko) in the C lowest columns, the rest exact"},
      {"drum", "k=K", "DRUM: K bits from each leading one, lowest forced to 1, KxK core, shifters"},
      {"mitchell", "", "Mitchell's logarithmic product: leading-one detectors, shifters, one adder"},
      {"ilm", "iter=N", "iterative logarithmic multiplier: N + 1 Mitchell-style blocks on the residues"},
      {"etm", "k=K", "error-tolerant multiplier: split at bit K, OR-filled low part, one multiplier"},
      {"roba", "", "rounding-based: Ar b + a Br - Ar Br with powers of two Ar, Br"},
      {"udm", "", "underdesigned multiplier: 2x2 blocks with 3 x 3 = 7, added exactly"},
      {"ssm", "m=M", "static segment multiplier: low or high M-bit segments, MxM core, shift"},
  };
  return f;
}

bool has_generator(std::string_view family) {
  for (const GeneratorFamily& g : generator_families())
    if (family == g.name) return true;
  return false;
}

const char* reduction_name(Reduction r) {
  switch (r) {
    case Reduction::Array: return "array";
    case Reduction::Wallace: return "wallace";
    case Reduction::Dadda: return "dadda";
  }
  return "?";
}

Reduction parse_reduction(std::string_view name) {
  for (Reduction r : {Reduction::Array, Reduction::Wallace, Reduction::Dadda})
    if (name == reduction_name(r)) return r;
  throw UsageError("netgen: unknown reduction '" + std::string(name) + "' (array, wallace, dadda)");
}

Generated generate(const DesignSpec& d) {
  check_spec(d);
  Generated g;
  Circuit c;
  const int N = d.bits_a + d.bits_b;
  std::vector<Net> a(d.bits_a), b(d.bits_b), out;
  for (int j = 0; j < d.bits_a; ++j) a[j] = c.input("a[" + std::to_string(j) + "]");
  for (int i = 0; i < d.bits_b; ++i) b[i] = c.input("b[" + std::to_string(i) + "]");
  static const char* const kMagnitude[] = {"drum", "mitchell", "udm", "ssm", "etm", "roba", "ilm"};
  if (std::find(std::begin(kMagnitude), std::end(kMagnitude), d.family) != std::end(kMagnitude)) {
    // Sign-magnitude for signed designs: |a|, |b| (bits_a, bits_b bits: the most negative value's
    // magnitude still fits) through the unsigned core, the product negated when the signs differ.
    Net sa = d.is_signed ? a.back() : kZero, sb = d.is_signed ? b.back() : kZero;
    // DRUM and Mitchell negate their narrow product before the final shift (negate_narrow); the
    // other cores' wide result is negated here.
    Net neg = c.xor_(sa, sb);
    bool negated = false;
    std::vector<Net> ma = cond_negate(c, a, sa), mb = cond_negate(c, b, sb);
    if (d.family == "drum") {
      Params q = parse_params(d, {"k"});
      int k = static_cast<int>(q.integer("k", 1, 16, std::nullopt));
      out = drum_core(c, ma, mb, k, N, d.reduction, g, neg);
      negated = true;
    } else if (d.family == "mitchell") {
      parse_params(d, {});
      out = mitchell_core(c, ma, mb, N, g, neg);
      negated = true;
    } else if (d.family == "udm") {
      parse_params(d, {});
      out = udm_core(c, ma, mb, N, d.reduction, g);
    } else if (d.family == "roba") {
      parse_params(d, {});
      out = roba_core(c, ma, mb, N, d.reduction, g);
    } else if (d.family == "ssm") {
      Params q = parse_params(d, {"m"});
      out = ssm_core(c, ma, mb, static_cast<int>(q.integer("m", 1, 16, std::nullopt)), N, d.reduction, g);
    } else if (d.family == "etm") {
      Params q = parse_params(d, {"k"});
      out = etm_core(c, ma, mb, static_cast<int>(q.integer("k", 1, 16, std::nullopt)), N, d.reduction, g);
    } else {
      Params q = parse_params(d, {"iter"});
      out = ilm_core(c, ma, mb, static_cast<int>(q.integer("iter", 0, 32, std::nullopt)), N, d.reduction, g);
    }
    if (!negated) out = cond_negate(c, out, neg);
  } else {
    ArrayPlan plan = plan_of(d);
    for (int j = 0; j < d.bits_a; ++j)
      if ((plan.a_zero >> j) & 1) a[j] = kZero;
    for (int i = 0; i < d.bits_b; ++i)
      if ((plan.b_zero >> i) & 1) b[i] = kZero;
    out = build_array(c, a, b, plan, d.reduction, g);
  }

  std::ostringstream os;
  os << "// " << d.name << ": " << (d.is_signed ? "signed " : "unsigned ") << d.bits_a << "x" << d.bits_b
     << " multiplier, family " << d.family << (d.params.empty() ? "" : " (" + d.params + ")") << ", "
     << reduction_name(d.reduction) << " reduction, ripple-carry final adder.\n"
     << "// Generated by axx_netgen (docs/netgen.md).\n";
  const char* sg = d.is_signed ? "signed " : "";
  os << "module " << d.name << "(a, b, p);\n"
     << "  input " << sg << "[" << d.bits_a - 1 << ":0] a;\n"
     << "  input " << sg << "[" << d.bits_b - 1 << ":0] b;\n"
     << "  output " << sg << "[" << N - 1 << ":0] p;\n";
  c.write(os, out, g);
  os << "endmodule\n";
  g.verilog = os.str();
  return g;
}

std::string generate_verilog(const DesignSpec& d) { return generate(d).verilog; }

}  // namespace axx::netgen
