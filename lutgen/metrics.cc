// Exhaustive error metrics (formulas: docs/metrics.md). Every sum is an integer sum, so the result
// does not depend on block sizes, thread count or order: the error sums are exact (128-bit), and the
// relative errors |e|/|exact| are summed in fixed point (integer part + fraction in units of 2^-62,
// each rounded to nearest), as precise as a double for each term and associative.
#include "lutgen/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "axx/error.h"
#include "lutgen/json.h"
#include "lutgen/source_registry.h"
#include "lutgen/table_stream.h"

namespace axx::lutgen {

namespace {

constexpr double kFracScale = 4611686018427387904.0;  // 2^62

// Sum of non-negative reals in fixed point: whole parts and fractions (units of 2^-62) apart.
struct FixedSum {
  unsigned __int128 whole = 0, frac = 0;
  void add(double r) {
    // Rounded to the nearest 2^-62 (ties up). Fractions times 2^62 stay below 2^63, so the cheap
    // signed conversion is exact.
    if (r < 1.0) {  // the common case: no whole part
      frac += static_cast<std::uint64_t>(static_cast<std::int64_t>(r * kFracScale + 0.5));
      return;
    }
    const double w = std::floor(r);
    whole += static_cast<std::uint64_t>(w);
    frac += static_cast<std::uint64_t>(static_cast<std::int64_t>((r - w) * kFracScale + 0.5));
  }
  void add(const FixedSum& o) {
    whole += o.whole;
    frac += o.frac;
  }
  long double value() const {
    return static_cast<long double>(whole) + static_cast<long double>(frac) / static_cast<long double>(kFracScale);
  }
};

struct alignas(64) Part {
  std::uint64_t n = 0, n_err = 0, max_abs = 0;
  __int128 sum_e = 0;
  unsigned __int128 sum_abs = 0, sum_sq = 0;
  // Worst relative error as the exact fraction max_rel_num / max_rel_den (compared by cross-multiplying).
  std::uint64_t max_rel_num = 0, max_rel_den = 1;
  FixedSum rel;  // sum of |e| / |exact| over pairs with exact != 0
  FixedSum red;  // sum of |e| / max(|exact|, 1) over all pairs
};

class Accumulator {
 public:
  Accumulator(const OperandSpec& spec, unsigned workers) : spec_(spec), parts_(workers) {
    va_.resize(spec.rows());
    vb_.resize(spec.cols());
    for (std::uint64_t i = 0; i < spec.rows(); ++i) va_[i] = spec.value_a(i);
    for (std::uint64_t i = 0; i < spec.cols(); ++i) vb_[i] = spec.value_b(i);
  }

  void add(unsigned worker, std::uint64_t first, const std::int64_t* v, std::size_t n) {
    if (worker >= parts_.size()) throw Error("internal: worker " + std::to_string(worker) + " out of range");
    Part& p = parts_[worker];
    const std::uint64_t mask_b = spec_.cols() - 1;
    std::uint64_t a = first >> spec_.bits_b, b = first & mask_b;
    std::int64_t va = va_[a];
    std::uint64_t n_err = 0, max_abs = p.max_abs;
    __int128 sum_e = 0;
    unsigned __int128 sum_abs = 0, sum_sq = 0;
    FixedSum rel, red;
    std::uint64_t rel_num = p.max_rel_num, rel_den = p.max_rel_den;
    // Correctly rounded division is monotonic, so only r >= the double of the current maximum can
    // beat it; the exact comparison settles those candidates.
    double max_r = static_cast<double>(rel_num) / static_cast<double>(rel_den);
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t exact = va * vb_[b];
      std::int64_t e;
      if (__builtin_sub_overflow(v[i], exact, &e)) {
        throw InputError("value " + std::to_string(v[i]) + " is out of range for error metrics");
      }
      if (e != 0) {
        const std::uint64_t ae = e < 0 ? 0 - static_cast<std::uint64_t>(e) : static_cast<std::uint64_t>(e);
        ++n_err;
        sum_e += e;
        sum_abs += ae;
        sum_sq += static_cast<unsigned __int128>(ae) * ae;
        max_abs = std::max(max_abs, ae);
        if (exact != 0) {
          const std::uint64_t ax = exact < 0 ? 0 - static_cast<std::uint64_t>(exact) : static_cast<std::uint64_t>(exact);
          const double r = static_cast<double>(ae) / static_cast<double>(ax);
          rel.add(r);
          red.add(r);
          if (r >= max_r &&
              static_cast<unsigned __int128>(ae) * rel_den > static_cast<unsigned __int128>(rel_num) * ax) {
            rel_num = ae;
            rel_den = ax;
            max_r = r;
          }
        } else {
          red.whole += ae;
        }
      }
      if (++b > mask_b) {
        b = 0;
        if (++a < va_.size()) va = va_[a];
      }
    }
    p.n += n;
    p.n_err += n_err;
    p.max_abs = max_abs;
    p.sum_e += sum_e;
    p.sum_abs += sum_abs;
    p.sum_sq += sum_sq;
    p.max_rel_num = rel_num;
    p.max_rel_den = rel_den;
    p.rel.add(rel);
    p.red.add(red);
  }

