// worker_job.hpp: the page's end of one long job (core/jobs_long.hpp) in a worker of
// its own (platform::job_*), with the flow control: while the reader watches and the
// job plays, grant() lets the worker run a few chunks ahead of what the page has
// received; hold() (Pause, or the reader left and nothing calls grant) lets it stop
// within a chunk or two, so a job nobody looks at costs nothing.
#pragma once
#include <cstdint>
#include <string>

namespace factlab {

class WorkerJob {
public:
    // Starts the job's worker; false where no worker can start (run the job sliced).
    bool start(int slot, const std::string& bytes);
    void stop();                                  // cancel: ends the worker
    bool on() const { return slot_ >= 0; }
    void grant(uint32_t ahead = 3);
    void hold();
    // One atomic unit of work (one Adam step) past what the page has received, then
    // held: a paused run's Step. hold() leaves it be until its snapshot is in.
    void step_once();
    // Once per frame that shows the job: stop when it is over, grant while it plays, else hold.
    void pace(bool over, bool playing);
    // The next reply in order (a snapshot or an error); false when none waits.
    bool next(std::string* bytes);
    // Non-empty once the worker could not load or stopped (then stop() and run on the page).
    std::string failed() const;

private:
    int slot_ = -1;
    uint32_t received_ = 0, allowed_ = 0;
    bool single_ = false;         // a step_once() is on its way
    uint32_t step_after_ = 0;     // what had been received when it was asked
};

}  // namespace factlab
