// heatmap.cpp: see heatmap.hpp.
//
// [SECTION] Shared GL program (one for every heatmap, rebuilt after context loss)
// [SECTION] Data and texture
// [SECTION] Drawing: layout, interaction, the ImDrawList callback, overlays
// [SECTION] Legend
#include "ui/common/heatmap.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <imgui_internal.h>   // SetItemUsingMouseWheel
#include "ui/common/gl_program.hpp"
#include "platform/platform.hpp"
#include "ui/common/theme.hpp"

extern const unsigned char shader_heatmap_vs[];
extern const unsigned char shader_heatmap_fs[];

namespace factlab {

//-----------------------------------------------------------------------------
// [SECTION] Shared GL program
//-----------------------------------------------------------------------------
namespace {
struct Program {
    GLuint prog = 0, vao = 0;
    GLint u_values = -1, u_view = -1, u_pixels = -1, u_range = -1, u_mode = -1, u_neg = -1, u_mid = -1, u_pos = -1;
    unsigned generation = ~0u;
    bool failed = false;
    int max_texture = 2048;
} g_prog;

// Returns false when the program cannot be built (the heatmap then draws a note).
bool ensure_program() {
    if (g_prog.generation == platform::gl_generation()) return !g_prog.failed;
    g_prog = Program{};   // old names died with the old context
    g_prog.generation = platform::gl_generation();
    GLuint p = gl_program("heatmap", shader_heatmap_vs, shader_heatmap_fs);
    if (!p) { g_prog.failed = true; return false; }
    g_prog.prog = p;
    g_prog.u_values = glGetUniformLocation(p, "u_values");
    g_prog.u_view = glGetUniformLocation(p, "u_view");
    g_prog.u_pixels = glGetUniformLocation(p, "u_pixels");
    g_prog.u_range = glGetUniformLocation(p, "u_range");
    g_prog.u_mode = glGetUniformLocation(p, "u_mode");
    g_prog.u_neg = glGetUniformLocation(p, "u_neg");
    g_prog.u_mid = glGetUniformLocation(p, "u_mid");
    g_prog.u_pos = glGetUniformLocation(p, "u_pos");
    glGenVertexArrays(1, &g_prog.vao);   // empty: the vertex shader needs no attributes
    GLint mt = 0;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &mt);
    g_prog.max_texture = std::max(256, int(mt));
    return true;
}

// What one heatmap needs at render time (after the frame's UI code has run).
struct DrawRec {
    GLuint tex;
    float rect[4];       // x0, y0, x1, y1 in ImGui pixels, already rounded
    float view[4];       // in texture cells
    float range[2];
    int mode;
    float neg[3], mid[3], pos[3];
};
std::deque<DrawRec> g_recs;   // stable addresses for the callbacks of one frame
int g_recs_frame = -1;

void draw_callback(const ImDrawList*, const ImDrawCmd* cmd) {
    const DrawRec* r = static_cast<const DrawRec*>(cmd->UserCallbackData);
    ImDrawData* dd = ImGui::GetDrawData();
    if (!r || !dd || g_prog.failed || !g_prog.prog) return;
    ImVec2 off = dd->DisplayPos, sc = dd->FramebufferScale;
    float fb_h = dd->DisplaySize.y * sc.y;
    auto fx = [&](float x) { return (x - off.x) * sc.x; };
    auto fy = [&](float y) { return fb_h - (y - off.y) * sc.y; };   // GL's y goes up
    int x0 = int(std::lround(fx(r->rect[0]))), x1 = int(std::lround(fx(r->rect[2])));
    int y0 = int(std::lround(fy(r->rect[3]))), y1 = int(std::lround(fy(r->rect[1])));
    ImVec4 c = cmd->ClipRect;
    int cx0 = int(fx(c.x)), cx1 = int(fx(c.z)), cy0 = int(fy(c.w)), cy1 = int(fy(c.y));
    if (cx1 <= cx0 || cy1 <= cy0 || x1 <= x0 || y1 <= y0) return;
    glViewport(x0, y0, x1 - x0, y1 - y0);
    glScissor(cx0, cy0, cx1 - cx0, cy1 - cy0);
    glUseProgram(g_prog.prog);
    glBindVertexArray(g_prog.vao);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, r->tex);
    glUniform1i(g_prog.u_values, 0);
    glUniform4f(g_prog.u_view, r->view[0], r->view[1], r->view[2], r->view[3]);
    glUniform2f(g_prog.u_pixels, float(x1 - x0), float(y1 - y0));
    glUniform2f(g_prog.u_range, r->range[0], r->range[1]);
    glUniform1i(g_prog.u_mode, r->mode);
    glUniform3f(g_prog.u_neg, r->neg[0], r->neg[1], r->neg[2]);
    glUniform3f(g_prog.u_mid, r->mid[0], r->mid[1], r->mid[2]);
    glUniform3f(g_prog.u_pos, r->pos[0], r->pos[1], r->pos[2]);
    glDisable(GL_BLEND);
    glDrawArrays(GL_TRIANGLES, 0, 6);
    // ImGui's backend restores its own state on the ImDrawCallback_ResetRenderState that follows.
}

