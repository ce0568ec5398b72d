// Behavioural Verilog through Yosys: run the `yosys` executable twice in a temporary folder — the
// front end (parse, elaborate, dump RTLIL, checked here for the user's mistakes) and synthesis to
// simple gates written as BLIF — then read that BLIF back.
#include <cctype>
#include <fstream>
#include <vector>

#include "axx/error.h"
#include "axx/path.h"
#include "axx/posix_fs.h"
#include "axx/process.h"
#include "netlist_sim/reader.h"
#include "netlist_sim/yosys_rtlil.h"

namespace axx::netlist {
namespace {

namespace fs = axx::posix_fs;

// Yosys script quoting: file names go in double quotes.
std::string yosys_quoted(const std::string& s) {
  if (s.find('"') != std::string::npos || s.find('\n') != std::string::npos)
    throw InputError(s + ": file names with quotes or newlines cannot be passed to yosys");
  return "\"" + s + "\"";
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) lines.push_back(l);
  return lines;
}

std::string last_error_lines(const std::string& log_path) {
  std::vector<std::string> lines = read_lines(log_path);
  // The ERROR line and what precedes it say what went wrong; keep the tail short.
  std::size_t end = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].find("ERROR") != std::string::npos) end = i + 1;
  std::size_t begin = end > 4 ? end - 4 : 0;
  std::string out;
  for (std::size_t i = begin; i < end; ++i) out += "\n  " + lines[i];
  return out;
}

// Runs `bin -q -l LOG -s SCRIPT` with stdout and stderr into LOG.out.
process::Result run_yosys(const std::string& bin, const std::string& script, const std::string& log) {
  process::Options o;
  o.output_file = log + ".out";
  return process::run({bin, "-q", "-l", log, "-s", script}, o);
}

[[noreturn]] void tool_failure(const std::string& path, const process::Result& r, const std::string& log) {
  std::string tail = last_error_lines(log);
  if (tail.empty()) tail = last_error_lines(log + ".out");
  throw ToolError("yosys failed on " + path + " (" + r.describe() + ")" + (tail.empty() ? "" : ":" + tail));
}

