// The lutgen side of axx._C: loading tables from any source, metrics, the 256x256 expansion and the
// exact low-rank form. Tables cross the boundary as int32 CPU tensors of shape
// (2^bits_a, 2^bits_b); axx.Multiplier (python_bindings/axx/_multiplier.py) is the public face of these functions.
#include <torch/csrc/utils/pybind.h>

#include <ATen/ops/empty.h>

#include <cmath>
#include <cstring>

#include "axx/error.h"
#include "lutgen/cost.h"
#include "lutgen/decompose.h"
#include "lutgen/lut.h"
#include "lutgen/metrics.h"
#include "lutgen/source.h"
#include "lutgen/source_registry.h"
#include "multipliers/registry.h"
#include "python_bindings/src/lutgen_bindings.h"

namespace py = pybind11;

namespace axx::python {
namespace {

at::Tensor int32_tensor(const std::vector<std::int32_t>& data, std::int64_t rows,
                        std::int64_t cols) {
  at::Tensor t = at::empty({rows, cols}, at::TensorOptions().dtype(at::kInt));
  std::memcpy(t.mutable_data_ptr<std::int32_t>(), data.data(), data.size() * sizeof(std::int32_t));
  return t;
}

// A table tensor from Python (already validated there: 2-D, power-of-two sides) as a Lut.
lutgen::Lut lut_from_tensor(const at::Tensor& table, int bits_a, int bits_b, bool is_signed,
                            const std::string& name) {
  if (table.scalar_type() != at::kInt || table.device().type() != at::kCPU || table.dim() != 2 ||
      table.size(0) != (std::int64_t{1} << bits_a) || table.size(1) != (std::int64_t{1} << bits_b))
    throw axx::UsageError("table must be a CPU torch.int32 tensor of shape (2^bits_a, 2^bits_b)");
  lutgen::Lut lut;
  lut.name = name;
  lut.spec = {bits_a, bits_b, is_signed};
  const at::Tensor c = table.contiguous();
  const auto* p = c.const_data_ptr<std::int32_t>();
  lut.table.assign(p, p + c.numel());
  lut.provenance.kind = "tensor";
  return lut;
}

py::dict lut_to_dict(const lutgen::Lut& lut) {
  py::dict d;
  d["name"] = lut.name;
  d["bits_a"] = lut.spec.bits_a;
  d["bits_b"] = lut.spec.bits_b;
  d["signed"] = lut.spec.is_signed;
  d["table"] = int32_tensor(lut.table, static_cast<std::int64_t>(lut.spec.rows()),
                            static_cast<std::int64_t>(lut.spec.cols()));
  py::dict prov;
  prov["kind"] = lut.provenance.kind;
  prov["path"] = lut.provenance.path;
  prov["detail"] = lut.provenance.detail;
  prov["signedness"] = lut.provenance.signedness;
  d["provenance"] = prov;
  return d;
}

// from_file's keywords as lutgen's SourceOptions (0 and "" mean unset; yosys None: auto).
lutgen::SourceOptions source_options(std::optional<bool> is_signed, int bits_a, int bits_b, const std::string& name,
                                     const std::string& top, const std::string& func, const std::string& port_a,
                                     const std::string& port_b, const std::string& port_out,
                                     std::optional<bool> yosys, const std::string& yosys_bin) {
  lutgen::SourceOptions o;
  o.is_signed = is_signed;
  o.bits_a = bits_a;
  o.bits_b = bits_b;
  o.name = name;
  o.top = top;
  o.func = func;
  o.port_a = port_a;
  o.port_b = port_b;
  o.port_out = port_out;
  o.yosys = !yosys.has_value() ? lutgen::YosysMode::Auto
            : *yosys           ? lutgen::YosysMode::Force
                               : lutgen::YosysMode::Never;
  o.yosys_bin = yosys_bin;
  // Errors name the options as from_file's keywords: signed=True, port_a, ...
  o.spelling = lutgen::OptionSpelling::Python;
  return o;
}

py::dict load_lut(const std::string& input, std::optional<bool> is_signed, int bits_a, int bits_b,
                  const std::string& name, const std::string& top, const std::string& func,
                  const std::string& port_a, const std::string& port_b,
                  const std::string& port_out, std::optional<bool> yosys,
                  const std::string& yosys_bin) {
  const lutgen::SourceOptions o =
      source_options(is_signed, bits_a, bits_b, name, top, func, port_a, port_b, port_out, yosys, yosys_bin);
  lutgen::Lut lut;
  {
    // Parsing, simulation, yosys and cc can take a while and touch no Python object.
    py::gil_scoped_release release;
    lut = lutgen::load_lut(input, o);
  }
  return lut_to_dict(lut);
}

// `axx cost --json`'s object for one input (converter/cmd_cost.cc writes the same keys in the
// same order). Operand samples: `activity` an int64 (n, 2) CPU tensor, or `activity_path` a .npy
// file, or neither (uniform pairs from `seed`).
py::dict cost(const std::string& input, std::optional<bool> is_signed, int bits_a, int bits_b,
              const std::string& name, const std::string& top, const std::string& func, const std::string& port_a,
              const std::string& port_b, const std::string& port_out, std::optional<bool> yosys,
              const std::string& yosys_bin, std::optional<at::Tensor> activity, const std::string& activity_path,
              std::size_t pairs, std::uint64_t seed) {
  const lutgen::SourceOptions o =
      source_options(is_signed, bits_a, bits_b, name, top, func, port_a, port_b, port_out, yosys, yosys_bin);
  lutgen::Activity act;
  act.pairs = pairs;
  act.seed = seed;
  if (activity) {
    const at::Tensor t = activity->contiguous();
    if (t.scalar_type() != at::kLong || t.device().type() != at::kCPU || t.dim() != 2 || t.size(1) != 2)
      throw axx::UsageError("activity must be a CPU int64 tensor of shape (n, 2)");
    const auto* p = t.const_data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < t.size(0); ++i) {
      act.a.push_back(p[2 * i]);
      act.b.push_back(p[2 * i + 1]);
    }
    act.source = "Multiplier.cost activity";  // names the argument in errors and in the result
  }
  lutgen::Cost c;
  {
    py::gil_scoped_release release;
    if (!activity_path.empty()) act = lutgen::read_activity_npy(activity_path);
    c = lutgen::cost_of(input, o, act);
  }
  py::dict d;
  d["name"] = c.name;
  d["bits_a"] = c.spec.bits_a;
  d["bits_b"] = c.spec.bits_b;
  d["signed"] = c.spec.is_signed;
  for (const auto& [key, value] : lutgen::cost_fields(c)) {
    if (std::string(key) == "gates" || std::string(key) == "depth")
      d[key] = py::int_(static_cast<long long>(value));
    else
      d[key] = py::float_(value);
  }
  py::dict cells;
  for (const auto& [cell, count] : c.cells) cells[py::str(cell)] = count;
  d["cells"] = cells;
  d["activity"] = c.activity;
  d["pairs"] = c.pairs;
  return d;
}

py::dict metrics(const at::Tensor& table, int bits_a, int bits_b, bool is_signed,
                 const std::string& name) {
  const lutgen::Lut lut = lut_from_tensor(table, bits_a, bits_b, is_signed, name);
  lutgen::Metrics m;
  {
    py::gil_scoped_release release;
    m = lutgen::compute_metrics(lut);
  }
  // Keys and order of `axx metrics --json` (lutgen::metric_fields). Integral values are Python
  // ints, so they print (and json.dumps) as 1743 like every axx output, never 1743.0.
  py::dict d;
  d["name"] = m.name;
  d["bits_a"] = m.bits_a;
  d["bits_b"] = m.bits_b;
  d["signed"] = m.is_signed;
  for (const auto& f : lutgen::metric_fields()) {
    const double v = m.*f.member;
    if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
      d[f.key] = py::int_(static_cast<long long>(v));
    } else {
      d[f.key] = py::float_(v);
    }
  }
  return d;
}

