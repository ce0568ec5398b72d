// axx::Error and subclasses as Python exceptions (docs/architecture.md, "Contracts in one place"). The classes live in axx._C
// and are re-exported by the axx package: AxxError is the base; UsageError and InputError are also
// ValueErrors, ArgumentTypeError a UsageError that is also a TypeError (wrong argument type or
// dtype; raised by the Python layer), ParseError an InputError with .file/.line/.col, ToolError
// also a RuntimeError.
#pragma once
#include <pybind11/pybind11.h>

namespace axx::python {

void register_errors(pybind11::module_& m);

}  // namespace axx::python
