// widgets.cpp: see widgets.hpp.
#include "ui/common/widgets.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <imgui_internal.h>
#include "ui/common/theme.hpp"

namespace factlab::ui {

//-----------------------------------------------------------------------------
// [SECTION] Text and layout
//-----------------------------------------------------------------------------
float Em(float n) { return n * ImGui::GetFontSize(); }

bool Narrow(const ViewCtx& ctx) { return ctx.width < Em(26); }

// Secondary text: the palette's soft ink (>= 4.5:1 on every surface, tests/core/test_theme.cpp).
static ImVec4 soft_text() { return ImGui::ColorConvertU32ToFloat4(theme::muted()); }

void Caption(const char* text) {
    ImGui::PushStyleColor(ImGuiCol_Text, soft_text());
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
}

// printf-style text into a fixed buffer (longer text is cut, never overrun).
namespace {
struct Formatted {
    char buf[1024];
    Formatted(const char* fmt, va_list args) IM_FMTLIST(2) { std::vsnprintf(buf, sizeof buf, fmt, args); }
};
}  // namespace

void Note(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    Formatted text(fmt, args);
    va_end(args);
    Caption(text.buf);
}

void Tooltip(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    Formatted text(fmt, args);
    va_end(args);
    const float screen = ImGui::GetMainViewport()->WorkSize.x;
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(std::max(Em(6), std::min(Em(26), screen - Em(1.5f))));
    ImGui::TextUnformatted(text.buf);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
}

void StepHeading(const char* number, const char* title, ImU32 accent) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImVec2 p = ImGui::GetCursorScreenPos();
    float fs = ImGui::GetFontSize();
    float r = fs * 0.62f;
    ImVec2 c(p.x + r, p.y + fs * 0.5f + 1);
    dl->AddCircleFilled(c, r, accent);
    ImVec2 ns = ImGui::CalcTextSize(number);
    dl->AddText(ImVec2(c.x - ns.x / 2, c.y - ns.y / 2), theme::text_on(accent), number);
    ImGui::SetCursorScreenPos(ImVec2(p.x + 2 * r + fs * 0.4f, p.y));
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(title);
    ImGui::PopTextWrapPos();
}

ImU32 AccentText() { return theme::focus_ink(); }

void Arrow(const char* words) {   // the text colour: an arrow between steps singles nothing out
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::text()));
    ImGui::PushTextWrapPos(0.0f);
    ImGui::Text("\xE2\x86\x93  %s", words);   // ↓
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
}

void Flow::next(float w) {
    if (!first) {
        float right = ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + w;
        float limit = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
        if (right <= limit) ImGui::SameLine();
    }
    first = false;
}

bool Flow::button(const char* label) {
    ImVec2 ts = ImGui::CalcTextSize(label, nullptr, true);
    next(ts.x + ImGui::GetStyle().FramePadding.x * 2);
    return ImGui::Button(label);
}

bool Flow::choice(const char* label, bool selected) {
    ImVec2 ts = ImGui::CalcTextSize(label, nullptr, true);
    next(ts.x + ImGui::GetStyle().FramePadding.x * 2);
    return ChoiceChip(label, selected);
}

void Flow::chip(const char* text, ImU32 bg, ImU32 fg, const char* tooltip) {
    float fs = ImGui::GetFontSize();
    ImVec2 ts = ImGui::CalcTextSize(text);
    ImVec2 size(ts.x + fs * 0.8f, ts.y + fs * 0.3f);
    next(size.x);
    ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::Dummy(size);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), bg, fs * 0.35f);
    dl->AddText(ImVec2(p.x + fs * 0.4f, p.y + fs * 0.15f), fg, text);
    if (tooltip && ImGui::IsItemHovered()) Tooltip("%s", tooltip);
}

