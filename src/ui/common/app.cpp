// app.cpp: the view registry, the shared App state and the page layout.
//
// [SECTION] Registry
// [SECTION] Facts and the compiled model
// [SECTION] Layout: top bar, lab grid, embed mode, messages
#include "ui/common/app.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <imgui.h>
#include <imgui_internal.h>   // the content height of a view (one-column layout)
#include <map>
#include <set>
#include "platform/platform.hpp"
#include "ui/common/figure.hpp"
#include "ui/common/share.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/tour.hpp"
#include "ui/common/widgets.hpp"

namespace factlab {

//-----------------------------------------------------------------------------
// [SECTION] Registry
//-----------------------------------------------------------------------------
static std::vector<ViewInfo>& registry() {
    static std::vector<ViewInfo> v;
    return v;
}
static std::vector<void (*)(App&)>& overlays() {
    static std::vector<void (*)(App&)> v;
    return v;
}

const std::vector<LabInfo>& all_labs() {
    static const std::vector<LabInfo> labs = {
        {"facts", "Fact lookup"}, {"superposition", "Superposition"}, {"capacity", "Capacity & editing"},
        {"transformer", "Inside a transformer"}};
    return labs;
}

static int lab_index(const char* lab) {
    const auto& labs = all_labs();
    for (size_t i = 0; i < labs.size(); ++i)
        if (std::string(labs[i].id) == lab) return int(i);
    return int(labs.size());
}

ViewRegistrar::ViewRegistrar(const ViewInfo& v) {
    auto& r = registry();
    r.push_back(v);
    std::stable_sort(r.begin(), r.end(), [](const ViewInfo& a, const ViewInfo& b) {
        int la = lab_index(a.lab), lb = lab_index(b.lab);
        return la != lb ? la < lb : a.order < b.order;
    });
}

OverlayRegistrar::OverlayRegistrar(void (*draw)(App&)) { overlays().push_back(draw); }

const std::vector<ViewInfo>& all_views() { return registry(); }

const ViewInfo* find_view(const std::string& id) {
    if (id == "how-many-fit") return find_view("fit");   // its first id: old links keep working
    for (const ViewInfo& v : registry())
        if (id == v.id) return &v;
    return nullptr;
}

App& app() {
    static App a;
    return a;
}

//-----------------------------------------------------------------------------
// [SECTION] Facts and the compiled model
//-----------------------------------------------------------------------------
bool App::load_facts_csv(const std::string& name, const std::string& text) {
    ParseResult r = parse_facts_csv(text);
    if (!r.ok) {
        facts_errors = r.errors;
        toast("Could not load " + name + ": " + (r.errors.empty() ? std::string("unknown error") :
              "line " + std::to_string(r.errors[0].line) + ": " + r.errors[0].reason) + ". The previous facts are kept.", true);
        return false;
    }
    facts = std::move(r.facts);
    facts_warnings = r.warnings;
    facts_errors.clear();
    facts_source = name;
    ++facts_version;
    if (facts.subject_id(subject()) < 0 && !facts.subjects.empty()) state.set("subject", facts.subjects[0]);
    toast("Loaded " + std::to_string(facts.facts.size()) + " facts about " + std::to_string(facts.subjects.size()) +
          " subjects from " + name + ".");
    return true;
}

void App::reset_facts() {
    facts = builtin_facts();
    facts_source = "built-in athletes";
    facts_errors.clear();
    facts_warnings.clear();
    ++facts_version;
}

const Model& App::model() {
    if (facts.facts.empty() && facts_version == 1) facts = builtin_facts();
    CompileOptions opt;
    opt.d = int(state.get_int("d", 256, 8, 1024));
    opt.seed = uint64_t(state.get_int("seed", 1, 0, 1000000000));
    Activation act = Activation::ReLU;
    std::string a = state.get("act", "relu");
    if (!activation_from_name(a.c_str(), &act)) act = Activation::ReLU;
    opt.act = act;
    std::string key = std::to_string(facts_version) + "/" + std::to_string(opt.d) + "/" + std::to_string(opt.seed) + "/" + a;
    if (key != model_key_) {
        model_ = compile_model(facts, opt);
        model_key_ = key;
        ++model_version_;
    }
    return model_;
}

std::string App::subject() const { return state.get("subject", "Michael Jordan"); }

const LookupResult& App::current_lookup() {
    const Model& m = model();
    std::string key = std::to_string(model_version_) + "/" + subject();
    if (key != lookup_key_) {
        lookup_ = lookup(m, subject());
        lookup_key_ = key;
    }
    return lookup_;
}

void App::toast(const std::string& text, bool error) {
    messages.push_back({text, error, platform::now_ms() + (error ? 9000.0 : 4000.0)});
    if (messages.size() > 4) messages.erase(messages.begin());
}

void App::on_file_dropped(const std::string& name, const std::string& bytes) {
    load_facts_csv(name, bytes);
}

//-----------------------------------------------------------------------------
// [SECTION] Layout
//-----------------------------------------------------------------------------
static const ViewInfo* current_view(App& a) {
    const ViewInfo* v = find_view(a.state.get("view", "lookup"));
    if (v && a.state.has("view") && a.state.get("view") != v->id) a.state.set("view", v->id);   // an old id: write the new one
    if (!v && !all_views().empty()) v = &all_views().front();
    return v;
}

void App::offer_export(const std::string& label, const std::string& filename, const char* mime,
                       std::function<std::string()> make) {
    offers_.push_back({label, filename, mime, std::move(make)});
}

// The view's header: its title, and an Export menu with the view's data offers
// (collected while it drew) and a PNG of the view.
static void draw_view_header(App& a, const ViewInfo& v, const std::vector<App::ExportOffer>& offers, ImVec2 child_min,
                             ImVec2 child_max, ImVec2 header_pos) {
    ImVec2 keep = ImGui::GetCursorScreenPos();
    float bw = ImGui::CalcTextSize("Export").x + ImGui::GetStyle().FramePadding.x * 2;
    float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;   // left of any scrollbar
    ImGui::SetCursorScreenPos(ImVec2(right - bw, header_pos.y));
    if (ImGui::SmallButton("Export")) ImGui::OpenPopup("export");
    if (ImGui::BeginPopup("export")) {
        if (ImGui::MenuItem("PNG image of this view")) {
            a.png_request = {true, child_min.x, child_min.y, child_max.x - child_min.x, child_max.y - child_min.y,
                             std::string("factlab-") + v.id + ".png"};
        }
        for (const App::ExportOffer& o : offers)
            if (ImGui::MenuItem(o.label.c_str())) a.toast(platform::save_file(o.filename, o.make(), o.mime));
        share::view_menu_items(a, v);                     // copy link / embed code (share.cpp)
        ImGui::EndPopup();
    }
    ImGui::SetCursorScreenPos(keep);
}

// One column (a phone): each view is as tall as its content, so the page has one
// scrollbar, not one per view beside the page's. The height is the content's
// height in the last frame; views that fill what they are given (plots sized by
// the space left) could then grow a little each frame, so growth that goes on
// for several frames in a row is stopped.
struct FitHeight {
    float h = 0;
    int growing = 0;
};

static float fitted_height(const char* id, float nominal, bool measure, float content) {
    static std::map<std::string, FitHeight> fits;
    FitHeight& f = fits[id];
    if (f.h <= 0) f.h = nominal;
    if (measure) {
        if (content > f.h + 1.0f) {
            if (++f.growing <= 3) f.h = content;
        } else if (content < f.h - 1.0f) {
            f.h = std::max(content, ImGui::GetFontSize() * 4);
            f.growing = 0;
        } else {
            f.growing = 0;                    // settled
        }
    }
    return f.h;
}

// Keyboard (docs/accessibility.md): ImGui tabs only among the fields of the window
// that has the keyboard, and no view has it after the page loads or a click on
// the top bar. A Tab pressed then lands in the current view (in the lookup, in
// its name field), so Tab from page load reaches the name field.
static std::set<ImGuiID>& view_windows() {
    static std::set<ImGuiID> ids;
    return ids;
}
static bool tab_outside_views() {
    static int frame = -1;
    static bool result = false;
    if (frame == ImGui::GetFrameCount()) return result;
    frame = ImGui::GetFrameCount();
    ImGuiContext& g = *ImGui::GetCurrentContext();
    result = false;
    if (g.ActiveId != 0 || g.IO.KeyCtrl || g.IO.KeyAlt || !ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Tab))) return result;
    for (ImGuiWindow* w = g.NavWindow; w; w = w->ParentWindow)
        if (view_windows().count(w->ID)) return result;
    result = !g.NavWindow || !(g.NavWindow->Flags & ImGuiWindowFlags_Popup);
    return result;
}

