// Reads the RTLIL that the Yosys bridge dumps after `hierarchy; proc`, and checks it for the
// mistakes synthesis would otherwise hide (yosys_rtlil.h).
#include "netlist_sim/yosys_rtlil.h"

#include <cctype>
#include <cstdint>
#include <fstream>
#include <set>

#include "axx/error.h"

namespace axx::netlist::detail::rtlil {
namespace {

using Tokens = std::vector<std::string>;

// Splits one RTLIL line into tokens; a double-quoted string (with \" \\ \n escapes) is one token,
// returned with its quotes so it cannot be confused with an identifier.
Tokens tokenize(const std::string& line) {
  Tokens out;
  std::size_t i = 0;
  while (i < line.size()) {
    if (std::isspace((unsigned char)line[i])) {
      ++i;
      continue;
    }
    if (line[i] == '#' && out.empty()) break;
    if (line[i] == '"') {
      std::string s = "\"";
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) {
          char c = line[++i];
          s += c == 'n' ? '\n' : c == 't' ? '\t' : c;
        } else {
          s += line[i];
        }
      }
      ++i;
      out.push_back(s + "\"");
      continue;
    }
    std::size_t j = i;
    while (j < line.size() && !std::isspace((unsigned char)line[j])) ++j;
    out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string unquote(const std::string& s) {
  return s.size() >= 2 && s.front() == '"' && s.back() == '"' ? s.substr(1, s.size() - 2) : s;
}

class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path) {}

  Design run() {
    std::ifstream in(path_);
    if (!in) throw ToolError("cannot read yosys output " + path_);
    Design d;
    Module* mod = nullptr;
    Cell* cell = nullptr;
    int skip_depth = 0;  // inside a process (none are left after `proc`), skipped
    std::map<std::string, std::string> attrs;
    for (std::string line; std::getline(in, line);) {
      ++line_;
      Tokens t = tokenize(line);
      if (t.empty()) continue;
      const std::string& kw = t[0];
      if (skip_depth > 0) {
        if (kw == "switch" || kw == "process") ++skip_depth;
        else if (kw == "end") --skip_depth;
        continue;
      }
      if (kw == "attribute") {
        need(t, 3);
        attrs[t[1]] = t[2];
      } else if (cell) {
        if (kw == "parameter") {
          need(t, 3);
          std::size_t k = 1;
          while (k + 2 < t.size() && (t[k] == "signed" || t[k] == "real")) ++k;
          cell->params[t[k]] = t[k + 1];
        } else if (kw == "connect") {
          need(t, 3);
          std::size_t k = 2;
          cell->connections.push_back({t[1], signal(*mod, t, k)});
        } else if (kw == "end") {
          cell = nullptr;
        } else {
          bad(kw);
        }
      } else if (mod) {
        if (kw == "wire") {
          mod->wires.push_back(wire(t, attrs));
          mod->wire_index[mod->wires.back().name] = mod->wires.size() - 1;
        } else if (kw == "cell") {
          need(t, 3);
          mod->cells.push_back(Cell{t[1], t[2], {}, {}, src_of(attrs)});
          cell = &mod->cells.back();
        } else if (kw == "connect") {
          std::size_t k = 1;
          std::vector<Bit> lhs = signal(*mod, t, k);
          std::vector<Bit> rhs = signal(*mod, t, k);
          mod->connections.push_back({std::move(lhs), std::move(rhs)});
        } else if (kw == "process") {
          skip_depth = 1;
        } else if (kw == "end") {
          mod = nullptr;
        } else if (kw != "parameter" && kw != "memory") {
          bad(kw);
        }
        attrs.clear();
      } else if (kw == "module") {
        need(t, 2);
        d.modules.push_back(Module{});
        mod = &d.modules.back();
        mod->name = t[1];
        mod->src = src_of(attrs);
        auto top = attrs.find("\\top");
        mod->top = top != attrs.end() && top->second != "0";
        attrs.clear();
      } else if (kw != "autoidx") {
        bad(kw);
      }
    }
    if (mod || cell || skip_depth) fail("unexpected end of file");
    return d;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw ToolError("cannot read yosys output " + path_ + ":" + std::to_string(line_) + ": " + why);
  }
  [[noreturn]] void bad(const std::string& kw) const { fail("unexpected '" + kw + "'"); }
  void need(const Tokens& t, std::size_t n) const {
    if (t.size() < n) fail("incomplete '" + t[0] + "' line");
  }

  static Src src_of(const std::map<std::string, std::string>& attrs) {
    auto it = attrs.find("\\src");
    Src s;
    if (it != attrs.end()) s.file = unquote(it->second);  // parsed further by user_src
    return s;
  }

  Wire wire(const Tokens& t, const std::map<std::string, std::string>& attrs) const {
    need(t, 2);
    Wire w;
    w.name = t.back();
    w.src = src_of(attrs);
    for (std::size_t k = 1; k + 1 < t.size(); ++k) {
      const std::string& o = t[k];
      auto number = [&]() {
        if (k + 2 >= t.size()) fail("incomplete wire declaration");
        return std::stol(t[++k]);
      };
      if (o == "width") w.width = number();
      else if (o == "offset") w.start_offset = number();
      else if (o == "input") w.dir = Wire::Input, number();
      else if (o == "output") w.dir = Wire::Output, number();
      else if (o == "inout") w.dir = Wire::Inout, number();
      else if (o == "upto") w.upto = true;
      else if (o == "signed") w.is_signed = true;
      else fail("unknown wire option '" + o + "'");
    }
    return w;
  }

