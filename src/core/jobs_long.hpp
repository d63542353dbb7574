// jobs_long.hpp: long jobs (a transformer's training, the capacity sweep, the learned
// block's training and the interference series) that run
// whole in a Web Worker and report snapshots, or sliced on the page thread.
//
// A long job is bytes in, bytes out, so a worker that shares no memory with the
// page can run it (jobs.hpp explains why: no SharedArrayBuffer). The same C++ runs
// on both sides, and the job itself (GptTrainJob, CapacityJob, BlockTrainJob,
// InterferenceJob) is the same object
// whichever side runs it, so a job gives the same numbers in a worker and sliced on
// the page: its steps are atomic and its measurements fall at fixed steps, never at
// a time.
//
//   page -> worker   start:   "FLJ1", kind, the job's spec (encode_gpt_job, encode_capacity_job)
//   page -> worker   allow:   "FLJC", chunk count, chunk ms: the worker runs chunks of about
//                             that many ms (0: one atomic unit) while it has done fewer
//   worker -> page   snapshot "FLJ2", kind, chunk, the job's progress (and weights at times)
//   worker -> page   error    "FLJ3", message
//
// Flow control by "allow": the page grants a few chunks ahead each frame it shows
// the job; a reader who leaves the view (or presses Pause) stops granting, and the
// worker idles within a few chunks. The last allowed chunk's snapshot carries the
// weights, so a paused job can still be used. Cancelling ends the worker.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace factlab::jobs {

constexpr uint32_t kJobStart = 0x314a4c46;      // "FLJ1"
constexpr uint32_t kJobSnapshot = 0x324a4c46;   // "FLJ2"
constexpr uint32_t kJobError = 0x334a4c46;      // "FLJ3"
constexpr uint32_t kJobAllow = 0x434a4c46;      // "FLJC"

enum class JobKind : uint32_t { gpt_train = 1, capacity = 2, block_train = 3, interference = 4 };

// ---- bytes ---------------------------------------------------------------------------
// Both ends are the same wasm, so fixed-size fields are copied as they are; every read
// is bounds-checked and every count bounded before anything is allocated.
struct ByteWriter {
    std::string s;
    template <class T> void put(const T& v) { s.append(reinterpret_cast<const char*>(&v), sizeof v); }
    template <class T> void put_vec(const std::vector<T>& v) {
        put(uint32_t(v.size()));
        if (!v.empty()) s.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
    }
    void put_str(const std::string& t) { put(uint32_t(t.size())); s += t; }
};

struct ByteReader {
    const std::string& s;
    size_t at = 0;
    bool ok = true;
    explicit ByteReader(const std::string& bytes, size_t start = 0) : s(bytes), at(start) {}
    template <class T> bool get(T* v) {
        if (!ok || at > s.size() || s.size() - at < sizeof(T)) return ok = false;
        std::memcpy(v, s.data() + at, sizeof(T));
        at += sizeof(T);
        return true;
    }
    // At most `max` elements.
    template <class T> bool get_vec(std::vector<T>* v, uint32_t max) {
        uint32_t n = 0;
        if (!get(&n) || n > max || (s.size() - at) / sizeof(T) < n) return ok = false;
        v->resize(n);
        if (n) std::memcpy(v->data(), s.data() + at, size_t(n) * sizeof(T));
        at += size_t(n) * sizeof(T);
        return true;
    }
    bool get_str(std::string* t, uint32_t max) {
        uint32_t n = 0;
        if (!get(&n) || n > max || s.size() - at < n) return ok = false;
        t->assign(s.data() + at, n);
        at += n;
        return true;
    }
    bool done() const { return ok && at == s.size(); }
};

// ---- messages ------------------------------------------------------------------------
// A start's or a snapshot's head: its magic word and its kind. get_head: false (r->ok
// false) when the message is short or another one.
void put_head(ByteWriter* w, uint32_t magic, JobKind kind);
bool get_head(ByteReader* r, uint32_t magic, JobKind kind);
// An allow of this count means one chunk past those done (a paused run's Step), whatever
// the page has received so far.
constexpr uint32_t kAllowOneMore = 0xffffffffu;
constexpr float kChunkMs = 100;   // a chunk's work: a snapshot about ten times a second
std::string encode_allow(uint32_t chunks, float chunk_ms = kChunkMs);
std::string encode_job_error(const std::string& message);
// The head of a message: its magic word and (for a start or a snapshot) its kind.
bool peek_job(const std::string& bytes, uint32_t* magic, JobKind* kind);
// A snapshot's chunk number (the page counts them to grant more), or false.
bool snapshot_chunk(const std::string& bytes, uint32_t* chunk);
// An error message's text, or false when `bytes` is not one.
bool job_error_text(const std::string& bytes, std::string* text);

// A job as the worker runs it: started from its bytes, then chunk by chunk.
class LongJob {
public:
    virtual ~LongJob() = default;
    // About `ms` of work (at least one atomic unit); false once the job is over.
    virtual bool run_chunk(double ms) = 0;
    virtual bool done() const = 0;
    // The snapshot message after chunk `chunk`; with_weights: the weights too.
    virtual std::string snapshot(uint32_t chunk, bool with_weights) const = 0;
};
// Decodes a start message into its job; null with a message when the bytes are bad.
std::unique_ptr<LongJob> start_long_job(const std::string& bytes, std::string* err);

}  // namespace factlab::jobs