void draw_view_frame(App& a, const ViewInfo& v, ImVec2 size, bool embed, bool controls, bool focused, bool fit) {
    ImGui::PushID(v.id);
    if (focused && !embed) ImGui::PushStyleColor(ImGuiCol_Border, ImGui::ColorConvertU32ToFloat4(theme::focus()));
    const float nominal = size.y;
    if (fit) size.y = fitted_height(v.id, nominal, false, 0);
    const ImRect shown = ImGui::GetCurrentWindow()->InnerClipRect;   // what the parent (grid) shows
    ImGui::BeginChild(v.id, size, !embed, fit ? ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse : 0);
    if (focused && !embed) {   // the tour's card goes beside this panel, never over it
        ImVec2 p = ImGui::GetWindowPos(), s = ImGui::GetWindowSize();
        tour::note_panel(p.x, p.y, p.x + s.x, p.y + s.y, shown.Min.x, shown.Min.y, shown.Max.x, shown.Max.y);
    }
    view_windows().insert(ImGui::GetCurrentWindow()->ID);
    if (focused && tab_outside_views()) {
        ImGui::SetWindowFocus();
        if (std::string(v.id) == "lookup") a.focus_subject = true;
    }
    ImVec2 header = ImGui::GetCursorScreenPos();
    const bool chrome = !embed || (controls && !a.figure);   // a figure has no title and no Export
    if (chrome) {
        ImGui::TextUnformatted(v.title);
        if (v.blurb && ImGui::IsItemHovered()) ui::Tooltip("%s", v.blurb);
        ImGui::Separator();
    }
    ViewCtx ctx;
    ctx.embed = embed;
    ctx.controls = controls;
    ImVec2 avail = ImGui::GetContentRegionAvail();
    ctx.width = avail.x;
    ctx.height = avail.y;
    a.offers_.clear();
    v.draw(a, ctx);
    if (chrome)
        draw_view_header(a, v, a.offers_, ImGui::GetWindowPos(),
                         ImVec2(ImGui::GetWindowPos().x + ImGui::GetWindowSize().x, ImGui::GetWindowPos().y + ImGui::GetWindowSize().y), header);
    a.offers_.clear();
    // A panel scrolled out of the grid skips its items (ImGui hides fully clipped children),
    // so it has no content to measure then: keep its last height, or the grid jumps.
    if (fit && !ImGui::GetCurrentWindow()->SkipItems) {   // the content's bottom, in window coordinates, plus the bottom padding
        float content = ImGui::GetCurrentWindow()->DC.CursorMaxPos.y - ImGui::GetWindowPos().y +
                        ImGui::GetStyle().WindowPadding.y;
        fitted_height(v.id, nominal, true, content);
    }
    if (!embed && !a.first_screen() && ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) && ImGui::IsMouseReleased(0) &&
        a.state.get("view") != v.id)
        a.state.set("view", v.id);
    ImGui::EndChild();
    if (focused && !embed) ImGui::PopStyleColor();
    ImGui::PopID();
}

