// Bit-parallel simulation of a two-operand combinational netlist: exhaustive (every operand pair,
// the product bus per pair) or over given operand pairs (every net's value per pair).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "netlist_sim/netlist.h"

namespace axx::netlist {

// Which ports are operand A, operand B and the product. Empty names pick the defaults of
// docs/formats-netlist.md: ports named a/A and b/B and the single output; otherwise the first and second input.
struct PortBinding {
  std::string a, b, out;
};

struct ResolvedPorts {
  const Port* a;
  const Port* b;
  const Port* out;
};

// Throws axx::InputError naming the netlist file when a port is unknown or ambiguous.
ResolvedPorts resolve_ports(const Netlist& nl, const PortBinding& binding);

// Gates in the cone of the product port (1 = the gate reaches a product bit). Throws
// axx::InputError when an input port other than A and B reaches the product.
std::vector<std::uint8_t> product_cone(const Netlist& nl, const ResolvedPorts& ports);

// Receives simulated results: raw_out[i] is the output bus bit pattern (bit 0 = LSB, at most 64
// bits) for the operand pair with index first + i, where index = (a_bits << bits_b) | b_bits.
// Called concurrently from worker threads; `worker` (0..threads-1) lets sinks keep per-thread state.
using SimSink = std::function<void(unsigned worker, std::uint64_t first, const std::uint64_t* raw_out,
                                   std::size_t n)>;

// Simulates every one of the 2^(bits_a+bits_b) input pairs (bits_a + bits_b <= 32).
// threads = 0 means the default thread count (common/axx/parallel.h: all hardware threads unless
// set_cpu_threads changed it). Returns the number of workers used; `worker` stays below it. Runs
// on the common thread pool (serially when called from inside another parallel loop).
unsigned simulate_exhaustive(const Netlist& nl, const PortBinding& binding, const SimSink& sink,
                             unsigned threads = 0);

// Receives net values for up to 64 consecutive operand pairs: bit j of values[n] is the value of
// net n for the pair with index first + j; bits at and above `count` are 0.
using NetValuesSink = std::function<void(std::size_t first, std::size_t count, const std::uint64_t* values)>;

// Simulates the operand pairs (a[i], b[i]), i < n, given as raw bit patterns (bits above the port
// widths are ignored), 64 pairs per call of `sink`, in order. Only the product's cone is evaluated
// (nets outside it read 0). Throws like simulate_exhaustive when ports do not resolve or another
// input drives the product.
void simulate_pairs(const Netlist& nl, const PortBinding& binding, const std::uint64_t* a, const std::uint64_t* b,
                    std::size_t n, const NetValuesSink& sink);

}  // namespace axx::netlist
