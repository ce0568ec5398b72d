// Exhaustive error metrics against the exact product (definitions and formulas: docs/metrics.md).
#pragma once
#include <string>
#include <vector>

#include "lutgen/lut.h"
#include "lutgen/source.h"
#include "lutgen/table_stream.h"

namespace axx::lutgen {

// Field names follow the JSON keys of docs/cli.md.
struct Metrics {
  std::string name;
  int bits_a = 0, bits_b = 0;
  bool is_signed = true;
  double ep_percent = 0, mae = 0, mae_percent = 0, wce = 0, wce_percent = 0, mse = 0, rmse = 0;
  double mre_percent = 0, wcre_percent = 0, mred = 0, nmed = 0, bias = 0, error_variance = 0;
};

Metrics compute_metrics(const Lut& lut);

// Metrics of INPUT without materialising its table when the operands are wider than 12 bits
// (streams the simulator's / C function's output); otherwise equal to compute_metrics(load_lut()).
// `progress` (may be empty) follows the pairs done (lutgen/progress.h shows it on a terminal).
Metrics metrics_of(const std::string& input, const SourceOptions& options = {}, const ProgressFn& progress = {});

// One JSON object with the keys docs/cli.md lists, in that order.
std::string metrics_json(const Metrics& m);

// The numeric metrics in JSON-key order, for tables and comparisons (all: smaller |value| is better).
struct MetricField {
  const char* key;     // JSON key
  const char* label;   // short column heading
  double Metrics::*member;
};
const std::vector<MetricField>& metric_fields();

}  // namespace axx::lutgen
