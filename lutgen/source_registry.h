// The registry of input kinds (STYLE.md, point 2): each source file defines one SourceKind and is
// listed once in source_registry.cc. Error messages for unknown inputs are generated from it.
#pragma once
#include <string>
#include <vector>

#include "lutgen/source.h"
#include "lutgen/table_stream.h"

namespace axx::lutgen {

struct SourceKind {
  std::string name;                   // "netlist", "c", "builtin", "header", "npy", "json"
  std::vector<std::string> patterns;  // file extensions (".blif") or a prefix ending in ':' ("builtin:")
  std::string description;            // one line
  // Opens INPUT as a stream of values; throws like load_lut().
  TableStream (*open)(const std::string& input, const SourceOptions& options);
};

const std::vector<SourceKind>& source_kinds();

// The kind that reads INPUT; throws axx::InputError listing the valid kinds when none does.
const SourceKind& find_source_kind(const std::string& input);

// Opens INPUT (checks that a file input exists and is readable first).
TableStream open_source(const std::string& input, const SourceOptions& options = {});

// The sources, one per file (source_<name>.cc).
TableStream open_netlist_source(const std::string& input, const SourceOptions& options);
TableStream open_c_source(const std::string& input, const SourceOptions& options);
TableStream open_builtin_source(const std::string& input, const SourceOptions& options);
TableStream open_header_source(const std::string& input, const SourceOptions& options);
TableStream open_npy_source(const std::string& input, const SourceOptions& options);
TableStream open_json_source(const std::string& input, const SourceOptions& options);

// Shared helpers for sources.
std::string file_stem(const std::string& path);
std::string read_text_file(const std::string& path);  // throws axx::InputError when unreadable
// Applies --bits/--signed/--name overrides that a source with a fixed table must agree with.
void apply_fixed_table_options(const std::string& input, const SourceOptions& options, OperandSpec& spec,
                               std::string& name);

}  // namespace axx::lutgen
