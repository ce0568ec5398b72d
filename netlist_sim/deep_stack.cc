#include "netlist_sim/deep_stack.h"

#include <pthread.h>

namespace axx::netlist::detail {

void run_on_stack(std::size_t bytes, void (*fn)(void*), void* arg) {
  struct Start {
    void (*fn)(void*);
    void* arg;
  } start{fn, arg};
  pthread_attr_t attr;
  pthread_t thread;
  bool started = false;
  if (pthread_attr_init(&attr) == 0) {
    if (pthread_attr_setstacksize(&attr, bytes) == 0)
      started = pthread_create(&thread, &attr, [](void* p) -> void* {
        Start& s = *static_cast<Start*>(p);
        s.fn(s.arg);
        return nullptr;
      }, &start) == 0;
    pthread_attr_destroy(&attr);
  }
  if (started) pthread_join(thread, nullptr);
  else fn(arg);
}

}  // namespace axx::netlist::detail
