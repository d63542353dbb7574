// view_andgate.cpp: "The AND gate": why the subject's neuron fires for
// Michael Jordan but not for Michael Phelps or Alexis Jordan.
//
// For the neuron n of the selected subject (W_up row w, bias b):
//   x = E·u, y = E·v   u = "first name Michael", v = "last name Jordan" (role-bound rows)
//   w·E = α·x + β·y + r, with (α, β) = G⁻¹ (w·u, w·v), G = [[u·u, u·v], [u·v, v·v]]
// so for any E in span(u, v) the pre-activation is exactly α·x + β·y + b, and
// the neuron fires in the half-plane α·x + β·y + b + r > 0 (shaded). The rest r
// is what other tokens contribute: 0 for two-token names; for a longer name
// (Michael B. Jordan) its middle tokens are held at their constant value, and
// points whose own r differs (drawn as diamonds) have their own boundary,
// shown dashed on hover. Every number comes from the model's real dot products.
// The dots are the names sharing a word with the subject: in the same role
// they share a direction (Alexis Jordan at y ≈ 1); in another role they do not
// (Jordan Spieth's first-name "Jordan" lands near y = 0).
// Two sets of numbers, one click apart: the video's (weights 1 and 1 on x and
// y, bias −1: both names score 2, one name 1), the default, and this model's own
// (α, β, the compiled b_up and r, computed above, never typed in). The bias can
// be grabbed three ways: the slider, the formula's constant (drag it sideways,
// Tangle-style) and the boundary line in the plot (the bias follows the pointer).
// factlab.andGate() reports what was drawn, in pixels, for the page's tests.
// State: "gate_numbers" ("model" = this model's own; absent = the video's),
// "gate_bias" (absent = the chosen numbers' bias: −1, or the compiled b_up).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <imgui.h>
#include <imgui_internal.h>   // TempInputIsActive: the formula's number while it is typed
#include <nlohmann/json.hpp>
#include "ui/common/app.hpp"
#include "ui/common/live_region.hpp"
#include "ui/common/plot.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"

namespace factlab {
namespace {

struct GatePoint {
    std::string name;
    float x, y;          // E·u, E·v
    float wE;            // W_up row · E (bias not included)
    float rest;          // wE − α·x − β·y: the other tokens' share
    int priority;        // for labels: lower first
    bool selected;       // the subject being studied
};

bool shares_token(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    for (const std::string& s : a)
        if (std::find(b.begin(), b.end(), s) != b.end()) return true;
    return false;
}

// The shape says "fires or not" as well as the colour: filled = fires, hollow = silent;
// a diamond marks a name with other tokens (its boundary differs from the shaded one).
void draw_marker(ImVec2 c, float r, bool fires, bool diamond, bool selected) {
    ImDrawList* dl = plot::DrawList();
    ImU32 col = fires ? theme::firing() : theme::silent();
    if (selected) {   // the studied subject: a target ring in the text colour, distinct from both states
        dl->AddCircle(c, r * 2.3f, theme::text(), 0, 2.0f);
        dl->AddLine(ImVec2(c.x - r * 3.2f, c.y), ImVec2(c.x - r * 2.3f, c.y), theme::text(), 2.0f);
        dl->AddLine(ImVec2(c.x + r * 2.3f, c.y), ImVec2(c.x + r * 3.2f, c.y), theme::text(), 2.0f);
        dl->AddLine(ImVec2(c.x, c.y - r * 3.2f), ImVec2(c.x, c.y - r * 2.3f), theme::text(), 2.0f);
        dl->AddLine(ImVec2(c.x, c.y + r * 2.3f), ImVec2(c.x, c.y + r * 3.2f), theme::text(), 2.0f);
    }
    if (diamond) {
        ImVec2 p[4] = {ImVec2(c.x, c.y - r * 1.35f), ImVec2(c.x + r * 1.35f, c.y), ImVec2(c.x, c.y + r * 1.35f), ImVec2(c.x - r * 1.35f, c.y)};
        if (fires) dl->AddConvexPolyFilled(p, 4, col);
        else dl->AddPolyline(p, 4, col, ImDrawFlags_Closed, 2.0f);
    } else {
        if (fires) dl->AddCircleFilled(c, r, col);
        else dl->AddCircle(c, r, col, 0, 2.0f);
    }
}

//-----------------------------------------------------------------------------
// Numbers you can grab: the bias in the formula and the boundary in the plot
//-----------------------------------------------------------------------------
// "+ 1.00" / "− 3.02": a constant as the formula prints it.
std::string signed_text(float c) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s %.2f", c < 0 ? "\xE2\x88\x92" : "+", std::fabs(c));
    return buf;
}
std::string formula_text(float al, float be, float c) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.2f\xC2\xB7x + %.2f\xC2\xB7y %s", al, be, signed_text(c).c_str());
    return buf;
}

