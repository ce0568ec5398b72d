// load_lut, expand_to_256 and the generic streams (tables, row evaluators).
#include <algorithm>
#include <limits>

#include "axx/error.h"
#include "lutgen/parallel.h"
#include "lutgen/source.h"
#include "lutgen/source_registry.h"
#include "lutgen/table_stream.h"

namespace axx::lutgen {

namespace {
constexpr int kMaxMaterialisedBits = 12;
// Pairs per block handed to a sink: large enough to amortise the call, small enough that a
// per-worker buffer of int64 values stays in L2.
constexpr std::uint64_t kBlock = 1 << 14;
}  // namespace

void check_operand_spec(const OperandSpec& spec) {
  for (int bits : {spec.bits_a, spec.bits_b}) {
    if (bits < 2 || bits > 16) {
      throw UsageError("operand width " + std::to_string(bits) + " is out of range (2..16 bits)");
    }
  }
}

unsigned max_workers(unsigned threads) { return worker_count(threads, std::numeric_limits<std::uint64_t>::max()); }

TableStream stream_of_table(std::string name, OperandSpec spec, Provenance provenance,
                            std::shared_ptr<const std::vector<std::int32_t>> table) {
  TableStream s{std::move(name), spec, std::move(provenance), {}};
  s.run = [table, spec](const ValueSink& sink, unsigned threads) {
    const std::uint64_t total = spec.rows() * spec.cols();
    std::vector<std::vector<std::int64_t>> buffers(max_workers(threads));
    return parallel_blocks(total, kBlock, threads, [&](unsigned w, std::uint64_t first, std::size_t n) {
      auto& buf = buffers[w];
      buf.resize(n);
      std::copy_n(table->data() + first, n, buf.data());
      sink(w, first, buf.data(), n);
    });
  };
  return s;
}

TableStream stream_of_rows(std::string name, OperandSpec spec, Provenance provenance, RowEvaluator eval) {
  TableStream s{std::move(name), spec, std::move(provenance), {}};
  s.run = [eval = std::move(eval), spec](const ValueSink& sink, unsigned threads) {
    const std::uint64_t cols = spec.cols();
    const std::uint64_t rows_per_block = std::max<std::uint64_t>(1, kBlock / cols);
    std::vector<std::vector<std::int64_t>> buffers(max_workers(threads));
    return parallel_blocks(spec.rows(), rows_per_block, threads,
                           [&](unsigned w, std::uint64_t a_first, std::size_t nrows) {
                             auto& buf = buffers[w];
                             buf.resize(nrows * cols);
                             eval(a_first, a_first + nrows, buf.data());
                             sink(w, a_first * cols, buf.data(), buf.size());
                           });
  };
  return s;
}

Lut load_lut(const std::string& input, const SourceOptions& options) {
  TableStream s = open_source(input, options);
  if (s.spec.bits_a > kMaxMaterialisedBits || s.spec.bits_b > kMaxMaterialisedBits) {
    throw UsageError(input + ": " + std::to_string(s.spec.bits_a) + "x" + std::to_string(s.spec.bits_b) +
                     " operands are too wide to materialise a table (at most " +
                     std::to_string(kMaxMaterialisedBits) + "x" + std::to_string(kMaxMaterialisedBits) +
                     "); `axx metrics` streams wider ones");
  }
  Lut lut;
  lut.name = s.name;
  lut.spec = s.spec;
  lut.provenance = s.provenance;
  lut.table.assign(s.spec.rows() * s.spec.cols(), 0);
  s.run(
      [&](unsigned, std::uint64_t first, const std::int64_t* values, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
          if (values[i] < std::numeric_limits<std::int32_t>::min() ||
              values[i] > std::numeric_limits<std::int32_t>::max()) {
            const std::uint64_t idx = first + i;
            throw InputError(input + ": value " + std::to_string(values[i]) + " at [" +
                             std::to_string(idx >> s.spec.bits_b) + "][" +
                             std::to_string(idx & (s.spec.cols() - 1)) + "] does not fit in int32");
          }
          lut.table[first + i] = static_cast<std::int32_t>(values[i]);
        }
      },
      0);
  return lut;
}

std::vector<std::int32_t> expand_to_256(const Lut& lut) {
  if (lut.spec.bits_a > 8 || lut.spec.bits_b > 8) {
    throw UsageError(lut.name + ": " + std::to_string(lut.spec.bits_a) + "x" + std::to_string(lut.spec.bits_b) +
                     " operands do not fit the 256x256 layout (at most 8 bits each)");
  }
  if (lut.table.size() != lut.spec.rows() * lut.spec.cols()) {
    throw InputError(lut.name + ": table has " + std::to_string(lut.table.size()) + " entries, expected " +
                     std::to_string(lut.spec.rows() * lut.spec.cols()));
  }
  // Narrow operands: the 8-bit pattern truncated to the operand width selects the entry, so an
  // int8 operand holding a sign-extended narrow value finds that value's row/column.
  std::vector<std::int32_t> out(256 * 256);
  const std::uint64_t ma = lut.spec.rows() - 1, mb = lut.spec.cols() - 1;
  for (std::uint64_t a = 0; a < 256; ++a) {
    for (std::uint64_t b = 0; b < 256; ++b) out[a * 256 + b] = lut.at(a & ma, b & mb);
  }
  return out;
}

}  // namespace axx::lutgen
