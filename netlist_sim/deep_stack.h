// Runs the netlist readers on a thread with a large stack. Their parser and elaboration are
// recursive descents over expressions and module hierarchies; the depth of both is bounded
// (limits.h), and the bound times the stack each level needs is far more than a caller's default
// stack (8 MiB on the main thread, often less on others), so the recursion runs on a stack sized
// for the bounds instead.
#pragma once
#include <cstddef>
#include <exception>
#include <optional>
#include <utility>

namespace axx::netlist::detail {

// Calls fn(arg) on a new thread with a stack of `bytes` and waits for it. Falls back to calling
// it on the current thread when no such thread can be created.
void run_on_stack(std::size_t bytes, void (*fn)(void*), void* arg);

// The stack the readers run on: enough for the depth bounds of limits.h (measured: see
// docs/testing.md, "Hostile netlists"). Reserved address space; untouched pages cost nothing.
constexpr std::size_t kReaderStackBytes = std::size_t{1} << 30;

// f() on the reader stack; its result is returned and its exception rethrown here.
template <class F>
auto with_reader_stack(F&& f) -> decltype(f()) {
  using R = decltype(f());
  struct Call {
    F& f;
    std::optional<R> result;
    std::exception_ptr error;
  } call{f, std::nullopt, nullptr};
  run_on_stack(kReaderStackBytes, [](void* p) {
    Call& c = *static_cast<Call*>(p);
    try {
      c.result.emplace(c.f());
    } catch (...) {
      c.error = std::current_exception();
    }
  }, &call);
  if (call.error) std::rethrow_exception(call.error);
  return std::move(*call.result);
}

}  // namespace axx::netlist::detail
