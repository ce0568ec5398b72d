// BLIF reader: combinational .names covers and .subckt hierarchy, flattened into the Netlist IR.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "axx/error.h"
#include "netlist_sim/builder.h"
#include "netlist_sim/deep_stack.h"
#include "netlist_sim/limits.h"
#include "netlist_sim/reader.h"

namespace axx::netlist {

namespace detail {

std::vector<Port> group_ports(const std::vector<std::string>& names, const std::vector<NetId>& nets) {
  std::vector<Port> ports;
  std::unordered_map<std::string, std::size_t> bus_index;
  std::vector<std::vector<std::pair<long, NetId>>> bus_bits;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string base;
    long index = 0;
    if (split_indexed(names[i], base, index)) {
      auto [it, inserted] = bus_index.try_emplace(base, ports.size());
      if (inserted) {
        ports.push_back(Port{base, {}, std::nullopt});
        bus_bits.emplace_back();
      }
      bus_bits[it->second].push_back({index, nets[i]});
    } else {
      ports.push_back(Port{names[i], {nets[i]}, std::nullopt});
      bus_bits.emplace_back();
    }
  }
  for (std::size_t p = 0; p < ports.size(); ++p) {
    if (bus_bits[p].empty()) continue;
    std::sort(bus_bits[p].begin(), bus_bits[p].end());
    for (auto& [idx, n] : bus_bits[p]) ports[p].bits.push_back(n);
  }
  return ports;
}

}  // namespace detail

namespace {

using detail::NetlistBuilder;

struct Cover {
  std::vector<std::string> inputs;
  std::string output;
  std::vector<std::string> rows;  // input patterns over 0 1 -
  bool onset = true;
  std::size_t line = 0;
};

struct Subckt {
  std::string model;
  std::vector<std::pair<std::string, std::string>> connections;  // formal, actual
  std::size_t line = 0;
};

struct Model {
  std::string name;
  std::size_t line = 0;
  std::vector<std::string> inputs, outputs;
  std::vector<std::size_t> input_lines, output_lines;  // where each port name was listed
  std::vector<Cover> covers;
  std::vector<Subckt> subckts;
  std::vector<std::pair<std::string, std::string>> conns;  // .conn from to
  std::vector<std::size_t> conn_lines;
};

struct Line {
  std::size_t number;
  std::vector<std::string> tokens;
};

std::vector<Line> read_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open file");
  std::vector<Line> lines;
  std::string raw, joined;
  std::size_t number = 0, start = 0;
  while (std::getline(in, raw)) {
    ++number;
    // A NUL would end the error messages that quote a token; no BLIF text holds one.
    if (raw.find('\0') != std::string::npos) throw ParseError(path, number, 0, "NUL byte: not a text file");
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    std::size_t hash = raw.find('#');
    if (hash != std::string::npos) raw.erase(hash);
    if (joined.empty()) start = number;
    bool continued = !raw.empty() && raw.back() == '\\';
    if (continued) raw.pop_back();
    joined += raw;
    joined += ' ';
    if (continued) continue;
    std::istringstream ss(joined);
    Line l{start, {}};
    for (std::string t; ss >> t;) l.tokens.push_back(t);
    if (!l.tokens.empty()) lines.push_back(std::move(l));
    joined.clear();
  }
  if (!joined.empty()) {
    std::istringstream ss(joined);
    Line l{start, {}};
    for (std::string t; ss >> t;) l.tokens.push_back(t);
    if (!l.tokens.empty()) lines.push_back(std::move(l));
  }
  return lines;
}

bool is_sequential(const std::string& cmd) {
  static const std::set<std::string> seq = {".latch", ".mlatch", ".clock", ".clock_event", ".start_kiss",
                                            ".end_kiss", ".fsm", ".gate_delay"};
  return seq.count(cmd) != 0;
}

