#include "converter/input_options.h"

#include <filesystem>
#include <map>

#include "axx/error.h"
#include "lutgen/source_registry.h"

namespace axx::cli {

namespace {

// " [blif, verilog]": the kinds that take option KEY, or " [any input]".
std::string kinds_taking(const std::string& key) {
  std::string names;
  bool all = true;
  for (const auto& kind : lutgen::source_kinds()) {
    if (kind.takes(key)) {
      names += (names.empty() ? "" : ", ") + kind.name;
    } else {
      all = false;
    }
  }
  return all ? " [any input]" : " [" + names + "]";
}

}  // namespace

void add_input_options(CLI::App& sub, lutgen::SourceOptions& source) {
  // How each registered option binds to SourceOptions; its flag names and help come from the registry.
  using Bind = std::function<CLI::Option*(const std::string& flag, const std::string& help, std::size_t i)>;
  const std::map<std::string, Bind> bind = {
      {"signed",
       [&](const std::string& flag, const std::string& help, std::size_t i) {
         return sub.add_flag_callback(flag, [&source, i] { source.is_signed = i == 0; }, help);
       }},
      {"bits",
       [&](const std::string& flag, const std::string& help, std::size_t) {
         return sub.add_option_function<int>(flag, [&source](const int& n) { source.bits_a = source.bits_b = n; }, help);
       }},
      {"a_bits", [&](const std::string& flag, const std::string& help,
                     std::size_t) { return sub.add_option(flag, source.bits_a, help); }},
      {"b_bits", [&](const std::string& flag, const std::string& help,
                     std::size_t) { return sub.add_option(flag, source.bits_b, help); }},
      {"name", [&](const std::string& flag, const std::string& help,
                   std::size_t) { return sub.add_option(flag, source.name, help); }},
      {"top", [&](const std::string& flag, const std::string& help,
                  std::size_t) { return sub.add_option(flag, source.top, help); }},
      {"func", [&](const std::string& flag, const std::string& help,
                   std::size_t) { return sub.add_option(flag, source.func, help); }},
      {"port_a", [&](const std::string& flag, const std::string& help,
                     std::size_t) { return sub.add_option(flag, source.port_a, help); }},
      {"port_b", [&](const std::string& flag, const std::string& help,
                     std::size_t) { return sub.add_option(flag, source.port_b, help); }},
      {"port_out", [&](const std::string& flag, const std::string& help,
                       std::size_t) { return sub.add_option(flag, source.port_out, help); }},
      {"yosys",
       [&](const std::string& flag, const std::string& help, std::size_t i) {
         return sub.add_flag_callback(
             flag, [&source, i] { source.yosys = i == 0 ? lutgen::YosysMode::Force : lutgen::YosysMode::Never; }, help);
       }},
      {"yosys_bin", [&](const std::string& flag, const std::string& help,
                        std::size_t) { return sub.add_option(flag, source.yosys_bin, help); }},
  };
  std::map<std::string, std::vector<CLI::Option*>> added;
  for (const auto& option : lutgen::input_options()) {
    const Bind& b = bind.at(option.key);
    for (std::size_t i = 0; i < option.cli.size(); ++i) {
      added[option.key].push_back(b(option.cli[i], option.help.at(i) + kinds_taking(option.key), i));
    }
    // A pair of flags (--signed/--unsigned, --yosys/--no-yosys) is one choice.
    if (option.cli.size() == 2) added[option.key][0]->excludes(added[option.key][1]);
  }
  added.at("bits")[0]->excludes(added.at("a_bits")[0]);
  added.at("bits")[0]->excludes(added.at("b_bits")[0]);
  sub.footer(input_kinds_help());
}

std::string input_kinds_help() {
  std::string s = "INPUT kinds and the options they take (the others are an error for them):\n";
  for (const auto& kind : lutgen::source_kinds()) {
    std::string patterns;
    for (const auto& p : kind.patterns) patterns += (patterns.empty() ? "" : " ") + p + (p.back() == ':' ? "NAME" : "");
    patterns.resize(std::max<std::size_t>(patterns.size(), 24), ' ');
    std::string options;
    for (const auto& o : lutgen::input_options()) {
      if (kind.takes(o.key)) options += (options.empty() ? "" : " ") + lutgen::option_name(o, lutgen::OptionSpelling::Cli);
    }
    s += "  " + patterns + " " + kind.description + "\n" + std::string(27, ' ') + options + "\n";
  }
  s += "Signedness: declared by the file where it says (Verilog `signed` ports, C parameter types, axx headers\n"
       "and JSON); otherwise --signed or --unsigned is required (docs/cli.md).\n";
  return s;
}

std::string input_kinds_list() {
  std::string s;
  for (const auto& kind : lutgen::source_kinds()) {
    std::string patterns;
    for (const auto& p : kind.patterns) patterns += (patterns.empty() ? "" : " ") + p + (p.back() == ':' ? "NAME" : "");
    s += (s.empty() ? "" : ", ") + kind.name + " (" + patterns + ")";
  }
  return s;
}

void check_name_for_inputs(const lutgen::SourceOptions& source, std::size_t inputs) {
  if (!source.name.empty() && inputs > 1) {
    throw UsageError("--name names one table, but " + std::to_string(inputs) + " inputs were given");
  }
}

namespace {

// The folder's real path plus the name; a folder that does not exist stays as written (writing
// there fails later with its own message).
std::filesystem::path canonical_name(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path p = fs::absolute(path).lexically_normal();
  std::error_code ec;
  const fs::path parent = fs::canonical(p.parent_path(), ec);
  return ec ? p : parent / p.filename();
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return canonical_name(a) == canonical_name(b) || std::filesystem::equivalent(a, b, ec);
}

}  // namespace

void check_distinct_paths(const std::vector<std::string>& inputs, const std::vector<NamedPath>& outputs) {
  auto used = [](const NamedPath& p) { return !p.second.empty() && p.second != "-"; };
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (!used(outputs[i])) continue;
    for (const auto& in : inputs) {
      if (!in.empty() && in != "-" && same_file(in, outputs[i].second)) {
        throw UsageError(outputs[i].second + ": is the input file; choose another output");
      }
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (used(outputs[j]) && same_file(outputs[j].second, outputs[i].second)) {
        throw UsageError(outputs[i].second + ": " + outputs[j].first + " and " + outputs[i].first +
                         " name the same file; choose two different outputs");
      }
    }
  }
}

}  // namespace axx::cli