static void draw_messages(App& a);

float App::text_scale() const {
    if (!present()) return 1.0f;
    // The screen's width in CSS pixels (DisplaySize is logical); a phone keeps its panels' layout at 1.2x.
    return ImGui::GetCurrentContext() && ImGui::GetIO().DisplaySize.x < 800 ? 1.2f : 1.5f;
}

void look_menu_items(App& a) {
    if (ImGui::MenuItem("Present (projector)")) a.state.set_bool("present", true);
    if (ImGui::IsItemHovered()) ui::Tooltip("Larger text, one panel at a time: Previous / Next or the arrow keys");
    bool details = a.details();
    if (ImGui::MenuItem("Show details", nullptr, &details)) {
        if (details == a.details_default) a.state.erase("details"); else a.state.set_bool("details", details);
    }
    if (ImGui::IsItemHovered()) ui::Tooltip("Frames per second, steps per second, the kernel and the memory a run uses");
}

// The first screen: one first step. The lookup alone, a heading, "Start the
// tour" (the story adds the other panels one at a time) and "Show all panels".
static void draw_first_screen(App& a) {
    const ViewInfo* lookup = find_view("lookup");
    float fs = ImGui::GetFontSize();
    ImVec2 avail = ImGui::GetContentRegionAvail();
    float w = std::min(avail.x, fs * 46);
    float x0 = ImGui::GetCursorPosX() + (avail.x - w) * 0.5f;
    static bool focused_once = false;
    if (!focused_once) { a.focus_subject = true; focused_once = true; }
    ImGui::SetCursorPosX(x0);
    ImGui::BeginGroup();
    ImGui::PushTextWrapPos(x0 + w);
    ImGuiIO& io = ImGui::GetIO();
    if (io.Fonts->Fonts.Size > 1) ImGui::PushFont(io.Fonts->Fonts[1]);
    ImGui::TextWrapped("How might a language model store a fact?");
    if (io.Fonts->Fonts.Size > 1) ImGui::PopFont();
    ImGui::TextWrapped("Type an athlete below: a small MLP block (the toy model of 3Blue1Brown's video, one block, "
                       "277 neurons) recalls their sport, team and number. The tour then opens the block step by step.");
    ImGui::PopTextWrapPos();
    ImVec2 pad = ImGui::GetStyle().FramePadding;
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(pad.x * 2, pad.y * 1.6f));
    ImGui::PushStyleColor(ImGuiCol_Button, ImGui::ColorConvertU32ToFloat4(theme::u32(theme::current().primary)));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImGui::ColorConvertU32ToFloat4(theme::u32(theme::current().primary_hover)));
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::u32(theme::current().primary_text)));
    if (ImGui::Button("Start the tour \xE2\x86\x92")) tour::go(a, 1);   // →
    ImGui::PopStyleColor(3);
    ImGui::SameLine();
    if (ImGui::Button("Show all panels")) a.state.set("view", "lookup");
    if (ImGui::IsItemHovered()) ui::Tooltip("The whole Fact lookup lab: six panels side by side");
    if (a.state.has("subject")) {
        ImGui::SameLine();
        if (ImGui::Button("Next: inside the block")) a.state.set("view", "block");
        if (ImGui::IsItemHovered()) ui::Tooltip("Follow E through W_up, the bias and ReLU, and W_down");
    }
    ImGui::PopStyleVar();
    ImGui::EndGroup();
    ImGui::Spacing();
    if (!lookup) return;
    ImGui::SetCursorPosX(x0);
    float h = std::max(fs * 18, ImGui::GetContentRegionAvail().y - fs * 0.5f);
    draw_view_frame(a, *lookup, ImVec2(w, h), false, true, true, false);
}

