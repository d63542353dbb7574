// state_figure.cpp: see state_figure.hpp. Values come from a link or a host
// page: hostile until checked.
#include "ui/common/state_figure.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace factlab {

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// "RRGGBB" or "RGB", with an optional leading '#'.
static bool parse_hex_colour(std::string v, float rgb[3]) {
    if (!v.empty() && v[0] == '#') v.erase(0, 1);
    if (v.size() != 3 && v.size() != 6) return false;
    int d[6];
    for (size_t i = 0; i < v.size(); ++i)
        if ((d[i] = hex_digit(v[i])) < 0) return false;
    for (int k = 0; k < 3; ++k) {
        int x = v.size() == 3 ? d[k] * 17 : d[2 * k] * 16 + d[2 * k + 1];
        rgb[k] = float(x) / 255.0f;
    }
    return true;
}

// A value as it may be quoted in a message: short, letters, digits and a few marks.
static std::string shown(const std::string& v) {
    std::string out;
    for (unsigned char c : v) {
        if (out.size() >= 24) { out += "…"; break; }
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '#' ||
                     c == '.' || c == '-' || c == '_' || c == ' ' || c == '+';
        out += plain ? char(c) : '?';
    }
    return out;
}

std::string FigureParams::css_background() const {
    if (transparent) return "transparent";
    if (!has_colour) return "";
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", int(std::lround(rgb[0] * 255)), int(std::lround(rgb[1] * 255)),
                  int(std::lround(rgb[2] * 255)));
    return buf;
}

bool FigureParams::colour_is_dark() const {
    if (!has_colour) return false;
    auto lin = [](float c) { return c <= 0.04045f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f); };
    float L = 0.2126f * lin(rgb[0]) + 0.7152f * lin(rgb[1]) + 0.0722f * lin(rgb[2]);
    return L < 0.18f;   // mid-grey (#777) and darker get the dark theme's light text
}

FigureParams figure_params(const State& s, std::vector<std::string>* warnings) {
    auto warn = [&](std::string w) { if (warnings) warnings->push_back(std::move(w)); };
    FigureParams p;
    p.figure = s.get_bool("embed", false) && s.get_bool("figure", true);
    if (s.has("bg")) {
        std::string v = s.get("bg");
        if (v == "transparent" || v == "none") p.transparent = true;
        else if (parse_hex_colour(v, p.rgb)) p.has_colour = true;
        else warn("bg='" + shown(v) + "' is not a colour: use bg=transparent or a hex colour such as bg=fdfcfa. "
                  "The theme's background is used.");
    }
    if (s.has("text")) {
        std::string v = s.get("text");
        if (v.size() > 2 && v.compare(v.size() - 2, 2, "px") == 0) v.resize(v.size() - 2);   // text=18px
        char* end = nullptr;
        double x = std::strtod(v.c_str(), &end);
        if (v.empty() || end == v.c_str() || *end != '\0' || !std::isfinite(x)) {
            warn("text='" + shown(s.get("text")) + "' is not a size: use a number of pixels from " +
                 std::to_string(kFigureTextMin) + " to " + std::to_string(kFigureTextMax) + ". Using " +
                 std::to_string(kFigureTextDefault) + ".");
        } else {
            long n = std::lround(std::fmin(std::fmax(x, -1e6), 1e6));
            if (n < kFigureTextMin || n > kFigureTextMax) {
                long c = n < kFigureTextMin ? kFigureTextMin : kFigureTextMax;
                warn("text=" + shown(s.get("text")) + " is outside " + std::to_string(kFigureTextMin) + "-" +
                     std::to_string(kFigureTextMax) + " px: using " + std::to_string(c) + ".");
                n = c;
            }
            p.text_px = int(n);
        }
    }
    return p;
}

}  // namespace factlab