void rgb(ImU32 c, float out[3]) {
    ImVec4 v = ImGui::ColorConvertU32ToFloat4(c);
    out[0] = v.x; out[1] = v.y; out[2] = v.z;
}
}  // namespace

//-----------------------------------------------------------------------------
// [SECTION] Data and texture
//-----------------------------------------------------------------------------
Heatmap::~Heatmap() {
    // Only delete in the context that made it; at exit the context may be gone already.
    if (tex_ && tex_generation_ == platform::gl_generation() && ImGui::GetCurrentContext()) {
        GLuint t = tex_;
        glDeleteTextures(1, &t);
    }
}

void Heatmap::set(const Eigen::Ref<const Eigen::MatrixXf>& values, uint64_t key) {
    int r = int(values.rows()), c = int(values.cols());
    if (key == key_ && r == rows_ && c == cols_) return;
    bool same_shape = r == rows_ && c == cols_;
    key_ = key;
    rows_ = r;
    cols_ = c;
    data_.resize(size_t(r) * c);
    min_ = max_ = max_abs_ = 0;
    bool first = true;
    for (int i = 0; i < r; ++i)
        for (int j = 0; j < c; ++j) {
            float v = values(i, j);
            data_[size_t(i) * c + j] = v;
            if (!std::isfinite(v)) continue;
            if (first) { min_ = max_ = v; first = false; }
            min_ = std::min(min_, v);
            max_ = std::max(max_, v);
            max_abs_ = std::max(max_abs_, std::fabs(v));
        }
    if (!same_shape) reset_zoom();
    dirty_ = true;
}

void Heatmap::upload() {
    if (tex_generation_ != platform::gl_generation()) { tex_ = 0; dirty_ = true; }   // context was lost
    if (!dirty_ && tex_) return;
    if (!tex_) {
        GLuint t = 0;
        glGenTextures(1, &t);
        tex_ = t;
        tex_generation_ = platform::gl_generation();
    }
    // Over the GL size limit: pool blocks of cells, keeping each block's most extreme value.
    int lim = g_prog.max_texture;
    int fr = (rows_ + lim - 1) / lim, fc = (cols_ + lim - 1) / lim;
    tex_rows_ = std::max(1, (rows_ + fr - 1) / fr);
    tex_cols_ = std::max(1, (cols_ + fc - 1) / fc);
    std::vector<float> pooled;
    const float* src = data_.data();
    if (fr > 1 || fc > 1) {
        pooled.assign(size_t(tex_rows_) * tex_cols_, 0.0f);
        for (int i = 0; i < rows_; ++i)
            for (int j = 0; j < cols_; ++j) {
                float& p = pooled[size_t(i / fr) * tex_cols_ + j / fc];
                float v = data_[size_t(i) * cols_ + j];
                if (std::fabs(v) > std::fabs(p)) p = v;
            }
        src = pooled.data();
    }
    GLint prev = 0;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &prev);
    glBindTexture(GL_TEXTURE_2D, tex_);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);   // R32F is not filterable in WebGL2
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, tex_cols_, tex_rows_, 0, GL_RED, GL_FLOAT, src);
    glBindTexture(GL_TEXTURE_2D, GLuint(prev));
    dirty_ = false;
    platform::repaint();   // same draw lists, new pixels
}

