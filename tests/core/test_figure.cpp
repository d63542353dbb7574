// test_figure.cpp: the figure-embed keys (state_figure.hpp) and the superposition
// snapshot format (core/superpose/snapshot.hpp).
#include <doctest/doctest.h>
#include <cmath>
#include <cstdio>
#include <string>
#include "core/superpose/snapshot.hpp"
#include "ui/common/state_figure.hpp"
#include "ui/common/state_links.hpp"

using namespace factlab;

static FigureParams params(const char* query, std::vector<std::string>* w = nullptr) {
    State s;
    REQUIRE(parse_query(query, &s, nullptr));
    return figure_params(s, w);
}

TEST_CASE("figure mode: on for embeds unless figure=0") {
    CHECK(params("embed=1").figure);
    CHECK_FALSE(params("embed=1&figure=0").figure);
    CHECK_FALSE(params("view=lookup").figure);
    CHECK_FALSE(params("figure=1").figure);          // only an embed is a figure
    CHECK(params("embed=1&figure=yes").figure);
}

TEST_CASE("figure bg: transparent, hex colours, and a message for anything else") {
    FigureParams p = params("embed=1&bg=transparent");
    CHECK(p.transparent);
    CHECK(p.css_background() == "transparent");
    p = params("embed=1&bg=fdfcfa");
    CHECK(p.has_colour);
    CHECK(p.css_background() == "#fdfcfa");
    CHECK_FALSE(p.colour_is_dark());
    p = params("embed=1&bg=%23141619");               // '#' written %23
    CHECK(p.css_background() == "#141619");
    CHECK(p.colour_is_dark());
    CHECK(params("embed=1&bg=FFF").css_background() == "#ffffff");
    for (const char* bad : {"bg=red", "bg=12345", "bg=%3Cscript%3E", "bg=url(x)", "bg=ffffffff", "bg=%23", "bg=gg0000"}) {
        std::vector<std::string> w;
        FigureParams q = params((std::string("embed=1&") + bad).c_str(), &w);
        CAPTURE(bad);
        CHECK_FALSE(q.transparent);
        CHECK_FALSE(q.has_colour);
        CHECK(q.css_background().empty());
        REQUIRE(w.size() == 1);
        CHECK(w[0].find("is not a colour") != std::string::npos);
        CHECK(w[0].find('<') == std::string::npos);   // quoted as printable ASCII only
    }
}

TEST_CASE("figure text: 13-28 px, clamped with a message, bad values keep 16") {
    std::vector<std::string> w;
    CHECK(params("embed=1").text_px == 16);
    CHECK(params("embed=1&text=18", &w).text_px == 18);
    CHECK(w.empty());
    CHECK(params("embed=1&text=18px", &w).text_px == 18);
    CHECK(params("embed=1&text=40", &w).text_px == 28);
    REQUIRE(w.size() == 1);
    CHECK(w[0].find("using 28") != std::string::npos);
    w.clear();
    CHECK(params("embed=1&text=2", &w).text_px == 13);
    CHECK(params("embed=1&text=-1e308", &w).text_px == 13);
    w.clear();
    for (const char* bad : {"text=big", "text=nan", "text=inf", "text=", "text=1e999", "text=18%20px"}) {
        std::vector<std::string> ws;
        CAPTURE(bad);
        FigureParams q = params((std::string("embed=1&") + bad).c_str(), &ws);
        CHECK(q.text_px >= kFigureTextMin);
        CHECK(q.text_px <= kFigureTextMax);
        if (std::string(bad) != "text=") CHECK(ws.size() == 1);
    }
}

TEST_CASE("figure keys are page keys: they never enter a shared link") {
    State s;
    REQUIRE(parse_query("embed=1&figure=1&bg=fdfcfa&text=18&view=lookup&subject=Michael%20Jordan", &s, nullptr));
    CHECK(share_query(s) == "subject=Michael%20Jordan&view=lookup");
}

TEST_CASE("superposition snapshot: encode and decode round-trip, bad text is refused") {
    SuperposeSnapshot s;
    s.config.n = 10000; s.config.d = 100; s.config.steps = 250; s.config.lr = 0.01f; s.config.seed = 1;
    s.command = "factlab-cli superpose --n 10000";
    s.seconds = 12.5;
    s.first.step = 0; s.last.step = 250;
    s.last.worst_abs_cos = 0.5; s.last.levenshtein = std::nan(""); s.last.welch = 0.0995;
    s.last.hist_zoom = {1, 2, 3}; s.last.hist_full = {4, 5};
    s.worst = {{0, 60.5}, {250, 61.25}};
    s.loss = {3.5f, 2.25f};
    std::string text = snapshot_encode(s);
    SuperposeSnapshot back;
    std::string err;
    REQUIRE(snapshot_decode(text, &back, &err));
    CHECK(snapshot_key(back.config) == snapshot_key(s.config));
    CHECK(back.last.step == 250);
    CHECK(std::isnan(back.last.levenshtein));
    CHECK(back.last.welch == doctest::Approx(0.0995));
    CHECK(back.last.worst_angle_deg == doctest::Approx(60.0));
    CHECK(back.last.hist_zoom == s.last.hist_zoom);
    CHECK(back.worst == s.worst);
    CHECK(back.loss == s.loss);
    CHECK(back.command == s.command);
    for (std::string bad : {std::string(""), std::string("hello\n"), text.substr(0, text.size() / 2),
                            text + "zoom last 9999999 1\n", text + "bogus 1\n"}) {
        SuperposeSnapshot keep = back;
        CHECK_FALSE(snapshot_decode(bad, &keep, &err));
        CHECK(keep.last.step == 250);   // untouched
        CHECK(err.find("snapshot") != std::string::npos);
    }
}

TEST_CASE("the shipped snapshot decodes: the video's run, finished") {
    std::string path = std::string(FACTLAB_SOURCE_DIR) + "/src/core/data/snapshots/superposition-video.txt";
    std::FILE* f = std::fopen(path.c_str(), "rb");
    REQUIRE(f);
    std::string text;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
    std::fclose(f);
    SuperposeSnapshot s;
    std::string err;
    REQUIRE_MESSAGE(snapshot_decode(text, &s, &err), err);
    CHECK(s.config.n == 10000);
    CHECK(s.config.d == 100);
    CHECK(s.config.steps == 250);
    CHECK(s.config.loss == SuperposeLoss::video);
    CHECK(snapshot_key(s.config) == "10000/100/video/0.01/250/1");
    CHECK(s.first.step == 0);
    CHECK(s.last.step == 250);
    CHECK(s.worst.size() == 26);
    CHECK(s.loss.size() == 250);
    CHECK(s.last.hist_zoom.size() == 200);
    // No arrangement beats the limit: the run's worst pair is below it.
    CHECK(s.last.worst_angle_deg < s.last.limit_angle_deg);
    CHECK(s.last.limit_angle_deg == doctest::Approx(81.95).epsilon(0.001));
}
