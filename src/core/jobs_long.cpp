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

std::unique_ptr<LongJob> start_long_job(const std::string& bytes, std::string* err) {
    uint32_t magic = 0;
    JobKind kind{};
    if (!peek_job(bytes, &magic, &kind) || magic != kJobStart) { *err = "not a job"; return nullptr; }
    if (kind == JobKind::gpt_train) {
        GptTrainJobSpec spec;
        auto job = std::make_unique<GptTrainJob>();
        if (!decode_gpt_job(bytes, &spec, err) || !job->start(spec, err)) return nullptr;
        return job;
    }
    if (kind == JobKind::capacity) {
        CapacityConfig cfg;
        auto job = std::make_unique<CapacityJob>();
        if (!decode_capacity_job(bytes, &cfg, err) || !job->start(cfg, err)) return nullptr;
        return job;
    }
    if (kind == JobKind::block_train) {
        TrainConfig cfg;
        FactSet fs;
        auto job = std::make_unique<BlockTrainJob>();
        if (!decode_block_train_job(bytes, &cfg, &fs, err) || !job->start(cfg, fs, err)) return nullptr;
        return job;
    }
    if (kind == JobKind::interference) {
        InterferenceSpec spec;
        FactSet fs;
        auto job = std::make_unique<InterferenceJob>();
        if (!decode_interference_job(bytes, &spec, &fs, err) || !job->start(spec, fs, err)) return nullptr;
        return job;
    }
    *err = "unknown job kind";
    return nullptr;
}

}  // namespace factlab::jobs
