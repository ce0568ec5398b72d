// Compiled user models in child processes (run_isolated_rows; the compiler itself runs through
// common/axx/process.h), so that a model that crashes, hangs or calls exit() ends with a
// message naming the operands rather than taking axx (or the Python process) down with it.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lutgen/lut.h"
#include "lutgen/table_stream.h"

namespace axx::lutgen {

// A model compiled into executables: a shim that includes the model's source and <stdint.h> and
// defines
//   void axx_shim_eval_rows(uint64_t a_first, uint64_t a_last, int bits_a, int bits_b, int is_signed,
//                           int64_t* out, volatile uint64_t* at);
// (write the values of rows [a_first, a_last), all columns, to out), followed by
// child_driver_source() in the same translation unit. Before calling the model on a pair, the
// fast program's shim stores the index a << bits_b of the pair's row in *at when it starts the
// row; the traced program's stores the pair's index (a << bits_b) | b before every call.
struct IsolatedModel {
  std::string executable;                        // the fast program
  std::function<std::string()> traced_executable;  // compiles the traced one when first needed
  OperandSpec spec;
  std::string subject;           // start of error messages, e.g. "m.c: function 'mul'"
  double timeout_s = 10;         // longest time one call may take (the fast program: one row); 0: none
  std::shared_ptr<void> owner;   // keeps the executables' folder alive
};

// The child's main(), C that also compiles as C++, with no #include of its own. It maps the shared
// memory (fd 3), takes blocks of rows from a shared counter, evaluates them into its two shared
// buffers and announces each on its socket (fd 4).
const std::string& child_driver_source();

// The per-call time limit: $AXX_C_TIMEOUT in seconds (0: none), default 10. Throws
// axx::UsageError when the variable is set to something else than a non-negative number.
double call_timeout_from_env();

// TableStream::run for an IsolatedModel: one child process per worker, values passed through
// shared memory, the sink called from one parent thread per child and once per pair. When a child
// of the fast program dies, or spends longer than timeout_s in one row, the traced program
// evaluates what was not delivered: a child of it that dies by a signal, exits before finishing or
// spends longer than timeout_s in one call makes it throw axx::InputError naming the signal or
// status and the operands (when several pairs fail, the one of smallest index (a << bits_b) | b,
// whatever the timing). A crash or exit of the fast program that the traced one does not repeat is
// an InputError too (the model's results are not reproducible).
unsigned run_isolated_rows(const IsolatedModel& model, const ValueSink& sink, unsigned threads);

}  // namespace axx::lutgen