void Heatmap::reset_zoom() {
    view_[0] = 0; view_[1] = 0; view_[2] = float(cols_); view_[3] = float(rows_);
}

bool Heatmap::zoomed() const {
    return view_[0] > 0 || view_[1] > 0 || view_[2] < cols_ || view_[3] < rows_;
}

void Heatmap::zoom_by(float f) {
    float cx = (view_[0] + view_[2]) / 2, cy = (view_[1] + view_[3]) / 2;
    float w = (view_[2] - view_[0]) / f, h = (view_[3] - view_[1]) / f;
    w = std::clamp(w, std::min(4.0f, float(cols_)), float(cols_));
    h = std::clamp(h, std::min(4.0f, float(rows_)), float(rows_));
    view_[0] = std::clamp(cx - w / 2, 0.0f, cols_ - w);
    view_[1] = std::clamp(cy - h / 2, 0.0f, rows_ - h);
    view_[2] = view_[0] + w;
    view_[3] = view_[1] + h;
}

HeatmapRange Heatmap::color_range(const HeatmapStyle& st) const {
    if (st.scale == ColorScale::Diverging) {
        float m = st.vmax > 0 ? st.vmax : max_abs_;
        if (!(m > 0)) m = 1;
        return {-m, m};
    }
    float lo = st.vmin, hi = st.vmax;
    if (!(hi > lo)) { lo = std::min(0.0f, min_); hi = max_; }
    if (!(hi > lo)) hi = lo + 1;
    return {lo, hi};
}

