#include "python_bindings/src/errors.h"

#include "axx/error.h"

namespace py = pybind11;

namespace axx::python {
namespace {

// Created once at import and kept for the life of the interpreter (module attributes hold them).
PyObject* g_axx_error = nullptr;
PyObject* g_usage_error = nullptr;
PyObject* g_input_error = nullptr;
PyObject* g_parse_error = nullptr;
PyObject* g_tool_error = nullptr;
PyObject* g_argument_type_error = nullptr;

PyObject* new_exception(py::module_& m, const char* name, py::tuple bases, const char* doc) {
  const std::string qualified = std::string("axx.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (!cls) throw py::error_already_set();
  m.attr(name) = py::handle(cls);  // the module takes a reference; ours stays for the translator
  return cls;
}

void raise_parse_error(const axx::ParseError& e) {
  py::object exc = py::reinterpret_borrow<py::object>(g_parse_error)(e.what());
  exc.attr("file") = e.file();
  exc.attr("line") = e.line();
  exc.attr("col") = e.col();
  exc.attr("message") = e.message();
  PyErr_SetObject(g_parse_error, exc.ptr());
}

}  // namespace

void register_errors(py::module_& m) {
  py::handle exception(PyExc_Exception), value_error(PyExc_ValueError),
      runtime_error(PyExc_RuntimeError);
  g_axx_error = new_exception(m, "AxxError", py::make_tuple(exception),
                              "Base class of the errors axx raises on purpose.");
  py::handle base(g_axx_error);
  g_usage_error = new_exception(m, "UsageError", py::make_tuple(base, value_error),
                                "Wrong arguments or option combinations.");
  // Raised by the Python layer only (axx::Error has no type errors): an argument of the wrong
  // Python type or tensor dtype. A UsageError, so `except axx.UsageError` catches every bad
  // argument, and a TypeError, which is what Python code expects for a wrong type.
  g_argument_type_error = new_exception(
      m, "ArgumentTypeError", py::make_tuple(py::handle(g_usage_error), py::handle(PyExc_TypeError)),
      "An argument of the wrong type or dtype (also a TypeError).");
  g_input_error = new_exception(m, "InputError", py::make_tuple(base, value_error),
                                "Bad input data (a file, a table, a name).");
  g_parse_error = new_exception(
      m, "ParseError", py::make_tuple(py::handle(g_input_error)),
      "Bad input at a known position; str() is 'file:line:col: message' and the parts are the "
      "attributes file, line, col (0: unknown) and message.");
  g_tool_error = new_exception(m, "ToolError", py::make_tuple(base, runtime_error),
                               "An external program (yosys, the C compiler) is missing or failed.");

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const axx::ParseError& e) {
      raise_parse_error(e);
    } catch (const axx::InputError& e) {
      PyErr_SetString(g_input_error, e.what());
    } catch (const axx::UsageError& e) {
      PyErr_SetString(g_usage_error, e.what());
    } catch (const axx::ToolError& e) {
      PyErr_SetString(g_tool_error, e.what());
    } catch (const axx::Error& e) {
      PyErr_SetString(g_axx_error, e.what());
    }
  });
}

}  // namespace axx::python
