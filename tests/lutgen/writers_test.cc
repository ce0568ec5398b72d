// Writers: golden output for a tiny table, round trips through the readers, atomic writes, and the
// portable header compiled as C and C++.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "axx/error.h"
#include "lutgen/atomic_file.h"
#include "lutgen/metrics.h"
#include "lutgen/source.h"
#include "lutgen/writer.h"
#include "test_util.h"

namespace axx::lutgen {
namespace {

using testing::error_of;
using testing::make_lut;
using testing::read_file;
using testing::scratch_dir;
using testing::write_file;

Lut tiny() {
  Lut lut = make_lut("tiny-2x2", {2, 2, true}, [](std::int64_t a, std::int64_t b) { return a * b; });
  lut.table[15] = 2;  // (-1) * (-1) -> 2
  lut.provenance = {"npy", "tiny.npy", "", "given: --signed"};
  return lut;
}

TEST(WriterRegistry, FormatByNameAndExtension) {
  EXPECT_EQ(writer_for_path("x/y.H").name, "header");
  EXPECT_EQ(writer_for_path("y.cuh").name, "header");
  EXPECT_EQ(writer_for_path("y.npy").name, "npy");
  EXPECT_EQ(writer_for_path("y.json").name, "json");
  EXPECT_EQ(find_writer("transaxx").name, "transaxx");
  EXPECT_EQ(error_of<UsageError>([] { find_writer("csv"); }),
            "unknown format 'csv'; valid formats: header, transaxx, npy, json");
  EXPECT_EQ(error_of<UsageError>([] { writer_for_path("out.txt"); }),
            "out.txt: cannot tell the output format from the extension (known: .h, .hpp, .hh, .cuh, .npy, .json); use "
            "--format");
}

TEST(HeaderWriter, GoldenTinyHeader) {
  const std::string h = render_lut(tiny(), "header");
  EXPECT_NE(h.find("#ifndef AXX_LUT_QUALIFIER\n#define AXX_LUT_QUALIFIER\n#endif\n"), std::string::npos);
  EXPECT_NE(h.find("#define AXX_LUT_TINY_2X2_NAME \"tiny-2x2\"\n#define AXX_LUT_TINY_2X2_BITS_A 2\n"
                   "#define AXX_LUT_TINY_2X2_BITS_B 2\n#define AXX_LUT_TINY_2X2_SIGNED 1\n"),
            std::string::npos);
  EXPECT_NE(h.find("static AXX_LUT_QUALIFIER const int16_t axx_lut_tiny_2x2[4][4] = {\n"
                   "  {0, 0, 0, 0},\n  {0, 1, -2, -1},\n  {0, -2, 4, 2},\n  {0, -1, 2, 2},\n};\n"),
            std::string::npos);
  EXPECT_NE(h.find(" *   ep_percent      6.25\n"), std::string::npos);
  EXPECT_NE(h.find(" * Provenance: npy tiny.npy\n"), std::string::npos);
}

TEST(HeaderWriter, Int32WhenInt16WouldLoseValues) {
  Lut lut = tiny();
  lut.table[3] = 40000;
  EXPECT_NE(render_lut(lut, "header").find("const int32_t axx_lut_tiny_2x2[4][4]"), std::string::npos);
  EXPECT_NE(render_lut(lut, "transaxx").find("\nconst int32_t lut[256][256] = {\n"), std::string::npos);
}

TEST(Writers, RoundTripsThroughTheReaders) {
  const std::string dir = scratch_dir();
  for (const Lut& lut : {tiny(), load_lut("builtin:mul8u_drum4"), load_lut("builtin:mul8s_trunc8")}) {
    // The header and JSON carry the signedness; .npy does not, so the reader is told.
    SourceOptions npy;
    npy.is_signed = lut.spec.is_signed;
    for (const char* file : {"/t.h", "/t.json", "/t.npy"}) {
      write_lut(lut, dir + file);
      const Lut back = load_lut(dir + file, std::string(file) == "/t.npy" ? npy : SourceOptions{});
      EXPECT_EQ(back.table, lut.table) << lut.name << file;
      EXPECT_EQ(back.spec.bits_a, lut.spec.bits_a);
      EXPECT_EQ(back.spec.bits_b, lut.spec.bits_b);
      EXPECT_EQ(back.spec.is_signed, lut.spec.is_signed) << lut.name << file;
      EXPECT_EQ(back.name, "t");  // named after the file, whatever the file says inside
    }
  }
}

TEST(Writers, TransAxxHeaderRoundTripsAsTheExpandedTable) {
  const std::string dir = scratch_dir();
  const Lut lut = load_lut("builtin:mul8s_mitchell");
  write_lut(lut, dir + "/tx.h", "transaxx");
  const std::string text = read_file(dir + "/tx.h");
  EXPECT_NE(text.find("#include <stdint.h>\n\n#define AXX_LUT_MUL8S_MITCHELL_SIGNED 1\n\nconst int16_t lut[256][256] = {\n"),
            std::string::npos);
  const Lut back = load_lut(dir + "/tx.h");
  EXPECT_EQ(back.table, lut.table);
  EXPECT_TRUE(back.spec.is_signed);
  write_lut(tiny(), dir + "/tiny.h", "transaxx");
  EXPECT_EQ(load_lut(dir + "/tiny.h").table, expand_to_256(tiny()));
  // An unsigned table keeps its signedness through the TransAxx layout, whose convention is signed.
  const Lut u = load_lut("builtin:mul8u_drum4");
  write_lut(u, dir + "/u.h", "transaxx");
  const Lut u_back = load_lut(dir + "/u.h");
  EXPECT_FALSE(u_back.spec.is_signed);
  EXPECT_EQ(u_back.table, u.table);
  EXPECT_EQ(u_back.provenance.signedness, "AXX_LUT_MUL8U_DRUM4_SIGNED says unsigned");
}

TEST(NpyWriter, HeaderLayout) {
  const std::string npy = render_lut(tiny(), "npy");
  ASSERT_EQ(npy.size(), 128u + 16 * 4);
  EXPECT_EQ(npy.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_EQ(npy.substr(10, 59), "{'descr': '<i4', 'fortran_order': False, 'shape': (4, 4), }");
  EXPECT_EQ(npy[127], '\n');
  EXPECT_EQ(npy.substr(128 + 6 * 4, 4), std::string("\xfe\xff\xff\xff", 4));  // [1][2] = -2
}

TEST(JsonWriter, GoldenTinyJson) {
  const std::string json = render_lut(tiny(), "json");
  EXPECT_EQ(json.substr(0, json.find("\"metrics\"")),
            "{\n  \"name\": \"tiny-2x2\",\n  \"bits_a\": 2,\n  \"bits_b\": 2,\n  \"signed\": true,\n"
            "  \"indexing\": \"lut[a][b], a and b raw bit patterns\",\n"
            "  \"provenance\": {\"kind\": \"npy\", \"path\": \"tiny.npy\", \"detail\": \"\", \"signedness\": "
            "\"given: --signed\"},\n  ");
  EXPECT_NE(json.find("  \"table\": [\n    [0, 0, 0, 0],\n    [0, 1, -2, -1],\n    [0, -2, 4, 2],\n"
                      "    [0, -1, 2, 2]\n  ]\n}\n"),
            std::string::npos);
}

TEST(AtomicWrite, FailureLeavesNothingAndKeepsTheOldFile) {
  const std::string dir = scratch_dir();
  EXPECT_EQ(error_of<InputError>([&] { write_file_atomic(dir + "/missing/x.h", "data"); }),
            dir + "/missing/x.h: cannot write: No such file or directory");
  write_file(dir + "/x.h", "old");
  write_file_atomic(dir + "/x.h", "new contents");
  EXPECT_EQ(read_file(dir + "/x.h"), "new contents");
  // Writing onto a directory fails at the rename; the temporary file is removed.
  std::filesystem::create_directory(dir + "/d.h");
  write_file(dir + "/d.h/keep", "k");
  EXPECT_NE(error_of<InputError>([&] { write_file_atomic(dir + "/d.h", "x"); }).find(dir + "/d.h: cannot write: "),
            std::string::npos);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 2u);  // x.h and d.h only
}

TEST(HeaderWriter, CompilesAsCAndCxx) {
  const std::string dir = scratch_dir();
  Lut lut = load_lut("builtin:mul8s_trunc4");
  write_lut(lut, dir + "/m.h");
  write_file(dir + "/main.c",
             "#include <stdio.h>\n#include \"m.h\"\n"
             "int main(void) { printf(\"%d %d %d\\n\", axx_lut_mul8s_trunc4[(uint8_t)-7][(uint8_t)100], "
             "AXX_LUT_MUL8S_TRUNC4_BITS_A, AXX_LUT_MUL8S_TRUNC4_SIGNED); return 0; }\n");
  std::filesystem::copy_file(dir + "/main.c", dir + "/main.cpp");
  const std::string expected = std::to_string(lut.at(std::uint8_t(-7), 100)) + " 8 1\n";
  for (const std::string cc : {"cc -std=c99 -Wall -Wextra -pedantic -Werror main.c", "c++ -Wall -Wextra -Werror main.cpp"}) {
    const std::string cmd = "cd " + dir + " && " + cc + " -o prog && ./prog > out.txt";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    EXPECT_EQ(read_file(dir + "/out.txt"), expected) << cc;
  }
}

// A name or provenance holding "*/" must not close the header's comment (a survivor of the
// mutation pass, docs/testing.md): it is written "* /", and no other "*/" appears before the
// comment's own end.
TEST(HeaderWriter, CommentTerminatorInNameIsDefused) {
  Lut lut = make_lut("a*/b", {2, 2, true}, [](std::int64_t a, std::int64_t b) { return a * b; });
  lut.provenance.kind = "c";
  lut.provenance.path = "dir*/m.c";
  const std::string h = render_lut(lut, "header");
  const auto end = h.find("*/");
  ASSERT_NE(end, std::string::npos);
  const std::string comment = h.substr(0, end);
  EXPECT_NE(comment.find("\"a* /b\""), std::string::npos) << comment;
  EXPECT_NE(comment.find("dir* /m.c"), std::string::npos) << comment;
  EXPECT_EQ(h.find("a*/b"), std::string::npos) << h;
}

}  // namespace
}  // namespace axx::lutgen
