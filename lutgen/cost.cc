// Hardware cost of a multiplier netlist against the exact reference (lutgen/cost.h, docs/cost.md).
#include "lutgen/cost.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "axx/error.h"
#include "lutgen/source_registry.h"
#include "netlist_sim/cost.h"
#include "netlist_sim/reader.h"

namespace axx::lutgen {

namespace {

// The input is not a netlist: say what cost needs, in terms of what was given.
[[noreturn]] void not_a_netlist(const std::string& input, const SourceKind& kind) {
  std::string why;
  if (kind.name == "builtin")
    why = "built-in designs will carry a cost from their netlist forms later; cost a netlist file of the design "
          "(multipliers/src/ holds the bundled ones)";
  else if (kind.name == "c")
    why = "a C function has no gates; cost the design's netlist instead";
  else
    why = "a table has no gates; cost the netlist it was made from";
  throw UsageError(input + ": axx cost needs a gate-level netlist (.blif, .v, .sv): " + why);
}

// Signedness by the rule of docs/cli.md: the user's option, else what the file declares (signed /
// unsigned ports, a signed $mul through yosys), else an error: never a silent default.
bool netlist_signedness(const std::string& input, const netlist::Netlist& nl, const netlist::ResolvedPorts& ports,
                        const SourceOptions& options) {
  if (options.is_signed) return *options.is_signed;
  const auto& da = ports.a->declared_signed;
  const auto& db = ports.b->declared_signed;
  if (da && db && *da != *db)
    throw UsageError(input + ": port " + ports.a->name + " is declared " + (*da ? "signed" : "unsigned") + " but " +
                     ports.b->name + " " + (*db ? "signed" : "unsigned") + "; pass --signed or --unsigned");
  if (da) return *da;
  if (db) return *db;
  if (nl.signed_product) return *nl.signed_product;
  throw UsageError(input + ": the netlist does not say whether its operands are signed; pass --signed or --unsigned");
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
  std::ifstream f(path, std::ios::binary);
  if (!f) throw InputError(path + ": cannot open the activity file");
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string data = ss.str();
  auto fail = [&](const std::string& msg) -> void {
    throw InputError(path + ": " + msg + " (expected a .npy array of shape (n, 2) with operand A in column 0 and "
                                         "B in column 1)");
  };
  if (data.size() < 10 || std::memcmp(data.data(), "\x93NUMPY", 6) != 0) fail("not a .npy file");
  const unsigned major = static_cast<unsigned char>(data[6]);
  std::size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(data[8]) | static_cast<unsigned char>(data[9]) << 8;
    header_start = 10;
  } else if ((major == 2 || major == 3) && data.size() >= 12) {
    for (int i = 3; i >= 0; --i) header_len = header_len << 8 | static_cast<unsigned char>(data[8 + i]);
    header_start = 12;
  } else {
    fail("unsupported .npy version");
  }
  if (data.size() < header_start + header_len) fail("truncated .npy header");
  const std::string header = data.substr(header_start, header_len);
  // The header is a Python dict literal written by numpy: {'descr': '<i4', 'fortran_order': False, 'shape': (n, 2), }
  auto value_after = [&](const std::string& key) -> std::string {
    std::size_t k = header.find("'" + key + "'");
    if (k == std::string::npos) fail("npy header has no '" + key + "'");
    std::size_t colon = header.find(':', k);
    std::size_t end = key == "shape" ? header.find(')', colon) + 1 : header.find_first_of(",}", colon);
    if (colon == std::string::npos || end == std::string::npos || end == 0) fail("malformed npy header");
    std::string v = header.substr(colon + 1, end - colon - 1);
    v.erase(0, v.find_first_not_of(" "));
    v.erase(v.find_last_not_of(" ") + 1);
    return v;
  };
  const std::string descr = value_after("descr");
  if (value_after("fortran_order") != "False") fail("Fortran-ordered arrays are not supported");
  const std::string shape = value_after("shape");
  unsigned long long rows = 0, cols = 0;
  char tail = 0;
  if (std::sscanf(shape.c_str(), "(%llu , %llu %c", &rows, &cols, &tail) != 3 || tail != ')' || cols != 2)
    fail("array shape is " + shape);
  struct Type {
    const char* descr;
    int size;
    bool is_signed;
  };
  static const Type types[] = {{"'|i1'", 1, true},  {"'|u1'", 1, false}, {"'<i1'", 1, true}, {"'<u1'", 1, false},
                               {"'<i2'", 2, true},  {"'<u2'", 2, false}, {"'<i4'", 4, true}, {"'<i8'", 8, true}};
  const Type* type = nullptr;
  for (const Type& t : types)
    if (descr == t.descr) type = &t;
  if (!type) fail("dtype " + descr + " is not int8, uint8, int16, uint16, int32 or int64 (little-endian)");
  const std::size_t body = header_start + header_len;
  if (data.size() - body != rows * 2 * std::size_t(type->size))
    fail("data size does not match shape " + shape + " and dtype " + descr);
  Activity act;
  act.source = path;
  act.a.reserve(rows);
  act.b.reserve(rows);
  for (std::size_t i = 0; i < rows * 2; ++i) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(data.data() + body + i * type->size);
    std::uint64_t u = 0;
    for (int k = type->size - 1; k >= 0; --k) u = u << 8 | p[k];
    std::int64_t v = std::int64_t(u);
    if (type->is_signed && type->size < 8 && (u >> (8 * type->size - 1)) & 1) v -= std::int64_t{1} << (8 * type->size);
    (i % 2 ? act.b : act.a).push_back(v);
  }
  if (rows < 2) fail("the power proxy needs at least 2 operand pairs, the array has " + std::to_string(rows));
  return act;
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
  const netlist::Netlist ref = netlist::map_to_cells(netlist::exact_multiplier(spec.bits_a, spec.bits_b, spec.is_signed));
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
  if (kind.name != "netlist") not_a_netlist(input, kind);
  if (!options.func.empty()) throw UsageError("--func applies to C functions, not to the netlist " + input);
  netlist::ReadOptions ro;
  ro.top = options.top;
  ro.yosys_bin = options.yosys_bin;
  ro.yosys = options.yosys == YosysMode::Force   ? netlist::YosysMode::Force
             : options.yosys == YosysMode::Never ? netlist::YosysMode::Never
                                                 : netlist::YosysMode::Auto;
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
  spec.is_signed = netlist_signedness(input, nl, ports, options);
  return cost_of_netlist(nl, binding, spec, options.name.empty() ? file_stem(input) : options.name, activity);
}

std::vector<std::pair<const char*, double>> cost_fields(const Cost& c) {
  return {{"gates", double(c.gates)},   {"area_nand2", c.area_nand2}, {"depth", double(c.depth)},
          {"power_proxy", c.power_proxy}, {"area_rel", c.area_rel},    {"power_rel", c.power_rel},
          {"depth_rel", c.depth_rel}};
}

}  // namespace axx::lutgen