// [SECTION] Control styles: a tab, a button, a field, a chip and a label each look like what they are.
void PushFieldStyle() {
    const theme::Palette& p = theme::current();
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 1.0f);
    ImGui::PushStyleColor(ImGuiCol_Border, ImGui::ColorConvertU32ToFloat4(theme::u32(p.field_border)));
    ImGui::PushStyleColor(ImGuiCol_FrameBg, ImGui::ColorConvertU32ToFloat4(theme::u32(p.panel_bg)));
    ImGui::PushStyleColor(ImGuiCol_TextDisabled, ImGui::ColorConvertU32ToFloat4(theme::u32(p.placeholder)));
}
void PopFieldStyle() {
    ImGui::PopStyleColor(3);
    ImGui::PopStyleVar();
}

bool TabButton(const char* label, bool active) {
    const theme::Palette& p = theme::current();
    ImGui::PushStyleColor(ImGuiCol_Button, ImGui::ColorConvertU32ToFloat4(theme::u32(active ? p.tab_active : p.tab)));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImGui::ColorConvertU32ToFloat4(theme::u32(p.button_hover)));
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, ImGui::ColorConvertU32ToFloat4(theme::u32(p.button_active)));
    ImGui::PushStyleVar(ImGuiStyleVar_FrameRounding, 0.0f);
    bool pressed = ImGui::Button(label);
    ImGui::PopStyleVar();
    ImGui::PopStyleColor(3);
    ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    float line = std::max(2.0f, ImGui::GetFontSize() * 0.16f);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    if (active) dl->AddRectFilled(ImVec2(a.x, b.y - line), b, theme::u32(p.primary));   // the tab you are on: underlined
    else dl->AddLine(ImVec2(a.x, b.y - 0.5f), ImVec2(b.x, b.y - 0.5f), theme::u32(p.border));
    return pressed;
}

bool ChoiceChip(const char* label, bool selected) {
    const theme::Palette& p = theme::current();
    ImGui::PushStyleVar(ImGuiStyleVar_FrameRounding, ImGui::GetFrameHeight() * 0.5f);   // a pill, not a button
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 1.0f);
    ImGui::PushStyleColor(ImGuiCol_Border, ImGui::ColorConvertU32ToFloat4(theme::u32(selected ? p.primary : p.field_border)));
    ImGui::PushStyleColor(ImGuiCol_Button, ImGui::ColorConvertU32ToFloat4(theme::u32(selected ? p.chip_selected : p.chip)));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImGui::ColorConvertU32ToFloat4(theme::u32(p.chip_selected)));
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, ImGui::ColorConvertU32ToFloat4(theme::u32(p.button_active)));
    bool pressed = ImGui::Button(label);
    ImGui::PopStyleColor(4);
    ImGui::PopStyleVar(2);
    return pressed;
}

void ProgressBar(float f, float width, ImU32 col) {
    float fs = ImGui::GetFontSize();
    ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::Dummy(ImVec2(width, fs));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    float y0 = p.y + fs * 0.2f, y1 = p.y + fs * 0.85f;
    dl->AddRectFilled(ImVec2(p.x, y0), ImVec2(p.x + width, y1), theme::grid(), 2);
    dl->AddRectFilled(ImVec2(p.x, y0), ImVec2(p.x + width * std::clamp(f, 0.0f, 1.0f), y1), col, 2);
}