  // One signal starting at t[k] (advances k): a wire, a wire with [i] or [hi:lo] (offsets from the
  // LSB), a constant N'bits or a decimal integer (32 bits), or { ... } (MSB first). LSB first.
  std::vector<Bit> signal(const Module& m, const Tokens& t, std::size_t& k) const {
    if (k >= t.size()) fail("missing signal");
    const std::string& s = t[k++];
    std::vector<Bit> out;
    if (s == "{") {
      std::vector<std::vector<Bit>> parts;
      while (k < t.size() && t[k] != "}") parts.push_back(signal(m, t, k));
      if (k >= t.size()) fail("unterminated '{'");
      ++k;
      for (std::size_t i = parts.size(); i-- > 0;) out.insert(out.end(), parts[i].begin(), parts[i].end());
      return out;
    }
    if (s[0] == '\\' || s[0] == '$') {
      auto it = m.wire_index.find(s);
      if (it == m.wire_index.end()) fail("unknown wire '" + s + "'");
      const Wire& w = m.wires[it->second];
      long lo = 0, hi = w.width - 1;
      if (k < t.size() && t[k].size() > 2 && t[k][0] == '[' && t[k].back() == ']') {
        std::string sel = t[k++].substr(1);
        sel.pop_back();
        std::size_t colon = sel.find(':');
        try {
          if (colon == std::string::npos) {
            lo = hi = std::stol(sel);
          } else {
            hi = std::stol(sel.substr(0, colon));
            lo = std::stol(sel.substr(colon + 1));
          }
        } catch (const std::exception&) {
          fail("bad select '" + t[k - 1] + "'");
        }
        if (lo < 0 || hi >= w.width || lo > hi) fail("select '" + t[k - 1] + "' out of range");
      }
      for (long i = lo; i <= hi; ++i) out.push_back(Bit{it->second, i});
      return out;
    }
    std::size_t q = s.find('\'');
    long width = 32;
    try {
      if (q != std::string::npos) width = std::stol(s.substr(0, q));
      else std::stol(s);
    } catch (const std::exception&) {
      fail("bad signal '" + s + "'");
    }
    out.resize(std::size_t(width));
    return out;
  }

  const std::string& path_;
  std::size_t line_ = 0;
};

bool is_flip_flop(const std::string& type) {
  for (const char* p : {"$dff", "$adff", "$sdff", "$aldff", "$dffsr", "$sr", "$ff", "$_DFF", "$_SDFF", "$_ALDFF",
                        "$_DFFSR", "$_DFFE", "$_SR_", "$_FF_"})
    if (type.rfind(p, 0) == 0) return true;
  return false;
}

bool is_latch(const std::string& type) {
  for (const char* p : {"$dlatch", "$adlatch", "$_DLATCH"})
    if (type.rfind(p, 0) == 0) return true;
  return false;
}

// Output ports of Yosys's internal cells ($add, $mux, $dff, $memrd, $alu, $fsm, ...); every other
// port of an internal cell reads its signal.
bool internal_output(const std::string& port) {
  static const std::set<std::string> outs = {"\\Y", "\\Q", "\\X", "\\CO", "\\DATA", "\\RD_DATA", "\\CTRL_OUT"};
  return outs.count(port) != 0;
}

// "\a" -> "a"; Yosys's own names ("$mul$...") stay as they are.
std::string plain(const std::string& name) { return !name.empty() && name[0] == '\\' ? name.substr(1) : name; }

std::string bit_name(const Wire& w, long offset) {
  return plain(w.name) + (w.width > 1 || w.start_offset != 0 ? "[" + std::to_string(w.index(offset)) + "]" : "");
}

}  // namespace

const Module* Design::find(const std::string& name) const {
  for (const Module& m : modules)
    if (m.name == name) return &m;
  return nullptr;
}

const Module* Design::top() const {
  for (const Module& m : modules)
    if (m.top) return &m;
  return modules.size() == 1 ? &modules.front() : nullptr;
}

Design read_file(const std::string& path) { return Reader(path).run(); }

Src user_src(const std::string& src, const std::string& user_path, const std::string& yosys_path) {
  // "file:L.C-L.C", several joined by '|' after merges; the first one is enough.
  std::string s = src.substr(0, src.find('|'));
  Src out;
  std::size_t colon = s.rfind(':');
  if (colon == std::string::npos) {
    out.file = s;
  } else {
    out.file = s.substr(0, colon);
    std::string pos = s.substr(colon + 1);
    std::size_t i = 0;
    while (i < pos.size() && std::isdigit((unsigned char)pos[i])) out.line = out.line * 10 + std::size_t(pos[i++] - '0');
    if (i < pos.size() && pos[i] == '.')
      while (++i < pos.size() && std::isdigit((unsigned char)pos[i])) out.col = out.col * 10 + std::size_t(pos[i] - '0');
  }
  if (out.file.empty() || out.file == yosys_path) out.file = user_path;
  return out;
}

