// Hardware cost of a multiplier netlist against the exact reference (lutgen/cost.h, docs/cost.md).
#include "lutgen/cost.h"

#include <fstream>

#include "axx/error.h"
#include "axx/posix_fs.h"
#include "lutgen/npy.h"
#include "lutgen/signedness.h"
#include "lutgen/source_registry.h"
#include "multipliers/netgen/builtin_spec.h"
#include "netlist_sim/cost.h"
#include "netlist_sim/reader.h"

namespace axx::lutgen {

namespace {

// The input is not a netlist: say what cost needs, in terms of what was given.
[[noreturn]] void not_a_netlist(const std::string& input, const SourceKind& kind) {
  const std::string why = kind.name == "c" ? "a C function has no gates; cost the design's netlist instead"
                                           : "a table has no gates; cost the netlist it was made from";
  throw UsageError(input + ": axx cost needs a gate-level netlist (.blif, .v, .sv) or builtin:NAME: " + why);
}

// D's generated Verilog read back by the structural reader, as any user's netlist is read.
netlist::Netlist read_generated(const netgen::DesignSpec& d) {
  const posix_fs::TempDir dir("axx-cost");
  const std::string path = dir.path() + "/" + d.name + ".v";
  {
    std::ofstream f(path);
    f << netgen::generate_verilog(d);
    if (!f.flush()) throw ToolError("cannot write " + path);
  }
  return netlist::read_verilog(path);
}

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The operand stream as raw bit patterns.
void operand_patterns(const OperandSpec& spec, const Activity& activity, std::vector<std::uint64_t>& a,
                      std::vector<std::uint64_t>& b) {
  const std::uint64_t mask_a = (std::uint64_t{1} << spec.bits_a) - 1, mask_b = (std::uint64_t{1} << spec.bits_b) - 1;
  a.clear();
  b.clear();
  if (activity.a.empty() && activity.b.empty()) {
    if (activity.pairs < 2) throw UsageError("the power proxy needs at least 2 operand pairs");
    std::uint64_t state = activity.seed;
    for (std::size_t i = 0; i < activity.pairs; ++i) {
      a.push_back(splitmix64(state) & mask_a);
      b.push_back(splitmix64(state) & mask_b);
    }
    return;
  }
  const std::string where = activity.source.empty() ? "activity" : activity.source;
  if (activity.a.size() != activity.b.size())
    throw InputError(where + ": operand A and B samples differ in number (" + std::to_string(activity.a.size()) +
                     " vs " + std::to_string(activity.b.size()) + ")");
  if (activity.a.size() < 2) throw InputError(where + ": the power proxy needs at least 2 operand pairs");
  auto check = [&](std::int64_t v, int bits, std::size_t i, const char* which) {
    const std::int64_t lo = spec.is_signed ? -(std::int64_t{1} << (bits - 1)) : 0;
    const std::int64_t hi = spec.is_signed ? (std::int64_t{1} << (bits - 1)) - 1 : (std::int64_t{1} << bits) - 1;
    if (v < lo || v > hi)
      throw InputError(where + ": pair " + std::to_string(i) + ": operand " + which + " value " + std::to_string(v) +
                       " is outside the " + std::to_string(bits) + "-bit " + (spec.is_signed ? "signed" : "unsigned") +
                       " range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  };
  for (std::size_t i = 0; i < activity.a.size(); ++i) {
    check(activity.a[i], spec.bits_a, i, "A");
    check(activity.b[i], spec.bits_b, i, "B");
    a.push_back(std::uint64_t(activity.a[i]) & mask_a);
    b.push_back(std::uint64_t(activity.b[i]) & mask_b);
  }
}

}  // namespace

Activity read_activity_npy(const std::string& path) {
  const NpyArray array = read_npy(path);
  auto fail = [&](const std::string& msg) {
    throw InputError(path + ": " + msg + " (expected a .npy array of shape (n, 2) with operand A in column 0 and "
                                         "B in column 1)");
  };
  if (array.shape.size() != 2 || array.shape[1] != 2) {
    std::string shape;
    for (std::uint64_t d : array.shape) shape += (shape.empty() ? "" : ", ") + std::to_string(d);
    fail("array shape is (" + shape + (array.shape.size() == 1 ? ",)" : ")"));
  }
  const std::size_t rows = array.shape[0];
  if (rows < 2) fail("the power proxy needs at least 2 operand pairs, the array has " + std::to_string(rows));
  Activity act;
  act.source = path;
  act.a.reserve(rows);
  act.b.reserve(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    act.a.push_back(array.values[2 * i]);
    act.b.push_back(array.values[2 * i + 1]);
  }
  return act;
}

netlist::Netlist exact_reference(const OperandSpec& spec) {
  check_operand_spec(spec);
  netgen::DesignSpec d;
  d.name = std::string("exact_") + (spec.is_signed ? "s" : "u") + std::to_string(spec.bits_a) + "x" +
           std::to_string(spec.bits_b);
  d.family = "exact";
  d.bits_a = spec.bits_a;
  d.bits_b = spec.bits_b;
  d.is_signed = spec.is_signed;
  d.reduction = kCostReduction;
  return read_generated(d);
}

netlist::Netlist builtin_netlist(const multipliers::Builtin& b) {
  const std::optional<netgen::DesignSpec> d = netgen::spec_of(b, kCostReduction);
  if (!d)
    throw UsageError(std::string("builtin:") + b.name + ": family " + b.family +
                     " has no netlist generator (docs/netgen.md), so the design has no cost");
  return read_generated(*d);
}

Cost cost_of_netlist(const netlist::Netlist& nl, const netlist::PortBinding& binding, const OperandSpec& spec,
                     const std::string& name, const Activity& activity) {
  const netlist::ResolvedPorts ports = netlist::resolve_ports(nl, binding);
  if (int(ports.a->bits.size()) != spec.bits_a || int(ports.b->bits.size()) != spec.bits_b)
    throw UsageError(nl.source + ": ports " + ports.a->name + " and " + ports.b->name + " are " +
                     std::to_string(ports.a->bits.size()) + " and " + std::to_string(ports.b->bits.size()) +
                     " bits wide, but " + std::to_string(spec.bits_a) + "x" + std::to_string(spec.bits_b) +
                     " operands were requested");
  check_operand_spec(spec);
  std::vector<std::uint64_t> a, b;
  operand_patterns(spec, activity, a, b);

  // The mapped netlist keeps the port names, so the user's binding still picks the same ports.
  const netlist::PortBinding named{ports.a->name, ports.b->name, ports.out->name};
  const netlist::Netlist cells = netlist::map_to_cells(nl, named);
  const netlist::StructuralCost s = netlist::structural_cost(cells);
  const netlist::Netlist ref = netlist::map_to_cells(exact_reference(spec));
  const netlist::StructuralCost rs = netlist::structural_cost(ref);

  Cost c;
  c.name = name;
  c.spec = spec;
  c.gates = s.gates;
  c.area_nand2 = s.area_nand2;
  c.depth = s.depth;
  c.power_proxy = netlist::power_proxy(cells, named, a, b);
  c.area_rel = s.area_nand2 / rs.area_nand2;
  const double ref_power = netlist::power_proxy(ref, {}, a, b);
  if (ref_power == 0)
    throw InputError((activity.source.empty() ? std::string("activity") : activity.source) +
                     ": the operand samples never change, so nothing switches; the power proxy needs varying operands");
  c.power_rel = c.power_proxy / ref_power;
  c.depth_rel = double(s.depth) / double(rs.depth);
  c.cells = s.cells;
  c.activity = activity.a.empty() ? "uniform" : activity.source.empty() ? "samples" : activity.source;
  c.pairs = a.size();
  return c;
}

Cost cost_of(const std::string& input, const SourceOptions& options, const Activity& activity) {
  const SourceKind& kind = find_source_kind(input);
  const bool netlist_file = kind.name == "blif" || kind.name == "verilog";
  if (!netlist_file && kind.name != "builtin") not_a_netlist(input, kind);
  check_options_apply(kind, input, options);
  if (kind.name == "builtin") {
    const multipliers::Builtin* m = &builtin_of(input);
    // The same checks as the builtin: source (source_builtin.cc), so a flag means the same here.
    const OperandSpec spec{m->bits_a, m->bits_b, m->is_signed};
    check_fixed_bits(input, options, spec);
    SignednessFacts facts;
    facts.table = m->is_signed;
    facts.table_what = "the built-in multiplier is {}";
    resolve_signedness(input, facts, options);
    return cost_of_netlist(builtin_netlist(*m), {}, spec, options.name.empty() ? std::string(m->name) : options.name, activity);
  }
  netlist::ReadOptions ro;
  ro.top = options.top;
  ro.yosys_bin = options.yosys_bin;
  ro.yosys = options.yosys;
  const netlist::Netlist nl = netlist::read_netlist_file(input, ro);
  const netlist::PortBinding binding{options.port_a, options.port_b, options.port_out};
  const netlist::ResolvedPorts ports = netlist::resolve_ports(nl, binding);
  OperandSpec spec;
  spec.bits_a = int(ports.a->bits.size());
  spec.bits_b = int(ports.b->bits.size());
  if ((options.bits_a && options.bits_a != spec.bits_a) || (options.bits_b && options.bits_b != spec.bits_b))
    throw UsageError(input + ": ports " + ports.a->name + " and " + ports.b->name + " are " +
                     std::to_string(spec.bits_a) + " and " + std::to_string(spec.bits_b) + " bits wide, but " +
                     std::to_string(options.bits_a ? options.bits_a : spec.bits_a) + "x" +
                     std::to_string(options.bits_b ? options.bits_b : spec.bits_b) + " operands were requested");
  const bool blif = kind.name == "blif";
  spec.is_signed =
      resolve_signedness(input, netlist_signedness_facts(nl, *ports.a, *ports.b, blif), options).is_signed;
  return cost_of_netlist(nl, binding, spec, options.name.empty() ? file_stem(input) : options.name, activity);
}

std::vector<std::pair<const char*, double>> cost_fields(const Cost& c) {
  return {{"gates", double(c.gates)},   {"area_nand2", c.area_nand2}, {"depth", double(c.depth)},
          {"power_proxy", c.power_proxy}, {"area_rel", c.area_rel},    {"power_rel", c.power_rel},
          {"depth_rel", c.depth_rel}};
}

}  // namespace axx::lutgen
