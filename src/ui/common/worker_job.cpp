// worker_job.cpp: see worker_job.hpp.
#include "ui/common/worker_job.hpp"

#include <algorithm>
#include "core/jobs_long.hpp"
#include "platform/platform.hpp"

namespace factlab {

bool WorkerJob::start(int slot, const std::string& bytes) {
    stop();
    received_ = allowed_ = 0;
    single_ = false;
    if (!platform::job_start(slot, bytes)) return false;
    slot_ = slot;
    return true;
}

void WorkerJob::stop() {
    if (slot_ >= 0) platform::job_stop(slot_);
    slot_ = -1;
}

void WorkerJob::grant(uint32_t ahead) {
    if (slot_ < 0 || (!single_ && received_ + ahead <= allowed_)) return;
    single_ = false;
    allowed_ = received_ + ahead;
    platform::job_post(slot_, jobs::encode_allow(allowed_));
}

void WorkerJob::hold() {
    if (slot_ < 0 || single_ || allowed_ <= received_) return;
    allowed_ = received_;
    platform::job_post(slot_, jobs::encode_allow(allowed_));
}

void WorkerJob::pace(bool over, bool playing) {
    if (over) stop();
    else if (playing) grant();
    else hold();
}

void WorkerJob::step_once() {
    if (slot_ < 0) return;
    // Relative to what the worker has done (chunks may still be on their way here): one
    // chunk of 0 ms, one unit. hold() waits until a snapshot newer than now is in.
    single_ = true;
    step_after_ = received_;
    allowed_ = std::max(allowed_, received_) + 1;
    platform::job_post(slot_, jobs::encode_allow(jobs::kAllowOneMore, 0));
}

bool WorkerJob::next(std::string* bytes) {
    if (slot_ < 0 || !platform::job_take(slot_, bytes)) return false;
    uint32_t chunk = 0;
    if (jobs::snapshot_chunk(*bytes, &chunk) && chunk > received_) received_ = chunk;
    if (received_ > step_after_) single_ = false;
    return true;
}

std::string WorkerJob::failed() const { return slot_ >= 0 ? platform::job_failed(slot_) : std::string(); }

}  // namespace factlab
