// Netlist source: BLIF or Verilog read by netlist_sim (behavioural Verilog through yosys), then
// simulated exhaustively. The output bus is read as two's complement of its own width when the spec is
// signed, else as unsigned (docs/formats-netlist.md). Signedness: the operand ports'
// `signed` declarations, else a `$mul` that yosys saw multiply signed or unsigned operands, else
// the user's flag (signedness.h).
#include <iostream>
#include <memory>
#include <sstream>

#include "axx/error.h"
#include "lutgen/signedness.h"
#include "lutgen/source_registry.h"
#include "netlist_sim/reader.h"
#include "netlist_sim/simulator.h"

namespace axx::lutgen {

SignednessFacts netlist_signedness_facts(const netlist::Netlist& nl, const netlist::Port& a, const netlist::Port& b,
                                         bool blif) {
  SignednessFacts facts;
  facts.a = a.declared_signed;
  facts.b = b.declared_signed;
  facts.a_what = "port " + a.name;
  facts.b_what = "port " + b.name;
  facts.table = nl.signed_product;
  facts.table_what = "the design's $mul cells multiply {} operands";
  facts.silent_why = blif ? "BLIF ports carry no signedness"
                          : "ports " + a.name + " and " + b.name + " are not declared signed or unsigned";
  return facts;
}

TableStream open_netlist_source(const std::string& input, const SourceOptions& options) {
  netlist::ReadOptions ro;
  ro.top = options.top;
  ro.yosys_bin = options.yosys_bin;
  ro.yosys = options.yosys;
  // The reader notes a yosys fallback on its log; catch the note to record it in the provenance,
  // then pass it on to the user.
  std::ostringstream note;
  ro.log = &note;
  auto nl = std::make_shared<netlist::Netlist>(netlist::read_netlist_file(input, ro));
  std::cerr << note.str();
  const bool via_yosys = options.yosys == YosysMode::Force || !note.str().empty();
  const netlist::PortBinding binding{options.port_a, options.port_b, options.port_out};
  const netlist::ResolvedPorts ports = netlist::resolve_ports(*nl, binding);

  OperandSpec spec;
  spec.bits_a = static_cast<int>(ports.a->bits.size());
  spec.bits_b = static_cast<int>(ports.b->bits.size());
  const int out_bits = static_cast<int>(ports.out->bits.size());
  if ((options.bits_a && options.bits_a != spec.bits_a) || (options.bits_b && options.bits_b != spec.bits_b)) {
    throw UsageError(input + ": ports " + ports.a->name + " and " + ports.b->name + " are " +
                     std::to_string(spec.bits_a) + " and " + std::to_string(spec.bits_b) + " bits wide, but " +
                     std::to_string(options.bits_a ? options.bits_a : spec.bits_a) + "x" +
                     std::to_string(options.bits_b ? options.bits_b : spec.bits_b) + " operands were requested");
  }
  check_operand_spec(spec);
  if (out_bits < 1 || out_bits > 63) {
    throw InputError(input + ": output port " + ports.out->name + " is " + std::to_string(out_bits) +
                     " bits wide (1..63 supported)");
  }

  const netlist::NetlistFormat* format = netlist::find_netlist_format(input);
  const bool blif = format && format->name == "blif";
  const Signedness sign = resolve_signedness(input, netlist_signedness_facts(*nl, *ports.a, *ports.b, blif), options);
  spec.is_signed = sign.is_signed;

  Provenance prov;
  prov.kind = via_yosys && format && format->name == "verilog" ? "yosys" : format ? format->name : "netlist";
  prov.path = input;
  prov.detail = "top " + nl->name + ", a=" + ports.a->name + " b=" + ports.b->name + " out=" + ports.out->name + "[" +
                std::to_string(out_bits) + "]";
  prov.signedness = sign.how;

  TableStream s{table_name(input, options), spec, prov, {}};
  s.run = [nl, binding, spec, out_bits](const ValueSink& sink, unsigned threads) {
    const std::uint64_t sign_bit = std::uint64_t{1} << (out_bits - 1);
    const std::uint64_t mask = (std::uint64_t{1} << out_bits) - 1;
    return netlist::simulate_exhaustive(
        *nl, binding,
        [&](unsigned w, std::uint64_t first, const std::uint64_t* raw, std::size_t n) {
          // Per-thread scratch: the simulator owns its worker threads.
          thread_local std::vector<std::int64_t> buf;
          buf.resize(n);
          if (spec.is_signed) {
            // Sign-extend from the output width: (x ^ s) - s.
            for (std::size_t i = 0; i < n; ++i) {
              buf[i] = static_cast<std::int64_t>((raw[i] & mask) ^ sign_bit) - static_cast<std::int64_t>(sign_bit);
            }
          } else {
            for (std::size_t i = 0; i < n; ++i) buf[i] = static_cast<std::int64_t>(raw[i] & mask);
          }
          sink(w, first, buf.data(), n);
        },
        threads);
  };
  return s;
}

}  // namespace axx::lutgen
