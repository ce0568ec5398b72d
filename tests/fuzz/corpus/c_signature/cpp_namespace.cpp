#include <cstdint>
namespace approx {
namespace detail { static int helper(int x) { return x >> 1; } }
extern "C" {
[[nodiscard]] uint16_t mul(uint8_t a, unsigned char b) noexcept(true) __attribute__((pure)) {
  return (uint16_t)(detail::helper(a) * b); /* comment { */
}
}
struct S { int f(int a, int b) const { return a * b; } };
}