  Metrics finish(const std::string& name) {
    Part t;
    for (auto& p : parts_) {
      t.n += p.n;
      t.n_err += p.n_err;
      t.max_abs = std::max(t.max_abs, p.max_abs);
      t.sum_e += p.sum_e;
      t.sum_abs += p.sum_abs;
      t.sum_sq += p.sum_sq;
      if (static_cast<unsigned __int128>(p.max_rel_num) * t.max_rel_den >
          static_cast<unsigned __int128>(t.max_rel_num) * p.max_rel_den) {
        t.max_rel_num = p.max_rel_num;
        t.max_rel_den = p.max_rel_den;
      }
      t.rel.add(p.rel);
      t.red.add(p.red);
    }
    const long double sum_rel = t.rel.value(), sum_red = t.red.value();
    const std::uint64_t total = spec_.rows() * spec_.cols();
    if (t.n != total) throw Error("internal: metrics saw " + std::to_string(t.n) + " of " + std::to_string(total) + " pairs");

    const long double N = static_cast<long double>(total);
    const long double range = std::ldexp(1.0L, spec_.bits_a + spec_.bits_b);
    // Pairs with a non-zero exact product: every pattern but the zero one, for each operand.
    const long double n_nz = static_cast<long double>(spec_.rows() - 1) * static_cast<long double>(spec_.cols() - 1);
    // Largest |exact product|: the largest |value| of each operand (-2^(n-1) when signed).
    const auto max_abs_value = [&](int bits) {
      return spec_.is_signed ? std::ldexp(1.0L, bits - 1) : std::ldexp(1.0L, bits) - 1;
    };
    const long double max_exact = max_abs_value(spec_.bits_a) * max_abs_value(spec_.bits_b);

    Metrics m;
    m.name = name;
    m.bits_a = spec_.bits_a;
    m.bits_b = spec_.bits_b;
    m.is_signed = spec_.is_signed;
    const long double mae = static_cast<long double>(t.sum_abs) / N;
    const long double mse = static_cast<long double>(t.sum_sq) / N;
    const long double bias = static_cast<long double>(t.sum_e) / N;
    m.ep_percent = static_cast<double>(100.0L * t.n_err / N);
    m.mae = static_cast<double>(mae);
    m.mae_percent = static_cast<double>(100.0L * mae / range);
    m.wce = static_cast<double>(t.max_abs);
    m.wce_percent = static_cast<double>(100.0L * t.max_abs / range);
    m.mse = static_cast<double>(mse);
    m.rmse = static_cast<double>(std::sqrt(mse));
    m.mre_percent = static_cast<double>(100.0L * sum_rel / n_nz);
    m.wcre_percent = static_cast<double>(100.0L * t.max_rel_num / t.max_rel_den);
    m.mred = static_cast<double>(sum_red / N);
    m.nmed = static_cast<double>(mae / max_exact);
    m.bias = static_cast<double>(bias);
    m.error_variance = static_cast<double>(std::max(0.0L, mse - bias * bias));
    return m;
  }

