// parallel.cpp: std::thread natively; on WebAssembly a plain loop (no threads there).
#include "core/parallel.hpp"

#include <algorithm>
#include <atomic>
#if !defined(__wasm__)
#include <thread>
#include <vector>
#endif

namespace factlab {

int hardware_threads() {
#if defined(__wasm__)
    return 1;
#else
    return std::max(1, int(std::thread::hardware_concurrency()));
#endif
}

void parallel_for(int count, int threads, const std::function<void(int)>& fn) {
    threads = std::min(threads, count);
#if !defined(__wasm__)
    if (threads > 1) {
        std::atomic<int> next{0};        // each thread takes the next k: no k runs twice
        auto loop = [&] {
            for (int k = next++; k < count; k = next++) fn(k);
        };
        std::vector<std::thread> pool;
        pool.reserve(size_t(threads - 1));
        for (int t = 1; t < threads; ++t) pool.emplace_back(loop);
        loop();
        for (std::thread& th : pool) th.join();
        return;
    }
#endif
    for (int k = 0; k < count; ++k) fn(k);
}

}  // namespace factlab