void check_design(const Design& d, const std::string& user_path, const std::string& yosys_path) {
  auto fail = [&](const Src& where, const std::string& message) {
    Src s = user_src(where.file, user_path, yosys_path);
    throw ParseError(s.file, s.line, s.col, message);
  };
  auto wire_of = [](const Module& m, const std::vector<Bit>& bits) -> const Wire* {
    for (const Bit& b : bits)
      if (b.wire != Bit::kConst) return &m.wires[b.wire];
    return nullptr;
  };
  for (const Module& m : d.modules) {
    // Sequential cells first: a latch also leaves its net looking driven.
    for (const Cell& c : m.cells) {
      bool latch = is_latch(c.type);
      if (!latch && !is_flip_flop(c.type)) continue;
      const Wire* q = nullptr;
      for (const auto& [port, bits] : c.connections)
        if (port == "\\Q") q = wire_of(m, bits);
      std::string what = q ? " for '" + plain(q->name) + "'" : "";
      if (latch)
        fail(c.src, "latch inferred" + what +
                        " (the always block does not assign it on every path): axx simulates combinational netlists only");
      fail(c.src, "flip-flop inferred" + what + ": axx simulates combinational netlists only");
    }

    // Drivers and readers of every wire bit, as written: before Yosys merges connected wires, each
    // `connect` drives its left-hand side, so a net assigned twice shows two drivers.
    std::vector<std::vector<std::uint8_t>> drivers(m.wires.size()), used(m.wires.size());
    for (std::size_t i = 0; i < m.wires.size(); ++i) {
      drivers[i].assign(std::size_t(m.wires[i].width), 0);
      used[i].assign(std::size_t(m.wires[i].width), 0);
      if (m.wires[i].dir == Wire::Input || m.wires[i].dir == Wire::Inout) drivers[i].assign(drivers[i].size(), 1);
    }
    auto drive = [&](const std::vector<Bit>& bits) {
      for (const Bit& b : bits)
        if (b.wire != Bit::kConst && drivers[b.wire][std::size_t(b.offset)] < 255) ++drivers[b.wire][std::size_t(b.offset)];
    };
    auto read = [&](const std::vector<Bit>& bits) {
      for (const Bit& b : bits)
        if (b.wire != Bit::kConst) used[b.wire][std::size_t(b.offset)] = 1;
    };
    for (const Cell& c : m.cells) {
      const Module* sub = d.find(c.type);
      for (const auto& [port, bits] : c.connections) {
        bool out, in;
        if (sub) {
          auto it = sub->wire_index.find(port);
          Wire::Dir dir = it == sub->wire_index.end() ? Wire::None : sub->wires[it->second].dir;
          out = dir == Wire::Output || dir == Wire::Inout;
          in = !out || dir == Wire::Inout;
        } else {
          out = internal_output(port);
          in = !out;
        }
        if (out) drive(bits);
        if (in) read(bits);
      }
    }
    for (const auto& [lhs, rhs] : m.connections) {
      drive(lhs);
      read(rhs);
    }
    for (std::size_t i = 0; i < m.wires.size(); ++i) {
      const Wire& w = m.wires[i];
      if (w.dir == Wire::Inout) continue;
      for (long k = 0; k < w.width; ++k)
        if (drivers[i][std::size_t(k)] > 1)
          fail(w.src, "net '" + bit_name(w, k) + "' of module '" + plain(m.name) + "' has more than one driver");
    }
    for (std::size_t i = 0; i < m.wires.size(); ++i) {
      const Wire& w = m.wires[i];
      for (long k = 0; k < w.width; ++k) {
        if (drivers[i][std::size_t(k)] != 0) continue;
        if (w.dir == Wire::Output)
          fail(w.src, "output '" + bit_name(w, k) + "' of module '" + plain(m.name) + "' is never driven");
        if (used[i][std::size_t(k)])
          fail(w.src, "net '" + bit_name(w, k) + "' of module '" + plain(m.name) + "' is used but never driven");
      }
    }
  }
}

std::optional<bool> signed_product(const Design& d) {
  std::optional<bool> result;
  auto is_one = [](const std::string& v) {
    // A decimal integer or N'bits: signed when it is not zero.
    std::size_t q = v.find('\'');
    std::string digits = q == std::string::npos ? v : v.substr(q + 1);
    return digits.find_first_not_of("0") != std::string::npos;
  };
  for (const Module& m : d.modules)
    for (const Cell& c : m.cells) {
      if (c.type != "$mul") continue;
      auto a = c.params.find("\\A_SIGNED"), b = c.params.find("\\B_SIGNED");
      bool sa = a != c.params.end() && is_one(a->second), sb = b != c.params.end() && is_one(b->second);
      if (sa != sb) return std::nullopt;
      if (result && *result != sa) return std::nullopt;
      result = sa;
    }
  return result;
}

}  // namespace axx::netlist::detail::rtlil