std::vector<Model> parse_models(const std::string& path) {
  std::vector<Line> lines = read_lines(path);
  std::vector<Model> models;
  std::unordered_set<std::string> model_names;  // a set: 10^5 models are read in linear time
  Model* cur = nullptr;
  Cover* cover = nullptr;
  auto err = [&](std::size_t line, const std::string& msg) -> ParseError { return ParseError(path, line, 0, msg); };
  for (const Line& l : lines) {
    const std::string& cmd = l.tokens[0];
    if (cmd[0] != '.') {
      if (!cover) throw err(l.number, "unexpected '" + cmd + "' outside a .names cover");
      std::string pattern, bit;
      if (cover->inputs.empty()) {
        if (l.tokens.size() != 1) throw err(l.number, "constant cover row must be a single 0 or 1");
        bit = l.tokens[0];
      } else {
        if (l.tokens.size() != 2) throw err(l.number, "cover row must be an input pattern and an output bit");
        pattern = l.tokens[0];
        bit = l.tokens[1];
        if (pattern.size() != cover->inputs.size())
          throw err(l.number, "cover row '" + pattern + "' has " + std::to_string(pattern.size()) +
                                  " literals, expected " + std::to_string(cover->inputs.size()));
        for (char c : pattern)
          if (c != '0' && c != '1' && c != '-')
            throw err(l.number, "cover row '" + pattern + "' may contain only 0, 1 and -");
      }
      if (bit != "0" && bit != "1") throw err(l.number, "cover output bit must be 0 or 1, not '" + bit + "'");
      bool on = bit == "1";
      if (!cover->rows.empty() && on != cover->onset)
        throw err(l.number, "cover of '" + cover->output + "' mixes on-set (1) and off-set (0) rows");
      cover->onset = on;
      cover->rows.push_back(pattern);
      continue;
    }
    cover = nullptr;
    if (is_sequential(cmd))
      throw err(l.number, "sequential construct '" + cmd +
                              "' is not supported: axx simulates combinational netlists only");
    if (cmd == ".model") {
      models.emplace_back();
      cur = &models.back();
      cur->name = l.tokens.size() > 1 ? l.tokens[1] : "";
      cur->line = l.number;
      if (!model_names.insert(cur->name).second) throw err(l.number, "model '" + cur->name + "' is defined twice");
      continue;
    }
    if (cmd == ".end") {
      cur = nullptr;
      continue;
    }
    if (!cur) {
      // BLIF lets the first model omit .model.
      models.emplace_back();
      cur = &models.back();
      cur->line = l.number;
      model_names.insert(cur->name);
    }
    if (cmd == ".inputs") {
      cur->inputs.insert(cur->inputs.end(), l.tokens.begin() + 1, l.tokens.end());
      cur->input_lines.resize(cur->inputs.size(), l.number);
    } else if (cmd == ".outputs") {
      cur->outputs.insert(cur->outputs.end(), l.tokens.begin() + 1, l.tokens.end());
      cur->output_lines.resize(cur->outputs.size(), l.number);
    } else if (cmd == ".names") {
      if (l.tokens.size() < 2) throw err(l.number, ".names needs at least an output net");
      cur->covers.emplace_back();
      cover = &cur->covers.back();
      cover->inputs.assign(l.tokens.begin() + 1, l.tokens.end() - 1);
      cover->output = l.tokens.back();
      cover->line = l.number;
    } else if (cmd == ".subckt") {
      if (l.tokens.size() < 2) throw err(l.number, ".subckt needs a model name");
      Subckt s{l.tokens[1], {}, l.number};
      for (std::size_t i = 2; i < l.tokens.size(); ++i) {
        std::size_t eq = l.tokens[i].find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == l.tokens[i].size())
          throw err(l.number, ".subckt connection '" + l.tokens[i] + "' is not formal=actual");
        s.connections.push_back({l.tokens[i].substr(0, eq), l.tokens[i].substr(eq + 1)});
      }
      cur->subckts.push_back(std::move(s));
    } else if (cmd == ".conn") {
      if (l.tokens.size() != 3) throw err(l.number, ".conn needs exactly two nets");
      cur->conns.push_back({l.tokens[1], l.tokens[2]});
      cur->conn_lines.push_back(l.number);
    } else if (cmd == ".cname" || cmd == ".attr" || cmd == ".param" || cmd == ".area" || cmd == ".delay" ||
               cmd == ".input_arrival" || cmd == ".output_required" || cmd == ".default_input_arrival" ||
               cmd == ".default_output_required" || cmd == ".wire_load_slope") {
      // Names, attributes and timing annotations do not change the logic function.
    } else {
      throw err(l.number, "unsupported BLIF construct '" + cmd + "'");
    }
  }
  if (models.empty()) throw InputError(path + ": no .model in BLIF file");
  return models;
}

