#include <gtest/gtest.h>

#include "test_util.h"

namespace axx::netlist {
namespace {

// a, b inputs; nets 2.. as given.
Netlist small(std::vector<Gate> gates, std::size_t nets) {
  Netlist nl;
  nl.name = "t";
  nl.source = "t.blif";
  for (std::size_t i = 0; i < nets; ++i) nl.net_names.push_back(i == 0 ? "a" : i == 1 ? "b" : "n" + std::to_string(i));
  nl.inputs = {Port{"a", {0}}, Port{"b", {1}}};
  nl.outputs = {Port{"y", {NetId(nets - 1)}}};
  nl.gates = std::move(gates);
  return nl;
}

std::string check_error(const Netlist& nl) {
  try {
    check_netlist(nl);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(CheckNetlist, AcceptsGoodNetlistAndOrdersGates) {
  // n3 = n2 & b declared before n2 = ~a: the topological order puts n2 first.
  Netlist nl = small({Gate{GateOp::And, {2, 1}, 3, "t.blif", 2}, Gate{GateOp::Not, {0}, 2, "t.blif", 1}}, 4);
  EXPECT_EQ(check_error(nl), "no error");
  EXPECT_EQ(topological_order(nl), (std::vector<std::size_t>{1, 0}));
}

TEST(CheckNetlist, Arity) {
  Netlist nl = small({Gate{GateOp::Mux, {0, 1}, 2, "t.blif", 7}}, 3);
  EXPECT_EQ(check_error(nl), "t.blif:7: gate has the wrong number of inputs (2)");
}

TEST(CheckNetlist, DrivenInput) {
  Netlist nl = small({Gate{GateOp::Not, {1}, 0, "t.blif", 3}, Gate{GateOp::Buf, {0}, 2, "t.blif", 4}}, 3);
  EXPECT_EQ(check_error(nl), "t.blif:3: net 'a' is an input and must not be driven");
}

TEST(CheckNetlist, UndrivenOutput) {
  Netlist nl = small({Gate{GateOp::Buf, {0}, 2, "t.blif", 4}}, 4);
  EXPECT_EQ(check_error(nl), "t.blif: output net 'n3' is never driven");
}

TEST(CheckNetlist, LongChainDoesNotOverflowTheStack) {
  // 200000 inverters in a row.
  const std::size_t n = 200000;
  std::vector<Gate> gates;
  for (std::size_t i = 0; i < n; ++i) gates.push_back(Gate{GateOp::Not, {NetId(i == 0 ? 0 : i + 1)}, NetId(i + 2), "t", i + 1});
  std::reverse(gates.begin(), gates.end());
  Netlist nl = small(std::move(gates), n + 2);
  EXPECT_EQ(check_error(nl), "no error");
  std::vector<std::uint64_t> t = test::truth_table(nl);
  EXPECT_EQ(t, (std::vector<std::uint64_t>{0, 0, 1, 1}));  // even number of inversions of a
}

}  // namespace
}  // namespace axx::netlist
