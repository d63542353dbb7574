// jobs_long.cpp: see jobs_long.hpp.
#include "core/jobs_long.hpp"

#include "core/jobs_block.hpp"
#include "core/jobs_capacity.hpp"
#include "core/jobs_gpt.hpp"

namespace factlab::jobs {

std::string encode_allow(uint32_t chunks, float chunk_ms) {
    ByteWriter w;
    w.put(kJobAllow);
    w.put(chunks);
    w.put(chunk_ms);
    return std::move(w.s);
}

std::string encode_job_error(const std::string& message) {
    ByteWriter w;
    w.put(kJobError);
    w.s += message.substr(0, 500);
    return std::move(w.s);
}

void put_head(ByteWriter* w, uint32_t magic, JobKind kind) {
    w->put(magic);
    w->put(uint32_t(kind));
}

bool get_head(ByteReader* r, uint32_t magic, JobKind kind) {
    uint32_t m = 0, k = 0;
    r->get(&m);
    r->get(&k);
    if (m != magic || k != uint32_t(kind)) r->ok = false;
    return r->ok;
}

bool peek_job(const std::string& bytes, uint32_t* magic, JobKind* kind) {
    ByteReader r(bytes);
    uint32_t k = 0;
    if (!r.get(magic)) return false;
    if (*magic == kJobStart || *magic == kJobSnapshot) {
        if (!r.get(&k)) return false;
        *kind = JobKind(k);
    }
    return true;
}

bool snapshot_chunk(const std::string& bytes, uint32_t* chunk) {
    ByteReader r(bytes);
    uint32_t magic = 0, kind = 0;
    return r.get(&magic) && magic == kJobSnapshot && r.get(&kind) && r.get(chunk);
}

bool job_error_text(const std::string& bytes, std::string* text) {
    uint32_t magic = 0;
    if (bytes.size() < 4) return false;
    std::memcpy(&magic, bytes.data(), 4);
    if (magic != kJobError) return false;
    *text = bytes.substr(4);
    return true;
}

// Every job decodes its own start message (start_from): null with a message when it cannot.
template <class Job> std::unique_ptr<LongJob> started(const std::string& bytes, std::string* err) {
    auto job = std::make_unique<Job>();
    if (!job->start_from(bytes, err)) return nullptr;
    return job;
}

std::unique_ptr<LongJob> start_long_job(const std::string& bytes, std::string* err) {
    uint32_t magic = 0;
    JobKind kind{};
    if (!peek_job(bytes, &magic, &kind) || magic != kJobStart) { *err = "not a job"; return nullptr; }
    switch (kind) {
        case JobKind::gpt_train: return started<GptTrainJob>(bytes, err);
        case JobKind::capacity: return started<CapacityJob>(bytes, err);
        case JobKind::block_train: return started<BlockTrainJob>(bytes, err);
        case JobKind::interference: return started<InterferenceJob>(bytes, err);
    }
    *err = "unknown job kind";
    return nullptr;
}

}  // namespace factlab::jobs