// Lowers one cover to gates, recognising the common small functions (AND/OR/XOR of literals,
// multiplexers) so the simulator sees one gate where Yosys wrote a two-row cover.
class CoverLowering {
 public:
  CoverLowering(NetlistBuilder& b, const std::string& file, std::size_t line, std::vector<NetId> ins, NetId out)
      : b_(b), file_(file), line_(line), ins_(std::move(ins)), out_(out), neg_(ins_.size(), kNone) {}

  void lower(const Cover& c) {
    std::size_t n = ins_.size();
    if (n <= 4) {
      std::uint32_t tt = 0;
      for (std::uint32_t m = 0; m < (1u << n); ++m) {
        bool covered = false;
        for (const std::string& row : c.rows) {
          bool match = true;
          for (std::size_t i = 0; i < n && match; ++i) {
            char ch = row[i];
            bool v = (m >> i) & 1;
            if ((ch == '1' && !v) || (ch == '0' && v)) match = false;
          }
          if (match) { covered = true; break; }
        }
        if (covered == c.onset) tt |= 1u << m;
      }
      if (match_small(tt, n)) return;
    }
    // General sum of products; an off-set cover is the complement of its sum.
    std::vector<NetId> terms;
    for (const std::string& row : c.rows) {
      std::vector<NetId> lits;
      for (std::size_t i = 0; i < n; ++i)
        if (row[i] != '-') lits.push_back(literal(i, row[i] == '1'));
      if (lits.empty()) {
        // An all-don't-care row covers everything.
        b_.gate(c.onset ? GateOp::Const1 : GateOp::Const0, {}, out_, file_, line_);
        return;
      }
      if (lits.size() == 1) terms.push_back(lits[0]);
      else terms.push_back(b_.gate(GateOp::And, lits, fresh(), file_, line_));
    }
    if (terms.empty()) b_.gate(c.onset ? GateOp::Const0 : GateOp::Const1, {}, out_, file_, line_);
    else b_.gate(c.onset ? GateOp::Or : GateOp::Nor, terms, out_, file_, line_);
  }

 private:
  static constexpr NetId kNone = static_cast<NetId>(-1);

  NetId fresh() { return b_.fresh(b_.netlist().net_names[out_] + "$c"); }
  NetId literal(std::size_t i, bool positive) {
    if (positive) return ins_[i];
    if (neg_[i] == kNone) neg_[i] = b_.gate(GateOp::Not, {ins_[i]}, fresh(), file_, line_);
    return neg_[i];
  }