at::Tensor expand_to_256(const at::Tensor& table, int bits_a, int bits_b, bool is_signed) {
  const lutgen::Lut lut = lut_from_tensor(table, bits_a, bits_b, is_signed, "");
  return int32_tensor(lutgen::expand_to_256(lut), 256, 256);
}

py::object decompose(const at::Tensor& lut256, bool is_signed, int max_rank) {
  if (lut256.scalar_type() != at::kInt || lut256.device().type() != at::kCPU ||
      lut256.dim() != 2 || lut256.size(0) != 256 || lut256.size(1) != 256)
    throw axx::UsageError("decompose: lut256 must be a 256x256 CPU torch.int32 tensor");
  const at::Tensor c = lut256.contiguous();
  const auto* p = c.const_data_ptr<std::int32_t>();
  const std::vector<std::int32_t> table(p, p + c.numel());
  std::optional<lutgen::LowRankForm> form;
  {
    py::gil_scoped_release release;
    form = lutgen::decompose(table, is_signed, max_rank);
  }
  if (!form) return py::none();
  return py::make_tuple(int32_tensor(form->u, form->rank, 256),
                        int32_tensor(form->v, form->rank, 256));
}

// The input options of from_file: (key, keywords, kinds taking it), from lutgen's registries.
py::list input_options() {
  py::list out;
  for (const lutgen::InputOption& o : lutgen::input_options()) {
    py::list kinds;
    for (const lutgen::SourceKind& k : lutgen::source_kinds()) {
      if (k.takes(o.key)) kinds.append(k.name);
    }
    out.append(py::make_tuple(o.key, o.python, kinds));
  }
  return out;
}