//-----------------------------------------------------------------------------
// [SECTION] Subject picker
//-----------------------------------------------------------------------------
namespace {
struct PickerState {
    char buf[256] = {0};
    bool editing = false;         // the field has focus (or its list is being clicked)
    bool typed = false;           // the text changed since the field was focused
    int highlight = -1;           // row of the list under the keyboard
    int count = 0;                // rows in the list last frame
    bool tab = false;
    bool scroll_to = false;
    bool shown = false;           // the list was drawn last frame, at list_min..list_max
    ImVec2 list_min, list_max;
};
std::map<ImGuiID, PickerState>& picker_states() {
    static std::map<ImGuiID, PickerState> s;
    return s;
}

std::string lower(std::string_view s) {
    std::string o(s);
    for (char& c : o) c = char(std::tolower(static_cast<unsigned char>(c)));
    return o;
}

std::string tidy(const char* s) {   // trimmed, single spaces
    std::string o;
    for (const char* p = s; *p; ++p) {
        bool sp = *p == ' ' || *p == '\t';
        if (sp) { if (!o.empty() && o.back() != ' ') o += ' '; }
        else o += *p;
    }
    while (!o.empty() && o.back() == ' ') o.pop_back();
    return o.substr(0, 200);
}

// Options ranked for the query: 0 exact, 1 name prefix, 2 word prefix, 3 substring.
std::vector<int> match(const std::vector<std::string>& options, const std::string& query, bool all) {
    std::vector<std::pair<int, int>> hits;   // (rank, index)
    std::string q = lower(query);
    for (int i = 0; i < int(options.size()); ++i) {
        if (all || q.empty()) { hits.push_back({4, i}); continue; }
        std::string o = lower(options[i]);
        size_t at = o.find(q);
        if (at == std::string::npos) continue;
        int rank = o == q ? 0 : at == 0 ? 1 : o[at - 1] == ' ' ? 2 : 3;
        hits.push_back({rank, i});
    }
    std::stable_sort(hits.begin(), hits.end(), [&](const auto& a, const auto& b) {
        if (a.first != b.first) return a.first < b.first;
        return options[a.second] < options[b.second];
    });
    std::vector<int> out;
    for (const auto& h : hits) out.push_back(h.second);
    return out;
}

int picker_callback(ImGuiInputTextCallbackData* d) {
    PickerState* s = static_cast<PickerState*>(d->UserData);
    if (d->EventFlag == ImGuiInputTextFlags_CallbackHistory && s->count > 0) {
        if (d->EventKey == ImGuiKey_UpArrow) s->highlight = std::max(0, s->highlight - 1);
        if (d->EventKey == ImGuiKey_DownArrow) s->highlight = std::min(s->count - 1, s->highlight + 1);
        s->scroll_to = true;
    } else if (d->EventFlag == ImGuiInputTextFlags_CallbackCompletion) {
        s->tab = true;
    }
    return 0;
}
}  // namespace

