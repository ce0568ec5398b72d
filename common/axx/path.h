// File-name extensions, compared case-insensitively everywhere a format is chosen from a file name
// (netlist readers, lutgen sources and writers), so "MUL.BLIF" and "mul.blif" mean the same.
#pragma once
#include <cctype>
#include <string>

namespace axx {

// The extension of the last path component, lower case with its dot ("a/Mul.V" -> ".v"); empty
// when that component has no dot.
inline std::string extension_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  const std::size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

// Whether path ends in ext (given with its dot, lower case; may have several parts, ".tar.gz"),
// ignoring case, with something before it.
inline bool has_extension(const std::string& path, const std::string& ext) {
  if (ext.empty() || path.size() <= ext.size()) return false;
  const std::size_t base = path.size() - ext.size();
  for (std::size_t i = 0; i < ext.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(path[base + i])) != std::tolower(static_cast<unsigned char>(ext[i])))
      return false;
  return true;
}

}  // namespace axx