// Present mode: a bar with Previous / Next and the panel's place in the story, then
// the one panel at the full width and as tall as its content (fit), so the page
// scrolls if it must and the panel never does.
static void draw_present(App& a, const ViewInfo* cur) {
    const std::vector<ViewInfo>& views = all_views();
    int i = 0, n = int(views.size());
    for (int k = 0; k < n; ++k)
        if (cur == &views[k]) i = k;
    auto go = [&](int k) { if (k >= 0 && k < n) a.state.set("view", views[k].id); };
    ImGuiIO& io = ImGui::GetIO();
    if (!io.WantTextInput && !a.state.has("tour")) {   // the tour has the arrow keys while it runs
        if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow), false) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_PageDown), false)) go(i + 1);
        if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow), false) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_PageUp), false)) go(i - 1);
    }
    ImGui::BeginDisabled(i == 0);
    if (ImGui::Button("\xE2\x80\xB9 Previous")) go(i - 1);   // ‹
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(i + 1 >= n);
    if (ImGui::Button("Next \xE2\x80\xBA")) go(i + 1);       // ›
    ImGui::EndDisabled();
    const char* lab = "";
    for (const LabInfo& l : all_labs())
        if (cur && std::string(l.id) == cur->lab) lab = l.title;
    char where[96];
    std::snprintf(where, sizeof where, "%d of %d \xC2\xB7 %s", i + 1, n, lab);
    // Exit at the right; the panel's place beside Next when it fits, else on its own line (a phone).
    const float sp = ImGui::GetStyle().ItemSpacing.x;
    float bw = ImGui::CalcTextSize("Exit present").x + ImGui::GetStyle().FramePadding.x * 2;
    float right = ImGui::GetWindowContentRegionMax().x;
    ImGui::SameLine();
    bool fits = ImGui::GetCursorPosX() + ImGui::CalcTextSize(where).x + sp + bw <= right;
    if (fits) { ImGui::AlignTextToFramePadding(); ImGui::TextUnformatted(where); ImGui::SameLine(); }
    if (right - bw > ImGui::GetCursorPosX()) ImGui::SetCursorPosX(right - bw);
    if (ImGui::Button("Exit present")) a.state.erase("present");
    if (!fits) ImGui::TextUnformatted(where);
    ImGui::Separator();
    if (!cur) return;
    ImGui::BeginChild("##present", ImVec2(0, 0), false);
    float h = cur->height * ImGui::GetFontSize() / 16.0f;
    draw_view_frame(a, *cur, ImVec2(ImGui::GetContentRegionAvail().x, h), false, true, false, true);
    ImGui::EndChild();
}

