// snapshot.hpp: a finished superposition run, small enough to ship with the page.
//
// A long run (the video's 10,000 × 100 × 250 steps takes minutes in a browser)
// is embedded at its finished state: the statistics of the starting vectors and
// of the final ones (histograms, worst pair, limits), the worst pair measured
// every few steps, and the loss per step. No vectors (4 MB): the page shows the
// numbers and replays the run live on request. Written by
// `factlab-cli superpose ... --snapshot FILE` from a real run (docs/superpose.md);
// read back by the page (src/core/data/snapshots/*.txt, embedded in the binary).
//
// Format: UTF-8 text, one record a line, "name value…", numbers as %.9g
// (floats round-trip). Read with bounds: a malformed file gives a message.
#pragma once
#include <string>
#include <utility>
#include <vector>
#include "core/superpose/superpose.hpp"

namespace factlab {

struct SuperposeSnapshot {
    SuperposeConfig config;                   // n, d, loss, lr, steps, seed (the rest: defaults)
    std::string command;                      // the command that made it
    double seconds = 0;                       // wall time of the run that made it
    int threads = 1;
    SuperposeStats first, last;               // step 0 and the final step (no hist_fine, no pairs)
    std::vector<std::pair<int, double>> worst;   // (step, worst angle in [0, 90])
    std::vector<float> loss;                  // loss at the start of each step
};

std::string snapshot_encode(const SuperposeSnapshot& s);
bool snapshot_decode(const std::string& text, SuperposeSnapshot* out, std::string* err);
// The key a run's config is matched by (n/d/loss/lr/steps/seed): a snapshot stands
// in for a run only when the reader asked for exactly that run.
std::string snapshot_key(const SuperposeConfig& c);

}  // namespace factlab
