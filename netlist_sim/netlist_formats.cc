// The registry of netlist file formats and read_netlist_file, the single entry point for lutgen.
// A new format is one reader file plus one line in netlist_formats().
#include <iostream>

#include "axx/error.h"
#include "axx/path.h"
#include "netlist_sim/reader.h"

namespace axx::netlist {
namespace {

Netlist read_blif_format(const std::string& path, const ReadOptions& o) { return read_blif(path, o.top); }

// Structural reader first; Yosys for what lies outside its subset (or always / never, by mode).
Netlist read_verilog_format(const std::string& path, const ReadOptions& o) {
  if (o.yosys == YosysMode::Force) return synthesize_with_yosys(path, o);
  try {
    return read_verilog(path, o.top);
  } catch (const UnsupportedConstruct& e) {
    if (o.yosys == YosysMode::Never) throw;
    std::ostream& log = o.log ? *o.log : std::cerr;
    log << e.file() << ":" << e.line() << ": " << e.construct()
        << " is outside the structural subset; converting with yosys" << std::endl;
    return synthesize_with_yosys(path, o);
  }
}

}  // namespace

const std::vector<NetlistFormat>& netlist_formats() {
  static const std::vector<NetlistFormat> formats = {
      {"blif", {".blif"}, "Berkeley Logic Interchange Format: .names covers, .subckt hierarchy", read_blif_format},
      {"verilog", {".v", ".sv"}, "structural Verilog; behavioural code is converted with yosys", read_verilog_format},
  };
  return formats;
}

const NetlistFormat* find_netlist_format(const std::string& path) {
  for (const NetlistFormat& f : netlist_formats())
    for (const std::string& ext : f.extensions)
      if (has_extension(path, ext)) return &f;
  return nullptr;
}

Netlist read_netlist_file(const std::string& path, const ReadOptions& options) {
  const NetlistFormat* f = find_netlist_format(path);
  if (!f) {
    std::string known;
    for (const NetlistFormat& fmt : netlist_formats())
      for (const std::string& ext : fmt.extensions) known += (known.empty() ? "" : ", ") + ext;
    throw InputError(path + ": not a netlist file (known extensions: " + known + ")");
  }
  return f->read(path, options);
}

}  // namespace axx::netlist
