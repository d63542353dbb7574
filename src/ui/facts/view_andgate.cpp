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
// State: "gate_bias" (the bias slider; absent = the compiled b_up of the neuron).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <imgui.h>
#include "ui/common/app.hpp"
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

// For a name with no neuron of its own: the neuron to draw, and why. First a
// subject with the same words in other places ("Jordan Michael" -> Michael
// Jordan: the gate that tells them apart), else the subject sharing most of its
// words in their roles (ties: the higher pre-activation), else the neuron it
// excites most. Cached per (model, name): the shared-role count reads the
// subject table once, (d × N) per known word.
struct Stand_in { int neuron = -1; const char* why = ""; };
Stand_in stand_in(App& a, const Model& m, const LookupResult& L, const ui::SubjectTable& T) {
    static unsigned version = ~0u;
    static std::string key;
    static Stand_in cached;
    if (version == a.model_version() && key == L.subject) return cached;
    version = a.model_version();
    key = L.subject;
    Stand_in r;
    std::vector<std::string> mine = L.tokens;
    std::sort(mine.begin(), mine.end());
    for (size_t j = 0; j < T.subjects.size() && r.neuron < 0 && mine.size() > 1; ++j) {
        std::vector<std::string> theirs = split_tokens(T.subjects[j]);
        std::sort(theirs.begin(), theirs.end());
        if (theirs == mine) { r.neuron = ui::subject_neuron(m, T.subjects[j]); r.why = "the same words in other places"; }
    }
    if (r.neuron < 0 && T.E.cols() == Eigen::Index(T.subjects.size()) && T.E.rows() == m.d()) {
        Eigen::VectorXi shared = Eigen::VectorXi::Zero(T.E.cols());      // (N) words shared in their roles
        for (int row : L.rows) {
            if (row < 0) continue;
            Vec dots = T.E.transpose() * m.tokens.row(row).transpose();  // (N)
            for (Eigen::Index j = 0; j < dots.size(); ++j) shared[j] += dots[j] > 0.5f ? 1 : 0;
        }
        int best = 0;
        float best_pre = 0;
        for (Eigen::Index j = 0; j < shared.size(); ++j) {
            if (shared[j] == 0 || shared[j] < best) continue;
            int n = ui::subject_neuron(m, T.subjects[size_t(j)]);
            if (n < 0 || n >= L.trace.pre.size()) continue;
            if (shared[j] > best || L.trace.pre[n] > best_pre) { best = shared[j]; best_pre = L.trace.pre[n]; r.neuron = n; }
        }
        if (r.neuron >= 0) r.why = "the name sharing most of its words in their roles";
    }
    if (r.neuron < 0 && L.trace.pre.size() > 0) {
        Eigen::Index best = 0;
        L.trace.pre.maxCoeff(&best);
        r.neuron = int(best);
        r.why = "the one it excites most";
    }
    cached = r;
    return r;
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

void draw_andgate(App& a, const ViewCtx& ctx) {
    ui::sync_subject_keys(a);
    const Model& m = a.model();
    const LookupResult& L = a.current_lookup();
    const ui::SubjectTable& T = ui::subject_table(a);
    const int h = m.mlp.hidden();
    if (h == 0 || L.trace.pre.size() != h) { ui::Note("No model."); return; }

    // The neuron: the subject's own, or (unknown name) a stand-in (see stand_in).
    int n = ui::subject_neuron(m, L.subject);
    bool own = n >= 0;
    const char* why = "";
    if (!own) { Stand_in si = stand_in(a, m, L, T); n = si.neuron; why = si.why; }
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

    // The bias: the slider's value, or the compiled one.
    const float b0 = m.mlp.b_up[n];
    float bias = float(a.state.get_float("gate_bias", b0, b0 - 10, b0 + 10));
    std::vector<std::string> middle;   // the owner's middle names, in their roles
    for (int i = 1; i + 1 < nt; ++i) middle.push_back(role_label(token_role(i, nt)) + " \"" + otoks[size_t(i)] + "\"");
    if (ctx.controls) {
        float fs = ImGui::GetFontSize();
        bool narrow = ui::Narrow(ctx);
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted("b_up");
        ImGui::SameLine();
        float reset_w = ImGui::CalcTextSize("Compiled").x + ImGui::GetStyle().FramePadding.x * 2;
        ImGui::SetNextItemWidth(std::max(fs * 6, ImGui::GetContentRegionAvail().x - (narrow ? 0 : reset_w + fs)));
        if (ImGui::SliderFloat("##bias", &bias, b0 - 4, b0 + 4, "%.2f")) a.state.set_float("gate_bias", bias);
        if (ImGui::IsItemHovered()) ui::Tooltip("The neuron's bias: it shifts the boundary. Compiled value: %.2f", b0);
        if (!narrow) ImGui::SameLine();
        ImGui::BeginDisabled(!a.state.has("gate_bias"));
        if (ImGui::Button("Compiled")) { a.state.erase("gate_bias"); bias = b0; }
        ImGui::EndDisabled();
    }
    // The boundary in words, with the real coefficients.
    {
        char eq[400];
        float c = bias + rest_owner;
        std::snprintf(eq, sizeof eq, "Fires when %.2f\xC2\xB7x + %.2f\xC2\xB7y %s %.2f > 0", alpha, beta, c < 0 ? "\xE2\x88\x92" : "+", std::fabs(c));
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(eq);
        ImGui::PopTextWrapPos();
        if (!middle.empty()) {
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
    int hovered_pt = -1;
    if (plot::Begin("gate", ImVec2(W, ph), {xmin, xmax, xl.c_str()}, {ymin, ymax, yl.c_str()})) {
        plot::FillHalfPlane(alpha, beta, bias + rest_owner, theme::with_alpha(theme::firing(), 0.20f));
        plot::HLine(0, theme::grid());
        plot::VLine(0, theme::grid());
        plot::BoundaryLine(alpha, beta, bias + rest_owner, theme::firing(), 2.0f);
        // Hover: the nearest point within reach.
        float fs = ImGui::GetFontSize(), r = std::max(3.0f, fs * 0.3f);
        if (plot::Hovered()) {
            ImVec2 mp = ImGui::GetIO().MousePos;
            float best = fs * 0.8f;
            for (int i = 0; i < int(pts.size()); ++i) {
                ImVec2 s = plot::ToScreen(pts[i].x, pts[i].y);
                float dd = std::hypot(s.x - mp.x, s.y - mp.y);
                if (dd < best) { best = dd; hovered_pt = i; }
            }
        }
        int focus = hovered_pt >= 0 ? hovered_pt : hovered_row;
        if (focus >= 0 && focus < int(pts.size()) && std::fabs(pts[focus].rest - rest_owner) > 0.25f)
            plot::BoundaryLine(alpha, beta, bias + pts[focus].rest, theme::muted(), 1.5f, true);   // its own boundary

        // Points: silent first, so firing ones stay on top; the selected one last.
        std::vector<int> order(pts.size());
        for (int i = 0; i < int(order.size()); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](int i, int j) {
            auto key = [&](int k) { return (pts[k].selected ? 2 : 0) + (pts[k].wE + bias > 0 ? 1 : 0); };
            return key(i) < key(j);
        });
        for (int i : order) {
            const GatePoint& p = pts[i];
            bool diamond = std::fabs(p.rest - rest_owner) > 0.25f;
            draw_marker(plot::ToScreen(p.x, p.y), i == focus ? r * 1.4f : r, p.wE + bias > 0, diamond, p.selected);
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
        int labelled = 0;
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
                ++labelled;
                break;
            }
        }
        if (hovered_pt >= 0) {
            const GatePoint& p = pts[hovered_pt];
            float pre = p.wE + bias;
            ui::Tooltip("%s\nx = %.3f, y = %.3f\nother tokens: %+.3f\nW_up\xC2\xB7" "E + b_up = %+.3f\n%s = %.3f  (%s)",
                              p.name.c_str(), p.x, p.y, p.rest, pre, m.mlp.act == Activation::GELU ? "GELU" : "ReLU",
                              activate(m.mlp.act, pre), pre > 0 ? "fires" : "silent");
        }
        plot::End();
        (void)labelled;
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
        item("\xE2\x97\x86", theme::muted(), "other tokens move its boundary (hover)");
    }

    // The table: every plotted name, pre-activation and activation at the current bias.
    if (!show_table) { hovered_row = -1; return; }
    std::vector<int> rows(pts.size());
    for (int i = 0; i < int(rows.size()); ++i) rows[i] = i;
    std::stable_sort(rows.begin(), rows.end(), [&](int i, int j) { return pts[i].wE > pts[j].wE; });
    bool narrow = ui::Narrow(ctx);
    int ncol = narrow ? 3 : 5;
    float th = std::max(ui::Em(8), ImGui::GetContentRegionAvail().y - ImGui::GetStyle().ItemSpacing.y);
    hovered_row = -1;
    ImGuiTableFlags tf = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp |
                         ImGuiTableFlags_BordersOuterH;
    if (ImGui::BeginTable("gate_table", ncol, tf, ImVec2(0, th))) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn("subject", ImGuiTableColumnFlags_WidthStretch, 3.0f);
        if (!narrow) {
            ImGui::TableSetupColumn("x", ImGuiTableColumnFlags_WidthStretch, 1.0f);
            ImGui::TableSetupColumn("y", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        }
        ImGui::TableSetupColumn("W_up\xC2\xB7" "E+b_up", ImGuiTableColumnFlags_WidthStretch, 1.8f);
        ImGui::TableSetupColumn(m.mlp.act == Activation::GELU ? "GELU" : "ReLU", ImGuiTableColumnFlags_WidthStretch, 1.2f);
        ImGui::TableHeadersRow();
        for (int i : rows) {
            const GatePoint& p = pts[i];
            float pre = p.wE + bias;
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
            ImGui::TableNextColumn(); ImGui::Text("%.2f", activate(m.mlp.act, pre));
        }
        ImGui::EndTable();
    }
}

ViewRegistrar reg({"and-gate", "The AND gate", "facts", 30, 560.0f, draw_andgate,
                   "A neuron with a bias and a ReLU fires only when both names are present: Michael Jordan, not Michael Phelps or Alexis Jordan."});

}  // namespace
}  // namespace factlab