// A number inside a sentence that a sideways drag changes (as in Bret Victor's
// Tangle). Underneath it is an ImGui drag, so it takes keyboard focus (Tab),
// arrow keys while active, and Ctrl+click or Enter to type a value; it is drawn
// as the sentence's own text, dotted-underlined in the accent colour.
bool DragNumber(const char* id, float* v, float lo, float hi, float speed, ImVec4* rect) {
    const ImGuiID gid = ImGui::GetID(id);
    const bool typing = ImGui::TempInputIsActive(gid);
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(2, 0));
    ImGui::PushStyleColor(ImGuiCol_FrameBg, ImVec4(0, 0, 0, 0));
    ImGui::PushStyleColor(ImGuiCol_FrameBgHovered, ImGui::ColorConvertU32ToFloat4(theme::with_alpha(theme::highlight(), 0.18f)));
    ImGui::PushStyleColor(ImGuiCol_FrameBgActive, ImGui::ColorConvertU32ToFloat4(theme::with_alpha(theme::highlight(), 0.30f)));
    if (!typing) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0, 0, 0, 0));   // the drag's own text: drawn below instead
    ImGui::SetNextItemWidth(ImGui::CalcTextSize(signed_text(*v).c_str()).x + 4);
    bool changed = ImGui::DragFloat(id, v, speed, lo, hi, "%.2f", ImGuiSliderFlags_AlwaysClamp);
    if (!typing) ImGui::PopStyleColor();
    ImGui::PopStyleColor(3);
    ImGui::PopStyleVar();
    const ImVec2 mn = ImGui::GetItemRectMin(), mx = ImGui::GetItemRectMax();
    if (!typing) {
        std::string now = signed_text(*v);
        ImDrawList* dl = ImGui::GetWindowDrawList();
        const ImU32 col = ui::AccentText();
        const float tw = ImGui::CalcTextSize(now.c_str()).x;
        dl->AddText(ImVec2(mn.x + 2, mn.y), col, now.c_str());
        for (float x = mn.x + 2; x < mn.x + 2 + tw; x += 4)
            dl->AddLine(ImVec2(x, mx.y - 1), ImVec2(std::min(x + 2, mn.x + 2 + tw), mx.y - 1), col, 1.0f);
    }
    if (ImGui::IsItemHovered() || ImGui::IsItemActive()) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeEW);
    if (ImGui::IsItemHovered() && !ImGui::IsItemActive())
        ui::Tooltip("Drag sideways to change the bias (or Ctrl+click, or Enter, to type it).");
    if (rect) *rect = ImVec4(mn.x, mn.y, mx.x, mx.y);
    return changed;
}

// The part of the line a·x + b·y + c = 0 inside [x0, x1] × [y0, y1], in data
// coordinates; false when it misses the box.
bool clip_line(double a, double b, double c, double x0, double x1, double y0, double y1, ImVec2* p, ImVec2* q) {
    std::vector<ImVec2> hits;
    const double eps = 1e-9;
    if (std::fabs(b) > eps)
        for (double x : {x0, x1}) {
            double y = -(a * x + c) / b;
            if (y >= y0 - 1e-6 && y <= y1 + 1e-6) hits.push_back(ImVec2(float(x), float(y)));
        }
    if (std::fabs(a) > eps)
        for (double y : {y0, y1}) {
            double x = -(b * y + c) / a;
            if (x >= x0 - 1e-6 && x <= x1 + 1e-6) hits.push_back(ImVec2(float(x), float(y)));
        }
    if (hits.size() < 2) return false;
    float best = -1;
    for (size_t i = 0; i < hits.size(); ++i)
        for (size_t j = i + 1; j < hits.size(); ++j) {
            float d = std::hypot(hits[i].x - hits[j].x, hits[i].y - hits[j].y);
            if (d > best) { best = d; *p = hits[i]; *q = hits[j]; }
        }
    return best > 0;
}

float segment_distance(ImVec2 m, ImVec2 p, ImVec2 q) {
    float dx = q.x - p.x, dy = q.y - p.y, l2 = dx * dx + dy * dy;
    float t = l2 > 0 ? std::clamp(((m.x - p.x) * dx + (m.y - p.y) * dy) / l2, 0.0f, 1.0f) : 0.0f;
    return std::hypot(m.x - (p.x + t * dx), m.y - (p.y + t * dy));
}

