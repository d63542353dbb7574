// worker_jobs.cpp: long jobs in a job worker (core/jobs_long.hpp): a transformer's
// training, the capacity sweep, the learned block's training or the interference series, run whole there, chunk by chunk, a snapshot after
// each chunk. Linked into the page's module (cmake/app.cmake): web/factlab-job-worker.js
// loads factlab.wasm without running main() and calls these; it calls fw_job_step from
// its own event loop while fw_job_busy(), so an "allow" message is read between chunks.
//   p = fw_job_alloc(len); HEAPU8.set(bytes, p); n = fw_job_run(len)   a start or an allow
//   while (fw_job_busy()) { n = fw_job_step(); post HEAPU8[fw_job_reply() .. + n) }
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define FW_EXPORT extern "C" EMSCRIPTEN_KEEPALIVE
#else
#define FW_EXPORT extern "C"
#endif
#include <algorithm>
#include <memory>
#include <string>
#include "core/jobs_long.hpp"

using namespace factlab;

namespace {
std::string g_in, g_out;
std::unique_ptr<jobs::LongJob> g_job;
uint32_t g_chunk = 0, g_allow = 0;
float g_chunk_ms = jobs::kChunkMs;
}  // namespace

FW_EXPORT char* fw_job_alloc(int len) {
    g_in.resize(size_t(len > 0 ? len : 0));
    return g_in.data();
}

FW_EXPORT int fw_job_busy();

// A start (replies with the first snapshot, or an error) or an allow (no reply: 0).
FW_EXPORT int fw_job_run(int len) {
    if (len < 0 || size_t(len) != g_in.size()) g_in.resize(0);
    uint32_t magic = 0;
    jobs::JobKind kind{};
    g_out.clear();
    if (!jobs::peek_job(g_in, &magic, &kind)) {
        g_out = jobs::encode_job_error("job message: too short");
    } else if (magic == jobs::kJobAllow) {
        jobs::ByteReader r(g_in, 4);
        uint32_t allow = 0;
        float ms = 0;
        if (!r.get(&allow) || !r.get(&ms) || !r.done() || !(ms >= 0 && ms <= 1000)) {
            g_out = jobs::encode_job_error("job message: a bad allow");
        } else {
            const bool was_busy = fw_job_busy();
            g_allow = allow == jobs::kAllowOneMore ? std::max(g_allow, g_chunk) + 1 : allow;   // Steps add up
            g_chunk_ms = ms;
            // Held between two chunks: the last snapshot may lack the weights, so send them.
            if (was_busy && !fw_job_busy() && g_job && !g_job->done()) g_out = g_job->snapshot(g_chunk, true);
        }
    } else if (magic == jobs::kJobStart) {
        std::string err;
        g_job = jobs::start_long_job(g_in, &err);
        g_chunk = g_allow = 0;
        g_chunk_ms = jobs::kChunkMs;
        g_out = g_job ? g_job->snapshot(0, false) : jobs::encode_job_error(err);
    } else {
        g_out = jobs::encode_job_error("job message: unknown");
    }
    return int(g_out.size());
}

FW_EXPORT int fw_job_busy() { return g_job && !g_job->done() && g_chunk < g_allow; }

// One chunk of the job and its snapshot (with the weights when the page has allowed no
// more chunks yet, so a paused job can be used as it is).
FW_EXPORT int fw_job_step() {
    g_out.clear();
    if (!fw_job_busy()) return 0;
    g_job->run_chunk(g_chunk_ms);
    ++g_chunk;
    g_out = g_job->snapshot(g_chunk, g_chunk >= g_allow);
    return int(g_out.size());
}

FW_EXPORT const char* fw_job_reply() { return g_out.data(); }
