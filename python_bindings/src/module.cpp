// axx._C: the compiled half of the axx package. The torch ops (torch.ops.axx.*) register themselves
// when this library is loaded (ops/); the pybind11 part below carries the lutgen bridge, the error
// classes and what this build can run.
#include <pybind11/pybind11.h>

#include "emulator/emulator.h"
#include "python_bindings/src/errors.h"
#include "python_bindings/src/lutgen_bindings.h"

namespace py = pybind11;

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
}