// What the gate drew last, in screen pixels, for factlab.andGate() (tests drag the
// line at these coordinates; README "JS API").
struct GateProbe {
    int frame = -1;
    bool video = true;
    std::string owner, subject;
    int neuron = -1;
    float alpha = 0, beta = 0, bias = 0, c = 0;          // the gate drawn: alpha·x + beta·y + c > 0
    float model_alpha = 0, model_beta = 0, model_c = 0, model_bias = 0;   // this model's own
    bool line = false;
    ImVec2 line0, line1;                                 // the boundary's ends on screen
    ImVec4 plot, number, video_button, model_button;     // x0, y0, x1, y1
    struct Pt { std::string name; float x, y, pre; };
    std::vector<Pt> points;
};
GateProbe g_probe;

void draw_andgate(App& a, const ViewCtx& ctx) {
    ui::sync_subject_keys(a);
    const Model& m = a.model();
    const LookupResult& L = a.current_lookup();
    const ui::SubjectTable& T = ui::subject_table(a);
    const int h = m.mlp.hidden();
    if (h == 0 || L.trace.pre.size() != h) { ui::Note("No model."); return; }

    // The neuron: the subject's own, or (unknown name) a stand-in (ui::stand_in_neuron).
    int n = ui::subject_neuron(m, L.subject);
    bool own = n >= 0;
    const char* why = "";
    if (!own) { ui::StandIn si = ui::stand_in_neuron(a); n = si.neuron; why = si.why; }   // the same as every view
    if (n < 0 || n >= h) { ui::Note("No neuron to show."); return; }
    std::string owner = ui::neuron_label(m, n);
    std::vector<std::string> otoks = split_tokens(owner);
    const int nt = int(otoks.size());
    int tx = nt < 2 ? -1 : token_row(m, otoks.front(), token_role(0, nt));
    int ty = nt < 2 ? -1 : token_row(m, otoks.back(), token_role(nt - 1, nt));
    const std::string xname = tx >= 0 ? token_label(m, tx) : "", yname = ty >= 0 ? token_label(m, ty) : "";

    const bool two_names = tx >= 0 && ty >= 0 && tx != ty;
    if (ctx.controls && two_names) {
        char cap[600];
        std::snprintf(cap, sizeof cap, "The neuron of %s asks: is \"%s\" in E AND is \"%s\" in E? It fires only in the "
                      "shaded region. Each dot is a name sharing a word with it; the same word in another role (a "
                      "first name, not a last name) is another direction and adds about 0.", owner.c_str(),
                      xname.c_str(), yname.c_str());
        ui::Caption(cap);
    }
    if (!own) {
        char buf[400];
        const float pre = L.trace.pre[n];
        std::snprintf(buf, sizeof buf, "\"%s\" has no neuron of its own. Shown: the neuron of %s, %s "
                      "(W_up\xC2\xB7" "E + b_up = %+.2f: %s).", L.subject.c_str(), owner.c_str(), why, pre,
                      pre > 0 ? "it fires" : "silent");
        ui::Note("%s", buf);
    }
    if (!two_names) {
        ui::Note("%s is a one-word name: its neuron asks a single question, so there is no AND to draw. "
                 "Pick a name with two or more tokens (Michael Jordan) to see the gate.", owner.c_str());
        if (ctx.controls && a.facts.subject_id("Michael Jordan") >= 0 && ImGui::Button("Show Michael Jordan"))
            ui::set_subject(a, "Michael Jordan");
        return;
    }

    // Projection of the neuron's row onto the two name directions (see the header).
    const Vec u = m.tokens.row(tx).transpose(), v = m.tokens.row(ty).transpose();   // (d) each
    const Vec w = m.mlp.W_up.row(n).transpose();                                     // (d)
    double uu = u.dot(u), uv = u.dot(v), vv = v.dot(v), wu = w.dot(u), wv = w.dot(v);
    double det = uu * vv - uv * uv;
    if (std::fabs(det) < 1e-9) det = 1e-9;
    const float alpha = float((vv * wu - uv * wv) / det), beta = float((uu * wv - uv * wu) / det);

    auto make_point = [&](const std::string& name, const Eigen::Ref<const Vec>& E) {
        GatePoint p;
        p.name = name;
        p.x = u.dot(E);
        p.y = v.dot(E);
        p.wE = w.dot(E);
        p.rest = p.wE - alpha * p.x - beta * p.y;
        p.selected = name == L.subject;
        p.priority = p.selected ? 0 : name == owner ? 1 : 3;
        for (const char* ex : {"Michael Phelps", "Alexis Jordan", "DeAndre Jordan", "Michael B. Jordan"})
            if (name == ex) p.priority = 2;
        return p;
    };
    std::vector<GatePoint> pts;
    float rest_owner = 0;
    for (int j = 0; j < int(T.subjects.size()); ++j) {
        const std::string& s = T.subjects[j];
        if (s != owner && s != L.subject && !shares_token(split_tokens(s), otoks)) continue;
        pts.push_back(make_point(s, T.E.col(j)));
        if (s == owner) rest_owner = pts.back().rest;
    }
    if (a.facts.subject_id(L.subject) < 0) pts.push_back(make_point(L.subject, L.trace.E));

    // Two sets of numbers, one click apart (state "gate_numbers"): the video's
    // (the row M + J, so weights 1 and 1 on x and y, and a bias of −1: 2 for both
    // names, 1 for one) and this model's own (α, β, its compiled b_up and the rest r).
    const bool video = a.state.get("gate_numbers", "video") != "model";
    const float b0 = m.mlp.b_up[n];
    const float A = video ? 1.0f : alpha, B = video ? 1.0f : beta;
    const float rest_used = video ? 0.0f : rest_owner;   // the video's row has nothing but the two names
    const float bias_default = video ? -1.0f : b0;
    const float span = video ? 3.0f : 4.0f;
    float bias = float(a.state.get_float("gate_bias", bias_default, bias_default - 10, bias_default + 10));
    auto pre_of = [&](const GatePoint& p) { return (video ? p.x + p.y : p.wE) + bias; };
    auto rest_of = [&](const GatePoint& p) { return video ? 0.0f : p.rest; };
    auto set_bias = [&](float b) {
        bias = std::clamp(b, bias_default - span, bias_default + span);
        a.state.set_float("gate_bias", bias);
    };
    GateProbe& P = g_probe;
    P = GateProbe();
    P.frame = ImGui::GetFrameCount();
    P.video = video;
    P.owner = owner;
    P.subject = L.subject;
    P.neuron = n;
    P.model_alpha = alpha;
    P.model_beta = beta;
    P.model_c = b0 + rest_owner;
    P.model_bias = b0;

    std::vector<std::string> middle;   // the owner's middle names, in their roles
    for (int i = 1; i + 1 < nt; ++i) middle.push_back(role_label(token_role(i, nt)) + " \"" + otoks[size_t(i)] + "\"");
    if (ctx.controls) {
        ui::Flow f;
        const std::string vlabel = "The video's numbers: x + y \xE2\x88\x92 1";
        const std::string mlabel = "This model's own: " + formula_text(alpha, beta, b0 + rest_owner);
        auto radio_w = [](const std::string& s) {
            return ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(s.c_str()).x;
        };
        f.next(radio_w(vlabel));
        if (ImGui::RadioButton(vlabel.c_str(), video) && !video) { a.state.erase("gate_numbers"); a.state.erase("gate_bias"); }
        if (ImGui::IsItemHovered()) ui::Tooltip("As in the video: the row is \"%s\" + \"%s\", so E scores 2 with both names and 1 with one; the bias \xE2\x88\x92" "1 makes that 1 and 0.", xname.c_str(), yname.c_str());
        P.video_button = ImVec4(ImGui::GetItemRectMin().x, ImGui::GetItemRectMin().y, ImGui::GetItemRectMax().x, ImGui::GetItemRectMax().y);
        f.next(radio_w(mlabel));
        if (ImGui::RadioButton(mlabel.c_str(), !video) && video) { a.state.set("gate_numbers", "model"); a.state.erase("gate_bias"); }
        if (ImGui::IsItemHovered()) ui::Tooltip("This toy model's compiled row and bias for the neuron of %s, projected on x and y.", owner.c_str());
        P.model_button = ImVec4(ImGui::GetItemRectMin().x, ImGui::GetItemRectMin().y, ImGui::GetItemRectMax().x, ImGui::GetItemRectMax().y);

        float fs = ImGui::GetFontSize();
        bool narrow = ui::Narrow(ctx);
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(video ? "bias" : "b_up");
        ImGui::SameLine();
        float reset_w = ImGui::CalcTextSize("Reset").x + ImGui::GetStyle().FramePadding.x * 2;
        ImGui::SetNextItemWidth(std::max(fs * 6, ImGui::GetContentRegionAvail().x - (narrow ? 0 : reset_w + fs)));
        if (ImGui::SliderFloat("##bias", &bias, bias_default - span, bias_default + span, "%.2f")) set_bias(bias);
        if (ImGui::IsItemHovered()) {
            if (video) ui::Tooltip("The bias: it shifts the boundary. The video's value: \xE2\x88\x92" "1.");
            else ui::Tooltip("The neuron's bias: it shifts the boundary. Compiled value: %.2f", b0);
        }
        if (!narrow) ImGui::SameLine();
        ImGui::BeginDisabled(!a.state.has("gate_bias"));
        if (ImGui::Button("Reset")) { a.state.erase("gate_bias"); bias = bias_default; }
        if (ImGui::IsItemHovered()) ui::Tooltip(video ? "Back to the video's bias, \xE2\x88\x92" "1" : "Back to the compiled b_up");
        ImGui::EndDisabled();
    }
    // The boundary in words; the constant is a number to drag.
    {
        float c = bias + rest_used;
        char ab[64];
        std::snprintf(ab, sizeof ab, "%.2f\xC2\xB7x + %.2f\xC2\xB7y", A, B);
        const float sp = ImGui::CalcTextSize(" ").x;
        ImGui::TextUnformatted("Fires when");
        ImGui::SameLine(0, sp);
        ImGui::TextUnformatted(ab);
        ImGui::SameLine(0, sp);
        if (ctx.controls) {
            ImVec4 r;
            if (DragNumber("##c", &c, bias_default - span + rest_used, bias_default + span + rest_used, 0.01f, &r)) set_bias(c - rest_used);
            P.number = r;
        } else {
            ImGui::TextUnformatted(signed_text(c).c_str());
        }
        ImGui::SameLine(0, sp);
        ImGui::TextUnformatted("> 0");
        if (video) {
            ui::Note("(the video's round numbers, on this model's x and y; this model's own: %s > 0, with b_up %+.2f)",
                     formula_text(alpha, beta, b0 + rest_owner).c_str(), b0);
            // One-name matches over the line at the video's bias: 1 − 1 = 0 leaves no margin for the
            // overlaps. Counted at −1, not at the current bias, so the note (and the plot under a
            // dragging pointer) stays put while the bias moves.
            int tipped = 0;
            for (const GatePoint& p : pts) tipped += (p.x < 0.5f) != (p.y < 0.5f) && p.x + p.y - 1.0f > 0;
            if (tipped > 0)
                ui::Note("At the video's bias \xE2\x88\x92" "1 a one-name match lands on the boundary (1 \xE2\x88\x92 1 = 0), so "
                         "the small overlaps between nearly perpendicular directions tip %d of them over it. This model's own "
                         "row is about twice as long, with a bias near \xE2\x88\x92" "3: one-name matches stay near \xE2\x88\x92" "1.",
                         tipped);
        } else if (!middle.empty()) {
            std::string mids;
            for (const std::string& t : middle) mids += (mids.empty() ? "" : ", ") + t;
            ui::Note("(b_up %+.2f; %s adds %+.2f, held at its value for %s)", bias, mids.c_str(), rest_owner, owner.c_str());
        } else if (std::fabs(rest_owner) > 0.05f) {
            ui::Note("(b_up %+.2f, plus %+.2f from the row's other directions.)", bias, rest_owner);
        }
    }

    // Plot: x = E·u, y = E·v.
    float xmin = -0.4f, xmax = 1.5f, ymin = -0.4f, ymax = 1.5f;
    for (const GatePoint& p : pts) {
        xmin = std::min(xmin, p.x - 0.2f); xmax = std::max(xmax, p.x + 0.3f);
        ymin = std::min(ymin, p.y - 0.2f); ymax = std::max(ymax, p.y + 0.3f);
    }
    std::string xl = "x = E\xC2\xB7\"" + xname + "\"", yl = "y = E\xC2\xB7\"" + yname + "\"";
    float W = ImGui::GetContentRegionAvail().x;
    float legend_h = ImGui::GetTextLineHeightWithSpacing() * (ui::Narrow(ctx) ? 2.2f : 1.2f);
    // Plots only (an embed without controls) in a short iframe: the plot gets the room, not the table.
    bool show_table = ctx.controls || ctx.height >= ui::Em(32);
    float ph = ctx.controls ? std::clamp(W * 0.8f, ui::Em(12), ui::Em(21))
                            : std::max(ui::Em(10), ImGui::GetContentRegionAvail().y - legend_h - (show_table ? ui::Em(7) : 0.0f));
    static int hovered_row = -1;   // a hovered table row lights up its point (one frame later)
    static bool dragging = false;  // the boundary line is being dragged
    int hovered_pt = -1;
    if (plot::Begin("gate", ImVec2(W, ph), {xmin, xmax, xl.c_str()}, {ymin, ymax, yl.c_str()})) {
        // Grab the boundary: a press near the line drags it, and the bias follows so the
        // line passes through the pointer: c = −(A·x + B·y) there.
        float fs = ImGui::GetFontSize(), r = std::max(3.0f, fs * 0.3f);
        ImVec2 d0, d1;
        bool line_ok = clip_line(A, B, bias + rest_used, xmin, xmax, ymin, ymax, &d0, &d1);
        ImVec2 mp = ImGui::GetIO().MousePos;
        bool near_line = line_ok && plot::Hovered() &&
                         segment_distance(mp, plot::ToScreen(d0.x, d0.y), plot::ToScreen(d1.x, d1.y)) < std::max(6.0f, fs * 0.6f);
        if (ImGui::IsItemActivated()) dragging = ctx.controls && near_line;
        if (!ImGui::IsItemActive()) dragging = false;
        if (dragging) {
            ImVec2 md = plot::MouseData();
            set_bias(-(A * md.x + B * md.y) - rest_used);
            ImGui::SetItemUsingMouseWheel();       // a finger on the line drags it, it does not scroll
            line_ok = clip_line(A, B, bias + rest_used, xmin, xmax, ymin, ymax, &d0, &d1);
        }
        plot::FillHalfPlane(A, B, bias + rest_used, theme::with_alpha(theme::firing(), 0.20f));
        plot::HLine(0, theme::grid());
        plot::VLine(0, theme::grid());
        plot::BoundaryLine(A, B, bias + rest_used, theme::firing(), near_line || dragging ? 3.5f : 2.0f);
        if (line_ok) {
            P.line = true;
            P.line0 = plot::ToScreen(d0.x, d0.y);
            P.line1 = plot::ToScreen(d1.x, d1.y);
        }
        ImVec4 pr = plot::Rect();
        P.plot = pr;
        // Hover: the nearest point within reach.
        if (plot::Hovered() && !dragging) {
            float best = fs * 0.8f;
            for (int i = 0; i < int(pts.size()); ++i) {
                ImVec2 s = plot::ToScreen(pts[i].x, pts[i].y);
                float dd = std::hypot(s.x - mp.x, s.y - mp.y);
                if (dd < best) { best = dd; hovered_pt = i; }
            }
        }
        if (ctx.controls && (near_line || dragging) && hovered_pt < 0) {
            ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
            if (!dragging) ui::Tooltip("Drag the boundary: the bias follows.");
        }
        int focus = hovered_pt >= 0 ? hovered_pt : hovered_row;
        if (!video && focus >= 0 && focus < int(pts.size()) && std::fabs(pts[focus].rest - rest_owner) > 0.25f)
            plot::BoundaryLine(A, B, bias + pts[focus].rest, theme::muted(), 1.5f, true);   // its own boundary

        // Points: silent first, so firing ones stay on top; the selected one last.
        std::vector<int> order(pts.size());
        for (int i = 0; i < int(order.size()); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](int i, int j) {
            auto key = [&](int k) { return (pts[k].selected ? 2 : 0) + (pre_of(pts[k]) > 0 ? 1 : 0); };
            return key(i) < key(j);
        });
        for (int i : order) {
            const GatePoint& p = pts[i];
            bool diamond = std::fabs(rest_of(p) - rest_used) > 0.25f;
            draw_marker(plot::ToScreen(p.x, p.y), i == focus ? r * 1.4f : r, pre_of(p) > 0, diamond, p.selected);
        }

        // Labels: greedy, by priority; a label that would overlap another is left to the hover.
        std::vector<int> lab(pts.size());
        for (int i = 0; i < int(lab.size()); ++i) lab[i] = i;
        std::stable_sort(lab.begin(), lab.end(), [&](int i, int j) { return pts[i].priority < pts[j].priority; });
        std::vector<ImVec4> placed;
        ImVec4 area = plot::Rect();
        for (int i : order) {   // markers block labels too
            ImVec2 s = plot::ToScreen(pts[i].x, pts[i].y);
            placed.push_back(ImVec4(s.x - r, s.y - r, s.x + r, s.y + r));
        }
        size_t markers = placed.size();
        for (int i : lab) {
            const GatePoint& p = pts[i];
            ImVec2 s = plot::ToScreen(p.x, p.y), ts = ImGui::CalcTextSize(p.name.c_str());
            float rr = p.selected ? r * 3.3f : r;   // clear of the target ring
            const ImVec2 offs[6] = {ImVec2(rr + 4, -ts.y / 2), ImVec2(-rr - 4 - ts.x, -ts.y / 2), ImVec2(-ts.x / 2, -rr - 3 - ts.y),
                                    ImVec2(-ts.x / 2, rr + 3), ImVec2(rr + 2, -rr - ts.y), ImVec2(rr + 2, rr)};
            for (const ImVec2& o : offs) {
                ImVec4 rc(s.x + o.x, s.y + o.y, s.x + o.x + ts.x, s.y + o.y + ts.y);
                if (rc.x < area.x || rc.z > area.z || rc.y < area.y || rc.w > area.w) continue;
                bool clash = false;
                for (size_t k = 0; k < placed.size() && !clash; ++k) {
                    if (k < markers && (order[k] == i || p.selected)) continue;   // the studied name may cover markers
                    const ImVec4& q = placed[k];
                    clash = rc.x < q.z && rc.z > q.x && rc.y < q.w && rc.w > q.y;
                }
                if (clash) continue;
                placed.push_back(rc);
                ImDrawList* dl = plot::DrawList();
                ImU32 bg = p.selected ? theme::focus()
                                      : theme::with_alpha(ImGui::GetColorU32(ImGuiCol_ChildBg), 0.75f);
                dl->AddRectFilled(ImVec2(rc.x - 2, rc.y), ImVec2(rc.z + 2, rc.w), bg, 3);
                dl->AddText(ImVec2(rc.x, rc.y), p.selected ? theme::text_on(theme::focus()) : theme::text(), p.name.c_str());
                break;
            }
        }
        if (hovered_pt >= 0) {
            const GatePoint& p = pts[hovered_pt];
            float pre = pre_of(p);
            if (video)
                ui::Tooltip("%s\nx = %.3f, y = %.3f\nthe video's x + y + bias = %+.3f\nReLU = %.3f  (%s)", p.name.c_str(), p.x, p.y,
                            pre, std::max(0.0f, pre), pre > 0 ? "fires" : "silent");
            else
                ui::Tooltip("%s\nx = %.3f, y = %.3f\nother tokens: %+.3f\nW_up\xC2\xB7" "E + b_up = %+.3f\n%s = %.3f  (%s)",
                            p.name.c_str(), p.x, p.y, p.rest, pre, m.mlp.act == Activation::GELU ? "GELU" : "ReLU",
                            activate(m.mlp.act, pre), pre > 0 ? "fires" : "silent");
        }
        plot::End();
    }
    P.alpha = A;
    P.beta = B;
    P.bias = bias;
    P.c = bias + rest_used;
    for (const GatePoint& p : pts) P.points.push_back({p.name, p.x, p.y, pre_of(p)});

    // The gate as text for the page's live region: the formula, who fires, who does not.
    {
        std::string t = "the neuron of " + owner + (video ? ", with the video's numbers" : ", with this model's own numbers") +
                        ", fires when " + std::string(formula_text(A, B, bias + rest_used)) + " > 0 (x = E\xC2\xB7\"" + xname +
                        "\", y = E\xC2\xB7\"" + yname + "\").";
        std::vector<int> byp(pts.size());
        for (int i = 0; i < int(byp.size()); ++i) byp[i] = i;
        std::stable_sort(byp.begin(), byp.end(), [&](int i, int j) { return pts[i].priority < pts[j].priority; });
        std::string fire, silent;
        int listed = 0;
        for (int i : byp) {
            if (++listed > 8) break;
            char v[24];
            std::snprintf(v, sizeof v, " (%+.2f)", pre_of(pts[i]));
            std::string& to = pre_of(pts[i]) > 0 ? fire : silent;
            to += (to.empty() ? "" : ", ") + pts[i].name + v;
        }
        if (!fire.empty()) t += " Fires: " + fire + ".";
        if (!silent.empty()) t += " Silent: " + silent + ".";
        live::say("and-gate", t);
    }
    // Legend, wrapping on a phone.
    {
        ui::Flow f;
        ImU32 pos = theme::firing_ink(), neg = theme::silent_ink();
        auto item = [&](const char* glyph, ImU32 c, const char* text) {
            std::string s = std::string(glyph) + " " + text;
            f.next(ImGui::CalcTextSize(s.c_str()).x);
            ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(c), "%s", glyph);
            ImGui::SameLine(0, ImGui::CalcTextSize(" ").x);
            ImGui::TextUnformatted(text);
        };
        item("\xE2\x97\x8F", pos, "fires");
        item("\xE2\x97\x8B", neg, "silent");
        if (!video) item("\xE2\x97\x86", theme::muted(), "other tokens move its boundary (hover)");
        if (ctx.controls) item("\xE2\x80\x94", pos, "drag the line, or the number");
    }

    // The table: every plotted name, pre-activation and activation at the current bias.
    if (!show_table) { hovered_row = -1; return; }
    std::vector<int> rows(pts.size());
    for (int i = 0; i < int(rows.size()); ++i) rows[i] = i;
    std::stable_sort(rows.begin(), rows.end(), [&](int i, int j) { return pre_of(pts[i]) > pre_of(pts[j]); });
    bool narrow = ui::Narrow(ctx);
    int ncol = narrow ? 3 : 5;
    float th = std::max(ui::Em(8), ImGui::GetContentRegionAvail().y - ImGui::GetStyle().ItemSpacing.y);
    hovered_row = -1;
    ImGuiTableFlags tf = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp |
                         ImGuiTableFlags_BordersOuterH;
    if (a.figure) { tf &= ~ImGuiTableFlags_ScrollY; th = 0; }   // a figure embed shows every row (figure.hpp)
    if (ImGui::BeginTable("gate_table", ncol, tf, ImVec2(0, th))) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn("subject", ImGuiTableColumnFlags_WidthStretch, 3.0f);
        if (!narrow) {
            ImGui::TableSetupColumn("x", ImGuiTableColumnFlags_WidthStretch, 1.0f);
            ImGui::TableSetupColumn("y", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        }
        ImGui::TableSetupColumn(video ? "x + y + bias" : "W_up\xC2\xB7" "E+b_up", ImGuiTableColumnFlags_WidthStretch, 1.8f);
        ImGui::TableSetupColumn(video || m.mlp.act != Activation::GELU ? "ReLU" : "GELU", ImGuiTableColumnFlags_WidthStretch, 1.2f);
        ImGui::TableHeadersRow();
        for (int i : rows) {
            const GatePoint& p = pts[i];
            float pre = pre_of(p);
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImVec4 col = ImGui::ColorConvertU32ToFloat4(pre > 0 ? theme::firing_ink() : theme::text());
            if (p.selected) {   // the studied name: highlighted row, plain text for contrast
                ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, theme::with_alpha(theme::focus(), 0.25f));
                col = ImGui::GetStyleColorVec4(ImGuiCol_Text);
            }
            ImGui::PushID(i);
            ImGui::PushStyleColor(ImGuiCol_Text, col);
            ImGui::Selectable(p.name.c_str(), false, ImGuiSelectableFlags_SpanAllColumns);
            ImGui::PopStyleColor();
            if (ImGui::IsItemHovered()) hovered_row = i;
            ImGui::PopID();
            if (!narrow) {
                ImGui::TableNextColumn(); ImGui::Text("%.2f", p.x);
                ImGui::TableNextColumn(); ImGui::Text("%.2f", p.y);
            }
            ImGui::TableNextColumn(); ImGui::Text("%+.2f", pre);
            ImGui::TableNextColumn(); ImGui::Text("%.2f", video ? std::max(0.0f, pre) : activate(m.mlp.act, pre));
        }
        ImGui::EndTable();
    }
}

