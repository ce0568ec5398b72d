// File-name extensions (common/axx/path.h), case-insensitive.
#include "axx/path.h"

#include <gtest/gtest.h>

namespace axx {
namespace {

TEST(Path, ExtensionOfIsTheLastComponentsLowerCased) {
  EXPECT_EQ(extension_of("mul.blif"), ".blif");
  EXPECT_EQ(extension_of("dir/Mul.SV"), ".sv");
  EXPECT_EQ(extension_of("a.b/c"), "");
  EXPECT_EQ(extension_of("noext"), "");
  EXPECT_EQ(extension_of("x.tar.gz"), ".gz");
  EXPECT_EQ(extension_of(""), "");
}

TEST(Path, HasExtensionIgnoresCaseAndNeedsAName) {
  EXPECT_TRUE(has_extension("mul.blif", ".blif"));
  EXPECT_TRUE(has_extension("MUL.BLIF", ".blif"));
  EXPECT_TRUE(has_extension("a/b.V", ".v"));
  EXPECT_TRUE(has_extension("t.Tar.Gz", ".tar.gz"));
  EXPECT_FALSE(has_extension("mul.blif", ".v"));
  EXPECT_FALSE(has_extension("mul.sv", ".v"));
  EXPECT_TRUE(has_extension("mul.sv", ".sv"));
  EXPECT_FALSE(has_extension(".blif", ".blif"));
  EXPECT_FALSE(has_extension("blif", ".blif"));
  EXPECT_FALSE(has_extension("x.blif", ""));
}

}  // namespace
}  // namespace axx