 private:
  OperandSpec spec_;
  std::vector<std::int64_t> va_, vb_;
  std::vector<Part> parts_;
};

Metrics metrics_of_stream(const TableStream& s, const ProgressFn& progress) {
  Accumulator acc(s.spec, max_workers(0));
  ValueSink sink = [&](unsigned w, std::uint64_t first, const std::int64_t* v, std::size_t n) { acc.add(w, first, v, n); };
  if (progress) sink = counting_sink(std::move(sink), s.spec.rows() * s.spec.cols(), progress);
  s.run(sink, 0);
  return acc.finish(s.name);
}

std::string number(double x) {
  if (!std::isfinite(x)) return "null";
  if (x == std::floor(x) && std::fabs(x) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", x);
    return buf;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  // Shortest representation that reads back to the same double.
  for (int prec = 1; prec <= 17; ++prec) {
    char shorter[40];
    std::snprintf(shorter, sizeof shorter, "%.*g", prec, x);
    if (std::strtod(shorter, nullptr) == x) return shorter;
  }
  return buf;
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

}  // namespace

Metrics compute_metrics(const Lut& lut) {
  check_operand_spec(lut.spec);
  if (lut.table.size() != lut.spec.rows() * lut.spec.cols()) {
    throw InputError(lut.name + ": table has " + std::to_string(lut.table.size()) + " entries, expected " +
                     std::to_string(lut.spec.rows() * lut.spec.cols()));
  }
  // Small tables: one thread, no copy of the table.
  Accumulator acc(lut.spec, 1);
  std::vector<std::int64_t> buf(std::min<std::size_t>(lut.table.size(), 1 << 16));
  for (std::size_t first = 0; first < lut.table.size(); first += buf.size()) {
    const std::size_t n = std::min(buf.size(), lut.table.size() - first);
    std::copy_n(lut.table.data() + first, n, buf.data());
    acc.add(0, first, buf.data(), n);
  }
  return acc.finish(lut.name);
}

Metrics metrics_of(const std::string& input, const SourceOptions& options, const ProgressFn& progress) {
  return metrics_of_stream(open_source(input, options), progress);
}

std::string json_number(double x) { return number(x); }
std::string json_string(const std::string& s) { return quote(s); }

const std::vector<MetricField>& metric_fields() {
  static const std::vector<MetricField> fields = {
      {"ep_percent", "EP%", &Metrics::ep_percent},
      {"mae", "MAE", &Metrics::mae},
      {"mae_percent", "MAE%", &Metrics::mae_percent},
      {"wce", "WCE", &Metrics::wce},
      {"wce_percent", "WCE%", &Metrics::wce_percent},
      {"mse", "MSE", &Metrics::mse},
      {"rmse", "RMSE", &Metrics::rmse},
      {"mre_percent", "MRE%", &Metrics::mre_percent},
      {"wcre_percent", "WCRE%", &Metrics::wcre_percent},
      {"mred", "MRED", &Metrics::mred},
      {"nmed", "NMED", &Metrics::nmed},
      {"bias", "bias", &Metrics::bias},
      {"error_variance", "var", &Metrics::error_variance},
  };
  return fields;
}

std::string metrics_json(const Metrics& m) {
  std::string s = "{\"name\": " + quote(m.name) + ", \"bits_a\": " + std::to_string(m.bits_a) +
                  ", \"bits_b\": " + std::to_string(m.bits_b) + ", \"signed\": " + (m.is_signed ? "true" : "false");
  for (const auto& f : metric_fields()) s += std::string(", \"") + f.key + "\": " + number(m.*f.member);
  return s + "}";
}

}  // namespace axx::lutgen
