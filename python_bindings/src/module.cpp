// axx._C: the compiled half of the axx package. The torch ops (torch.ops.axx.*) register themselves
// when this library is loaded (ops/); the pybind11 part below carries the lutgen bridge, the error
// classes and what this build can run.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "axx/error.h"
#include "emulator/emulator.h"
#include "python_bindings/src/errors.h"
#include "python_bindings/src/lutgen_bindings.h"

namespace py = pybind11;

namespace {

using axx::emulator::CpuIsa;

// The CPU instruction-set levels by their Python names (emulator.h, CpuIsa).
const std::pair<const char*, CpuIsa> kIsas[] = {{"auto", CpuIsa::Auto},
                                                {"portable", CpuIsa::Portable},
                                                {"avx2", CpuIsa::Avx2},
                                                {"avxvnni", CpuIsa::AvxVnni},
                                                {"avx512", CpuIsa::Avx512},
                                                {"amx", CpuIsa::Amx}};

std::string isa_name(CpuIsa isa) {
  for (const auto& [name, i] : kIsas)
    if (i == isa) return name;
  return "?";
}

void set_isa(const std::string& name) {
  for (const auto& [n, i] : kIsas)
    if (name == n) {
      axx::emulator::set_cpu_isa(i);  // UsageError when this CPU (or OS) lacks it
      return;
    }
  throw axx::UsageError("set_cpu_isa: unknown instruction set '" + name +
                        "'; expected one of auto, portable, avx2, avxvnni, avx512, amx");
}

std::vector<std::string> supported_isas() {
  std::vector<std::string> out;
  for (const auto& [name, i] : kIsas)
    if (i != CpuIsa::Auto && axx::emulator::cpu_isa_supported(i)) out.emplace_back(name);
  return out;
}

}  // namespace

PYBIND11_MODULE(_C, m) {
  m.doc() = "Compiled part of axx: lutgen bridge, error classes, and the torch.ops.axx operators.";
  axx::python::register_errors(m);
  axx::python::register_lutgen(m);

#ifdef AXX_PYTHON_CUDA
  m.attr("has_cuda_ops") = true;
#else
  m.attr("has_cuda_ops") = false;
#endif
  m.def("cuda_compiled", &axx::emulator::cuda_compiled,
        "The emulator library was built with its CUDA kernels.");
  m.def("cuda_available", &axx::emulator::cuda_available,
        "The emulator's CUDA kernels are built and a device is present.");
  m.def("cpu_isa", [] { return isa_name(axx::emulator::cpu_isa()); },
        "The instruction set the CPU kernels use now (never 'auto').");
  m.def("set_cpu_isa", &set_isa, py::arg("name"),
        "Pin the CPU kernels' instruction set: auto, portable, avx2, avxvnni, avx512 or amx.");
  m.def("supported_cpu_isas", &supported_isas,
        "The instruction sets this CPU and OS support, slowest first.");
  m.def("cpu_threads", &axx::emulator::cpu_threads, "Worker threads of the CPU kernels.");
  m.def("set_cpu_threads", &axx::emulator::set_cpu_threads, py::arg("n"),
        "Worker threads of the CPU kernels; 0 = all hardware threads.");
}
