// rng.hpp: the one random number generator of factlab.
// Same seed, same numbers on every build: integer-only state (SplitMix64) and
// floats derived from it without libm, so native and wasm draw identical values.
#pragma once
#include <cstdint>
#include <cmath>

namespace factlab {

struct Rng {
    uint64_t state;
    explicit Rng(uint64_t seed) : state(seed) {}

    uint64_t next_u64() {                       // SplitMix64 (Steele, Lea, Flood 2014)
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double uniform() { return (next_u64() >> 11) * 0x1.0p-53; }   // [0, 1)
    uint32_t below(uint32_t n) { return uint32_t(uniform() * n); } // [0, n)

    // Standard normal by the Marsaglia polar method: needs only sqrt and log.
    // sqrt is exact under IEEE; log may differ by an ulp between libms, which
    // vanishes when the result is rounded to float.
    double normal() {
        double u, v, s;
        do {
            u = 2.0 * uniform() - 1.0;
            v = 2.0 * uniform() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        return u * std::sqrt(-2.0 * std::log(s) / s);
    }
};

}  // namespace factlab
