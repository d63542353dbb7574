// view_sphere.cpp: N directions in 3-D, on a sphere the reader can turn.
//
// Only 3 directions are exactly perpendicular in 3-D; a 4th must lean (70.5° at
// best), and the more there are the smaller the worst angle. The same core
// optimiser (worst-pair loss) spreads them; the read-out shows the worst pair,
// and a table of the best worst angle for N = 2..16 (measured in the background)
// says how many fit within 10° of 90° (80°) or within 30° (60°).
//
// [SECTION] Matrices     column-major 4×4, camera looking at the origin
// [SECTION] GL           three programs from shaders/sphere_*.glsl, an offscreen
//                        framebuffer (colour texture + depth), recreated after a
//                        lost WebGL context (platform::gl_generation)
// [SECTION] View         drag to rotate, hover a ball, controls and read-outs
//
// URL state: sp3_n (N), sp3_seed (the random start).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <imgui.h>
#include "ui/common/gl_program.hpp"
#include "platform/platform.hpp"
#include "ui/common/app.hpp"
#include "ui/common/labui.hpp"
#include "ui/common/plot.hpp"
#include "ui/superposition/superlab.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"

extern const unsigned char shader_sphere_ball_vs[];
extern const unsigned char shader_sphere_ball_fs[];
extern const unsigned char shader_sphere_shell_vs[];
extern const unsigned char shader_sphere_shell_fs[];
extern const unsigned char shader_sphere_line_vs[];
extern const unsigned char shader_sphere_line_fs[];

namespace factlab {
namespace {

constexpr float kPi = 3.14159265358979f;
constexpr float kCameraDistance = 3.3f;

//-----------------------------------------------------------------------------
// [SECTION] Matrices
//-----------------------------------------------------------------------------
struct M4 { float m[16]; };   // column-major: m[col * 4 + row]

M4 mul(const M4& a, const M4& b) {
    M4 r{};
    for (int c = 0; c < 4; ++c)
        for (int rr = 0; rr < 4; ++rr) {
            float s = 0;
            for (int k = 0; k < 4; ++k) s += a.m[k * 4 + rr] * b.m[c * 4 + k];
            r.m[c * 4 + rr] = s;
        }
    return r;
}

// Turn by yaw about y, then pitch about x, then step back from the origin.
M4 view_matrix(float yaw, float pitch) {
    float cy = std::cos(yaw), sy = std::sin(yaw), cp = std::cos(pitch), sp = std::sin(pitch);
    M4 ry = {{cy, 0, -sy, 0, 0, 1, 0, 0, sy, 0, cy, 0, 0, 0, 0, 1}};
    M4 rx = {{1, 0, 0, 0, 0, cp, sp, 0, 0, -sp, cp, 0, 0, 0, 0, 1}};
    M4 t = {{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, -kCameraDistance, 1}};
    return mul(t, mul(rx, ry));
}

M4 perspective(float fovy, float aspect, float zn, float zf) {
    float f = 1.0f / std::tan(fovy / 2);
    M4 p{};
    p.m[0] = f / aspect;
    p.m[5] = f;
    p.m[10] = (zf + zn) / (zn - zf);
    p.m[11] = -1;
    p.m[14] = 2 * zf * zn / (zn - zf);
    return p;
}

// Clip-space position of a point.
void transform(const M4& a, const float v[3], float out[4]) {
    for (int r = 0; r < 4; ++r) out[r] = a.m[r] * v[0] + a.m[4 + r] * v[1] + a.m[8 + r] * v[2] + a.m[12 + r];
}

//-----------------------------------------------------------------------------
// [SECTION] GL
//-----------------------------------------------------------------------------
struct Gpu {
    unsigned generation = ~0u;
    bool failed = false;
    GLuint ball = 0, shell = 0, line = 0;       // programs
    GLuint vao_ball = 0, vao_line = 0, vao_empty = 0;
    GLuint vbo_corner = 0, vbo_inst = 0, vbo_line = 0;
    GLuint fbo = 0, color = 0, depth = 0;
    int fw = 0, fh = 0;                         // framebuffer size
    uint64_t drawn = 0;                         // the scene the texture holds (0: none)
} g;

bool ensure_gpu() {
    if (g.generation == platform::gl_generation()) return !g.failed;
    g = Gpu{};   // names from a lost context are gone with it
    g.generation = platform::gl_generation();
    g.ball = gl_program("sphere balls", shader_sphere_ball_vs, shader_sphere_ball_fs);
    g.shell = gl_program("sphere shell", shader_sphere_shell_vs, shader_sphere_shell_fs);
    g.line = gl_program("sphere lines", shader_sphere_line_vs, shader_sphere_line_fs);
    if (!g.ball || !g.shell || !g.line) { g.failed = true; return false; }
    static const float corners[8] = {-1, -1, 1, -1, -1, 1, 1, 1};
    glGenVertexArrays(1, &g.vao_ball);
    glGenVertexArrays(1, &g.vao_line);
    glGenVertexArrays(1, &g.vao_empty);
    glGenBuffers(1, &g.vbo_corner);
    glGenBuffers(1, &g.vbo_inst);
    glGenBuffers(1, &g.vbo_line);
    glBindVertexArray(g.vao_ball);
    glBindBuffer(GL_ARRAY_BUFFER, g.vbo_corner);
    glBufferData(GL_ARRAY_BUFFER, sizeof corners, corners, GL_STATIC_DRAW);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
    glBindBuffer(GL_ARRAY_BUFFER, g.vbo_inst);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 3, GL_FLOAT, GL_FALSE, 7 * sizeof(float), nullptr);
    glVertexAttribDivisor(1, 1);
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 4, GL_FLOAT, GL_FALSE, 7 * sizeof(float), reinterpret_cast<void*>(3 * sizeof(float)));
    glVertexAttribDivisor(2, 1);
    glBindVertexArray(g.vao_line);
    glBindBuffer(GL_ARRAY_BUFFER, g.vbo_line);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 0, nullptr);
    glBindVertexArray(0);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    return true;
}

