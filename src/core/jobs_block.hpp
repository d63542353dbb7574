// jobs_block.hpp: the capacity lab's learned-storage training and its interference
// series as long jobs (jobs_long.hpp): the page runs them in a worker of their own,
// or sliced on the page thread where no worker starts.
//
// Both specs carry the facts as (subject, relation, object) strings: make_fact_set
// builds the same FactSet from them on either side, so the worker needs no parser.
//   block training:  TrainConfig + facts          -> TrainerState + the MLP's weights
//   interference:    widths, TrainConfig, facts   -> the points so far, progress
// Adam steps are atomic and every measurement falls at a fixed step, so a job gives
// the page thread's numbers bit for bit however it is sliced (tests/core/test_jobs_long.cpp).
#pragma once
#include <string>
#include <vector>
#include "core/block/capacity.hpp"
#include "core/block/train.hpp"
#include "core/jobs_long.hpp"

namespace factlab {

// The TrainConfig's fields in a fixed order (the capacity job's spec uses it too).
void put_train_config(jobs::ByteWriter* w, const TrainConfig& t);
// Reads what put_train_config wrote; false on a short message or an unknown enum value.
bool get_train_config(jobs::ByteReader* r, TrainConfig* t);

// ---- learned storage ------------------------------------------------------------------
class BlockTrainJob : public jobs::LongJob {
public:
    bool start(const TrainConfig& cfg, const FactSet& fs, std::string* err) { return trainer_.reset(cfg, fs, err); }
    bool start_from(const std::string& bytes, std::string* err);
    bool run_chunk(double ms) override;          // whole Adam steps until ms have passed
    bool done() const override { return trainer_.done(); }
    std::string snapshot(uint32_t chunk, bool with_weights) const override;
    const Trainer& trainer() const { return trainer_; }

private:
    Trainer trainer_;
};

std::string encode_block_train_job(const TrainConfig& cfg, const FactSet& fs);
bool decode_block_train_job(const std::string& bytes, TrainConfig* cfg, FactSet* fs, std::string* err);
// A snapshot's progress into *state and its weights into *w when it has them (*has_weights).
bool decode_block_train_snapshot(const std::string& bytes, TrainerState* state, Mlp* w, bool* has_weights,
                                 std::string* err);
// FNV-1a of W_up, b_up, W_down and b_down's bytes (tests compare runs with it).
uint64_t mlp_weights_hash(const Mlp& m);

// ---- interference -----------------------------------------------------------------------
struct InterferenceSpec {
    std::vector<int> ds;
    TrainConfig learned;
    bool with_learned = true;
};

struct InterferenceSnapshot {
    std::vector<InterferencePoint> points;
    double progress = 0;
    bool done = false;
};

class InterferenceJob : public jobs::LongJob {
public:
    bool start(const InterferenceSpec& s, const FactSet& fs, std::string* err) {
        return sweep_.reset(fs, s.ds, s.learned, s.with_learned, err);
    }
    bool start_from(const std::string& bytes, std::string* err);
    bool run_chunk(double ms) override;
    bool done() const override { return sweep_.done(); }
    std::string snapshot(uint32_t chunk, bool with_weights) const override;

private:
    InterferenceSweep sweep_;
};

std::string encode_interference_job(const InterferenceSpec& s, const FactSet& fs);
bool decode_interference_job(const std::string& bytes, InterferenceSpec* s, FactSet* fs, std::string* err);
bool decode_interference_snapshot(const std::string& bytes, InterferenceSnapshot* out, std::string* err);
// FNV-1a of every point's numbers except its time.
uint64_t interference_hash(const std::vector<InterferencePoint>& points);

}  // namespace factlab
