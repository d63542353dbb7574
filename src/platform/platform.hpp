// platform.hpp: what the UI may ask of the platform (browser page or desktop).
// Implemented in src/platform/platform_web.cpp and platform_native.cpp; the UI
// never sees #ifdef __EMSCRIPTEN__.
#pragma once
#include <cstddef>
#include <string>

namespace factlab::platform {

bool is_web();
// The page's query string without '?' (embed=1&view=...); empty natively.
std::string query_string();
// Writes the shareable state into the URL hash (replaceState: no history spam).
void set_url_hash(const std::string& hash);
// The full shareable link / iframe snippet base for the current page.
std::string page_url();
// Clipboard: the page uses navigator.clipboard (needs the click's user gesture).
void copy_to_clipboard(const std::string& text);
// Saves bytes as a file: a download on the page, a file in the working folder natively.
// Returns a message for the user ("saved to ...").
std::string save_file(const std::string& name, const std::string& bytes, const char* mime);
// Opens a file picker (page) for a facts CSV; the result arrives through the
// same path as a dropped file (App::on_file_dropped). No-op natively.
void open_file_picker();
// Tells a host page (iframe parent) that the state changed: postMessage.
void post_to_host(const std::string& json);
// Preferences the page reads from the browser (kept current by the page: cheap
// enough to call every frame). Views with animations check the second and
// jump to the end state instead of animating.
bool prefers_dark();
bool prefers_reduced_motion();
double now_ms();   // monotonic clock in milliseconds
// A job running in frames (or waiting on a worker) wants the next frame too: an
// idle page draws nothing, so views that change without input call this each frame.
void keep_awake();
// A job that waits on workers wants a frame at least this often (ms), not every
// frame: their replies and the reader's input wake the page at once anyway.
// While it asks, frames with the same picture are not painted (host::render_frame).
void wake_within(double ms);
// The page paints a frame only when its picture changed, judged by a hash of the
// draw lists. What the draw lists cannot show must be told: a texture whose pixels
// changed calls repaint(); a draw callback's parameters go in through frame_key.
void repaint();
void frame_key(const void* bytes, size_t n);
// Web Workers, each running the core-only module (src/worker, web/factlab-worker.js).
// worker_count() is 0 natively, where the page cannot start them (no Worker,
// ?workers=0), and for good once one failed (worker_error() says why): the jobs
// then run sliced on the page thread. Messages are bytes (core/jobs.hpp).
int worker_count();
// The reply comes back through worker_take. Each request names the largest reply it
// expects (bytes); a reply over it is refused before it is copied, and worker k is
// then treated as failed (worker_error() says why). 0: at most 1 MB.
void worker_post(int k, const std::string& bytes, size_t reply_cap = 0);
bool worker_take(int k, std::string* bytes);           // the oldest reply of worker k, if any
std::string worker_error();
// Long jobs (core/jobs_long.hpp: a transformer's training, the capacity sweep), each
// whole in a worker of its own (slot 0..7; not the share pool above). job_start is
// false where no worker can start (natively, ?workers=0, no Worker): the job then
// runs sliced on the page thread. Replies come in order through job_take; a worker
// that could not load or stopped leaves a message in job_failed. job_stop ends the
// worker at once (cancel: the reader changed the settings or started again).
bool job_start(int slot, const std::string& bytes);
bool jobs_may_start();   // false where job_start never can (the desktop): no need to wait for one
void job_post(int slot, const std::string& bytes);
bool job_take(int slot, std::string* bytes);
std::string job_failed(int slot);
void job_stop(int slot);
// Native threads a job may split its steps over: the desktop's --threads N (default
// every core); 1 on the page, whose steps split over workers instead.
int threads();
// Bumps when the GL context was lost and restored: panels that own GL objects
// (textures, shaders) compare it with the generation they were made in.
unsigned gl_generation();
void bump_gl_generation();

}  // namespace factlab::platform
