// The subcommands through their run_<name>() functions (no process, no CLI parsing).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../lutgen/test_util.h"
#include "axx/error.h"
#include "converter/cmd_compare.h"
#include "converter/cmd_heatmap.h"
#include "converter/cmd_list.h"
#include "converter/cmd_lut.h"
#include "converter/cmd_metrics.h"
#include "lutgen/metrics.h"
#include "lutgen/source.h"
#include "multipliers/registry.h"
#include "converter/cmd_decompose.h"

namespace axx::cli {
namespace {

using lutgen::testing::error_of;
using lutgen::testing::read_file;
using lutgen::testing::scratch_dir;

// The truncated unsigned array: rows b_i * (a << i) with the bits of weight below 2^6 dropped.
std::int64_t trunc6(std::int64_t a, std::int64_t b) {
  std::int64_t p = 0;
  for (int i = 0; i < 8; ++i) {
    if ((b >> i) & 1) p += (a << i) & ~std::int64_t{63};
  }
  return p;
}

// LUT - a*b of the signed Baugh-Wooley array with columns 0..T-1 dropped: the dropped bits are
// a_j b_i 2^(i+j) with i + j < T, all of non-sign bits for T <= 7 (so no inverted bits), and the
// array's constants sit at columns 8 and 15.
std::int64_t trunc_error(int T, int a_pattern, int b_pattern) {
  std::int64_t e = 0;
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j)
      if (i + j < T) e -= static_cast<std::int64_t>((a_pattern >> j) & (b_pattern >> i) & 1) << (i + j);
  return e;
}

// Rank of a 256x256 integer matrix by elimination modulo the prime 2^31 - 1 (equal to the rational
// rank unless the prime divides a minor; the entries here are tiny).
int rank_mod_p(std::vector<std::int64_t> m) {
  constexpr std::int64_t P = 2147483647;
  auto pw = [&](std::int64_t x, std::int64_t e) {
    std::int64_t r = 1;
    for (x %= P; e; e >>= 1, x = x * x % P)
      if (e & 1) r = r * x % P;
    return r;
  };
  for (auto& x : m) x = ((x % P) + P) % P;
  int rank = 0;
  for (int col = 0; col < 256 && rank < 256; ++col) {
    int piv = -1;
    for (int r = rank; r < 256; ++r)
      if (m[r * 256 + col]) {
        piv = r;
        break;
      }
    if (piv < 0) continue;
    for (int c = 0; c < 256; ++c) std::swap(m[piv * 256 + c], m[rank * 256 + c]);
    const std::int64_t inv = pw(m[rank * 256 + col], P - 2);
    for (int r = 0; r < 256; ++r) {
      if (r == rank || !m[r * 256 + col]) continue;
      const std::int64_t f = m[r * 256 + col] * inv % P;
      for (int c = 0; c < 256; ++c) m[r * 256 + c] = ((m[r * 256 + c] - f * m[rank * 256 + c]) % P + P) % P;
    }
    ++rank;
  }
  return rank;
}

TEST(RunLut, HeaderToStdoutByDefault) {
  LutOptions o;
  o.input = "builtin:mul8s_exact";
  std::ostringstream out;
  run_lut(o, out);
  EXPECT_EQ(out.str().rfind("/* axx lookup table \"mul8s_exact\"", 0), 0u);
  EXPECT_NE(out.str().find("static AXX_LUT_QUALIFIER const int16_t axx_lut_mul8s_exact[256][256]"), std::string::npos);
}

TEST(RunLut, FormatFollowsTheExtensionAndReportIsWritten) {
  const std::string dir = scratch_dir();
  LutOptions o;
  o.input = "builtin:mul8u_trunc6";
  o.output = dir + "/t.npy";
  o.report = dir + "/r.json";
  o.source.name = "renamed";
  std::ostringstream out;
  run_lut(o, out);
  EXPECT_EQ(out.str(), "");
  lutgen::SourceOptions as_unsigned;
  as_unsigned.is_signed = false;
  EXPECT_EQ(lutgen::load_lut(dir + "/t.npy", as_unsigned).table, lutgen::load_lut("builtin:mul8u_trunc6").table);
  const auto report = nlohmann::json::parse(read_file(dir + "/r.json"));
  EXPECT_EQ(report["name"], "renamed");
  EXPECT_EQ(report["signed"], false);
  EXPECT_EQ(report["provenance"]["kind"], "builtin");
  EXPECT_EQ(report["provenance"]["signedness"], "the built-in multiplier is unsigned");
  // The worst case of the truncated array by the test's loop (trunc6 below), not by lutgen.
  std::int64_t wce = 0;
  for (std::int64_t a = 0; a < 256; ++a)
    for (std::int64_t b = 0; b < 256; ++b) wce = std::max(wce, a * b - trunc6(a, b));
  EXPECT_EQ(report["metrics"]["wce"], wce);
}

TEST(RunLut, ReportReadsBackAsAnInput) {
  const std::string dir = scratch_dir();
  LutOptions o;
  o.input = "builtin:mul8u_trunc6";
  o.output = dir + "/t.h";
  o.report = dir + "/r.json";
  run_lut(o);
  const lutgen::Lut back = lutgen::load_lut(dir + "/r.json");  // no flag: the report says unsigned
  EXPECT_FALSE(back.spec.is_signed);
  EXPECT_EQ(back.name, "r");
  for (std::int64_t a = 0; a < 256; ++a) {
    for (std::int64_t b = 0; b < 256; ++b) ASSERT_EQ(back.at(a, b), trunc6(a, b)) << a << " " << b;
  }
}

TEST(RunLut, ExplicitFormatWinsOverTheExtension) {
  const std::string dir = scratch_dir();
  LutOptions o;
  o.input = "builtin:mul8s_trunc4";
  o.output = dir + "/t.h";
  o.format = "transaxx";
  run_lut(o);
  EXPECT_NE(read_file(dir + "/t.h").find("\nconst int16_t lut[256][256] = {"), std::string::npos);
}

TEST(RunLut, BadFormatIsAUsageErrorBeforeAnyWork) {
  LutOptions o;
  o.input = "/nonexistent.blif";
  o.format = "csv";
  EXPECT_EQ(error_of<UsageError>([&] { run_lut(o); }), "unknown format 'csv'; valid formats: header, transaxx, npy, json");
}

TEST(RunMetrics, JsonListWithTheDesignKeys) {
  MetricsOptions o;
  o.inputs = {"builtin:mul8s_exact", "builtin:mul8s_trunc4"};
  o.style = TableStyle::Json;
  std::ostringstream out;
  run_metrics(o, out);
  const auto j = nlohmann::ordered_json::parse(out.str());
  ASSERT_EQ(j.size(), 2u);
  std::vector<std::string> keys;
  for (const auto& item : j[1].items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"name", "bits_a", "bits_b", "signed", "ep_percent", "mae", "mae_percent",
                                            "wce", "wce_percent", "mse", "rmse", "mre_percent", "wcre_percent", "mred",
                                            "nmed", "bias", "error_variance"}));
  EXPECT_EQ(j[0]["mae"], 0);
  EXPECT_EQ(j[1]["name"], "mul8s_trunc4");
  double sum = 0;
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) sum -= static_cast<double>(trunc_error(4, a, b));
  EXPECT_EQ(j[1]["mae"].get<double>(), sum / 65536);
}

