// worker_main.cpp: the core-only module each Web Worker runs (web/factlab-worker.js).
//
// No ImGui, no GL, no file system: it computes shares of a superposition step
// (SuperposeShare) from the bytes core/jobs.hpp lays out, and returns the
// reply's bytes. The worker's script moves bytes in and out of this heap:
//   p = fw_alloc(len); HEAPU8.set(bytes, p); n = fw_run(p, len); reply = HEAPU8.slice(fw_reply(), fw_reply() + n)
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define FW_EXPORT extern "C" EMSCRIPTEN_KEEPALIVE
#else
#define FW_EXPORT extern "C"
#endif
#include <cstdlib>
#include <string>
#include "core/jobs.hpp"

using namespace factlab;

static std::string g_in, g_out;
static SuperposeShare g_share;
static int g_n = 0, g_d = 0;
static spk::KernelKind g_kernel = spk::KernelKind::simd;
static bool g_ready = false;

// A buffer of len bytes for the next request (kept: requests are all the same size).
FW_EXPORT char* fw_alloc(int len) {
    g_in.resize(size_t(len > 0 ? len : 0));
    return g_in.data();
}

// Runs the request in the fw_alloc buffer; returns the reply's length (at fw_reply()).
FW_EXPORT int fw_run(int len) {
    if (len < 0 || size_t(len) != g_in.size()) g_in.resize(0);
    jobs::ShareRequest req;
    std::string err;
    if (!jobs::decode_share_request(g_in, &req, &err)) {
        g_out = jobs::encode_share_error(0, err);
        return int(g_out.size());
    }
    if (!g_ready || req.n != g_n || req.d != g_d || req.kernel != g_kernel) {
        g_ready = g_share.setup(req.n, req.d, req.kernel, &err);
        g_n = req.n, g_d = req.d, g_kernel = req.kernel;
        if (!g_ready) {
            g_out = jobs::encode_share_error(req.id, err);
            return int(g_out.size());
        }
    }
    if (req.range.tile_end > int(g_share.tiles().size())) {
        g_out = jobs::encode_share_error(req.id, "share request: tiles past the pass");
        return int(g_out.size());
    }
    g_share.set_vectors(req.V, req.d);
    SharePartial part;
    g_share.compute(req.lp, req.range, &part);
    g_out = jobs::encode_share_reply(req.id, part);
    return int(g_out.size());
}

FW_EXPORT const char* fw_reply() { return g_out.data(); }

int main() { return 0; }