// Yosys quotes names as `\name' (RTLIL identifiers) or `name'; the user wrote plain 'name'.
std::string plain_names(std::string m) {
  for (std::size_t i; (i = m.find("`\\")) != std::string::npos;) m.replace(i, 2, "'");
  for (std::size_t i = 0; (i = m.find('`', i)) != std::string::npos;)
    if (m.find('\'', i) != std::string::npos && m.compare(i, 16, "`default_nettype") != 0) m[i] = '\'';
    else ++i;
  return m;
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
bool ends_with(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// Between two quotes: "Module 'x' not found" -> "x" (with begin at the first quote).
std::string quoted_at(const std::string& s, std::size_t begin) {
  std::size_t end = s.find('\'', begin + 1);
  return end == std::string::npos ? "" : s.substr(begin + 1, end - begin - 1);
}

// A front-end diagnostic in the Yosys log: "FILE:LINE: ERROR: MESSAGE" (or "ERROR: MESSAGE" without
// a position) and the same for "Warning:".
struct Diagnostic {
  std::string file, message;
  std::size_t line = 0;
};

bool parse_diagnostic(const std::string& l, const std::string& kind, Diagnostic& d) {
  std::string tag = kind + ": ";
  if (l.rfind(tag, 0) == 0) {
    d = Diagnostic{"", l.substr(tag.size()), 0};
    return true;
  }
  std::size_t at = l.find(": " + tag);
  if (at == std::string::npos) return false;
  std::string where = l.substr(0, at);
  std::size_t colon = where.rfind(':');
  if (colon == std::string::npos || colon + 1 == where.size() || where.size() - colon > 10 ||
      where.find_first_not_of("0123456789", colon + 1) != std::string::npos)
    return false;
  d = Diagnostic{where.substr(0, colon), l.substr(at + 2 + tag.size()), std::stoul(where.substr(colon + 1))};
  return true;
}

// The user's message for one Yosys front-end diagnostic.
std::string user_message(const std::string& yosys_message) {
  std::string m = plain_names(yosys_message);
  // The wording of the structural reader for the same mistakes.
  // read_verilog -noautowire: "Identifier `\bb' is implicitly declared and `default_nettype is set to none."
  if (starts_with(m, "Identifier '") && ends_with(m, "' is implicitly declared and `default_nettype is set to none."))
    return "identifier '" + quoted_at(m, 11) + "' is not declared (axx does not create implicit wires)";
  // hierarchy -check: "Module `\sub' referenced in module `\m' in cell `\u1' is not part of the design."
  if (starts_with(m, "Module '") && ends_with(m, "' is not part of the design.")) {
    std::size_t cell = m.find(" in cell '");
    if (cell != std::string::npos)
      return "unknown module '" + quoted_at(m, 7) + "' (instance '" + quoted_at(m, cell + 9) + "')";
  }
  // proc on always_comb: "Latch inferred for signal `\m.\p' from always_comb process `\m.$proc$f.sv:0$1'."
  if (starts_with(m, "Latch inferred for signal '") && m.find("' from always_comb process") != std::string::npos) {
    std::string sig = quoted_at(m, 26);
    std::size_t dot = sig.find(".\\");
    return "latch inferred for '" + (dot == std::string::npos ? sig : sig.substr(dot + 2)) +
           "' (the always_comb block does not assign it on every path): axx simulates combinational netlists only";
  }
  // hierarchy -top: "Module `x' not found!"
  if (starts_with(m, "Module '") && ends_with(m, "' not found!")) return "no module '" + quoted_at(m, 7) + "'";
  if (!m.empty() && m.back() == '.') m.pop_back();
  return m;
}

[[noreturn]] void input_error(const Diagnostic& d, const std::string& user_path, const std::string& yosys_path) {
  std::string message = user_message(d.message);
  if (d.line == 0) throw InputError(user_path + ": " + message);
  throw ParseError(d.file == yosys_path ? user_path : d.file, d.line, 0, message);
}

// Warnings that mean the design computes undefined bits the user did not ask for: an out-of-range
// select reads as 'x', which synthesis would turn into arbitrary constants.
bool fatal_warning(const std::string& message) { return message.find("select out of bounds") != std::string::npos; }

}  // namespace

Netlist synthesize_with_yosys(const std::string& path, const ReadOptions& options) {
  std::string bin_name = options.yosys_bin.empty() ? "yosys" : options.yosys_bin;
  std::string bin = process::find_executable(bin_name);
  if (bin.empty())
    throw ToolError("yosys not found (" +
                    (options.yosys_bin.empty() ? std::string("looked for 'yosys' on PATH")
                                               : "'" + options.yosys_bin + "' is not an executable") +
                    "); it is needed to read " + path +
                    ": install the Debian package 'yosys' (apt-get install yosys) or name the executable with the "
                    "yosys-bin option");
  if (!fs::is_regular_file(path)) throw InputError(path + ": cannot open file");
  if (!options.top.empty())
    for (char c : options.top)
      if (!(std::isalnum((unsigned char)c) || c == '_' || c == '$'))
        throw UsageError("invalid top module name '" + options.top + "'");
  std::string abs = fs::absolute(path);
  fs::TempDir tmp("axx-yosys");
  const std::string dir = tmp.path();

  // Stage 1, the front end: parse and elaborate, then dump the design while the user's names and
  // source positions are still there. Whatever fails here is the input's fault (exit status 2).
  // -noautowire makes an undeclared identifier (a typo such as `a * bb`) an error instead of a new,
  // undriven wire that synthesis would read as 0.
  {
    std::ofstream s(dir + "/front.ys");
    bool sv = has_extension(abs, ".sv");
    s << "read_verilog -noautowire " << (sv ? "-sv " : "") << yosys_quoted(abs) << "\n"
      << "hierarchy -check " << (options.top.empty() ? "-auto-top" : "-top " + options.top) << "\n"
      << "proc\n"
      << "write_rtlil " << yosys_quoted(dir + "/front.il") << "\n";
  }
  process::Result run = run_yosys(bin, dir + "/front.ys", dir + "/front.log");
  Diagnostic diag;
  for (const std::string& l : read_lines(dir + "/front.log")) {
    if (parse_diagnostic(l, "ERROR", diag)) input_error(diag, path, abs);
    if (parse_diagnostic(l, "Warning", diag) && fatal_warning(diag.message)) input_error(diag, path, abs);
  }
  if (!run.ok() || !fs::exists(dir + "/front.il")) tool_failure(path, run, dir + "/front.log");
  detail::rtlil::Design design = detail::rtlil::read_file(dir + "/front.il");
  detail::rtlil::check_design(design, path, abs);

  // Stage 2, synthesis into simple two-input gates and multiplexers (what the BLIF reader lowers
  // without SOP expansion). Failures here are Yosys's (exit status 3).
  //
  // `opt_clean -purge` before `write_blif`: abc re-synthesises the whole cone of each output, and a
  // named net that no longer feeds anything outside that cone (say `c2`, the carry of a half adder
  // whose logic abc merged into the output bits) is not brought out of abc, so its old driver is
  // gone. Plain `opt_clean` still keeps such nets because they have public names (user wires and
  // the flattened `u2.YC`), together with the module-level connection `c2 = u2.YC` between them;
  // they are undriven and unread, harmless inside Yosys, but `write_blif` writes that connection
  // as a buffer `.names u2.YC c2`, whose input nothing drives (the BLIF reader rightly rejects
  // that). `-purge` drops unused wires whatever their names, so only logic that reaches a port is
  // written; the ports themselves are never removed.
  {
    std::ofstream s(dir + "/synth.ys");
    s << "read_rtlil " << yosys_quoted(dir + "/front.il") << "\n"
      << "synth -flatten -auto-top\n"
      << "abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX\n"
      << "opt_clean -purge\n"
      << "write_blif " << yosys_quoted(dir + "/out.blif") << "\n";
  }
  run = run_yosys(bin, dir + "/synth.ys", dir + "/synth.log");
  if (!run.ok() || !fs::exists(dir + "/out.blif")) tool_failure(path, run, dir + "/synth.log");

  Netlist nl;
  try {
    nl = read_blif(dir + "/out.blif");
  } catch (const ParseError& e) {
    // Positions in the temporary BLIF mean nothing to the user.
    throw InputError(path + " (via yosys): " + e.message());
  } catch (const InputError& e) {
    std::string m = e.what(), prefix = dir + "/out.blif: ";
    throw InputError(path + " (via yosys): " + (m.rfind(prefix, 0) == 0 ? m.substr(prefix.size()) : m));
  }
  nl.source = path;
  for (Gate& g : nl.gates) {
    g.file = path + " (via yosys)";
    g.line = 0;
  }
  // What the file declares: `signed` top-level ports, and the signedness of its products.
  if (const detail::rtlil::Module* top = design.top())
    for (std::vector<Port>* ports : {&nl.inputs, &nl.outputs})
      for (Port& p : *ports) {
        auto it = top->wire_index.find("\\" + p.name);
        if (it != top->wire_index.end() && top->wires[it->second].is_signed) p.declared_signed = true;
      }
  nl.signed_product = detail::rtlil::signed_product(design);
  return nl;
}

}  // namespace axx::netlist
