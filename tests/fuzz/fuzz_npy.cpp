// fuzz_npy.cpp: libFuzzer target for the .npy reader (src/core/io.hpp).
//
// Properties checked on every input, beyond "no crash, no sanitizer report":
//   - a refused input gives a reason and leaves the output matrix as it was;
//   - an accepted input holds exactly rows * cols * 4 data bytes after its header, so
//     the matrix never claims more floats than the file carries;
//   - round trip: npy_encode of what was read decodes to the same bits.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <Eigen/Core>
#include "core/io.hpp"

using namespace factlab;

#define FUZZ_CHECK(cond, ...)                                                            \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            std::fprintf(stderr, "fuzz_npy: property failed: %s\n  ", #cond);            \
            std::fprintf(stderr, __VA_ARGS__);                                           \
            std::fprintf(stderr, "\n");                                                  \
            std::abort();                                                                \
        }                                                                                \
    } while (0)

static bool same_bits(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() &&
           (a.size() == 0 || std::memcmp(a.data(), b.data(), size_t(a.size()) * sizeof(float)) == 0);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    Eigen::MatrixXf m = Eigen::MatrixXf::Constant(2, 3, 7.f);   // a previous value to keep
    const Eigen::MatrixXf before = m;
    std::string err;
    if (!npy_decode(bytes, &m, &err)) {
        FUZZ_CHECK(!err.empty(), "refused without a reason");
        FUZZ_CHECK(same_bits(m, before), "a refused file changed the output (%s)", err.c_str());
        return 0;
    }
    FUZZ_CHECK(size_t(m.size()) * 4 <= size, "%lld floats read from %zu bytes", (long long)m.size(), size);
    const std::string again = npy_encode(m);
    Eigen::MatrixXf back;
    FUZZ_CHECK(npy_decode(again, &back, &err), "re-read of npy_encode failed: %s", err.c_str());
    FUZZ_CHECK(same_bits(m, back), "round trip changed the array");
    return 0;
}