// MAE and WCE of the truncated design by a plain loop, and the JSON numbers as integers where
// they are integral (1743, never 1743.0), as in every other output.
TEST(RunMetrics, UnsignedCFunctionAgainstALoop) {
  double sum = 0, wce = 0;
  for (std::int64_t a = 0; a < 256; ++a) {
    for (std::int64_t b = 0; b < 256; ++b) {
      const double e = std::fabs(static_cast<double>(trunc6(a, b) - a * b));
      sum += e;
      wce = std::max(wce, e);
    }
  }
  MetricsOptions o;
  o.inputs = {std::string(AXX_MULTIPLIERS_SRC) + "/mul8u_trunc6.c"};
  o.style = TableStyle::Json;
  std::ostringstream out;
  run_metrics(o, out);
  const auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j[0]["signed"], false);
  EXPECT_EQ(j[0]["mae"].get<double>(), sum / 65536);
  EXPECT_EQ(j[0]["wce"].get<double>(), wce);
  EXPECT_NE(out.str().find("\"wce\": " + std::to_string(static_cast<int>(wce)) + ",\n"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find(".0,"), std::string::npos) << out.str();
  // Saying the opposite of what the parameter types declare is an error, not a second answer.
  o.source.is_signed = true;
  EXPECT_EQ(error_of<UsageError>([&] { run_metrics(o, out); }),
            o.inputs[0] + ": parameter `uint8_t a` and parameter `uint8_t b` are declared unsigned; --signed "
                          "contradicts it");
}

TEST(RunMetrics, NameNamesOneTable) {
  MetricsOptions o;
  o.inputs = {"builtin:mul8s_exact", "builtin:mul8s_trunc4"};
  o.source.name = "x";
  std::ostringstream out;
  EXPECT_EQ(error_of<UsageError>([&] { run_metrics(o, out); }), "--name names one table, but 2 inputs were given");
  CompareOptions c;
  c.inputs = o.inputs;
  c.source.name = "x";
  EXPECT_EQ(error_of<UsageError>([&] { run_compare(c, out); }), "--name names one table, but 2 inputs were given");
}

TEST(RunMetrics, MarkdownTable) {
  MetricsOptions o;
  o.inputs = {"builtin:mul8s_exact"};
  o.style = TableStyle::Markdown;
  std::ostringstream out;
  run_metrics(o, out);
  EXPECT_EQ(out.str(),
            "| name | bits | signed | EP% | MAE | MAE% | WCE | WCE% | MSE | RMSE | MRE% | WCRE% | MRED | NMED | bias | var |\n"
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
            "| mul8s_exact | 8x8 | yes | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n");
}

