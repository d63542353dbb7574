// parallel.hpp: run k = 0..count-1 of an independent job on native threads.
//
// The core's only use of threads. Results never depend on how many threads run the job:
// callers give each k its own output and combine the outputs in a fixed order. On
// WebAssembly no thread is ever started (the page splits work over Web Workers by
// message passing instead): every k runs in turn on the calling thread.
#pragma once
#include <functional>

namespace factlab {

int hardware_threads();                  // cores this process may use (>= 1; 1 on WebAssembly)
// fn(k) for every k in [0, count), on up to `threads` threads (the caller's among them);
// returns when all are done. fn must not throw.
void parallel_for(int count, int threads, const std::function<void(int)>& fn);

}  // namespace factlab