ViewRegistrar reg({"and-gate", "The AND gate", "facts", 30, 560.0f, draw_andgate,
                   "A neuron with a bias and a ReLU fires only when both names are present: Michael Jordan, not Michael Phelps or Alexis Jordan."});

}  // namespace
}  // namespace factlab

// factlab.andGate() (web/factlab-page.js): what the AND gate drew in its last
// frame, in device pixels (the page converts to CSS pixels). Builds natively too.
extern "C" const char* factlab_andgate_json() {
    static std::string out;
    const factlab::GateProbe& P = factlab::g_probe;
    auto rect = [](const ImVec4& r) { return nlohmann::json({r.x, r.y, r.z, r.w}); };
    nlohmann::json pts = nlohmann::json::array();
    for (const auto& p : P.points) pts.push_back({{"name", p.name}, {"x", p.x}, {"y", p.y}, {"pre", p.pre}, {"fires", p.pre > 0}});
    nlohmann::json j = {{"frame", P.frame}, {"current_frame", ImGui::GetCurrentContext() ? ImGui::GetFrameCount() : 0},
                        {"numbers", P.video ? "video" : "model"}, {"owner", P.owner}, {"subject", P.subject},
                        {"neuron", P.neuron}, {"alpha", P.alpha}, {"beta", P.beta}, {"bias", P.bias}, {"c", P.c},
                        {"model", {{"alpha", P.model_alpha}, {"beta", P.model_beta}, {"c", P.model_c}, {"bias", P.model_bias}}},
                        {"line", P.line ? nlohmann::json({P.line0.x, P.line0.y, P.line1.x, P.line1.y}) : nlohmann::json()},
                        {"plot", rect(P.plot)}, {"number", rect(P.number)}, {"video_button", rect(P.video_button)},
                        {"model_button", rect(P.model_button)}, {"points", pts}};
    out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return out.c_str();
}
