// app.hpp: the lab's application object and its registry of views.
//
// [SECTION] Views: every panel (lookup, block, and-gate, ...) is one file in
//           src/ui that registers a ViewInfo; the layout lays out the views of
//           the current lab in a grid, or only one view in embed mode.
// [SECTION] App: the shared state: the URL-backed State, the current facts and
//           the compiled model (cached), messages, and per-lab extension state.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <typeindex>
#include <vector>
#include "core/facts.hpp"
#include "core/block/model.hpp"
#include "ui/common/state.hpp"

struct ImVec2;

namespace factlab {

struct App;

//-----------------------------------------------------------------------------
// [SECTION] Views
//-----------------------------------------------------------------------------
struct ViewCtx {
    bool controls = true;        // false in embed mode with &controls=0: plots only
    bool embed = false;          // the view fills its iframe alone
    float width = 0, height = 0; // the view's content size in pixels (logical)
};
using DrawFn = void (*)(App&, const ViewCtx&);

struct ViewInfo {
    const char* id;              // URL name: "lookup", "and-gate", "superposition", ...
    const char* title;           // panel title
    const char* lab;             // "facts", "superposition" or "capacity"
    int order;                   // position within the lab
    float height;                // preferred height in the grid (logical pixels)
    DrawFn draw;
    const char* blurb;           // one plain sentence for readers (tooltips, tour)
};
struct ViewRegistrar {
    explicit ViewRegistrar(const ViewInfo& v);
};
// Overlays (tour card, import dialog) are drawn every frame after the views.
struct OverlayRegistrar {
    explicit OverlayRegistrar(void (*draw)(App&));
};
const std::vector<ViewInfo>& all_views();                // sorted by lab, then order
const ViewInfo* find_view(const std::string& id);
// The labs in display order, with their titles.
struct LabInfo { const char* id; const char* title; };
const std::vector<LabInfo>& all_labs();

//-----------------------------------------------------------------------------
// [SECTION] App
//-----------------------------------------------------------------------------
struct Message {
    std::string text;
    bool error;
    double until_ms;
};

struct App {
    State state;                 // shareable: mirrored into the URL hash

    // Facts lab: the facts in use and the model compiled from them.
    FactSet facts;
    std::string facts_source = "built-in athletes";
    unsigned facts_version = 1;
    std::vector<ParseIssue> facts_errors;                 // from the last failed import
    std::vector<ParseIssue> facts_warnings;

    // Loads a facts CSV; on error keeps the current facts, records the errors
    // (shown with line numbers) and returns false.
    bool load_facts_csv(const std::string& name, const std::string& text);
    void reset_facts();                                   // back to the built-in set

    // The compiled model for the current facts and state (d, seed, act); rebuilt
    // only when one of those changes. model_version() bumps on every rebuild.
    const Model& model();
    unsigned model_version() const { return model_version_; }
    // The subject currently studied (state "subject"), and its lookup (cached).
    std::string subject() const;
    const LookupResult& current_lookup();

    // Short messages shown at the bottom of the page.
    std::vector<Message> messages;
    void toast(const std::string& text, bool error = false);

    // Per-lab state owned by the lab's files: app.ext<SuperLab>() creates it once.
    template <class T> T& ext() {
        auto& p = ext_[std::type_index(typeid(T))];
        if (!p) p = std::shared_ptr<void>(new T(), [](void* q) { delete static_cast<T*>(q); });
        return *static_cast<T*>(p.get());
    }

    // Export: while a view draws, it offers its data ("Activations (CSV)") with a
    // function that makes the bytes on demand; the view's header shows the offers
    // plus "PNG image" of the view.
    void offer_export(const std::string& label, const std::string& filename, const char* mime,
                      std::function<std::string()> make);
    struct ExportOffer { std::string label, filename; const char* mime; std::function<std::string()> make; };
    // A PNG of a screen region was asked for; the platform reads it after rendering.
    struct PngRequest { bool pending = false; float x = 0, y = 0, w = 0, h = 0; std::string filename; };
    PngRequest png_request;

    // Platform hooks.
    void on_file_dropped(const std::string& name, const std::string& bytes);
    void frame();                                         // draws one frame of UI
    bool dark = true;
    float ui_scale = 1.0f;                                // extra zoom (touch devices)
    // The first screen (no view, no tour in the state): the lookup alone, its
    // name field focused once, "Start the tour" and the full grid a click away.
    bool first_screen() const { return !state.has("view") && !state.has("tour") && !state.get_bool("embed", false) && !present(); }
    bool focus_subject = false;                           // the lookup's name field takes the keyboard once
    bool figure = false;                                  // an embed drawn as a figure: no title, no Export (figure.cpp)

    // Details (frames/s, steps/s, kernel, memory) are for whoever tunes the lab, not
    // the reader: off unless the link says details=1; always on in the desktop debug
    // build (details_default). A view asks detail_line() before it draws one.
    bool details_default = false;
    bool details() const { return state.get_bool("details", details_default); }
    bool detail_line() { bool on = details(); if (on) ++details_drawn_; return on; }
    int details_drawn_last_frame() const { return details_last_; }
    // Present mode (present=1), for a projector: text 1.5 times larger (1.2 on a
    // phone-wide screen), one panel at a time with Previous / Next (arrow keys too),
    // no scrolling inside a panel.
    bool present() const { return state.get_bool("present", false) && !state.get_bool("embed", false); }
    float text_scale() const;

private:
    Model model_;
    std::string model_key_;
    unsigned model_version_ = 0;
    LookupResult lookup_;
    std::string lookup_key_;
    std::map<std::type_index, std::shared_ptr<void>> ext_;
    std::vector<ExportOffer> offers_;                     // of the view being drawn
    int details_drawn_ = 0, details_last_ = 0;            // detail lines drawn this frame / the last one
    friend void draw_view_frame(App&, const ViewInfo&, ImVec2, bool, bool, bool, bool);
};

App& app();                                               // the one instance
// One view in its panel (app.cpp); fit: as tall as its content, no scrollbar of its own.
void draw_view_frame(App& a, const ViewInfo& v, ImVec2 size, bool embed, bool controls, bool focused, bool fit);
// Menu items for the reader-facing toggles: "Present" and "Show details".
void look_menu_items(App& a);

}  // namespace factlab
