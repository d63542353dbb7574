// theme_palette.cpp: see theme_palette.hpp. Text colours are derived from the
// hues with ink_for(), so a background changed here moves its text with it.
#include "ui/common/theme_palette.hpp"

#include <algorithm>
#include <cmath>

namespace factlab::theme {

static double channel(uint8_t v) {
    double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double luminance(Rgba c) { return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b); }

double contrast(Rgba a, Rgba b) {
    double la = luminance(a), lb = luminance(b);
    if (la < lb) std::swap(la, lb);
    return (la + 0.05) / (lb + 0.05);
}

Rgba over(Rgba fg, Rgba bg) {
    double a = fg.a / 255.0;
    auto mix = [&](uint8_t f, uint8_t b) { return uint8_t(std::lround(f * a + b * (1 - a))); };
    return {mix(fg.r, bg.r), mix(fg.g, bg.g), mix(fg.b, bg.b), 255};
}

static Rgba mix(Rgba c, Rgba to, double t) {
    auto m = [&](uint8_t x, uint8_t y) { return uint8_t(std::lround(x + (y - x) * t)); };
    return {m(c.r, to.r), m(c.g, to.g), m(c.b, to.b), 255};
}

static double worst(Rgba c, const std::vector<Rgba>& bgs) {
    double w = 21;
    for (const Rgba& b : bgs) w = std::min(w, contrast(c, b));
    return w;
}

Rgba ink_for(Rgba c, const std::vector<Rgba>& bgs, double target) {
    c.a = 255;
    if (worst(c, bgs) >= target) return c;
    // Toward black on light backgrounds, toward white on dark ones (by the first).
    double lb = bgs.empty() ? 1 : luminance(bgs.front());
    Rgba to = lb > 0.18 ? Rgba{0, 0, 0} : Rgba{255, 255, 255};
    for (int step = 1; step <= 100; ++step) {
        Rgba m = mix(c, to, step / 100.0);
        if (worst(m, bgs) >= target) return m;
    }
    return to;
}

Rgba text_on(Rgba bg) {
    Rgba black{0, 0, 0}, white{255, 255, 255};
    return contrast(black, bg) >= contrast(white, bg) ? black : white;
}

// A little above 4.5, so rounding to 8 bits never lands under the bar.
static constexpr double kText = 4.6, kMark = 3.0;

static Palette build(bool dark) {
    Palette p;
    p.dark = dark;
    if (!dark) {
        p.window_bg = {245, 245, 247};
        p.panel_bg = {255, 255, 255};
        p.plot_bg = {247, 247, 248};
        p.frame_bg = {236, 238, 243};     // sliders, checkboxes
        p.frame_hover = {225, 231, 242};
        p.frame_active = {210, 222, 240};
        p.popup_bg = {255, 255, 255};
        p.border = {204, 207, 217};
        p.field_border = {118, 124, 138};  // a text field's outline: 3:1 or more, it must read as a control
        p.button = {222, 231, 244};
        p.button_hover = {202, 217, 240};
        p.button_active = {182, 203, 236};
        p.text = {20, 22, 28};
        p.tab = {245, 245, 247, 0};
        p.tab_active = {255, 255, 255};
        p.chip = {255, 255, 255, 0};
        p.chip_selected = {226, 236, 248};
        p.silent = {128, 128, 128};
        p.data = {96, 112, 136};
        p.grid = {0, 0, 0, 28};
    } else {
        p.window_bg = {23, 26, 31};
        p.panel_bg = {31, 33, 41};
        p.plot_bg = {27, 29, 36};
        p.frame_bg = {46, 51, 63};
        p.frame_hover = {58, 66, 82};
        p.frame_active = {70, 82, 104};
        p.popup_bg = {36, 39, 48};
        p.border = {64, 69, 82};
        p.field_border = {128, 136, 152};
        p.button = {48, 60, 82};
        p.button_hover = {62, 79, 108};
        p.button_active = {78, 99, 134};
        p.text = {232, 234, 238};
        p.tab = {23, 26, 31, 0};
        p.tab_active = {31, 33, 41};
        p.chip = {31, 33, 41, 0};
        p.chip_selected = {44, 62, 88};
        p.silent = {128, 134, 146};
        p.data = {150, 166, 190};
        p.grid = {255, 255, 255, 28};
    }
    p.progress = dark ? Rgba{30, 84, 130} : Rgba{150, 192, 232};
    p.primary = kOiBlue;                  // white on it: 5.2:1
    p.primary_hover = {0, 96, 152};
    p.primary_text = {255, 255, 255};
    p.button_text = p.text;
    p.tab_text = p.text;
    p.tab_active_text = p.text;
    p.chip_text = p.text;
    p.chip_selected_text = p.text;

    // Every background text sits on: ink colours must clear all of them.
    p.row_alt = over(Rgba{p.text.r, p.text.g, p.text.b, 10}, p.panel_bg);
    std::vector<Rgba> bgs = {p.window_bg, p.panel_bg, p.plot_bg, p.popup_bg, p.frame_bg, p.row_alt};
    std::vector<Rgba> marks_on = {p.panel_bg, p.plot_bg};
    Rgba grey = dark ? Rgba{150, 154, 162} : Rgba{110, 114, 122};
    p.soft = ink_for(grey, bgs, kText);
    p.placeholder = ink_for(grey, {p.frame_bg, p.panel_bg, p.window_bg}, kText);

    p.firing = ink_for(kOiBlue, marks_on, kMark);
    p.firing_ink = ink_for(kOiBlue, bgs, kText);
    p.silent_ink = p.soft;
    p.negative = kOiOrange;
    p.answer = ink_for(kOiGreen, marks_on, kMark);
    p.answer_ink = ink_for(kOiGreen, bgs, kText);
    p.wrong = ink_for(kOiVermilion, marks_on, kMark);
    p.wrong_ink = ink_for(kOiVermilion, bgs, kText);
    p.focus = ink_for(kOiPurple, marks_on, kMark);
    p.focus_ink = ink_for(kOiPurple, bgs, kText);
    p.video = kOiYellow;                  // a band (with alpha), never a line or text on light panels
    p.video_ink = ink_for(dark ? kOiYellow : Rgba{150, 130, 0}, bgs, kText);
    p.bound = p.text;
    p.learned = ink_for(kOiSkyBlue, marks_on, kMark);
    p.learned_ink = ink_for(kOiSkyBlue, bgs, kText);
    p.compiled = p.text;
    return p;
}

const Palette& palette(bool dark) {
    static const Palette light = build(false), darkp = build(true);
    return dark ? darkp : light;
}

std::vector<TextPair> text_pairs(bool dark) {
    const Palette& p = palette(dark);
    std::vector<TextPair> out;
    struct Bg { const char* name; Rgba c; };
    const Bg surfaces[] = {{"window", p.window_bg}, {"panel", p.panel_bg}, {"plot", p.plot_bg},
                           {"popup", p.popup_bg}, {"slider/field", p.frame_bg},
                           {"table row", p.row_alt}};
    struct Fg { const char* name; Rgba c; };
    const Fg inks[] = {{"text", p.text}, {"soft text (instructions, captions, ticks)", p.soft},
                       {"firing ink", p.firing_ink}, {"silent ink", p.silent_ink}, {"answer ink", p.answer_ink},
                       {"wrong ink", p.wrong_ink}, {"focus ink (worst pair, chosen)", p.focus_ink},
                       {"video ink", p.video_ink}, {"learned ink", p.learned_ink}};
    for (const Fg& f : inks)
        for (const Bg& b : surfaces) out.push_back({std::string(f.name) + " on " + b.name, f.c, b.c});
    out.push_back({"placeholder in a field", p.placeholder, p.frame_bg});
    out.push_back({"placeholder in a field on a panel", p.placeholder, p.panel_bg});
    out.push_back({"button text", p.button_text, over(p.button, p.panel_bg)});
    out.push_back({"button text, hovered", p.button_text, over(p.button_hover, p.panel_bg)});
    out.push_back({"button text, pressed", p.button_text, over(p.button_active, p.panel_bg)});
    out.push_back({"button text in the top bar", p.button_text, over(p.button, p.window_bg)});
    out.push_back({"primary button text", p.primary_text, p.primary});
    out.push_back({"primary button text, hovered", p.primary_text, p.primary_hover});
    out.push_back({"tab text", p.tab_text, over(p.tab, p.window_bg)});
    out.push_back({"active tab text", p.tab_active_text, over(p.tab_active, p.window_bg)});
    out.push_back({"chip text", p.chip_text, over(p.chip, p.panel_bg)});
    out.push_back({"selected chip text", p.chip_selected_text, over(p.chip_selected, p.panel_bg)});
    const Fg marks[] = {{"firing", p.firing}, {"answer", p.answer}, {"wrong", p.wrong}, {"focus", p.focus},
                        {"learned", p.learned}, {"data", p.data}, {"primary", p.primary}};
    for (const Fg& m : marks) out.push_back({std::string("a label on a filled ") + m.name + " mark", text_on(m.c), m.c});
    // Tinted rows and token labels (alpha fills over the panel): text stays the text colour.
    out.push_back({"text on the chosen row (focus tint)", p.text, over(Rgba{p.focus.r, p.focus.g, p.focus.b, 64}, p.panel_bg)});
    out.push_back({"text on an unknown token (wrong tint)", p.text, over(Rgba{p.wrong.r, p.wrong.g, p.wrong.b, 64}, p.panel_bg)});
    out.push_back({"text on a table's alternate row", p.text, p.row_alt});
    out.push_back({"soft text on a table's alternate row", p.soft, p.row_alt});
    out.push_back({"text on a progress bar's done part", p.text, p.progress});
    out.push_back({"text on a hovered slider", p.text, p.frame_hover});
    out.push_back({"text on a dragged slider", p.text, p.frame_active});
    return out;
}

}  // namespace factlab::theme
