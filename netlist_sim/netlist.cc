#include "netlist_sim/netlist.h"

#include <algorithm>
#include <string>
#include <vector>

#include "axx/error.h"

namespace axx::netlist {
namespace {

constexpr std::size_t kNoDriver = static_cast<std::size_t>(-1);
constexpr std::size_t kInputDriver = static_cast<std::size_t>(-2);

[[noreturn]] void fail_at(const Gate& g, const Netlist& nl, const std::string& message) {
  if (g.line > 0 || !g.file.empty()) throw ParseError(g.file.empty() ? nl.source : g.file, g.line, 0, message);
  throw InputError(nl.source + ": " + message);
}

std::string where(const Gate& g) { return g.file + ":" + std::to_string(g.line); }

std::string net_name(const Netlist& nl, NetId n) {
  return n < nl.net_names.size() ? nl.net_names[n] : "#" + std::to_string(n);
}

// driver[n]: index of the gate driving net n, kInputDriver for inputs, kNoDriver otherwise.
std::vector<std::size_t> drivers(const Netlist& nl) {
  std::vector<std::size_t> driver(nl.num_nets(), kNoDriver);
  for (const Port& p : nl.inputs)
    for (NetId n : p.bits) {
      if (n >= nl.num_nets()) throw InputError(nl.source + ": input '" + p.name + "' refers to an unknown net");
      driver[n] = kInputDriver;
    }
  for (std::size_t i = 0; i < nl.gates.size(); ++i) {
    const Gate& g = nl.gates[i];
    if (g.output >= nl.num_nets()) fail_at(g, nl, "gate drives an unknown net");
    for (NetId in : g.inputs)
      if (in >= nl.num_nets()) fail_at(g, nl, "gate reads an unknown net");
    std::size_t& d = driver[g.output];
    if (d == kInputDriver)
      fail_at(g, nl, "net '" + net_name(nl, g.output) + "' is an input and must not be driven");
    if (d != kNoDriver)
      fail_at(g, nl, "net '" + net_name(nl, g.output) + "' is driven more than once (also driven at " +
                         where(nl.gates[d]) + ")");
    d = i;
  }
  return driver;
}

void check_arity(const Gate& g, const Netlist& nl) {
  std::size_t n = g.inputs.size();
  bool ok = true;
  switch (g.op) {
    case GateOp::Const0:
    case GateOp::Const1: ok = n == 0; break;
    case GateOp::Buf:
    case GateOp::Not: ok = n == 1; break;
    case GateOp::Mux: ok = n == 3; break;
    default: ok = n >= 1; break;
  }
  if (!ok) fail_at(g, nl, "gate has the wrong number of inputs (" + std::to_string(n) + ")");
}

}  // namespace

std::vector<std::size_t> topological_order(const Netlist& nl) {
  std::vector<std::size_t> driver = drivers(nl);
  // Iterative DFS over gates (state 0 new, 1 on stack, 2 done): deep adder chains would overflow
  // a recursive walk, and the stack gives the loop path for the error message.
  std::vector<std::uint8_t> state(nl.gates.size(), 0);
  std::vector<std::size_t> order;
  order.reserve(nl.gates.size());
  std::vector<std::pair<std::size_t, std::size_t>> stack;  // (gate, next input to visit)
  for (std::size_t root = 0; root < nl.gates.size(); ++root) {
    if (state[root]) continue;
    stack.push_back({root, 0});
    state[root] = 1;
    while (!stack.empty()) {
      auto& [gi, next] = stack.back();
      const Gate& g = nl.gates[gi];
      if (next < g.inputs.size()) {
        NetId in = g.inputs[next++];
        std::size_t d = driver[in];
        if (d == kNoDriver || d == kInputDriver) continue;
        if (state[d] == 1) {
          // The stack from d up to gi lists drivers of drivers; signals flow the other way:
          // d feeds gi, gi feeds the gate below it on the stack, ..., back to d.
          std::size_t from = 0;
          while (stack[from].first != d) ++from;
          std::vector<std::string> names{net_name(nl, nl.gates[d].output)};
          for (std::size_t k = stack.size(); k-- > from + 1;) names.push_back(net_name(nl, nl.gates[stack[k].first].output));
          // Readers' internal nets ("$e12", "u1.$e3") mean nothing to the user; show declared ones.
          std::vector<std::string> shown;
          for (const std::string& n : names) {
            std::size_t dot = n.rfind('.');
            if (n[dot == std::string::npos ? 0 : dot + 1] != '$') shown.push_back(n);
          }
          if (shown.empty()) shown = names;
          // A loop through a million-gate chain is named by its first nets, not all of them.
          constexpr std::size_t kShown = 8;
          std::string path;
          for (std::size_t k = 0; k < shown.size() && k < kShown; ++k) path += "'" + shown[k] + "' -> ";
          if (shown.size() > kShown) path += "... (" + std::to_string(shown.size() - kShown) + " more) -> ";
          path += "'" + shown.front() + "'";
          fail_at(nl.gates[d], nl, "combinational loop through " + path);
        }
        if (state[d] == 0) {
          state[d] = 1;
          stack.push_back({d, 0});
        }
      } else {
        state[gi] = 2;
        order.push_back(gi);
        stack.pop_back();
      }
    }
  }
  return order;
}

void check_netlist(const Netlist& nl) {
  for (const Gate& g : nl.gates) check_arity(g, nl);
  std::vector<std::size_t> driver = drivers(nl);
  for (const Gate& g : nl.gates)
    for (NetId in : g.inputs)
      if (driver[in] == kNoDriver) fail_at(g, nl, "net '" + net_name(nl, in) + "' is used but never driven");
  for (const Port& p : nl.outputs)
    for (NetId n : p.bits) {
      if (n >= nl.num_nets()) throw InputError(nl.source + ": output '" + p.name + "' refers to an unknown net");
      if (driver[n] == kNoDriver)
        throw InputError(nl.source + ": output net '" + net_name(nl, n) + "' is never driven");
    }
  topological_order(nl);
}

}  // namespace axx::netlist