bool SubjectPicker(const char* id, std::string* value, const std::vector<std::string>& options, float width,
                   const char* hint, bool list_on_focus) {
    ImGuiID gid = ImGui::GetID(id);
    PickerState& s = picker_states()[gid];
    if (!s.editing) {   // mirror the current value while the field is idle
        std::snprintf(s.buf, sizeof s.buf, "%s", value->c_str());
        s.typed = false;
    }
    ImGui::SetNextItemWidth(width > 0 ? width : -1.0f);
    ImGuiInputTextFlags flags = ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_CallbackHistory |
                                ImGuiInputTextFlags_CallbackCompletion | ImGuiInputTextFlags_AutoSelectAll;
    char before[256];
    std::memcpy(before, s.buf, sizeof before);
    PushFieldStyle();
    bool enter = ImGui::InputTextWithHint(id, hint, s.buf, sizeof s.buf, flags, picker_callback, &s);
    PopFieldStyle();
    bool active = ImGui::IsItemActive();
    if (ImGui::IsItemActivated()) { s.editing = true; s.typed = false; s.highlight = -1; }
    if (std::strcmp(before, s.buf) != 0) { s.typed = true; s.highlight = -1; }
    if (!s.editing && !enter) return false;   // idle: no list to build
    ImVec2 below(ImGui::GetItemRectMin().x, ImGui::GetItemRectMax().y + 2);
    float list_w = ImGui::GetItemRectSize().x;

    std::string buf_tidy = tidy(s.buf);
    std::vector<int> hits = match(options, buf_tidy, !s.typed);
    bool exact = false;
    for (int i : hits) exact = exact || lower(options[i]) == lower(buf_tidy);
    // A last row "look up ... as typed" keeps free text (unknown names) one key away.
    bool free_row = s.typed && !buf_tidy.empty() && !exact;
    int nrows = int(hits.size()) + (free_row ? 1 : 0);
    s.count = nrows;
    if (s.typed && s.highlight < 0 && nrows > 0) s.highlight = 0;   // Enter takes the best match
    if (s.highlight >= nrows) s.highlight = nrows - 1;

    bool committed = false;
    auto commit = [&](const std::string& v) {
        if (!v.empty()) { *value = v; committed = true; }
        s.editing = false;
        s.typed = false;
        s.highlight = -1;
        std::snprintf(s.buf, sizeof s.buf, "%s", value->c_str());
        if (active) ImGui::ClearActiveID();
    };
    auto commit_row = [&](int r) {
        if (r >= 0 && r < int(hits.size())) commit(options[hits[r]]);
        else commit(buf_tidy);
    };
    if (enter) {
        if (exact) commit_row(0);                       // the exact match ranks first
        else if (s.highlight >= 0) commit_row(s.highlight);
        else commit(buf_tidy);
        return committed;
    }
    if (s.tab) {   // Tab completes to the highlighted (or best) known subject
        s.tab = false;
        if (!hits.empty()) commit_row(std::clamp(s.highlight, 0, int(hits.size()) - 1));
        return committed;
    }

    // The mouse over last frame's list keeps it open while the field loses focus
    // to the click (a tap moves, presses and releases at once, so no "hovered" frame comes first).
    bool over_list = s.shown && ImGui::IsMouseHoveringRect(s.list_min, s.list_max, false);
    bool show = s.editing && (active || over_list) && nrows > 0 && (list_on_focus || s.typed || s.highlight >= 0);
    if (!active && !over_list && !ImGui::IsMouseDown(0)) s.editing = false;   // clicked elsewhere / Escape
    s.shown = false;
    if (!show) return false;

    // The completion list: a borderless window on top of the panels, under the field.
    float row = ImGui::GetTextLineHeightWithSpacing();
    int rows = std::max(1, std::min(nrows, 8));
    ImGui::SetNextWindowPos(below);
    ImGui::SetNextWindowSize(ImVec2(list_w, rows * row + ImGui::GetStyle().WindowPadding.y * 2));
    ImGuiWindowFlags wf = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
                          ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav;
    char wid[64];
    std::snprintf(wid, sizeof wid, "##picker_list_%08x", gid);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 1.0f);
    ImGui::Begin(wid, nullptr, wf);
    ImGui::BringWindowToDisplayFront(ImGui::GetCurrentWindow());
    for (int i = 0; i < nrows; ++i) {
        bool hl = i == s.highlight;
        bool is_free = i == int(hits.size());
        std::string label = is_free ? "\xE2\x86\xB5 look up \"" + buf_tidy + "\" as typed" : options[hits[i]];
        if (is_free) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::PushID(i);
        if (ImGui::Selectable(label.c_str(), hl)) commit_row(i);
        ImGui::PopID();
        if (is_free) {
            ImGui::PopStyleColor();
            if (ImGui::IsItemHovered()) Tooltip("Not in the fact set: its known tokens still make an E; unknown ones are skipped.");
        }
        if (hl && s.scroll_to) { ImGui::SetScrollHereY(); s.scroll_to = false; }
    }
    s.shown = !committed;
    s.list_min = ImGui::GetWindowPos();
    s.list_max = ImVec2(s.list_min.x + ImGui::GetWindowSize().x, s.list_min.y + ImGui::GetWindowSize().y);
    ImGui::End();
    ImGui::PopStyleVar();
    return committed;
}

std::string canonical_subject(const Model& m, const std::string& text) {
    std::string out;
    for (const std::string& t : split_tokens(text)) {
        std::string tok = t, lt = lower(t);
        if (std::find(m.vocab.tokens.begin(), m.vocab.tokens.end(), t) == m.vocab.tokens.end())
            for (const std::string& v : m.vocab.tokens)
                if (lower(v) == lt) { tok = v; break; }
        out += (out.empty() ? "" : " ") + tok;
    }
    return out;
}

void set_subject(App& a, const std::string& name) {
    if (name == a.subject()) return;
    a.state.set("subject", name);
    a.state.erase("neuron");
    a.state.erase("gate_bias");
}

