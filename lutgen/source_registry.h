// The registry of input kinds (docs/contributing.md): each source file defines one SourceKind and is
// listed once in source_registry.cc with the input options it takes. Error messages for unknown
// inputs and for options that do not apply, and the CLI's help, are generated from it.
#pragma once
#include <string>
#include <vector>

#include "lutgen/source.h"
#include "multipliers/registry.h"
#include "lutgen/table_stream.h"

namespace axx::lutgen {

struct SourceKind {
  std::string name;                   // "blif", "verilog", "c", "builtin", "header", "npy", "json"
  std::vector<std::string> patterns;  // file extensions (".blif") or a prefix ending in ':' ("builtin:")
  std::string noun;                   // in messages: "a C function"
  std::string description;            // one line
  std::vector<std::string> options;   // keys of input_options() this kind takes
  // Opens INPUT as a stream of values; throws like load_lut().
  TableStream (*open)(const std::string& input, const SourceOptions& options);

  bool takes(const std::string& option_key) const;
};

const std::vector<SourceKind>& source_kinds();

// The kind that reads INPUT; throws axx::InputError listing the valid kinds when none does.
const SourceKind& find_source_kind(const std::string& input);

// Throws axx::UsageError naming the first option set in OPTIONS that KIND does not take.
void check_options_apply(const SourceKind& kind, const std::string& input, const SourceOptions& options);

// Opens INPUT: checks that its options apply and that a file input exists and is readable first.
TableStream open_source(const std::string& input, const SourceOptions& options = {});

// The sources, one per file (source_<name>.cc).
TableStream open_netlist_source(const std::string& input, const SourceOptions& options);
TableStream open_c_source(const std::string& input, const SourceOptions& options);
TableStream open_builtin_source(const std::string& input, const SourceOptions& options);
TableStream open_header_source(const std::string& input, const SourceOptions& options);
TableStream open_npy_source(const std::string& input, const SourceOptions& options);
TableStream open_json_source(const std::string& input, const SourceOptions& options);

// Shared helpers for sources.
// The built-in design INPUT ("builtin:NAME") names; throws axx::InputError listing the valid names.
const multipliers::Builtin& builtin_of(const std::string& input);
std::string file_stem(const std::string& path);
std::string read_text_file(const std::string& path);  // throws axx::InputError when unreadable
// The name of a table read from INPUT: --name when given, else the file stem (every file kind
// follows this one rule, whatever name the file may carry inside).
std::string table_name(const std::string& input, const SourceOptions& options);
// A source with a fixed table: --bits/--a-bits/--b-bits must agree with its shape (else
// axx::UsageError).
void check_fixed_bits(const std::string& input, const SourceOptions& options, const OperandSpec& spec);

}  // namespace axx::lutgen
