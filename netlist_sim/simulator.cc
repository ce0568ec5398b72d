// Exhaustive bit-parallel simulation.
//
// Pattern index i = (a << bits_b) | b; index bit k is operand B bit k for k < bits_b, else A bit
// k - bits_b. A block evaluates kLanes = 4096 consecutive indices at once: each net is a 4096-bit
// slice (64 words), lane j holding the value for index (block base + j). So index bits 0..L-1
// (L = min(12, bits_a + bits_b)) vary across lanes, the remaining B bits ("block bits") are
// all-0/all-1 slices per block, and the remaining A bits ("key bits") are constants for the whole
// inner loop. For each key value the netlist is re-folded with those A bits as constants; partial
// products with a 0 bit vanish, whole adder cells collapse, and what remains is a short
// straight-line program run over every block of that key.
#include "netlist_sim/simulator.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "axx/error.h"
#include "axx/parallel.h"

namespace axx::netlist {

// ---------------------------------------------------------------------------------------------
// Ports (docs/formats-netlist.md)

namespace {

std::string port_list(const std::vector<Port>& ports) {
  std::string s;
  for (const Port& p : ports) s += (s.empty() ? "" : ", ") + p.name;
  return s.empty() ? "none" : s;
}

const Port* find_port(const std::vector<Port>& ports, const std::string& name) {
  for (const Port& p : ports)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace

ResolvedPorts resolve_ports(const Netlist& nl, const PortBinding& binding) {
  const std::string where = nl.source.empty() ? nl.name : nl.source;
  auto named_input = [&](const std::string& name, const char* role) -> const Port* {
    const Port* p = find_port(nl.inputs, name);
    if (!p)
      throw InputError(where + ": no input port '" + name + "' for operand " + role + " (inputs: " +
                       port_list(nl.inputs) + ")");
    return p;
  };
  const Port* a = nullptr;
  const Port* b = nullptr;
  if (!binding.a.empty()) a = named_input(binding.a, "A");
  if (!binding.b.empty()) b = named_input(binding.b, "B");
  if (!a) a = find_port(nl.inputs, "a");
  if (!a) a = find_port(nl.inputs, "A");
  if (!b) b = find_port(nl.inputs, "b");
  if (!b) b = find_port(nl.inputs, "B");
  // Otherwise the first and second input bus, skipping one already taken.
  for (const Port& p : nl.inputs) {
    if (!a && &p != b) a = &p;
    else if (!b && &p != a) b = &p;
  }
  if (!a || !b)
    throw InputError(where + ": a multiplier netlist needs two input ports (inputs: " + port_list(nl.inputs) + ")");
  if (a == b) throw InputError(where + ": operands A and B are both port '" + a->name + "'");
  const Port* out = nullptr;
  if (!binding.out.empty()) {
    out = find_port(nl.outputs, binding.out);
    if (!out)
      throw InputError(where + ": no output port '" + binding.out + "' (outputs: " + port_list(nl.outputs) + ")");
  } else if (nl.outputs.size() == 1) {
    out = &nl.outputs[0];
  } else if (nl.outputs.empty()) {
    throw InputError(where + ": netlist has no output port");
  } else {
    throw InputError(where + ": netlist has " + std::to_string(nl.outputs.size()) + " output ports (" +
                     port_list(nl.outputs) + "); name the product port");
  }
  return {a, b, out};
}

// ---------------------------------------------------------------------------------------------
// Folding compiler

namespace {

// A reference to a value: (var << 1) | inverted. Var 0 is the constant-0 slice, so ref 0 is
// constant 0 and ref 1 constant 1.
using Ref = std::uint32_t;
constexpr Ref kZero = 0, kOne = 1;
inline bool is_const(Ref r) { return r <= 1; }
inline std::uint32_t var_of(Ref r) { return r >> 1; }
inline Ref ref(std::uint32_t var, bool inv = false) { return (var << 1) | Ref(inv); }

enum Kind : std::uint8_t { kAnd, kAndN, kOr, kXor, kMux };  // AndN: a & ~b; Mux: c ? b : a

struct Op {
  Kind kind;
  std::uint32_t a, b, c;  // source vars (never inverted)
};

// Straight-line program over vars: vars 0..num_inputs-1 are given, op i defines var num_inputs + i.
struct Program {
  std::uint32_t num_inputs = 0;
  std::vector<Op> ops;
  std::vector<Ref> outputs;
};

// Emits ops into `out` while folding constants, duplicates, complements and inversions.
class Folder {
 public:
  explicit Folder(Program& out) : p_(out) {}

  Ref op_and(Ref x, Ref y) {
    if (x == kZero || y == kZero || x == (y ^ 1)) return kZero;
    if (x == kOne || x == y) return y;
    if (y == kOne) return x;
    bool ix = x & 1, iy = y & 1;
    if (!ix && !iy) return emit(kAnd, var_of(x), var_of(y));
    if (!ix && iy) return emit(kAndN, var_of(x), var_of(y));
    if (ix && !iy) return emit(kAndN, var_of(y), var_of(x));
    return emit(kOr, var_of(x), var_of(y)) ^ 1;  // ~x & ~y = ~(x | y)
  }
  Ref op_or(Ref x, Ref y) { return op_and(x ^ 1, y ^ 1) ^ 1; }
  Ref op_xor(Ref x, Ref y) {
    if (is_const(x)) return y ^ x;
    if (is_const(y)) return x ^ y;
    if (x == y) return kZero;
    if (x == (y ^ 1)) return kOne;
    return emit(kXor, var_of(x), var_of(y)) ^ ((x ^ y) & 1);
  }
  Ref op_mux(Ref s, Ref d0, Ref d1) {  // s ? d1 : d0
    if (s == kZero) return d0;
    if (s == kOne) return d1;
    if (d0 == d1) return d0;
    if (d0 == (d1 ^ 1)) return op_xor(s, d0);
    // With s = 0 picking d0: d0 == s reads as 0 there, d0 == ~s as 1; likewise d1 at s = 1.
    if (d0 == kZero || d0 == s) return op_and(s, d1);
    if (d1 == kZero || d1 == (s ^ 1)) return op_and(s ^ 1, d0);
    if (d0 == kOne || d0 == (s ^ 1)) return op_or(s ^ 1, d1);
    if (d1 == kOne || d1 == s) return op_or(s, d0);
    if (s & 1) std::swap(d0, d1), s ^= 1;
    if ((d0 & 1) == (d1 & 1)) return emit(kMux, var_of(d0), var_of(d1), var_of(s)) ^ (d0 & 1);
    return op_or(op_and(s, d1), op_and(s ^ 1, d0));
  }

 private:
  Ref emit(Kind k, std::uint32_t a, std::uint32_t b, std::uint32_t c = 0) {
    p_.ops.push_back(Op{k, a, b, c});
    return ref(p_.num_inputs + std::uint32_t(p_.ops.size() - 1));
  }
  Program& p_;
};

// Re-emits `src` with input var v replaced by inputs[v]; the result has `num_inputs` inputs.
Program specialize(const Program& src, const std::vector<Ref>& inputs, std::uint32_t num_inputs,
                   std::vector<Ref>& refs) {
  Program out;
  out.num_inputs = num_inputs;
  out.ops.reserve(src.ops.size());
  Folder f(out);
  refs.resize(src.num_inputs + src.ops.size());
  std::copy(inputs.begin(), inputs.end(), refs.begin());
  Ref* r = refs.data();
  std::uint32_t v = src.num_inputs;
  for (const Op& op : src.ops) {
    Ref x = r[op.a], y = r[op.b];
    switch (op.kind) {
      case kAnd: r[v] = f.op_and(x, y); break;
      case kAndN: r[v] = f.op_and(x, y ^ 1); break;
      case kOr: r[v] = f.op_or(x, y); break;
      case kXor: r[v] = f.op_xor(x, y); break;
      case kMux: r[v] = f.op_mux(r[op.c], x, y); break;
    }
    ++v;
  }
  for (Ref o : src.outputs) out.outputs.push_back(r[var_of(o)] ^ (o & 1));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Execution

constexpr unsigned kLaneBits = 12;  // 4096 lanes: 512-byte slices, a 16x16 program (~50 slots) stays in L1
constexpr unsigned kLanes = 1u << kLaneBits;
// Explicitly 32-byte aligned: without -mavx GCC gives 32-byte vectors only 16-byte alignment, while
// the avx2 clones below use aligned loads.
typedef std::uint64_t v4 __attribute__((vector_size(32), aligned(32)));
constexpr unsigned kVecs = kLanes / 256;  // v4 per slice
struct alignas(32) Slice {
  v4 v[kVecs];
};

struct Instr {
  Kind kind;
  std::uint32_t d, a, b, c;  // slots
};

// A specialised program with slots allocated; slots 0..num_inputs-1 hold zero and the inputs.
struct ExecProgram {
  std::vector<Instr> code;
  std::vector<std::uint32_t> out_slot;
  std::vector<std::uint64_t> out_inv;  // all-ones where the output bit is inverted
  std::uint32_t num_slots = 0;
};

// Drops dead ops and assigns slots, reusing a slot once its last reader has run.
void allocate(const Program& p, ExecProgram& e, std::vector<std::uint8_t>& live, std::vector<std::uint8_t>& frees,
              std::vector<std::uint32_t>& slot, std::vector<std::uint32_t>& free_list) {
  std::uint32_t nvars = p.num_inputs + std::uint32_t(p.ops.size());
  live.assign(nvars, 0);
  frees.assign(p.ops.size(), 0);
  for (Ref o : p.outputs) live[var_of(o)] = 1;
  for (std::size_t i = p.ops.size(); i-- > 0;) {
    if (!live[p.num_inputs + i]) continue;
    const Op& op = p.ops[i];
    std::uint32_t srcs[3] = {op.a, op.b, op.c};
    unsigned n = op.kind == kMux ? 3 : 2;
    for (unsigned s = 0; s < n; ++s)
      if (!live[srcs[s]]) {
        live[srcs[s]] = 1;
        frees[i] |= std::uint8_t(1u << s);  // last reader of this source
      }
  }
  slot.resize(nvars);
  for (std::uint32_t v = 0; v < p.num_inputs; ++v) slot[v] = v;
  std::uint32_t next = p.num_inputs;
  free_list.clear();
  e.code.clear();
  for (std::size_t i = 0; i < p.ops.size(); ++i) {
    std::uint32_t v = p.num_inputs + std::uint32_t(i);
    if (!live[v]) continue;
    const Op& op = p.ops[i];
    std::uint32_t srcs[3] = {op.a, op.b, op.c};
    Instr in{op.kind, 0, slot[op.a], slot[op.b], op.kind == kMux ? slot[op.c] : 0};
    for (unsigned s = 0; s < 3; ++s)
      if ((frees[i] >> s) & 1 && srcs[s] >= p.num_inputs) free_list.push_back(slot[srcs[s]]);
    if (!free_list.empty()) {
      slot[v] = free_list.back();
      free_list.pop_back();
    } else {
      slot[v] = next++;
    }
    in.d = slot[v];
    e.code.push_back(in);
  }
  e.num_slots = next;
  e.out_slot.clear();
  e.out_inv.clear();
  for (Ref o : p.outputs) {
    e.out_slot.push_back(slot[var_of(o)]);
    e.out_inv.push_back((o & 1) ? ~std::uint64_t{0} : 0);
  }
}

__attribute__((target_clones("avx2", "default")))
void run_block(const Instr* code, std::size_t n, Slice* val) {
  for (std::size_t i = 0; i < n; ++i) {
    const Instr& in = code[i];
    Slice& d = val[in.d];
    const Slice& a = val[in.a];
    const Slice& b = val[in.b];
    switch (in.kind) {
      case kAnd:
        for (unsigned k = 0; k < kVecs; ++k) d.v[k] = a.v[k] & b.v[k];
        break;
      case kAndN:
        for (unsigned k = 0; k < kVecs; ++k) d.v[k] = a.v[k] & ~b.v[k];
        break;
      case kOr:
        for (unsigned k = 0; k < kVecs; ++k) d.v[k] = a.v[k] | b.v[k];
        break;
      case kXor:
        for (unsigned k = 0; k < kVecs; ++k) d.v[k] = a.v[k] ^ b.v[k];
        break;
      case kMux: {
        const Slice& c = val[in.c];
        for (unsigned k = 0; k < kVecs; ++k) d.v[k] = a.v[k] ^ (c.v[k] & (a.v[k] ^ b.v[k]));
        break;
      }
    }
  }
}

// Bit-slice to per-pattern: rows[r] holds output bit r for 4x64 lanes (one 64-lane group per
// vector element); afterwards rows[j] element g holds the output word of lane g*64 + j. A 64x64
// bit-matrix transpose by recursive block swaps, done for four matrices at once.
__attribute__((target_clones("avx2", "default")))
void transpose4(v4* rows) {
  std::uint64_t m = 0x00000000FFFFFFFFull;
  for (unsigned j = 32; j != 0; j >>= 1, m ^= m << j) {
    v4 mv = {m, m, m, m};
    for (unsigned k = 0; k < 64; k = ((k | j) + 1) & ~j) {
      v4 t = ((rows[k] >> j) ^ rows[k | j]) & mv;
      rows[k | j] ^= t;
      rows[k] ^= t << j;
    }
  }
}

// The same for outputs of at most 32 bits: rows[0..31] hold output bits for 64 lanes; the two
// 32-bit halves of each row are transposed side by side (the masks and shifts never cross the
// half boundary), leaving lane j in the low half of rows[j] and lane 32 + j in its high half.
// Half the work of transpose4.
__attribute__((target_clones("avx2", "default")))
void transpose4_32(v4* rows) {
  std::uint64_t m = 0x0000FFFF0000FFFFull;
  for (unsigned j = 16; j != 0; j >>= 1, m ^= m << j) {
    v4 mv = {m, m, m, m};
    for (unsigned k = 0; k < 32; k = ((k | j) + 1) & ~j) {
      v4 t = ((rows[k] >> j) ^ rows[k | j]) & mv;
      rows[k | j] ^= t;
      rows[k] ^= t << j;
    }
  }
}

struct Plan {
  unsigned n = 0;            // index bits: bits_a + bits_b
  unsigned bits_b = 0;
  unsigned lane_bits = 0;    // L
  unsigned block_bits = 0;   // B bits above the lanes
  unsigned key_bits = 0;     // A bits above lanes and block bits
  unsigned key_shift = 0;    // index bit of the lowest key bit
  std::uint32_t spec_inputs = 0;  // vars of a specialised program: zero, lane bits, block bits
};

class Worker {
 public:
  Worker(const Program& canon, const Plan& plan, const SimSink& sink, unsigned id)
      : canon_(canon), plan_(plan), sink_(sink), id_(id) {
    inputs_.resize(canon.num_inputs);
    for (std::uint32_t v = 0; v < plan.spec_inputs; ++v) inputs_[v] = ref(v);
    out_.resize(kLanes);
  }

  void run_key(std::uint64_t key) {
    for (unsigned k = 0; k < plan_.key_bits; ++k) inputs_[1 + plan_.key_shift + k] = (key >> k) & 1 ? kOne : kZero;
    Program p = specialize(canon_, inputs_, plan_.spec_inputs, refs_);
    allocate(p, exec_, live_, frees_, slot_, free_list_);
    if (val_.size() < exec_.num_slots) val_.resize(exec_.num_slots);
    std::memset(&val_[0], 0, sizeof(Slice));
    for (unsigned k = 0; k < plan_.lane_bits; ++k) val_[1 + k] = lane_pattern(k);
    std::uint64_t lanes = std::uint64_t{1} << plan_.lane_bits;
    std::uint64_t blocks = std::uint64_t{1} << plan_.block_bits;
    for (std::uint64_t blk = 0; blk < blocks; ++blk) {
      for (unsigned k = 0; k < plan_.block_bits; ++k) {
        std::uint64_t w = (blk >> k) & 1 ? ~std::uint64_t{0} : 0;
        Slice& s = val_[1 + plan_.lane_bits + k];
        for (unsigned q = 0; q < kVecs; ++q) s.v[q] = v4{w, w, w, w};
      }
      run_block(exec_.code.data(), exec_.code.size(), val_.data());
      emit(lanes, (key << plan_.key_shift) | (blk << plan_.lane_bits));
    }
  }

 private:
  static Slice lane_pattern(unsigned k) {
    static const std::uint64_t low[6] = {0xAAAAAAAAAAAAAAAAull, 0xCCCCCCCCCCCCCCCCull, 0xF0F0F0F0F0F0F0F0ull,
                                         0xFF00FF00FF00FF00ull, 0xFFFF0000FFFF0000ull, 0xFFFFFFFF00000000ull};
    std::uint64_t words[kLanes / 64];
    for (unsigned w = 0; w < kLanes / 64; ++w)
      words[w] = k < 6 ? low[k] : ((w >> (k - 6)) & 1 ? ~std::uint64_t{0} : 0);
    Slice s;
    std::memcpy(&s, words, sizeof(s));
    return s;
  }

  void emit(std::uint64_t lanes, std::uint64_t first) {
    std::size_t nout = exec_.out_slot.size();
    std::uint64_t groups = (lanes + 255) / 256;  // 256 lanes per transpose4
    for (std::uint64_t g = 0; g < groups; ++g) {
      for (std::size_t r = 0; r < nout; ++r) {
        std::uint64_t inv = exec_.out_inv[r];
        rows_[r] = val_[exec_.out_slot[r]].v[g] ^ v4{inv, inv, inv, inv};
      }
      std::uint64_t* o = out_.data() + g * 256;
      if (nout <= 32) {
        for (std::size_t r = nout; r < 32; ++r) rows_[r] = v4{0, 0, 0, 0};
        transpose4_32(rows_);
        for (unsigned e = 0; e < 4; ++e)
          for (unsigned j = 0; j < 32; ++j) {
            std::uint64_t w = rows_[j][e];
            o[e * 64 + j] = w & 0xFFFFFFFFull;
            o[e * 64 + 32 + j] = w >> 32;
          }
      } else {
        for (std::size_t r = nout; r < 64; ++r) rows_[r] = v4{0, 0, 0, 0};
        transpose4(rows_);
        for (unsigned e = 0; e < 4; ++e)
          for (unsigned j = 0; j < 64; ++j) o[e * 64 + j] = rows_[j][e];
      }
    }
    sink_(id_, first, out_.data(), lanes);
  }

  const Program& canon_;
  const Plan& plan_;
  const SimSink& sink_;
  unsigned id_;
  std::vector<Ref> inputs_, refs_;
  ExecProgram exec_;
  std::vector<std::uint8_t> live_, frees_;
  std::vector<std::uint32_t> slot_, free_list_;
  std::vector<Slice> val_;
  std::vector<std::uint64_t> out_;
  alignas(32) v4 rows_[64];  // a member array: std::vector<v4> would drop the vector type's alignment
};

}  // namespace

std::vector<std::uint8_t> product_cone(const Netlist& nl, const ResolvedPorts& ports) {
  const std::string where = nl.source.empty() ? nl.name : nl.source;
  std::vector<std::uint8_t> other_input(nl.num_nets(), 0);
  for (const Port& in : nl.inputs)
    if (&in != ports.a && &in != ports.b)
      for (NetId n : in.bits) other_input[n] = 1;
  std::vector<std::size_t> driver(nl.num_nets(), SIZE_MAX);
  for (std::size_t i = 0; i < nl.gates.size(); ++i) driver[nl.gates[i].output] = i;
  std::vector<std::uint8_t> needed(nl.gates.size(), 0);
  std::vector<NetId> stack(ports.out->bits.begin(), ports.out->bits.end());
  std::vector<std::uint8_t> seen(nl.num_nets(), 0);
  while (!stack.empty()) {
    NetId n = stack.back();
    stack.pop_back();
    if (seen[n]) continue;
    seen[n] = 1;
    if (other_input[n]) {
      for (const Port& in : nl.inputs)
        for (NetId m : in.bits)
          if (m == n)
            throw InputError(where + ": input '" + in.name + "' is neither operand A ('" + ports.a->name +
                             "') nor operand B ('" + ports.b->name + "') but drives output '" + ports.out->name + "'");
    }
    if (driver[n] == SIZE_MAX) continue;
    needed[driver[n]] = 1;
    for (NetId in : nl.gates[driver[n]].inputs) stack.push_back(in);
  }
  return needed;
}

namespace {

// Netlist -> canonical program over vars: 0 = zero, 1 + k = index bit k.
Program build_canonical(const Netlist& nl, const ResolvedPorts& ports) {
  const std::string where = nl.source.empty() ? nl.name : nl.source;
  std::size_t bits_a = ports.a->bits.size(), bits_b = ports.b->bits.size();
  Program p;
  p.num_inputs = std::uint32_t(1 + bits_a + bits_b);
  constexpr Ref kUnset = ~Ref{0};
  std::vector<Ref> net_ref(nl.num_nets(), kUnset);
  for (std::size_t k = 0; k < bits_b; ++k) net_ref[ports.b->bits[k]] = ref(std::uint32_t(1 + k));
  for (std::size_t k = 0; k < bits_a; ++k) net_ref[ports.a->bits[k]] = ref(std::uint32_t(1 + bits_b + k));
  // Only the cone of the output port is compiled.
  std::vector<std::size_t> order = topological_order(nl);
  std::vector<std::uint8_t> needed = product_cone(nl, ports);
  Folder f(p);
  for (std::size_t gi : order) {
    if (!needed[gi]) continue;
    const Gate& g = nl.gates[gi];
    std::vector<Ref> in;
    for (NetId n : g.inputs) {
      if (net_ref[n] == kUnset)
        throw InputError(where + ": net '" + nl.net_names[n] + "' is used but never driven");
      in.push_back(net_ref[n]);
    }
    Ref r = kZero;
    switch (g.op) {
      case GateOp::Const0: r = kZero; break;
      case GateOp::Const1: r = kOne; break;
      case GateOp::Buf: r = in[0]; break;
      case GateOp::Not: r = in[0] ^ 1; break;
      case GateOp::And:
      case GateOp::Nand:
        r = in[0];
        for (std::size_t i = 1; i < in.size(); ++i) r = f.op_and(r, in[i]);
        if (g.op == GateOp::Nand) r ^= 1;
        break;
      case GateOp::Or:
      case GateOp::Nor:
        r = in[0];
        for (std::size_t i = 1; i < in.size(); ++i) r = f.op_or(r, in[i]);
        if (g.op == GateOp::Nor) r ^= 1;
        break;
      case GateOp::Xor:
      case GateOp::Xnor:
        r = in[0];
        for (std::size_t i = 1; i < in.size(); ++i) r = f.op_xor(r, in[i]);
        if (g.op == GateOp::Xnor) r ^= 1;
        break;
      case GateOp::Mux: r = f.op_mux(in[0], in[1], in[2]); break;
    }
    net_ref[g.output] = r;
  }
  for (NetId n : ports.out->bits) {
    if (net_ref[n] == kUnset) throw InputError(where + ": output net '" + nl.net_names[n] + "' is never driven");
    p.outputs.push_back(net_ref[n]);
  }
  return p;
}

}  // namespace

unsigned simulate_exhaustive(const Netlist& nl, const PortBinding& binding, const SimSink& sink, unsigned threads) {
  ResolvedPorts ports = resolve_ports(nl, binding);
  const std::string where = nl.source.empty() ? nl.name : nl.source;
  unsigned bits_a = unsigned(ports.a->bits.size()), bits_b = unsigned(ports.b->bits.size());
  if (bits_a == 0 || bits_b == 0) throw InputError(where + ": an operand port has no bits");
  if (bits_a + bits_b > 32)
    throw InputError(where + ": operands of " + std::to_string(bits_a) + " + " + std::to_string(bits_b) +
                     " bits exceed the simulator's 32 index bits");
  if (ports.out->bits.size() > 64)
    throw InputError(where + ": output '" + ports.out->name + "' has " + std::to_string(ports.out->bits.size()) +
                     " bits; at most 64 are supported");
  Program canon = build_canonical(nl, ports);

  Plan plan;
  plan.n = bits_a + bits_b;
  plan.bits_b = bits_b;
  plan.lane_bits = std::min(kLaneBits, plan.n);
  plan.block_bits = bits_b > plan.lane_bits ? bits_b - plan.lane_bits : 0;
  plan.key_shift = plan.lane_bits + plan.block_bits;
  plan.key_bits = plan.n - plan.key_shift;
  plan.spec_inputs = 1 + plan.key_shift;
  std::uint64_t keys = std::uint64_t{1} << plan.key_bits;

  // One Worker (scratch buffers for the specialised programs) per pool worker, made on its first key.
  // Asking for exactly `bound` threads keeps every worker index below workers.size().
  const unsigned bound = parallel::worker_count(threads, keys);
  std::vector<std::unique_ptr<Worker>> workers(bound);
  return parallel::for_each_task(keys, bound, [&](unsigned id, std::uint64_t key) {
    if (!workers[id]) workers[id] = std::make_unique<Worker>(canon, plan, sink, id);
    workers[id]->run_key(key);
  });
}

void simulate_pairs(const Netlist& nl, const PortBinding& binding, const std::uint64_t* a, const std::uint64_t* b,
                    std::size_t n, const NetValuesSink& sink) {
  ResolvedPorts ports = resolve_ports(nl, binding);
  const std::string where = nl.source.empty() ? nl.name : nl.source;
  std::vector<std::size_t> order = topological_order(nl);
  std::vector<std::uint8_t> needed = product_cone(nl, ports);
  std::vector<std::size_t> cone;
  for (std::size_t gi : order)
    if (needed[gi]) cone.push_back(gi);
  std::vector<std::uint8_t> driven(nl.num_nets(), 0);
  for (NetId x : ports.a->bits) driven[x] = 1;
  for (NetId x : ports.b->bits) driven[x] = 1;
  for (std::size_t gi : cone) driven[nl.gates[gi].output] = 1;
  for (std::size_t gi : cone)
    for (NetId x : nl.gates[gi].inputs)
      if (!driven[x]) throw InputError(where + ": net '" + nl.net_names[x] + "' is used but never driven");

  // One 64-bit word per net, bit j = pair first + j: the operand bits are transposed into words,
  // then every gate of the cone is one word operation (n-ary gates fold their inputs).
  std::vector<std::uint64_t> v(nl.num_nets(), 0);
  for (std::size_t first = 0; first < n; first += 64) {
    const std::size_t count = std::min<std::size_t>(64, n - first);
    auto load = [&](const Port& p, const std::uint64_t* x) {
      for (std::size_t k = 0; k < p.bits.size(); ++k) {
        std::uint64_t w = 0;
        for (std::size_t j = 0; j < count; ++j) w |= ((x[first + j] >> k) & 1) << j;
        v[p.bits[k]] = w;
      }
    };
    load(*ports.a, a);
    load(*ports.b, b);
    const std::uint64_t live = count == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << count) - 1;
    for (std::size_t gi : cone) {
      const Gate& g = nl.gates[gi];
      const std::vector<NetId>& in = g.inputs;
      std::uint64_t r = 0;
      switch (g.op) {
        case GateOp::Const0: r = 0; break;
        case GateOp::Const1: r = ~std::uint64_t{0}; break;
        case GateOp::Buf: r = v[in[0]]; break;
        case GateOp::Not: r = ~v[in[0]]; break;
        case GateOp::And:
        case GateOp::Nand:
          r = ~std::uint64_t{0};
          for (NetId x : in) r &= v[x];
          if (g.op == GateOp::Nand) r = ~r;
          break;
        case GateOp::Or:
        case GateOp::Nor:
          r = 0;
          for (NetId x : in) r |= v[x];
          if (g.op == GateOp::Nor) r = ~r;
          break;
        case GateOp::Xor:
        case GateOp::Xnor:
          r = 0;
          for (NetId x : in) r ^= v[x];
          if (g.op == GateOp::Xnor) r = ~r;
          break;
        case GateOp::Mux: r = (v[in[0]] & v[in[2]]) | (~v[in[0]] & v[in[1]]); break;
      }
      v[g.output] = r & live;
    }
    sink(first, count, v.data());
  }
}

}  // namespace axx::netlist