void sync_subject_keys(App& a) {
    static const char* const keys[] = {"neuron", "gate_bias"};
    static std::string last, last_val[2];
    static bool seen = false;
    std::string cur = a.subject();
    for (int i = 0; i < 2; ++i) {
        // A key written together with the new subject (a tour step, a link) is meant for it: keep it.
        if (seen && cur != last && a.state.get(keys[i]) == last_val[i]) a.state.erase(keys[i]);
        last_val[i] = a.state.get(keys[i]);
    }
    last = cur;
    seen = true;
}

//-----------------------------------------------------------------------------
// [SECTION] Model helpers
//-----------------------------------------------------------------------------
int subject_neuron(const Model& m, std::string_view subject) {
    for (int i = 0; i < int(m.neuron_labels.size()) && i < m.mlp.hidden(); ++i)
        if (m.neuron_labels[i] == subject) return i;
    return -1;
}

int current_neuron(App& a) {
    const Model& m = a.model();
    int h = m.mlp.hidden();
    if (h <= 0) return -1;
    if (a.state.has("neuron")) return int(a.state.get_int("neuron", 0, 0, h - 1));
    int n = subject_neuron(m, a.subject());
    if (n >= 0) return n;
    n = stand_in_neuron(a).neuron;
    return n >= 0 && n < h ? n : 0;
}

// Cached per (model, name): the shared-role count reads the subject table once,
// (d × N) per known word.
StandIn stand_in_neuron(App& a) {
    const Model& m = a.model();
    const LookupResult& L = a.current_lookup();
    const SubjectTable& T = subject_table(a);
    struct Cache { unsigned version = ~0u; std::string key; StandIn r; };
    Cache& c = a.ext<Cache>();
    if (c.version == a.model_version() && c.key == L.subject) return c.r;
    c.version = a.model_version();
    c.key = L.subject;
    StandIn r;
    if (subject_neuron(m, L.subject) >= 0) { c.r = r; return r; }
    std::vector<std::string> mine = L.tokens;
    std::sort(mine.begin(), mine.end());
    for (size_t j = 0; j < T.subjects.size() && r.neuron < 0 && mine.size() > 1; ++j) {
        std::vector<std::string> theirs = split_tokens(T.subjects[j]);
        std::sort(theirs.begin(), theirs.end());
        if (theirs == mine) { r.neuron = subject_neuron(m, T.subjects[j]); r.why = "the same words in other places"; }
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
            int k = subject_neuron(m, T.subjects[size_t(j)]);
            if (k < 0 || k >= L.trace.pre.size()) continue;
            if (shared[j] > best || L.trace.pre[k] > best_pre) { best = shared[j]; best_pre = L.trace.pre[k]; r.neuron = k; }
        }
        if (r.neuron >= 0) r.why = "the name sharing most of its words in their roles";
    }
    if (r.neuron < 0 && L.trace.pre.size() > 0) {
        Eigen::Index best = 0;
        L.trace.pre.maxCoeff(&best);
        r.neuron = int(best);
        r.why = "the one it excites most";
    }
    c.r = r;
    return r;
}

std::string neuron_label(const Model& m, int i) {
    if (i >= 0 && i < int(m.neuron_labels.size()) && !m.neuron_labels[i].empty()) return m.neuron_labels[i];
    return "neuron " + std::to_string(i);
}

std::vector<int> top_indices(const Eigen::Ref<const Vec>& v, int k, Rank rank) {
    std::vector<int> idx(size_t(v.size()));
    for (int i = 0; i < int(idx.size()); ++i) idx[i] = i;
    auto key = [&](int i) {
        float x = v[i];
        return rank == Rank::ByAbs ? std::fabs(x) : rank == Rank::Largest ? x : -x;
    };
    k = std::clamp(k, 0, int(idx.size()));
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int a, int b) { return key(a) > key(b); });
    idx.resize(size_t(k));
    return idx;
}

