// axx_bench_netlist FILE [--unsigned] [--table OUT.txt] [--threads N]
//
// Reads a netlist (BLIF / Verilog, yosys fallback as in lutgen), simulates every operand pair and
// prints error metrics against the exact product as one JSON line. Up to 12x12 operands the table
// is materialised (and written with --table, one decimal value per line in index order, the format
// the Icarus and Verilator testbenches of bench_netlist.sh write); wider operands stream.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "axx/error.h"
#include "netlist_sim/reader.h"
#include "netlist_sim/simulator.h"

namespace {

using namespace axx::netlist;

struct Acc {
  std::uint64_t errors = 0;
  unsigned __int128 sum_abs = 0;
  __int128 sum = 0;
  unsigned __int128 sum_sq = 0;
  std::uint64_t wce = 0;
  char pad[64];
};

std::int64_t sext(std::uint64_t v, unsigned bits) {
  return bits >= 64 ? std::int64_t(v) : std::int64_t(v << (64 - bits)) >> (64 - bits);
}

}  // namespace

int main(int argc, char** argv) {
  std::string path, table_path;
  bool is_signed = true;
  unsigned threads = 0;
  bool sim_only = false;  // time the simulator alone (no metrics, no table)
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--unsigned") is_signed = false;
    else if (a == "--signed") is_signed = true;
    else if (a == "--table" && i + 1 < argc) table_path = argv[++i];
    else if (a == "--threads" && i + 1 < argc) threads = unsigned(std::atoi(argv[++i]));
    else if (a == "--sim-only") sim_only = true;
    else if (path.empty()) path = a;
    else {
      std::fprintf(stderr, "usage: %s FILE [--unsigned] [--table OUT.txt] [--threads N] [--sim-only]\n", argv[0]);
      return 1;
    }
  }
  if (path.empty()) {
    std::fprintf(stderr, "usage: %s FILE [--unsigned] [--table OUT.txt] [--threads N] [--sim-only]\n", argv[0]);
    return 1;
  }
  try {
    Netlist nl = read_netlist_file(path, {});
    ResolvedPorts ports = resolve_ports(nl, {});
    unsigned ba = unsigned(ports.a->bits.size()), bb = unsigned(ports.b->bits.size());
    unsigned bo = unsigned(ports.out->bits.size());
    bool materialise = ba <= 12 && bb <= 12;
    std::vector<std::int32_t> table(materialise ? std::size_t{1} << (ba + bb) : 0);
    std::vector<Acc> acc(64);
    std::uint64_t bmask = (std::uint64_t{1} << bb) - 1;
    unsigned used = simulate_exhaustive(nl, {}, [&](unsigned w, std::uint64_t first, const std::uint64_t* out, std::size_t n) {
      Acc& s = acc[w];
      if (sim_only) {
        s.errors += out[n - 1] != 0;
        return;
      }
      // Blocks never straddle two A values when bits_b >= 12; otherwise split per A row.
      for (std::size_t i = 0; i < n;) {
        std::uint64_t idx = first + i;
        std::uint64_t pa = idx >> bb;
        std::size_t row_end = std::min<std::size_t>(n, i + std::size_t(((pa + 1) << bb) - idx));
        std::int64_t va = is_signed ? sext(pa, ba) : std::int64_t(pa);
        // |e| < 2^33 for 16x16, so per-row sums of up to 2^16 errors fit in 64 bits; squares go to
        // 128 bits per element.
        std::uint64_t errors = 0, sum_abs = 0, wce = s.wce;
        std::int64_t sum = 0;
        unsigned __int128 sum_sq = 0;
        for (; i < row_end; ++i) {
          std::uint64_t pb = (first + i) & bmask;
          std::int64_t vb = is_signed ? sext(pb, bb) : std::int64_t(pb);
          std::int64_t v = is_signed ? sext(out[i], bo) : std::int64_t(out[i]);
          if (materialise) table[first + i] = std::int32_t(v);
          std::int64_t e = v - va * vb;
          std::uint64_t ae = std::uint64_t(e < 0 ? -e : e);
          errors += e != 0;
          sum_abs += ae;
          sum += e;
          sum_sq += (unsigned __int128)ae * ae;
          wce = ae > wce ? ae : wce;
        }
        s.errors += errors;
        s.sum_abs += sum_abs;
        s.sum += sum;
        s.sum_sq += sum_sq;
        s.wce = wce;
      }
    }, threads);
    Acc t;
    for (unsigned w = 0; w < used; ++w) {
      t.errors += acc[w].errors;
      t.sum_abs += acc[w].sum_abs;
      t.sum += acc[w].sum;
      t.sum_sq += acc[w].sum_sq;
      if (acc[w].wce > t.wce) t.wce = acc[w].wce;
    }
    double n = double(std::uint64_t{1} << (ba + bb));
    if (!table_path.empty() && materialise) {
      std::FILE* f = std::fopen(table_path.c_str(), "w");
      if (!f) throw axx::InputError(table_path + ": cannot write");
      for (std::int32_t v : table) std::fprintf(f, "%d\n", v);
      std::fclose(f);
    }
    if (sim_only) {
      std::printf("{\"name\": \"%s\", \"bits_a\": %u, \"bits_b\": %u, \"sim_only\": true, \"threads\": %u}\n",
                  nl.name.c_str(), ba, bb, used);
      return 0;
    }
    std::printf("{\"name\": \"%s\", \"bits_a\": %u, \"bits_b\": %u, \"signed\": %s, \"ep_percent\": %.6f, "
                "\"mae\": %.6f, \"wce\": %llu, \"mse\": %.6f, \"bias\": %.6f, \"threads\": %u}\n",
                nl.name.c_str(), ba, bb, is_signed ? "true" : "false", 100.0 * double(t.errors) / n,
                double(t.sum_abs) / n, (unsigned long long)t.wce, double(t.sum_sq) / n, double(t.sum) / n, used);
  } catch (const axx::ToolError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 3;
  } catch (const axx::InputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const axx::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
