// jobs_gpt.hpp: training a fresh transformer as one long job (jobs_long.hpp): the
// page's train view runs it in a worker, or sliced on the page thread.
//
// The spec is what GptTrainer needs and no more: the model's config, the training
// config and every prompt as token ids (held-out ones too, for the accuracy curve).
// The job trains on the prompts of the training templates (gpt_training_sequences)
// with GptTrainer, exactly as `factlab-cli gpt train` does, and measures the share of
// prompts known (gpt_evaluate) every `acc_every` steps and at the end. With the
// built-in recipe and facts it trains the built-in model bit for bit.
#pragma once
#include <string>
#include <vector>
#include "core/gpt/prompts.hpp"
#include "core/gpt/train.hpp"
#include "core/jobs_long.hpp"

namespace factlab {

struct GptTrainJobSpec {
    GptConfig model;
    GptTrainConfig train;              // threads are ignored: one thread, wherever it runs
    int acc_every = 25;                // steps between accuracy measurements
    bool round_fp16 = true;            // the recipe's last step: weights rounded to float16 values
    std::vector<GptPrompt> prompts;    // only tokens, answer and held_out travel
};

struct GptTrainProgress {
    int steps_done = 0, steps_total = 0;
    std::vector<float> losses;                        // (steps_done) mean loss per step
    std::vector<float> acc_steps, acc_train, acc_held;  // accuracy curve: step, shares known
    int train_prompts = 0, held_prompts = 0;
    double work_ms = 0;                               // computing time so far
    bool done = false;
    std::string error;
};

class GptTrainJob : public jobs::LongJob {
public:
    bool start(const GptTrainJobSpec& spec, std::string* err);
    bool start_from(const std::string& bytes, std::string* err);   // decode_gpt_job, then start
    bool run_chunk(double ms) override;               // steps until ms passed or an accuracy point
    bool done() const override { return progress_.done; }
    std::string snapshot(uint32_t chunk, bool with_weights) const override;
    const GptTrainProgress& progress() const { return progress_; }
    // The weights so far; after the last step, rounded as the spec says.
    const GptWeights& weights() const { return final_ ? final_w_ : trainer_.weights(); }

private:
    void measure();
    GptTrainJobSpec spec_;
    GptTrainer trainer_;
    GptTrainProgress progress_;
    GptWeights final_w_;
    bool final_ = false;
};

std::string encode_gpt_job(const GptTrainJobSpec& spec);
bool decode_gpt_job(const std::string& bytes, GptTrainJobSpec* spec, std::string* err);
// A snapshot into *progress, and its weights into *w (resized to `config`) when it has them.
bool decode_gpt_snapshot(const std::string& bytes, const GptConfig& config, GptTrainProgress* progress,
                         GptWeights* w, bool* has_weights, std::string* err);

// FNV-1a of every weight's bytes in checkpoint order (tests compare runs with it).
uint64_t gpt_weights_hash(const GptWeights& w);

}  // namespace factlab