  // tt: bit m is the function at minterm m (input i = bit i of m).
  bool match_small(std::uint32_t tt, std::size_t n) {
    std::uint32_t full = (1u << (1u << n)) - 1;
    tt &= full;
    if (tt == 0) { b_.gate(GateOp::Const0, {}, out_, file_, line_); return true; }
    if (tt == full) { b_.gate(GateOp::Const1, {}, out_, file_, line_); return true; }
    // Support: the inputs the function depends on.
    std::vector<std::size_t> sup;
    for (std::size_t i = 0; i < n; ++i) {
      bool dep = false;
      for (std::uint32_t m = 0; m < (1u << n) && !dep; ++m)
        if (((tt >> m) & 1) != ((tt >> (m ^ (1u << i))) & 1)) dep = true;
      if (dep) sup.push_back(i);
    }
    std::size_t k = sup.size();
    // Reduced truth table over the support (inputs outside it are fixed at 0).
    std::uint32_t rt = 0;
    for (std::uint32_t r = 0; r < (1u << k); ++r) {
      std::uint32_t m = 0;
      for (std::size_t j = 0; j < k; ++j)
        if ((r >> j) & 1) m |= 1u << sup[j];
      if ((tt >> m) & 1) rt |= 1u << r;
    }
    int ones = __builtin_popcount(rt);
    if (k == 1) {
      b_.gate(rt == 2 ? GateOp::Buf : GateOp::Not, {ins_[sup[0]]}, out_, file_, line_);
      return true;
    }
    std::uint32_t rows = 1u << k;
    // AND of literals: exactly one minterm set; OR of literals: exactly one clear.
    if (ones == 1 || ones == int(rows) - 1) {
      std::uint32_t m = 0;
      while (((rt >> m) & 1) != (ones == 1 ? 1u : 0u)) ++m;
      std::vector<NetId> lits;
      for (std::size_t j = 0; j < k; ++j) {
        bool bit = (m >> j) & 1;
        // AND: literal true at m; OR: literal false at m (the single zero).
        lits.push_back(literal(sup[j], ones == 1 ? bit : !bit));
      }
      b_.gate(ones == 1 ? GateOp::And : GateOp::Or, lits, out_, file_, line_);
      return true;
    }
    // Parity of all support inputs.
    std::uint32_t parity = 0;
    for (std::uint32_t r = 0; r < rows; ++r)
      if (__builtin_popcount(r) & 1) parity |= 1u << r;
    if (rt == parity || rt == (~parity & ((1u << rows) - 1))) {
      std::vector<NetId> ins;
      for (std::size_t j : sup) ins.push_back(ins_[j]);
      b_.gate(rt == parity ? GateOp::Xor : GateOp::Xnor, ins, out_, file_, line_);
      return true;
    }
    if (k == 3) {
      // f = s ? d1 : d0 with d0, d1 literals of the other two inputs.
      for (std::size_t s = 0; s < 3; ++s)
        for (std::size_t d1 = 0; d1 < 3; ++d1) {
          if (d1 == s) continue;
          std::size_t d0 = 3 - s - d1;
          for (int p0 = 0; p0 < 2; ++p0)
            for (int p1 = 0; p1 < 2; ++p1) {
              std::uint32_t cand = 0;
              for (std::uint32_t r = 0; r < 8; ++r) {
                bool sv = (r >> s) & 1;
                bool v = sv ? (((r >> d1) & 1) != std::uint32_t(p1)) : (((r >> d0) & 1) != std::uint32_t(p0));
                if (v) cand |= 1u << r;
              }
              if (cand == rt) {
                NetId a0 = literal(sup[d0], p0 == 0), a1 = literal(sup[d1], p1 == 0);
                b_.gate(GateOp::Mux, {ins_[sup[s]], a0, a1}, out_, file_, line_);
                return true;
              }
            }
        }
    }
    return false;
  }

  NetlistBuilder& b_;
  const std::string& file_;
  std::size_t line_;
  std::vector<NetId> ins_;
  NetId out_;
  std::vector<NetId> neg_;
};

bool sequential_cell(const std::string& model) {
  static const char* kinds[] = {"DFF", "DLATCH", "SR_", "LATCH", "FF"};
  if (model.rfind("$_", 0) != 0 && model.rfind("$", 0) != 0) return false;
  for (const char* k : kinds)
    if (model.find(k) != std::string::npos) return true;
  return false;
}

class Flattener {
 public:
  Flattener(const std::string& path, const std::vector<Model>& models, NetlistBuilder& b)
      : path_(path), b_(b) {
    for (const Model& m : models) by_name_[m.name] = &m;
  }