bool ensure_framebuffer(int w, int h) {
    if (g.fbo && g.fw == w && g.fh == h) return true;
    if (!g.fbo) {
        glGenFramebuffers(1, &g.fbo);
        glGenTextures(1, &g.color);
        glGenRenderbuffers(1, &g.depth);
    }
    glBindTexture(GL_TEXTURE_2D, g.color);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glBindRenderbuffer(GL_RENDERBUFFER, g.depth);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH_COMPONENT24, w, h);
    glBindFramebuffer(GL_FRAMEBUFFER, g.fbo);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, g.color, 0);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, g.depth);
    bool ok = glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glBindTexture(GL_TEXTURE_2D, 0);
    glBindRenderbuffer(GL_RENDERBUFFER, 0);
    g.fw = w;
    g.fh = h;
    g.drawn = 0;
    if (!ok) g.failed = true;
    return ok;
}

void rgba(ImU32 c, float* out) {
    ImVec4 v = ImGui::ColorConvertU32ToFloat4(c);
    out[0] = v.x; out[1] = v.y; out[2] = v.z; out[3] = v.w;
}

// Renders the scene into the framebuffer texture. tips: (N, 3) unit vectors.
void render(const std::vector<float>& tips, const std::vector<ImU32>& colors, const M4& view, const M4& proj,
            float radius, bool lines_through) {
    const int n = int(tips.size() / 3);
    GLint old_viewport[4];
    glGetIntegerv(GL_VIEWPORT, old_viewport);
    platform::repaint();   // the texture the panel shows changes; its draw lists do not
    glBindFramebuffer(GL_FRAMEBUFFER, g.fbo);
    glViewport(0, 0, g.fw, g.fh);
    glDisable(GL_SCISSOR_TEST);
    ImVec4 bg = ImGui::GetStyleColorVec4(ImGuiCol_WindowBg);
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    glDepthMask(GL_TRUE);   // the clear depth stays at its default, 1
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    glEnable(GL_DEPTH_TEST);
    glDepthFunc(GL_LEQUAL);
    glEnable(GL_BLEND);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    glDisable(GL_CULL_FACE);

    // Lines: three great circles, and the line through each vector and its opposite.
    std::vector<float> pts;
    const int seg = 96;
    for (int axis = 0; axis < 3; ++axis)
        for (int i = 0; i < seg; ++i)
            for (int k = 0; k < 2; ++k) {
                float t = 2 * kPi * float(i + k) / seg, c = std::cos(t), s = std::sin(t);
                float p[3] = {0, 0, 0};
                p[(axis + 1) % 3] = c;
                p[(axis + 2) % 3] = s;
                pts.insert(pts.end(), p, p + 3);
            }
    int circle_verts = int(pts.size() / 3);
    if (lines_through)
        for (int i = 0; i < n; ++i) {
            const float* v = &tips[size_t(i) * 3];
            float a[3] = {-v[0], -v[1], -v[2]};
            pts.insert(pts.end(), a, a + 3);
            pts.insert(pts.end(), v, v + 3);
        }
    glUseProgram(g.line);
    glUniformMatrix4fv(glGetUniformLocation(g.line, "u_view"), 1, GL_FALSE, view.m);
    glUniformMatrix4fv(glGetUniformLocation(g.line, "u_proj"), 1, GL_FALSE, proj.m);
    GLint u_color = glGetUniformLocation(g.line, "u_color");
    glBindVertexArray(g.vao_line);
    glBindBuffer(GL_ARRAY_BUFFER, g.vbo_line);
    glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(pts.size() * sizeof(float)), pts.data(), GL_STREAM_DRAW);
    glDepthMask(GL_FALSE);
    float c[4];
    rgba(theme::with_alpha(theme::text(), 0.22f), c);
    glUniform4fv(u_color, 1, c);
    glDrawArrays(GL_LINES, 0, circle_verts);
    if (lines_through) {
        rgba(theme::with_alpha(theme::data(), 0.45f), c);
        glUniform4fv(u_color, 1, c);
        glDrawArrays(GL_LINES, circle_verts, n * 2);
    }

    // Balls, opaque, with depth.
    std::vector<float> inst;
    inst.reserve(size_t(n) * 7);
    for (int i = 0; i < n; ++i) {
        inst.insert(inst.end(), &tips[size_t(i) * 3], &tips[size_t(i) * 3] + 3);
        float col[4];
        rgba(colors[size_t(i)], col);
        inst.insert(inst.end(), col, col + 4);
    }
    glDepthMask(GL_TRUE);
    glUseProgram(g.ball);
    glUniformMatrix4fv(glGetUniformLocation(g.ball, "u_view"), 1, GL_FALSE, view.m);
    glUniformMatrix4fv(glGetUniformLocation(g.ball, "u_proj"), 1, GL_FALSE, proj.m);
    glUniform1f(glGetUniformLocation(g.ball, "u_radius"), radius);
    glBindVertexArray(g.vao_ball);
    glBindBuffer(GL_ARRAY_BUFFER, g.vbo_inst);
    glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(inst.size() * sizeof(float)), inst.data(), GL_STREAM_DRAW);
    glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, n);

    // The translucent sphere last: it veils what lies behind its front surface.
    glDepthMask(GL_FALSE);
    glUseProgram(g.shell);
    glUniformMatrix4fv(glGetUniformLocation(g.shell, "u_view"), 1, GL_FALSE, view.m);
    glUniformMatrix4fv(glGetUniformLocation(g.shell, "u_proj"), 1, GL_FALSE, proj.m);
    ImVec4 tint = ImGui::ColorConvertU32ToFloat4(theme::is_dark() ? IM_COL32(150, 180, 220, 255) : IM_COL32(90, 120, 170, 255));
    glUniform3f(glGetUniformLocation(g.shell, "u_tint"), tint.x, tint.y, tint.z);
    glBindVertexArray(g.vao_empty);
    glDrawArrays(GL_TRIANGLES, 0, 6);

    // Leave GL as ImGui's backend expects it.
    glDepthMask(GL_TRUE);
    glDisable(GL_DEPTH_TEST);
    glBindVertexArray(0);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    glUseProgram(0);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(old_viewport[0], old_viewport[1], old_viewport[2], old_viewport[3]);
}