std::vector<NamedDot> top_named(const Model& m, const Eigen::Ref<const Vec>& v, int k, bool tokens, bool objects,
                                Rank rank) {
    std::vector<NamedDot> all;
    if (v.size() != m.d()) return all;
    if (tokens && m.tokens.rows() > 0) {
        Vec t = m.tokens * v;   // (T)
        for (int i = 0; i < int(t.size()); ++i) all.push_back({false, i, t[i]});
    }
    if (objects && m.objects.rows() > 0) {
        Vec o = m.objects * v;  // (O)
        for (int i = 0; i < int(o.size()); ++i) all.push_back({true, i, o[i]});
    }
    auto key = [&](const NamedDot& n) {
        return rank == Rank::ByAbs ? std::fabs(n.dot) : rank == Rank::Largest ? n.dot : -n.dot;
    };
    k = std::clamp(k, 0, int(all.size()));
    std::partial_sort(all.begin(), all.begin() + k, all.end(),
                      [&](const NamedDot& a, const NamedDot& b) { return key(a) > key(b); });
    all.resize(size_t(k));
    return all;
}

std::string named_label(const Model& m, const NamedDot& n) {
    const auto& names = n.object ? m.vocab.objects : m.vocab.tokens;
    std::string s = n.id >= 0 && n.id < int(names.size()) ? names[n.id] : "?";
    if (!n.object) s = token_label(m, n.id);   // "first name Michael": the direction is the word in its role
    return n.object ? s : "\"" + s + "\"";   // tokens quoted: "Michael" (a name part) vs basketball (an answer)
}

namespace {
struct SubjectTableCache {
    SubjectTable t;
    bool built = false;
};
struct SubjectPreCache {
    SubjectPre p;
    unsigned model_version = ~0u;
};
}  // namespace

const SubjectTable& subject_table(App& a) {
    const Model& m = a.model();   // first: it may rebuild (and load the facts)
    auto& c = a.ext<SubjectTableCache>();
    if (c.built && c.t.model_version == a.model_version()) return c.t;
    SubjectTable& t = c.t;
    t.model_version = a.model_version();
    t.subjects = a.facts.subjects;
    int n = int(t.subjects.size()), d = m.d();
    t.E.setZero(d, n);
    for (int j = 0; j < n; ++j) t.E.col(j) = embed_tokens(m, split_tokens(t.subjects[j]));
    c.built = true;
    return t;
}

const SubjectPre& subject_pre(App& a, int n) {
    const SubjectTable& T = subject_table(a);
    const Model& m = a.model();
    auto& c = a.ext<SubjectPreCache>();
    if (c.model_version == a.model_version() && c.p.neuron == n) return c.p;
    c.model_version = a.model_version();
    SubjectPre& p = c.p;
    p = SubjectPre{};
    const Eigen::Index N = T.E.cols();
    if (n < 0 || n >= m.mlp.hidden() || m.mlp.d() != T.E.rows()) return p;
    p.neuron = n;
    p.pre.noalias() = (m.mlp.W_up.row(n) * T.E).transpose();   // (N)
    p.pre.array() += m.mlp.b_up[n];
    p.order.resize(size_t(N));
    for (Eigen::Index j = 0; j < N; ++j) p.order[size_t(j)] = int(j);
    // NaN (a diverged model) sorts last, so the order stays a strict weak ordering.
    auto key = [&](int i) { float v = p.pre[i]; return std::isnan(v) ? -std::numeric_limits<float>::infinity() : v; };
    std::stable_sort(p.order.begin(), p.order.end(), [&](int i, int j) { return key(i) > key(j); });
    p.fires = int((p.pre.array() > 0).count());
    return p;
}

std::string true_object(const App& a, const std::string& subject, const std::string& relation) {
    int s = a.facts.subject_id(subject), r = a.facts.relation_id(relation);
    if (s < 0 || r < 0) return "";
    int o = a.facts.object_of(s, r);
    return o >= 0 && o < int(a.facts.objects.size()) ? a.facts.objects[o] : "";
}

}  // namespace factlab::ui