  // `bound` maps the model's port names to nets of the parent.
  void flatten(const Model& m, const std::string& prefix, const std::unordered_map<std::string, NetId>& bound,
               std::vector<const Model*>& stack) {
    auto net = [&](const std::string& name) {
      auto it = bound.find(name);
      return it != bound.end() ? it->second : b_.net(prefix + name);
    };
    for (const Cover& c : m.covers) {
      std::vector<NetId> ins;
      for (const std::string& s : c.inputs) ins.push_back(net(s));
      CoverLowering(b_, path_, c.line, std::move(ins), net(c.output)).lower(c);
    }
    for (std::size_t i = 0; i < m.conns.size(); ++i)
      b_.gate(GateOp::Buf, {net(m.conns[i].first)}, net(m.conns[i].second), path_, m.conn_lines[i]);
    for (const Subckt& s : m.subckts) {
      auto it = by_name_.find(s.model);
      if (it == by_name_.end()) {
        if (const detail::BuiltinCell* cell = detail::find_builtin_cell(s.model)) {
          builtin(*cell, s, net);
          continue;
        }
        if (sequential_cell(s.model))
          throw ParseError(path_, s.line, 0, "sequential cell '" + s.model +
                                                 "' is not supported: axx simulates combinational netlists only");
        throw ParseError(path_, s.line, 0, "unknown model '" + s.model + "' in .subckt");
      }
      const Model& sub = *it->second;
      if (active_.count(&sub)) throw ParseError(path_, s.line, 0, "model '" + sub.name + "' instantiates itself");
      if (stack.size() >= detail::kMaxHierarchyDepth)
        throw ParseError(path_, s.line, 0,
                         "model hierarchy deeper than " + std::to_string(detail::kMaxHierarchyDepth) + " levels");
      std::unordered_map<std::string, NetId> sub_bound;
      std::set<std::string> ports(sub.inputs.begin(), sub.inputs.end());
      ports.insert(sub.outputs.begin(), sub.outputs.end());
      for (const auto& [formal, actual] : s.connections) {
        if (!ports.count(formal))
          throw ParseError(path_, s.line, 0, "model '" + sub.name + "' has no port '" + formal + "'");
        if (!sub_bound.emplace(formal, net(actual)).second)
          throw ParseError(path_, s.line, 0, "port '" + formal + "' of model '" + sub.name + "' is connected twice");
      }
      for (const std::string& in : sub.inputs)
        if (!sub_bound.count(in))
          throw ParseError(path_, s.line, 0, "input '" + in + "' of model '" + sub.name + "' is not connected");
      std::string sub_prefix = sub.name + "#" + std::to_string(++instances_) + "/";
      // The instance number alone makes the names unique; the parent's path is kept while it is
      // short, so that a hierarchy 10^5 deep does not make names (and memory) quadratic in it.
      if (prefix.size() < 256) sub_prefix = prefix + sub_prefix;
      stack.push_back(&sub);
      active_.insert(&sub);
      flatten(sub, sub_prefix, sub_bound, stack);
      active_.erase(&sub);
      stack.pop_back();
    }
  }

 private:
  template <class NetFn>
  void builtin(const detail::BuiltinCell& cell, const Subckt& s, NetFn& net) {
    std::unordered_map<std::string, NetId> conn;
    for (const auto& [formal, actual] : s.connections) {
      if (formal != "Y" && std::find(cell.inputs.begin(), cell.inputs.end(), formal) == cell.inputs.end())
        throw ParseError(path_, s.line, 0, "model '" + s.model + "' has no port '" + formal + "'");
      conn[formal] = net(actual);
    }
    std::vector<NetId> ins;
    for (const std::string& in : cell.inputs) {
      if (!conn.count(in))
        throw ParseError(path_, s.line, 0, "input '" + in + "' of model '" + s.model + "' is not connected");
      ins.push_back(conn[in]);
    }
    if (!conn.count("Y")) return;  // output left open
    detail::add_builtin_cell(b_, cell, std::move(ins), conn["Y"], path_, s.line);
  }