TEST(RunList, EveryBuiltinWithItsDescription) {
  std::ostringstream out;
  run_list({}, out);
  const std::string text = out.str();
  for (const auto& b : multipliers::builtins()) {
    EXPECT_NE(text.find(std::string("\n") + b.name + " "), std::string::npos) << b.name;
    EXPECT_NE(text.find(b.description), std::string::npos) << b.name;
  }
}

TEST(RunCompare, SortedByMaeWithTheBestMarked) {
  CompareOptions o;
  o.inputs = {"builtin:mul8s_trunc8", "builtin:mul8s_exact", "builtin:mul8s_trunc4"};
  std::ostringstream out;
  run_compare(o, out);
  const std::string text = out.str();
  const auto exact = text.find("\nmul8s_exact "), t4 = text.find("\nmul8s_trunc4 "), t8 = text.find("\nmul8s_trunc8 ");
  ASSERT_NE(exact, std::string::npos);
  EXPECT_LT(exact, t4);
  EXPECT_LT(t4, t8);
  // The exact design has the best (zero) value in every metric column.
  const std::string exact_line = text.substr(exact + 1, text.find('\n', exact + 1) - exact - 1);
  EXPECT_EQ(std::count(exact_line.begin(), exact_line.end(), '*'), 13) << exact_line;
  o.sort_by = "speed";
  EXPECT_EQ(error_of<UsageError>([&] { run_compare(o, out); }).rfind("unknown metric 'speed' for --sort; valid: ep_percent, mae,", 0),
            0u);
}

TEST(RunHeatmap, WritesAnSvg) {
  const std::string dir = scratch_dir();
  HeatmapOptions o;
  o.input = "builtin:mul8s_drum4";
  o.output = dir + "/h.svg";
  run_heatmap(o);
  EXPECT_NE(read_file(dir + "/h.svg").find("<text id=\"title\""), std::string::npos);
  // The output is checked before the input is read.
  o.input = dir + "/missing.blif";
  o.output = dir + "/h.png";
  EXPECT_EQ(error_of<UsageError>([&] { run_heatmap(o); }),
            dir + "/h.png: heatmap output must be an .svg file (a figure with title, axes and colour bar; for a "
                  "raster image convert it, e.g. rsvg-convert -o FILE.png FILE.svg)");
}

TEST(RunCompare, EveryFileIsNamedAfterTheFile) {
  const std::string dir = scratch_dir();
  LutOptions l;
  l.input = "builtin:mul8s_trunc4";
  l.output = dir + "/first.h";
  run_lut(l);
  l.input = "builtin:mul8s_trunc8";
  l.output = dir + "/second.npy";
  run_lut(l);
  CompareOptions o;
  o.inputs = {dir + "/first.h", dir + "/second.npy"};
  o.source.is_signed = true;  // the .npy does not say; the header agrees
  o.style = TableStyle::Json;
  std::ostringstream out;
  run_compare(o, out);
  const auto j = nlohmann::json::parse(out.str());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["name"], "first");
  EXPECT_EQ(j[1]["name"], "second");
}

TEST(RunDecompose, ExactIsRankZeroAndTruncatedIsLowRank) {
  DecomposeOptions o;
  o.input = "builtin:mul8s_exact";
  std::ostringstream out;
  run_decompose(o, out);
  EXPECT_EQ(out.str(), "mul8s_exact: exact rank 0 (the multiplier is exact)\n");
  for (int T : {4, 6}) {
    std::vector<std::int64_t> e(65536);
    for (int a = 0; a < 256; ++a)
      for (int b = 0; b < 256; ++b) e[a * 256 + b] = trunc_error(T, a, b) + (T == 6 ? 64 : 0);  // trunc6c: +64
    const int rank = rank_mod_p(e);
    // trunc4: the sum over b's bits i < 4 of b_i times the a-row of its dropped bits, 4 terms.
    if (T == 4) EXPECT_EQ(rank, 4);
    o.input = T == 4 ? "builtin:mul8s_trunc4" : "builtin:mul8s_trunc6c";
    const std::string name = o.input.substr(8);
    std::ostringstream text;
    run_decompose(o, text);
    std::istringstream lines(text.str());
    std::string line;
    std::getline(lines, line);
    EXPECT_EQ(line, name + ": exact rank " + std::to_string(rank)) << text.str();
    int terms = 0;
    while (std::getline(lines, line)) {
      EXPECT_EQ(line.rfind("  term " + std::to_string(terms) + ": U range [", 0), 0u) << line;
      EXPECT_NE(line.find("], V range ["), std::string::npos) << line;
      ++terms;
    }
    EXPECT_EQ(terms, rank);
    // Below the rank: the "above N" answer, and no terms.
    o.max_rank = rank - 1;
    std::ostringstream above;
    run_decompose(o, above);
    EXPECT_EQ(above.str(), name + ": exact rank of LUT - a*b is above " + std::to_string(rank - 1) +
                               "; no low-rank form (the table-lookup kernels serve this multiplier)\n");
    o.max_rank = 8;
  }
}

}  // namespace
}  // namespace axx::cli
