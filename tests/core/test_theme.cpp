// test_theme.cpp: the palette's contrast (src/ui/common/theme_palette.hpp,
// docs/palette.md). Every text colour on every background it is drawn on must
// reach WCAG AA, 4.5:1, in both themes; the ratio is computed here from the
// palette's own numbers.
#include <doctest/doctest.h>

#include <string>
#include "ui/common/theme_palette.hpp"

using namespace factlab::theme;

TEST_CASE("the contrast formula gives WCAG's reference values") {
    CHECK(contrast({0, 0, 0}, {255, 255, 255}) == doctest::Approx(21.0));
    CHECK(contrast({255, 255, 255}, {255, 255, 255}) == doctest::Approx(1.0));
    CHECK(contrast({118, 118, 118}, {255, 255, 255}) == doctest::Approx(4.54).epsilon(0.01));   // the AA grey
    // The faults issue 13 reported: ImGui's light grey and Okabe-Ito orange on white.
    CHECK(contrast({153, 153, 153}, {255, 255, 255}) < 3.0);
    CHECK(contrast(kOiOrange, {255, 255, 255}) < 2.5);
}

TEST_CASE("ink_for reaches the target on every background it is given") {
    std::vector<Rgba> bgs = {{255, 255, 255}, {236, 238, 243}};
    Rgba c = ink_for(kOiOrange, bgs, 4.6);
    for (const Rgba& b : bgs) CHECK(contrast(c, b) >= 4.6);
    CHECK(ink_for(Rgba{0, 0, 0}, bgs, 4.6).r == 0);               // already dark enough: unchanged
    Rgba d = ink_for(kOiBlue, {{31, 33, 41}}, 4.6);                // dark theme: lighter, not darker
    CHECK(luminance(d) > luminance(kOiBlue));
}

TEST_CASE("every text and read-out is at least 4.5:1 against its background, both themes") {
    for (bool dark : {false, true}) {
        std::vector<TextPair> pairs = text_pairs(dark);
        CHECK(pairs.size() > 40);
        for (const TextPair& t : pairs) {
            double r = contrast(over(t.fg, t.bg), t.bg);
            INFO((dark ? "dark: " : "light: ") << t.what << " " << r);
            CHECK(r >= 4.5);
        }
    }
}

TEST_CASE("the meanings keep their hues apart") {
    for (bool dark : {false, true}) {
        const Palette& p = palette(dark);
        // Marks are graphics: at least 3:1 against the panel (WCAG 1.4.11).
        for (Rgba m : {p.firing, p.answer, p.wrong, p.focus, p.learned, p.silent, p.data}) CHECK(contrast(m, p.panel_bg) >= 3.0);
        auto differ = [](Rgba a, Rgba b) { return std::abs(a.r - b.r) + std::abs(a.g - b.g) + std::abs(a.b - b.b) > 60; };
        CHECK(differ(p.firing, p.answer));
        CHECK(differ(p.firing, p.focus));
        CHECK(differ(p.answer, p.wrong));
        CHECK(differ(p.focus, p.wrong));
        CHECK(differ(p.firing, p.negative));
        CHECK(differ(p.firing, p.learned));
    }
}