  const std::string& path_;
  NetlistBuilder& b_;
  std::unordered_map<std::string, const Model*> by_name_;
  std::size_t instances_ = 0;
  // The models on the stack, for the recursion check in constant time (hierarchies 10^5 deep).
  std::unordered_set<const Model*> active_;
};

// The top model's ports become buses (group_ports): a name listed twice, or a bus with a missing
// bit, would give an operand or a product whose bits are not its binary digits.
void check_port_names(const std::string& path, const std::vector<std::string>& names,
                      const std::vector<std::size_t>& lines, const char* kind) {
  std::unordered_set<std::string> seen;
  std::unordered_map<std::string, std::vector<std::pair<long, std::size_t>>> buses;  // base -> (index, name)
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!seen.insert(names[i]).second)
      throw ParseError(path, lines[i], 0, std::string(kind) + " '" + names[i] + "' is listed twice");
    std::string base;
    long index = 0;
    if (detail::split_indexed(names[i], base, index)) buses[base].push_back({index, i});
  }
  for (auto& [base, bits] : buses) {
    std::sort(bits.begin(), bits.end());
    for (std::size_t k = 1; k < bits.size(); ++k) {
      const std::string& name = names[bits[k].second];
      if (bits[k].first == bits[k - 1].first)
        throw ParseError(path, lines[bits[k].second], 0,
                         std::string(kind) + " '" + name + "' repeats bit " + std::to_string(bits[k].first) +
                             " of bus '" + base + "'");
      if (bits[k].first != bits[k - 1].first + 1)
        throw ParseError(path, lines[bits[k].second], 0,
                         std::string(kind) + " bus '" + base + "' has " + name + " but no " + base + "[" +
                             std::to_string(bits[k - 1].first + 1) + "]");
    }
  }
}

Netlist read_blif_here(const std::string& path, const std::string& top) {
  std::vector<Model> models = parse_models(path);
  const Model* topm = &models.front();
  if (!top.empty()) {
    topm = nullptr;
    for (const Model& m : models)
      if (m.name == top) topm = &m;
    if (!topm) {
      std::string names;
      names = detail::name_list(models.begin(), models.end(), [](const Model& m) { return m.name; });
      throw InputError(path + ": no model '" + top + "' (models: " + names + ")");
    }
  }
  check_port_names(path, topm->inputs, topm->input_lines, "input");
  check_port_names(path, topm->outputs, topm->output_lines, "output");
  {
    std::unordered_map<std::string, const Model*> by_name;
    for (const Model& m : models) by_name[m.name] = &m;
    // Every cover and every .conn makes at least one gate.
    std::size_t bound = detail::flattened_bound(
        detail::kMaxGates, *topm, [](const Model& m) { return m.covers.size() + m.conns.size(); },
        [&](const Model& m) {
          std::vector<const Model*> subs;
          for (const Subckt& s : m.subckts) {
            auto it = by_name.find(s.model);
            subs.push_back(it == by_name.end() ? nullptr : it->second);
          }
          return subs;
        });
    if (bound > detail::kMaxGates) throw detail::too_large_error(path, "gates", detail::kMaxGates);
  }
  NetlistBuilder b(path);
  std::vector<NetId> in_nets, out_nets;
  for (const std::string& s : topm->inputs) in_nets.push_back(b.net(s));
  for (const std::string& s : topm->outputs) out_nets.push_back(b.net(s));
  std::vector<const Model*> stack{topm};
  Flattener(path, models, b).flatten(*topm, "", {}, stack);
  Netlist& nl = b.netlist();
  nl.name = topm->name;
  nl.inputs = detail::group_ports(topm->inputs, in_nets);
  nl.outputs = detail::group_ports(topm->outputs, out_nets);
  check_netlist(nl);
  return std::move(nl);
}

}  // namespace

// Flattening recurses once per level of the .subckt hierarchy.
Netlist read_blif(const std::string& path, const std::string& top) {
  return detail::with_reader_stack([&] { return read_blif_here(path, top); });
}

}  // namespace axx::netlist