py::list builtins() {
  py::list out;
  for (const multipliers::Builtin& b : multipliers::builtins())
    out.append(py::make_tuple(b.name, b.description, b.bits_a, b.bits_b, b.is_signed, b.family, b.params,
                              b.citation));
  return out;
}

}  // namespace

void register_lutgen(py::module_& m) {
  m.def("load_lut", &load_lut, py::arg("input"), py::arg("signed") = py::none(),
        py::arg("bits_a") = 0, py::arg("bits_b") = 0, py::arg("name") = "", py::arg("top") = "",
        py::arg("func") = "", py::arg("port_a") = "", py::arg("port_b") = "",
        py::arg("port_out") = "", py::arg("yosys") = py::none(), py::arg("yosys_bin") = "",
        "Reads a table from a path (.blif, .v/.sv, .c/.cpp, .h, .npy, .json) or 'builtin:NAME'.\n"
        "signed None: what the file declares (an error where it declares nothing); yosys None:\n"
        "auto; 0 and '' mean unset. Options that do not apply to the input are errors. Returns a\n"
        "dict: name, bits_a, bits_b, signed, table (int32 (2^bits_a, 2^bits_b)), provenance.");
  m.def("metrics", &metrics, py::arg("table"), py::arg("bits_a"), py::arg("bits_b"),
        py::arg("signed"), py::arg("name"),
        "Exhaustive error metrics of a table against the exact product, as a dict with the keys\n"
        "of `axx metrics --json`.");
  m.def("expand_to_256", &expand_to_256, py::arg("table"), py::arg("bits_a"), py::arg("bits_b"),
        py::arg("signed"),
        "The table in the emulator's 256x256 layout: entry [a][b] for 8-bit patterns is the\n"
        "table at the patterns truncated to bits_a / bits_b.");
  m.def("decompose", &decompose, py::arg("lut256"), py::arg("signed"), py::arg("max_rank") = 8,
        "Exact low-rank form lut[a][b] = value(a)*value(b) + sum_r u[r][a]*v[r][b] of a 256x256\n"
        "table: (u, v), int32 tensors of shape (R, 256), or None when the rank exceeds max_rank.");
  m.def("input_options", &input_options,
        "The input options of Multiplier.from_file: (key, keywords, kinds taking it) tuples, in\n"
        "the order of `axx lut --help`.");
  m.def("builtins", &builtins,
        "The built-in multipliers: (name, description, bits_a, bits_b, signed, family, params,\n"
        "citation) tuples.");
  m.def("cost", &cost, py::arg("input"), py::arg("signed") = py::none(), py::arg("bits_a") = 0,
        py::arg("bits_b") = 0, py::arg("name") = "", py::arg("top") = "", py::arg("func") = "",
        py::arg("port_a") = "", py::arg("port_b") = "", py::arg("port_out") = "",
        py::arg("yosys") = py::none(), py::arg("yosys_bin") = "", py::arg("activity") = py::none(),
        py::arg("activity_path") = "", py::arg("pairs") = 100000, py::arg("seed") = 1,
        "Hardware cost of a netlist file or 'builtin:NAME' (docs/cost.md), options as load_lut:\n"
        "a dict with the keys of `axx cost --json`. activity: int64 (n, 2) tensor of operand\n"
        "values, or activity_path: a .npy file; neither: `pairs` uniform pairs from `seed`.");
}

}  // namespace axx::python
