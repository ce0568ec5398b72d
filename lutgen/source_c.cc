// C function source: a behavioural C/C++ model `R f(A a, B b)` (the way published C models of
// multipliers are written: (u)int8/16/32 operands, (u)int16/32 result) is compiled with the system
// compiler into a temporary program and evaluated in child processes (run_isolated_rows in
// lutgen/process.h), so that a model that crashes, hangs or calls exit() is reported with its
// operands instead of ending axx. The source is #included into a small shim that loops over operand
// rows and calls the function, so the compiler applies the function's own argument and return
// types (and may inline it), and static functions are reachable too.
#include <stdlib.h>
#include <unistd.h>

#include <climits>
#include <fstream>
#include <memory>
#include <optional>
#include <mutex>
#include <regex>
#include <sstream>
#include <tuple>

#include "axx/error.h"
#include "axx/posix_fs.h"
#include "axx/process.h"
#include "lutgen/process.h"
#include "lutgen/signedness.h"
#include "lutgen/source_registry.h"

namespace axx::lutgen {

namespace {

struct FunctionDef {
  std::string name;  // qualified for C++ namespaces ("ns::f")
  bool is_static = false;
  std::vector<std::string> params;  // parameter declarations, tokens joined by spaces
  std::size_t line = 0;
};

struct CToken {
  std::string text;
  bool ident;
  std::size_t line;
};

// Comments, string/char literals and preprocessor lines removed; identifiers and punctuation kept.
std::vector<CToken> c_tokens(const std::string& s) {
  std::vector<CToken> out;
  std::size_t i = 0, line = 1;
  bool line_start = true;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\n') {
      ++line;
      ++i;
      line_start = true;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      i += 2;
      while (i + 1 < s.size() && !(s[i] == '*' && s[i + 1] == '/')) line += s[i++] == '\n';
      i += 2;
      continue;
    }
    if (c == '#' && line_start) {
      while (i < s.size() && s[i] != '\n') {
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '\n') {
          ++line;
          ++i;
        }
        ++i;
      }
      continue;
    }
    line_start = false;
    if (c == '"' || c == '\'') {
      std::size_t j = i + 1;
      while (j < s.size() && s[j] != c && s[j] != '\n') j += s[j] == '\\' ? 2 : 1;
      out.push_back({"\"\"", false, line});
      i = j + 1;
      continue;
    }
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      out.push_back({s.substr(i, j - i), !std::isdigit(static_cast<unsigned char>(c)), line});
      i = j;
      continue;
    }
    if (c == ':' && i + 1 < s.size() && s[i + 1] == ':') {
      out.push_back({"::", false, line});
      i += 2;
      continue;
    }
    out.push_back({std::string(1, c), false, line});
    ++i;
  }
  return out;
}

// Index of the ')' closing the parameter list of a definition whose body opens at t[i] == "{",
// looking through trailing specifiers (C++: const, volatile, noexcept, noexcept(...), throw(...),
// override, final, [[attributes]]; GNU: __attribute__((...))); t.size() when there is none. Looks
// no further back than t[lo], the start of the declaration: that keeps the search over a whole file
// linear (a file of `)){}` repeated was quadratic).
std::size_t params_close(const std::vector<CToken>& t, std::size_t i, std::size_t lo) {
  std::size_t k = i;  // t[k - 1] is the token before the part looked through so far
  while (k > lo) {
    const std::string& y = t[k - 1].text;
    if (y == "const" || y == "volatile" || y == "noexcept" || y == "override" || y == "final") {
      --k;
      continue;
    }
    if (y == "]" && k >= 2 && t[k - 2].text == "]") {  // [[attribute...]]
      std::size_t j = k - 2;
      while (j > lo + 1 && !(t[j - 1].text == "[" && t[j - 2].text == "[")) --j;
      if (j <= lo + 1) return t.size();
      k = j - 2;
      continue;
    }
    if (y != ")") return t.size();
    int depth = 0;
    std::size_t j = k - 1;
    for (;; --j) {
      if (t[j].text == ")") ++depth;
      if (t[j].text == "(" && --depth == 0) break;
      if (j <= lo) return t.size();
    }
    if (j > lo && (t[j - 1].text == "noexcept" || t[j - 1].text == "throw" ||
                  t[j - 1].text == "__attribute__" || t[j - 1].text == "__declspec")) {
      k = j - 1;
      continue;
    }
    return k - 1;
  }
  return t.size();
}