void App::frame() {
    figure::begin_frame(*this);                           // embed=1: a figure unless figure=0 (figure.cpp)
    details_last_ = details_drawn_;
    details_drawn_ = 0;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    bool embed = state.get_bool("embed", false);
    bool controls = state.get_bool("controls", true);
    const ViewInfo* cur = current_view(*this);
    bool want_dark = state.get("theme", dark ? "dark" : "light") != "light";
    if (want_dark != dark) dark = want_dark;
    if (dark != theme::is_dark()) theme::apply(dark, ui_scale);
    if (embed && figure) {
        figure::frame(*this);
        for (auto draw : overlays()) draw(*this);
        draw_messages(*this);
        return;
    }

    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(vp->WorkSize);
    // No background: the frame's clear is the window's colour already, and a
    // full-canvas quad is a costly fill in software GL.
    ImGuiWindowFlags host = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                            ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoBackground;
    ImGui::Begin("##factlab", nullptr, host);
    if (embed) {
        // One view fills the iframe; a link naming no such view gets a message, not a blank frame.
        const ViewInfo* v = find_view(state.get("view", "lookup"));
        if (v) draw_view_frame(*this, *v, ImGui::GetContentRegionAvail(), true, controls, true, false);
        else share::draw_unknown_view(*this, state.get("view", "lookup"));
    } else if (present()) {
        draw_present(*this, cur);
    } else {
        share::draw_top_bar(*this, cur);                  // labs, tour, theme, links (share.cpp)
        ImGui::Separator();
        if (first_screen()) {
            draw_first_screen(*this);
            ImGui::End();
            for (auto draw : overlays()) draw(*this);
            draw_messages(*this);
            return;
        }
        ImGui::BeginChild("##grid", ImVec2(0, -tour::reserved_bottom(*this)), false);   // the tour's card under it on a phone
        // A view chosen from outside the grid (a link, the tour, a host page) is scrolled into sight: its top
        // to the grid's top. A one-column grid's heights settle over frames (each panel is as tall as its
        // content, measured when drawn), so this goes on until the scroll has stayed where it should for
        // a few frames (at most 90 frames), and stops when the reader scrolls.
        static std::string shown_view;
        static int reveal_frames = 0, reveal_settled = 0;
        if (cur && shown_view != cur->id) {
            reveal_frames = ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) ? 0 : 90;
            reveal_settled = 0;
        }
        if (cur) shown_view = cur->id;
        if (ImGui::GetIO().MouseWheel != 0 || (ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) &&
                                              ImGui::IsMouseDragging(ImGuiMouseButton_Left)))
            reveal_frames = 0;                       // the reader scrolls: leave the grid where they put it
        bool reveal = reveal_frames > 0;
        if (reveal) {
            --reveal_frames;
            platform::keep_awake();                  // an idle page would stop drawing before it settles
        }
        float W = ImGui::GetContentRegionAvail().x;
        float fs = ImGui::GetFontSize();
        int cols = W >= fs * 95 ? 3 : W >= fs * 52 ? 2 : 1;
        float gap = ImGui::GetStyle().ItemSpacing.x;
        float cw = (W - gap * (cols - 1)) / cols;
        int col = 0;
        float row_h = 0;
        for (const ViewInfo& v : all_views()) {
            if (!cur || std::string(v.lab) != cur->lab) continue;
            float h = v.height * fs / 16.0f;
            if (col > 0) ImGui::SameLine(0, gap);
            float top = ImGui::GetCursorPosY();      // before the panel: after it is the next row's top
            draw_view_frame(*this, v, ImVec2(cw, h), false, true, &v == cur, cols == 1);
            if (reveal && &v == cur) {
                // There: the panel's top at the grid's top, or the grid scrolled to its end while its
                // content height holds still (the last panels cannot go higher).
                static float last_max = -1;
                float want = std::max(0.0f, top - ImGui::GetStyle().ItemSpacing.y), max = ImGui::GetScrollMaxY();
                bool there = std::fabs(ImGui::GetScrollY() - std::min(want, max)) < 1.0f && max == last_max;
                last_max = max;
                reveal_settled = there ? reveal_settled + 1 : 0;
                if (reveal_settled >= 4) reveal_frames = 0;
                else ImGui::SetScrollY(want);
            }
            row_h = std::max(row_h, h);
            if (++col == cols) { col = 0; row_h = 0; }
        }
        ImGui::EndChild();
    }
    ImGui::End();

    for (auto draw : overlays()) draw(*this);
    draw_messages(*this);
}

// Messages: newest at the bottom, errors in the warning colour.
static void draw_messages(App& a) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    std::vector<Message>& messages = a.messages;
    double now = platform::now_ms();
    messages.erase(std::remove_if(messages.begin(), messages.end(), [&](const Message& m) { return m.until_ms < now; }),
                   messages.end());
    if (!messages.empty()) {
        ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.5f, vp->WorkPos.y + vp->WorkSize.y - 12),
                                ImGuiCond_Always, ImVec2(0.5f, 1.0f));
        ImGui::SetNextWindowBgAlpha(0.92f);
        ImGui::Begin("##messages", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                                ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                                                ImGuiWindowFlags_NoNav);
        ImGui::PushTextWrapPos(std::min(vp->WorkSize.x * 0.9f, ImGui::GetFontSize() * 40));
        for (const Message& m : messages) {
            if (m.error) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::wrong_ink()));
            ImGui::TextWrapped("%s", m.text.c_str());
            if (m.error) ImGui::PopStyleColor();
        }
        ImGui::PopTextWrapPos();
        ImGui::End();
    }
}

}  // namespace factlab
