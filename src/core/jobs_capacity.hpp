// jobs_capacity.hpp: the capacity sweep (block/capacity.hpp) as one long job
// (jobs_long.hpp): the capacity view runs it in a worker, or sliced on the page.
//
// The spec is the CapacityConfig; a snapshot is what the view draws (every size's
// runs so far, the progress bar, the status line). The sweep's steps are whole Adam
// steps and its decisions depend on accuracies only, so the same config gives the
// same runs wherever and however finely it is sliced (only `seconds` differ).
#pragma once
#include <string>
#include <vector>
#include "core/block/capacity.hpp"
#include "core/jobs_long.hpp"

namespace factlab {

struct CapacitySnapshot {
    std::vector<CapacityResult> results;
    double progress = 0;          // 0..1
    std::string status;           // CapacitySweep::status()
    double seconds = 0;           // computing time so far
    bool done = false;
    std::string error;
};
CapacitySnapshot capacity_snapshot_of(const CapacitySweep& s);

class CapacityJob : public jobs::LongJob {
public:
    bool start(const CapacityConfig& cfg, std::string* err) { return sweep_.reset(cfg, err); }
    bool start_from(const std::string& bytes, std::string* err);   // decode_capacity_job, then start
    bool run_chunk(double ms) override;
    bool done() const override { return sweep_.done(); }
    std::string snapshot(uint32_t chunk, bool with_weights) const override;
    const CapacitySweep& sweep() const { return sweep_; }

private:
    CapacitySweep sweep_;
};

std::string encode_capacity_job(const CapacityConfig& cfg);
bool decode_capacity_job(const std::string& bytes, CapacityConfig* cfg, std::string* err);
bool decode_capacity_snapshot(const std::string& bytes, CapacitySnapshot* out, std::string* err);
// FNV-1a of every run's numbers except its time (tests compare runs with it).
uint64_t capacity_results_hash(const std::vector<CapacityResult>& results);

}  // namespace factlab