// Function definitions at file scope (namespaces and extern "C" blocks are looked through).
std::vector<FunctionDef> find_functions(const std::string& source) {
  const std::vector<CToken> t = c_tokens(source);
  std::vector<FunctionDef> out;
  std::vector<std::string> scopes;  // open braces: namespace name, "" for extern "C", "#" for opaque
  std::size_t stmt_start = 0;       // first token of the current file-scope declaration
  int opaque = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const std::string& x = t[i].text;
    if (x == "{") {
      const std::size_t close = opaque == 0 ? params_close(t, i, stmt_start) : t.size();
      if (close < t.size() && close >= stmt_start) {
        // Find the matching '(' and the name before it.
        int depth = 0;
        std::size_t j = close;
        for (;; --j) {
          if (t[j].text == ")") ++depth;
          if (t[j].text == "(" && --depth == 0) break;
          if (j == 0) break;
        }
        if (j > stmt_start && t[j - 1].ident && !(j >= 2 && t[j - 2].text == "::")) {
          static const char* kKeywords[] = {"if", "for", "while", "switch", "return", "sizeof", "catch"};
          bool keyword = false;
          for (const char* k : kKeywords) keyword |= t[j - 1].text == k;
          if (!keyword) {
            FunctionDef f;
            std::string ns;
            for (const auto& s : scopes) {
              if (!s.empty() && s != "#") ns += s + "::";
            }
            f.name = ns + t[j - 1].text;
            f.line = t[j - 1].line;
            for (std::size_t k = stmt_start; k + 1 < j; ++k) f.is_static |= t[k].text == "static";
            std::string param;
            int pd = 0;
            for (std::size_t k = j + 1; k < close; ++k) {
              if (t[k].text == "(") ++pd;
              if (t[k].text == ")") --pd;
              if (t[k].text == "," && pd == 0) {
                f.params.push_back(param);
                param.clear();
                continue;
              }
              param += (param.empty() ? "" : " ") + t[k].text;
            }
            if (!param.empty() && param != "void") f.params.push_back(param);
            out.push_back(f);
          }
        }
        scopes.push_back("#");
        ++opaque;
      } else if (opaque == 0 && i >= 2 && t[i - 2].text == "namespace" && t[i - 1].ident) {
        scopes.push_back(t[i - 1].text);
      } else if (opaque == 0 && ((i >= 1 && t[i - 1].text == "namespace") ||
                                 (i >= 2 && t[i - 2].text == "extern" && t[i - 1].text == "\"\""))) {
        scopes.push_back("");
      } else {
        scopes.push_back("#");
        ++opaque;
      }
      stmt_start = i + 1;
    } else if (x == "}") {
      if (!scopes.empty()) {
        if (scopes.back() == "#") --opaque;
        scopes.pop_back();
      }
      if (opaque == 0) stmt_start = i + 1;
    } else if (x == ";" && opaque == 0) {
      stmt_start = i + 1;
    }
  }
  return out;
}

// What a parameter's type says about the operand it receives. An unsigned type (uint8_t, unsigned
// char, unsigned int, ...) declares the operand unsigned at any width: a negative value would wrap.
// A signed type declares it signed only when it is exactly as wide as the operand (int8_t for 8
// bits): an unsigned pattern above its range would turn negative. A wider signed type (int, long,
// int16_t for 8-bit operands) holds either range and says nothing; so does plain `char` (its
// signedness is the platform's choice) and any type not known here (typedefs, bool).
struct ParamType {
  int width = 0;  // 0: unknown
  std::optional<bool> is_signed;
};

ParamType param_type(const std::string& decl) {
  std::istringstream in(decl);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  static const struct {
    const char* name;
    int width;
    bool is_signed;
  } kFixed[] = {{"int8_t", 8, true},    {"uint8_t", 8, false},   {"int16_t", 16, true}, {"uint16_t", 16, false},
                {"int32_t", 32, true},  {"uint32_t", 32, false}, {"int64_t", 64, true}, {"uint64_t", 64, false},
                {"size_t", 64, false}};
  ParamType p;
  bool has_signed = false, has_unsigned = false, has_char = false, has_short = false, has_int = false;
  int longs = 0;
  for (const auto& w : words) {
    for (const auto& f : kFixed) {
      if (w == f.name) return {f.width, f.is_signed};
    }
    has_signed |= w == "signed";
    has_unsigned |= w == "unsigned";
    has_char |= w == "char";
    has_short |= w == "short";
    has_int |= w == "int";
    longs += w == "long";
  }
  if (!(has_signed || has_unsigned || has_char || has_short || has_int || longs)) return p;
  p.width = has_char ? 8 : has_short ? 16 : longs ? 64 : 32;
  if (has_unsigned) {
    p.is_signed = false;
  } else if (has_signed || !has_char) {
    p.is_signed = true;
  }
  return p;
}

