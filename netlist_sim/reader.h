// Netlist readers: BLIF, structural Verilog, and behavioural Verilog through an external Yosys.
// Every reader ends in the one Netlist IR (netlist.h), already checked (check_netlist).
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

#include "axx/error.h"
#include "netlist_sim/netlist.h"

namespace axx::netlist {

// Thrown by the structural Verilog reader for valid Verilog outside its subset (always blocks,
// arithmetic operators, parameters, ...). read_netlist_file catches it to fall back to Yosys.
// what() is "file:line:col: <construct> is outside the structural subset".
class UnsupportedConstruct : public ParseError {
 public:
  UnsupportedConstruct(std::string file, std::size_t line, std::size_t col, std::string construct)
      : ParseError(std::move(file), line, col, construct + " is outside the structural subset"),
        construct_(std::move(construct)) {}
  // Short description, e.g. "'always' block" or "operator '*'".
  const std::string& construct() const { return construct_; }

 private:
  std::string construct_;
};

// BLIF: .model/.inputs/.outputs/.names (on-set and off-set covers), .subckt (flattened), .conn,
// .end; sequential constructs (.latch, ...) are rejected. `top` empty: the first model.
Netlist read_blif(const std::string& path, const std::string& top = "");

// Structural Verilog (docs/formats-netlist.md lists the subset). `top` empty: the one module no
// other module instantiates (an error when that is ambiguous). Throws UnsupportedConstruct for
// Verilog outside the subset, ParseError for invalid input (undeclared nets included: there are
// no implicit wires). Sets Port::declared_signed from `signed` / `unsigned` declarations.
Netlist read_verilog(const std::string& path, const std::string& top = "");

enum class YosysMode {
  Auto,   // structural reader first; on UnsupportedConstruct, convert with yosys (one note on the log)
  Force,  // always convert .v/.sv with yosys
  Never,  // structural reader only; UnsupportedConstruct propagates
};

struct ReadOptions {
  std::string top;                // Verilog top module / BLIF model; empty: automatic
  YosysMode yosys = YosysMode::Auto;
  std::string yosys_bin;          // empty: "yosys" on PATH
  std::ostream* log = nullptr;    // where the Auto-mode fallback note goes; nullptr: std::cerr
};

// Runs yosys on a (behavioural) Verilog file in a temporary folder: the front end (read_verilog
// -noautowire, hierarchy, proc) dumped as RTLIL and checked for latches, flip-flops, nets with
// several drivers and undriven outputs or nets; then synth -flatten to simple gates, written as
// BLIF and read back. Sets Port::declared_signed for `signed` top-level ports and
// Netlist::signed_product from the `$mul` cells. Throws axx::ParseError (or InputError without a
// line) naming the user's file for every problem of the input yosys or the checks report, and
// axx::ToolError when yosys is missing (the message names the Debian package `yosys`), crashes or
// fails in synthesis (with its last error lines).
Netlist synthesize_with_yosys(const std::string& path, const ReadOptions& options = {});

// One supported netlist file format (registry entry).
struct NetlistFormat {
  std::string name;                       // "blif", "verilog"
  std::vector<std::string> extensions;    // with the dot, lower case: ".blif"
  std::string description;                // one line
  Netlist (*read)(const std::string& path, const ReadOptions& options);
};

// All registered formats, in registration order.
const std::vector<NetlistFormat>& netlist_formats();

// The format whose extension matches `path` (case-insensitive), or nullptr.
const NetlistFormat* find_netlist_format(const std::string& path);

// The single entry point for lutgen: picks the reader by extension. Throws axx::InputError for an
// unknown extension (listing the known ones) or an unreadable file, ParseError / UnsupportedConstruct
// for bad input, axx::ToolError for yosys problems.
Netlist read_netlist_file(const std::string& path, const ReadOptions& options = {});

}  // namespace axx::netlist