//-----------------------------------------------------------------------------
// [SECTION] View
//-----------------------------------------------------------------------------
struct Orbit {
    float yaw = 0.6f, pitch = 0.35f;
    double last_ms = 0;
    double last_drag_ms = -1e9;
    double turn_until_ms = 0;   // the slow turn lasts a while, then the picture stays still
    int last_frame = -10;
} g_orbit;
constexpr double kTurnMs = 20000;

void draw_sphere(App& a, const ViewCtx& ctx) {
    superlab_tick(a);
    SuperLab& L = superlab(a);
    SphereRun& S = L.sphere;
    S.visible_frame = ImGui::GetFrameCount();
    float fs = ImGui::GetFontSize();

    if (ctx.controls) {
        lab::caption("In 3-D only 3 directions can be exactly perpendicular. Add more and the worst pair closes in. "
                     "Drag to turn the sphere.");
        if (lab::begin_controls("s3", 1)) {
            lab::slider_int(a, "N directions", "sp3_n", 6, 2, 200, true);
            lab::end_controls();
        }
        if (lab::row_button(S.playing ? "Pause" : S.sp.done() ? "Optimise again" : "Optimise", true)) {
            if (S.playing) S.playing = false;
            else if (S.sp.done()) a.state.set_int("sp3_seed", a.state.get_int("sp3_seed", 1, 0, 1000000) + 1);
            else S.playing = true;
        }
        if (lab::row_button("New random start")) {
            a.state.set_int("sp3_seed", a.state.get_int("sp3_seed", 1, 0, 1000000) + 1);
        }
        for (int k : {3, 4, 6, 12}) {
            char b[16];
            std::snprintf(b, sizeof b, "N = %d", k);
            if (lab::row_button(b)) a.state.set_int("sp3_n", k);
        }
    }

    // The vectors (normalised) and the worst pair.
    Superposer::ConstRowMap V = S.sp.vectors();
    const int N = int(V.rows());
    std::vector<float> tips(size_t(N) * 3);
    for (int i = 0; i < N; ++i) {
        float x = V(i, 0), y = V(i, 1), z = V(i, 2), r = std::sqrt(x * x + y * y + z * z);
        r = r > 0 ? 1 / r : 0;
        tips[size_t(i) * 3] = x * r;
        tips[size_t(i) * 3 + 1] = y * r;
        tips[size_t(i) * 3 + 2] = z * r;
    }
    int wi = -1, wj = -1;
    float worst = -1;
    for (int i = 0; i < N; ++i)
        for (int j = i + 1; j < N; ++j) {
            const float* p = &tips[size_t(i) * 3];
            const float* q = &tips[size_t(j) * 3];
            float c = std::fabs(p[0] * q[0] + p[1] * q[1] + p[2] * q[2]);
            if (c > worst) { worst = c; wi = i; wj = j; }
        }
    double worst_deg = worst >= 0 ? 90.0 - std::asin(std::min(1.0f, worst)) * 180.0 / kPi : 90.0;

    // The picture: a square as large as fits.
    float avail_h = ctx.controls ? ctx.height - fs * 14.5f : ImGui::GetContentRegionAvail().y - fs * 1.5f;
    float side = std::floor(std::max(fs * 8, std::min(ImGui::GetContentRegionAvail().x, avail_h)));
    ImVec2 p0 = ImGui::GetCursorScreenPos();
    float x_off = std::floor((ImGui::GetContentRegionAvail().x - side) / 2);
    p0.x += x_off;
    ImGui::SetCursorScreenPos(p0);
    ImGui::InvisibleButton("sphere", ImVec2(side, side));
    double now = platform::now_ms();
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(0, 0.0f)) {
        ImVec2 d = ImGui::GetIO().MouseDelta;
        g_orbit.yaw += d.x * 0.01f;
        g_orbit.pitch = std::clamp(g_orbit.pitch + d.y * 0.01f, -1.5f, 1.5f);
        g_orbit.last_drag_ms = now;
        g_orbit.turn_until_ms = now + 4000 + kTurnMs;
    } else if (!platform::prefers_reduced_motion() && now - g_orbit.last_drag_ms > 4000 && g_orbit.last_ms > 0 &&
               now < g_orbit.turn_until_ms) {
        g_orbit.yaw += float(std::min(now - g_orbit.last_ms, 100.0) * 0.00015);   // a slow turn when idle
    }
    // It turns for a while after the view appears or its optimiser runs, not for ever: a
    // frame drawn for another reason (a long run beside it) then costs no sphere redraw.
    // (A frame missed means the view was not drawn: it came back. A page that slept drew no frame at all.)
    const int frame = ImGui::GetFrameCount();
    if (frame - g_orbit.last_frame > 1 || S.playing) g_orbit.turn_until_ms = std::max(g_orbit.turn_until_ms, now + kTurnMs);
    g_orbit.last_frame = frame;
    g_orbit.last_ms = now;
    bool hovered = ImGui::IsItemHovered();

    M4 view = view_matrix(g_orbit.yaw, g_orbit.pitch);
    M4 proj = perspective(38.0f * kPi / 180.0f, 1.0f, 0.1f, 10.0f);
    float radius = std::clamp(0.075f * std::sqrt(12.0f / std::max(N, 1)), 0.025f, 0.075f);
    std::vector<ImU32> colors(size_t(N), theme::data());
    if (wi >= 0) colors[size_t(wi)] = colors[size_t(wj)] = theme::worst_pair();

    int px = int(side);
    // The texture is drawn again only when its scene changed, and only when on screen: with
    // software GL (SwiftShader) a redraw costs milliseconds of the CPU a running job needs.
    uint64_t key = 0xcbf29ce484222325ull;
    auto mix = [&key](const void* p, size_t n) {
        const unsigned char* b = static_cast<const unsigned char*>(p);
        for (size_t k = 0; k < n; ++k) key = (key ^ b[k]) * 0x100000001b3ull;
    };
    mix(tips.data(), tips.size() * sizeof(float));
    mix(colors.data(), colors.size() * sizeof(ImU32));
    const float scene[5] = {g_orbit.yaw, g_orbit.pitch, radius, side, theme::is_dark() ? 1.0f : 0.0f};
    mix(scene, sizeof scene);
    key |= 1;
    const bool on_screen = ImGui::IsRectVisible(p0, ImVec2(p0.x + side, p0.y + side));
    if (on_screen && ensure_gpu() && ensure_framebuffer(px, px)) {
        if (g.drawn != key) render(tips, colors, view, proj, radius, N <= 60);
        g.drawn = key;
        ImGui::GetWindowDrawList()->AddImage(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(g.color)), p0,
                                             ImVec2(p0.x + side, p0.y + side), ImVec2(0, 1), ImVec2(1, 0));
    } else if (on_screen) {
        ImGui::GetWindowDrawList()->AddText(ImVec2(p0.x + 6, p0.y + 6), theme::wrong_ink(), "WebGL could not draw the sphere.");
    }

    // Hover: the nearest ball in front under the mouse.
    if (hovered) {
        M4 pv = mul(proj, view);
        ImVec2 m = ImGui::GetIO().MousePos;
        int best = -1;
        float best_z = 1e9f;
        for (int i = 0; i < N; ++i) {
            float c[4];
            transform(pv, &tips[size_t(i) * 3], c);
            float sx = p0.x + (c[0] / c[3] * 0.5f + 0.5f) * side, sy = p0.y + (1 - (c[1] / c[3] * 0.5f + 0.5f)) * side;
            float dx = sx - m.x, dy = sy - m.y;
            if (dx * dx + dy * dy < fs * fs * 0.5f && c[2] / c[3] < best_z) { best = i; best_z = c[2] / c[3]; }
        }
        if (best >= 0) {
            int partner = -1;
            float pc = -1;
            for (int j = 0; j < N; ++j) {
                if (j == best) continue;
                const float* p = &tips[size_t(best) * 3];
                const float* q = &tips[size_t(j) * 3];
                float c = std::fabs(p[0] * q[0] + p[1] * q[1] + p[2] * q[2]);
                if (c > pc) { pc = c; partner = j; }
            }
            ui::Tooltip("direction %d: (%.2f, %.2f, %.2f)\nits closest neighbour, %d, is %.1f° from perpendicular", best,
                              tips[size_t(best) * 3], tips[size_t(best) * 3 + 1], tips[size_t(best) * 3 + 2], partner,
                              90.0 - std::asin(std::min(1.0f, pc)) * 180.0 / kPi);
        }
    }

    // Read-outs.
    char buf[200];
    std::snprintf(buf, sizeof buf, "%d directions in 3-D: the worst pair (orange) is %.1f° apart%s", N, worst_deg,
                  S.playing ? ", optimising…" : "");
    lab::note(buf);
    if (!ctx.controls) return;
    int fit80 = 0, fit60 = 0;
    for (int k = 2; k <= kSphereTableMax; ++k) {
        auto it = S.best.find(k);
        if (it == S.best.end()) break;
        if (it->second >= 80.0 - 0.05) fit80 = k;
        if (it->second >= 60.0 - 0.05) fit60 = k;
    }
    // The table: one cell per N, as many columns as fit.
    int cols = std::max(2, int(ImGui::GetContentRegionAvail().x / (fs * 5.2f)));
    int shown = 0;
    for (int k = 2; k <= kSphereTableMax; ++k) shown += S.best.count(k) ? 1 : 0;
    if (shown > 0) {
        lab::caption("Best worst angle this optimiser found, by N:");
        if (ImGui::BeginTable("best", cols, ImGuiTableFlags_SizingStretchSame | ImGuiTableFlags_BordersInnerV)) {
            for (int k = 2; k <= kSphereTableMax; ++k) {
                auto it = S.best.find(k);
                if (it == S.best.end()) break;
                ImGui::TableNextColumn();
                bool here = k == N;
                if (here) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::worst_pair_ink()));
                ImGui::Text("%d: %.1f°", k, it->second);
                if (here) ImGui::PopStyleColor();
            }
            ImGui::EndTable();
        }
        if (S.table_next > kSphereTableMax) {
            std::snprintf(buf, sizeof buf, "Exactly perpendicular: 3. Within 10° of it (80°): %d. Within 30° (60°): %d.", fit80, fit60);
            lab::note(buf);
        }
    }
}

ViewRegistrar reg({"sphere", "Directions in 3-D", "superposition", 40, 600.0f, draw_sphere,
                   "N unit vectors on a sphere, spread by the same optimiser: only 3 fit at 90°."});

}  // namespace
}  // namespace factlab