//-----------------------------------------------------------------------------
// [SECTION] Drawing
//-----------------------------------------------------------------------------
HeatmapHover Heatmap::draw(const char* id, ImVec2 size, const HeatmapStyle& st) {
    HeatmapHover out;
    ImVec2 avail = ImGui::GetContentRegionAvail();
    if (size.x <= 0) size.x = std::max(avail.x, 40.0f);
    if (size.y <= 0) size.y = std::max(avail.y, 40.0f);
    size.x = std::round(size.x);
    size.y = std::round(size.y);
    ImVec2 p = ImGui::GetCursorScreenPos();
    p.x = std::round(p.x);
    p.y = std::round(p.y);
    ImGui::SetCursorScreenPos(p);
    ImGui::InvisibleButton(id, size);
    bool hovered = ImGui::IsItemHovered();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImVec2 q(p.x + size.x, p.y + size.y);
    if (rows_ == 0 || cols_ == 0) {
        dl->AddRect(p, q, theme::grid());
        dl->AddText(ImVec2(p.x + 6, p.y + 6), theme::muted(), "(empty)");
        return out;
    }

    // Interaction: wheel zoom about the cursor, drag to pan, double-click to reset.
    ImGuiIO& io = ImGui::GetIO();
    auto cell_at = [&](ImVec2 m) {
        float u = (m.x - p.x) / size.x, v = (m.y - p.y) / size.y;
        return ImVec2(view_[0] + u * (view_[2] - view_[0]), view_[1] + v * (view_[3] - view_[1]));
    };
    if (st.zoom && hovered) {
        ImGui::SetItemUsingMouseWheel();   // the wheel zooms here instead of scrolling the panel
        if (io.MouseWheel != 0) {
            ImVec2 c = cell_at(io.MousePos);
            float f = io.MouseWheel > 0 ? 1.25f : 0.8f;
            float w = std::clamp((view_[2] - view_[0]) / f, std::min(4.0f, float(cols_)), float(cols_));
            float h = std::clamp((view_[3] - view_[1]) / f, std::min(4.0f, float(rows_)), float(rows_));
            float u = (io.MousePos.x - p.x) / size.x, v = (io.MousePos.y - p.y) / size.y;
            view_[0] = std::clamp(c.x - u * w, 0.0f, cols_ - w);
            view_[1] = std::clamp(c.y - v * h, 0.0f, rows_ - h);
            view_[2] = view_[0] + w;
            view_[3] = view_[1] + h;
        }
        if (ImGui::IsMouseDoubleClicked(0)) reset_zoom();
    }
    if (ImGui::IsItemActivated()) { press_pos_ = io.MousePos; dragging_ = false; }
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(0, ImGui::GetFontSize() * 0.3f)) dragging_ = true;
    if (st.zoom && ImGui::IsItemActive() && dragging_ && zoomed()) {
        float dx = io.MouseDelta.x / size.x * (view_[2] - view_[0]);
        float dy = io.MouseDelta.y / size.y * (view_[3] - view_[1]);
        float w = view_[2] - view_[0], h = view_[3] - view_[1];
        view_[0] = std::clamp(view_[0] - dx, 0.0f, cols_ - w);
        view_[1] = std::clamp(view_[1] - dy, 0.0f, rows_ - h);
        view_[2] = view_[0] + w;
        view_[3] = view_[1] + h;
    }
    bool released = ImGui::IsItemDeactivated() && !dragging_;

    // The shader pass, through a draw-list callback at this point of the draw order.
    HeatmapRange range = color_range(st);
    bool gl_ok = ensure_program();
    if (gl_ok) {
        upload();
        if (g_recs_frame != ImGui::GetFrameCount()) { g_recs.clear(); g_recs_frame = ImGui::GetFrameCount(); }
        DrawRec r{};
        r.tex = tex_;
        r.rect[0] = p.x; r.rect[1] = p.y; r.rect[2] = q.x; r.rect[3] = q.y;
        float sr = float(tex_rows_) / rows_, sc = float(tex_cols_) / cols_;
        r.view[0] = view_[0] * sc; r.view[1] = view_[1] * sr; r.view[2] = view_[2] * sc; r.view[3] = view_[3] * sr;
        r.range[0] = range.lo; r.range[1] = range.hi;
        r.mode = st.scale == ColorScale::Diverging ? 0 : 1;
        rgb(theme::diverging(-1), r.neg);
        rgb(theme::diverging(0), r.mid);
        rgb(theme::diverging(1), r.pos);
        g_recs.push_back(r);
        platform::frame_key(&r, sizeof r);   // range, view, colours: the draw lists do not show them
        dl->AddCallback(draw_callback, &g_recs.back());
        dl->AddCallback(ImDrawCallback_ResetRenderState, nullptr);
    } else {
        dl->AddRectFilled(p, q, theme::grid());
        dl->AddText(ImVec2(p.x + 6, p.y + 6), theme::wrong_ink(), "WebGL2 shader unavailable");
    }

    // Overlays in screen space: highlighted row/column, frame, hovered cell.
    float cw = size.x / (view_[2] - view_[0]), ch = size.y / (view_[3] - view_[1]);
    dl->PushClipRect(p, q, true);
    if (st.highlight_row >= 0 && st.highlight_row < rows_) {
        float y0 = p.y + (st.highlight_row - view_[1]) * ch;
        dl->AddRect(ImVec2(p.x - 2, y0 - 1.5f), ImVec2(q.x + 2, y0 + std::max(ch, 1.0f) + 1.5f), theme::text(), 0, 0, 1.5f);
    }
    if (st.highlight_col >= 0 && st.highlight_col < cols_) {
        float x0 = p.x + (st.highlight_col - view_[0]) * cw;
        dl->AddRect(ImVec2(x0 - 1.5f, p.y - 2), ImVec2(x0 + std::max(cw, 1.0f) + 1.5f, q.y + 2), theme::text(), 0, 0, 1.5f);
    }
    dl->PopClipRect();
    dl->AddRect(ImVec2(p.x - 1, p.y - 1), ImVec2(q.x + 1, q.y + 1), theme::with_alpha(theme::muted(), 0.7f));

    if (hovered || (ImGui::IsItemActive() && !dragging_) || released) {
        ImVec2 m = io.MousePos;
        if (m.x >= p.x && m.x < q.x && m.y >= p.y && m.y < q.y) {
            ImVec2 c = cell_at(m);
            out.col = std::clamp(int(c.x), 0, cols_ - 1);
            out.row = std::clamp(int(c.y), 0, rows_ - 1);
            out.value = at(out.row, out.col);
            out.hovered = true;
            out.clicked = released;
            if (cw >= 4 && ch >= 4) {
                float x0 = p.x + (out.col - view_[0]) * cw, y0 = p.y + (out.row - view_[1]) * ch;
                dl->PushClipRect(p, q, true);
                dl->AddRect(ImVec2(x0, y0), ImVec2(x0 + cw, y0 + ch), theme::text());
                dl->PopClipRect();
            }
            if (st.tooltip && hovered && !dragging_) {
                ImGui::BeginTooltip();
                std::string rn = st.row_name ? st.row_name(out.row) : "row " + std::to_string(out.row);
                std::string cn = st.col_name ? st.col_name(out.col) : "column " + std::to_string(out.col);
                ImGui::TextUnformatted(rn.c_str());
                ImGui::TextUnformatted(cn.c_str());
                ImGui::Text("%s = %+.4f", st.value_name, out.value);
                ImGui::EndTooltip();
            }
        }
    }
    return out;
}