std::string c_string_literal(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Maps the compiler's first error to a ParseError at the user's file when it is there.
[[noreturn]] void compile_failed(const std::string& input, const std::string& abs_source, const std::string& func,
                                 const std::string& compiler, const process::Result& r) {
  static const std::regex kDiag(R"(^(.*):(\d+):(\d+): (?:fatal )?error: (.*)$)");
  static const std::regex kUndefined(R"(undefined reference to [`'](.*)'$)");
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, kUndefined)) {
      throw InputError(input + ": '" + m[1].str() + "' is used but not defined (the file must define every function " +
                       func + " calls, other than the C library's)");
    }
    if (!std::regex_match(line, m, kDiag)) continue;
    if (m[1] == abs_source) throw ParseError(input, std::stoul(m[2]), std::stoul(m[3]), m[4].str());
    throw InputError(input + ": function '" + func + "' cannot be called as " + func +
                     "(a, b) with integer operands: " + m[4].str());
  }
  std::string first = r.output.substr(0, r.output.find('\n'));
  throw ToolError(compiler + " failed with status " + std::to_string(r.status()) + (first.empty() ? "" : ": " + first));
}

}  // namespace

TableStream open_c_source(const std::string& input, const SourceOptions& options) {
  const std::string source = read_text_file(input);
  const std::vector<FunctionDef> funcs = find_functions(source);

  const FunctionDef* f = nullptr;
  if (!options.func.empty()) {
    for (const auto& d : funcs) {
      if (d.name == options.func || (d.name.size() >= options.func.size() + 2 &&
                                     d.name.compare(d.name.size() - options.func.size() - 2, std::string::npos,
                                                    "::" + options.func) == 0)) {
        f = &d;
      }
    }
    if (!f) {
      std::string names;
      for (const auto& d : funcs) names += (names.empty() ? "" : ", ") + d.name;
      throw InputError(input + ": no function '" + options.func + "' defined" +
                       (names.empty() ? "" : " (functions: " + names + ")"));
    }
  } else {
    std::vector<const FunctionDef*> candidates;
    for (const auto& d : funcs) {
      if (!d.is_static && d.name != "main") candidates.push_back(&d);
    }
    if (candidates.empty()) throw InputError(input + ": no non-static function defined; name one with --func");
    if (candidates.size() > 1) {
      std::string names;
      for (const auto* d : candidates) names += (names.empty() ? "" : ", ") + d->name;
      throw UsageError(input + ": several functions (" + names + "); choose one with --func");
    }
    f = candidates.front();
  }
  if (f->params.size() != 2) {
    throw ParseError(input, f->line, 0, "function '" + f->name + "' takes " + std::to_string(f->params.size()) +
                                            " parameters, expected two operands");
  }

  // Operand widths default to the parameter types' (8 or 16 bits, else 8); signedness follows
  // what the types declare (ParamType).
  const ParamType pa = param_type(f->params[0]), pb = param_type(f->params[1]);
  OperandSpec spec;
  spec.bits_a = options.bits_a ? options.bits_a : (pa.width == 8 || pa.width == 16 ? pa.width : 8);
  spec.bits_b = options.bits_b ? options.bits_b : (pb.width == 8 || pb.width == 16 ? pb.width : 8);
  check_operand_spec(spec);
  for (const auto& [p, bits, decl] : {std::tuple{pa, spec.bits_a, f->params[0]}, std::tuple{pb, spec.bits_b, f->params[1]}}) {
    if (p.width && p.width < bits) {
      throw UsageError(input + ": parameter `" + decl + "` is " + std::to_string(p.width) + " bits wide; it cannot take " +
                       std::to_string(bits) + "-bit operands");
    }
  }
  SignednessFacts facts;
  auto declares = [](const ParamType& p, int bits) -> std::optional<bool> {
    if (p.is_signed && !*p.is_signed) return false;
    if (p.is_signed && p.width == bits) return true;
    return std::nullopt;
  };
  facts.a = declares(pa, spec.bits_a);
  facts.b = declares(pb, spec.bits_b);
  facts.a_what = "parameter `" + f->params[0] + "`";
  facts.b_what = "parameter `" + f->params[1] + "`";
  facts.silent_why = "parameters `" + f->params[0] + "` and `" + f->params[1] +
                     "` do not fix the operands' signedness (a signed type exactly as wide as the operand, or an "
                     "unsigned type, would)";
  const Signedness sign = resolve_signedness(input, facts, options);
  spec.is_signed = sign.is_signed;

  const bool cplusplus = input.size() >= 2 && input.compare(input.size() - 2, 2, ".c") != 0;
  const char* env_compiler = std::getenv(cplusplus ? "CXX" : "CC");
  const std::string compiler = env_compiler && *env_compiler ? env_compiler : (cplusplus ? "c++" : "cc");
  const std::string abs_source = posix_fs::absolute(input);

  const double timeout = call_timeout_from_env();
  auto dir = std::make_shared<posix_fs::TempDir>("axx-cc");
  const std::string ext = cplusplus ? ".cpp" : ".c";
  // The fast program notes the row before its inner loop, the traced one every pair before the call
  // (the barrier keeps the call after the store), so that a child that dies names the pair it died
  // on (run_isolated_rows in lutgen/process.h).
  auto compile = [=, func = f->name](bool traced) {
    const std::string shim_path = dir->path() + (traced ? "/axx_shim_traced" : "/axx_shim") + ext;
    const std::string exe_path = dir->path() + (traced ? "/axx_model_traced" : "/axx_model");
    {
      std::ofstream shim(shim_path);
      // Signed spec: an unsigned result type carries a two's-complement pattern of its own width;
      // unsigned spec: a negative result of a narrow signed type is read back as its bit pattern.
      // The driver's main() is the program's; a main() in the model is renamed out of its way.
      shim << "#define main axx_model_main\n"
           << "#include " << c_string_literal(abs_source) << "\n"
           << "#undef main\n"
           << "#include <stdint.h>\n"
           << "#ifdef __cplusplus\nextern \"C\"\n#endif\n"
           << "void axx_shim_eval_rows(uint64_t a_first, uint64_t a_last, int bits_a, int bits_b, int is_signed,\n"
           << "                        int64_t* out, volatile uint64_t* at) {\n"
           << "  const uint64_t cols = (uint64_t)1 << bits_b;\n"
           << "  for (uint64_t a = a_first; a < a_last; ++a) {\n"
           << "    int64_t va = (int64_t)a;\n"
           << "    if (is_signed && ((a >> (bits_a - 1)) & 1)) va -= (int64_t)1 << bits_a;\n"
           << (traced ? "" : "    *at = a << bits_b;\n")
           << "    for (uint64_t b = 0; b < cols; ++b) {\n"
           << "      int64_t vb = (int64_t)b;\n"
           << "      if (is_signed && ((b >> (bits_b - 1)) & 1)) vb -= (int64_t)1 << bits_b;\n"
           << (traced ? "      *at = (a << bits_b) | b;\n      __asm__ __volatile__(\"\" ::: \"memory\");\n" : "")
           << "      __typeof__(" << func << "(0, 0)) r = " << func << "(va, vb);\n"
           << "      int64_t v = (int64_t)r;\n"
           << "      const int w = (int)sizeof(r) * 8;\n"
           << "      const int type_unsigned = (__typeof__(r))-1 > 0;\n"
           << "      if (w < 64 && is_signed && type_unsigned && ((v >> (w - 1)) & 1)) v -= (int64_t)1 << w;\n"
           << "      if (w < 64 && !is_signed && !type_unsigned && v < 0) v += (int64_t)1 << w;\n"
           << "      *out++ = v;\n"
           << "    }\n"
           << "  }\n"
           << "}\n";
      shim << child_driver_source();
      if (!shim) throw ToolError("cannot write " + shim_path);
    }
    // The C locale keeps the compiler's diagnostics in plain ASCII, so the messages passed on are stable.
    const process::Result r = process::run({compiler, "-O2", "-w", "-o", exe_path, shim_path, "-lm"},
                                           {.output_file = "", .env = {"LC_ALL=C"}, .install_hint = cplusplus ? "g++" : "gcc"});
    if (!r.ok()) compile_failed(input, abs_source, func, compiler, r);
    return exe_path;
  };

  IsolatedModel model;
  model.executable = compile(false);
  auto traced = std::make_shared<std::pair<std::mutex, std::string>>();
  model.traced_executable = [compile, traced] {
    std::lock_guard<std::mutex> lock(traced->first);
    if (traced->second.empty()) traced->second = compile(true);
    return traced->second;
  };
  model.spec = spec;
  model.subject = input + ": function '" + f->name + "'";
  model.timeout_s = timeout;
  model.owner = dir;
  TableStream s{table_name(input, options), spec,
                Provenance{"c", input, "function " + f->name + ", compiled with " + compiler + " -O2", sign.how},
                {}};
  s.run = [model](const ValueSink& sink, unsigned threads) { return run_isolated_rows(model, sink, threads); };
  return s;
}

}  // namespace axx::lutgen
