// The common form of every source before it becomes a Lut or a set of metrics: a producer of the
// value of every operand pair, in blocks, possibly from several threads. load_lut() collects the
// blocks into a table (up to 12x12 operands); metrics_of() folds them into the error metrics without
// materialising anything, which is how 16x16 operands (2^32 pairs) stay within memory.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lutgen/lut.h"

namespace axx::lutgen {

// Receives values[i] = product of the operand pair with index first + i, index = (a << bits_b) | b
// (bit patterns). Called concurrently; worker is 0..workers-1.
using ValueSink = std::function<void(unsigned worker, std::uint64_t first, const std::int64_t* values,
                                     std::size_t n)>;

struct TableStream {
  std::string name;
  OperandSpec spec;
  Provenance provenance;
  // Calls the sink on disjoint blocks covering every pair exactly once; threads = 0: all hardware
  // threads. Returns the number of workers used (sinks may size per-worker state by the maximum,
  // see max_workers()).
  std::function<unsigned(const ValueSink& sink, unsigned threads)> run;
};

// Progress of a stream: pairs done so far, pairs in all. Long commands show it (lutgen/progress.h).
using ProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;

// `sink`, counting the pairs it has been given and passing the count to `progress` after each
// block. The calls to `progress` never overlap (a worker that finds another one reporting skips
// its report rather than wait), so it needs no locking of its own; the count never goes back and
// the last report is the total. Defined in lutgen/progress.cc.
ValueSink counting_sink(ValueSink sink, std::uint64_t total, ProgressFn progress);

// Upper bound on the worker index + 1 a stream may pass to its sink for the given thread request.
unsigned max_workers(unsigned threads);

// A stream over an in-memory table (header and .npy sources, compute_metrics).
TableStream stream_of_table(std::string name, OperandSpec spec, Provenance provenance,
                            std::shared_ptr<const std::vector<std::int32_t>> table);

// A stream over a C-callable row evaluator: eval(a_first, a_last, out) writes the values of rows
// [a_first, a_last) (all columns) to out. Used by the C function and builtin sources.
using RowEvaluator = std::function<void(std::uint64_t a_first, std::uint64_t a_last, std::int64_t* out)>;
TableStream stream_of_rows(std::string name, OperandSpec spec, Provenance provenance, RowEvaluator eval);

// Throws axx::UsageError unless 2 <= bits <= 16 for both operands.
void check_operand_spec(const OperandSpec& spec);

}  // namespace axx::lutgen