//-----------------------------------------------------------------------------
// [SECTION] Legend
//-----------------------------------------------------------------------------
void HeatmapLegend(HeatmapRange range, ColorScale scale, float width, const char* label) {
    float fs = ImGui::GetFontSize();
    if (width <= 0) width = ImGui::GetContentRegionAvail().x;
    float bar_h = std::round(fs * 0.55f);
    ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::Dummy(ImVec2(width, bar_h + fs * 1.15f));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const int n = 32;
    for (int i = 0; i < n; ++i) {
        float t0 = float(i) / n, t1 = float(i + 1) / n;
        auto col = [&](float t) {
            if (scale == ColorScale::Diverging) return theme::diverging(t * 2 - 1);
            // sequential: neutral -> orange, the same ramp as the shader's
            ImVec4 a = ImGui::ColorConvertU32ToFloat4(theme::diverging(0)), b = ImGui::ColorConvertU32ToFloat4(theme::diverging(1));
            return ImGui::ColorConvertFloat4ToU32(ImVec4(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.z + (b.z - a.z) * t, 1));
        };
        ImU32 a = col(t0), b = col(t1);
        dl->AddRectFilledMultiColor(ImVec2(p.x + t0 * width, p.y), ImVec2(p.x + t1 * width + 0.5f, p.y + bar_h), a, b, b, a);
    }
    dl->AddRect(p, ImVec2(p.x + width, p.y + bar_h), theme::with_alpha(theme::muted(), 0.6f));
    char lo[32], hi[32];
    std::snprintf(lo, sizeof lo, "%.2f", range.lo);
    std::snprintf(hi, sizeof hi, "%+.2f", range.hi);
    if (scale == ColorScale::Sequential) std::snprintf(hi, sizeof hi, "%.2f", range.hi);
    float ty = p.y + bar_h + 2;
    dl->AddText(ImVec2(p.x, ty), theme::muted(), lo);
    ImVec2 hs = ImGui::CalcTextSize(hi);
    dl->AddText(ImVec2(p.x + width - hs.x, ty), theme::muted(), hi);
    const char* mid = label ? label : (scale == ColorScale::Diverging ? "0" : nullptr);
    if (scale == ColorScale::Diverging && !label) {
        dl->AddText(ImVec2(p.x + width / 2 - ImGui::CalcTextSize("0").x / 2, ty), theme::muted(), "0");
    } else if (mid) {
        ImVec2 ms = ImGui::CalcTextSize(mid);
        if (ms.x < width - ImGui::CalcTextSize(lo).x - hs.x - fs)
            dl->AddText(ImVec2(p.x + (width - ms.x) / 2, ty), theme::muted(), mid);
    }
}

}  // namespace factlab
