#pragma once
#include <pybind11/pybind11.h>

namespace axx::python {

// load_lut, metrics, expand_to_256, decompose, builtins (lutgen_bindings.cpp).
void register_lutgen(pybind11::module_& m);

}  // namespace axx::python
