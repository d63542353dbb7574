// main.cpp: factlab's window and main loop, for the page and the desktop alike.
//
// Reads top to bottom like Dear ImGui's examples: init (GLFW, GL, ImGui, fonts),
// state (the App, restored from the link), the loop, cleanup in reverse.
// The page and the desktop differ only in platform_web.cpp / platform_native.cpp.
// Frame pacing (both): a frame is drawn only when something changed; see
// after_frame() below.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include "platform/gl.hpp"
#include "platform/host.hpp"
#include "platform/platform.hpp"
#include "platform/png.hpp"
#include "ui/common/app.hpp"
#include "ui/common/theme.hpp"

extern const unsigned char ui_font[];
extern const size_t ui_font_size;

namespace factlab::host {

static GLFWwindow* g_window = nullptr;
static float g_font_scale = 0;      // the scale the font atlas was built for

GLFWwindow* window() { return g_window; }

// Rebuilds the font atlas for a new pixel scale, so text is rasterised for the
// device's pixels (sharp on HiDPI) rather than stretched.
void ensure_fonts(float scale) {
    if (std::fabs(scale - g_font_scale) < 0.01f) return;
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    static ImVector<ImWchar> ranges;
    if (ranges.empty()) {
        ImFontGlyphRangesBuilder b;
        b.AddRanges(io.Fonts->GetGlyphRangesDefault());
        static const ImWchar extra[] = {0x0100, 0x017F, 0x0370, 0x03FF, 0x1D40, 0x1D6A, 0x2000, 0x206F,
                                        0x2070, 0x209F, 0x2190, 0x21FF, 0x2200, 0x22FF, 0x2300, 0x23FF,
                                        0x25A0, 0x25FF, 0x2713, 0x2717, 0};
        b.AddRanges(extra);
        b.BuildRanges(&ranges);
    }
    ImFontConfig cfg;
    cfg.FontDataOwnedByAtlas = false;   // the bytes live in the binary
    cfg.OversampleH = scale >= 1.75f ? 1 : 2;   // HiDPI pixels are small enough; halves the atlas (8 MB at 3.75×)
    cfg.OversampleV = 1;
    cfg.PixelSnapH = false;
    io.Fonts->AddFontFromMemoryTTF((void*)ui_font, int(ui_font_size), std::round(16.0f * scale), &cfg, ranges.Data);
    io.Fonts->AddFontFromMemoryTTF((void*)ui_font, int(ui_font_size), std::round(21.0f * scale), &cfg, ranges.Data);
    io.Fonts->Build();
    if (g_font_scale != 0) {
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    g_font_scale = scale;
    theme::apply(app().dark, scale);
    app().ui_scale = scale;
}

bool init(int width, int height, const char* title) {
    glfwSetErrorCallback([](int code, const char* msg) { std::fprintf(stderr, "GLFW error %d: %s\n", code, msg); });
    if (!glfwInit()) return false;
#ifndef __EMSCRIPTEN__
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GL_TRUE);
#endif
    g_window = glfwCreateWindow(width, height, title, nullptr, nullptr);
    if (!g_window) return false;
    glfwMakeContextCurrent(g_window);
    glfwSwapInterval(1);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;                    // layout comes from the link, not a file
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    ImGui_ImplGlfw_InitForOpenGL(g_window, true);
    ImGui_ImplOpenGL3_Init(FACTLAB_GLSL_VERSION);   // the version line only: ImGui keeps it in 32 bytes
    ensure_fonts(content_scale());
    return true;
}

// What the canvas shows now (see draw_hash below) and whether the next frame must
// be painted whatever its hash (a texture changed, the context came back).
static uint64_t g_frame_hash = 0, g_painted_hash = 0, g_frame_extra = 0;
static bool g_force_paint = true;
static int g_frames_painted = 0;
static double g_wake_at = -1;      // platform::wake_within: a frame due then, asked for this frame
static uint64_t draw_hash();
static uint64_t hash_bytes(uint64_t h, const void* p, size_t n);

void render_frame() {
    ensure_fonts(content_scale() * app().text_scale());   // present mode: larger text, rasterised sharp
    g_frame_extra = 0;
    g_wake_at = -1;
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    fix_display_size();
    ImGui::NewFrame();
    app().frame();
    ImGui::Render();
    int fw = int(ImGui::GetIO().DisplaySize.x * ImGui::GetIO().DisplayFramebufferScale.x);
    int fh = int(ImGui::GetIO().DisplaySize.y * ImGui::GetIO().DisplayFramebufferScale.y);
    ImVec4 bg = ImGui::GetStyleColorVec4(ImGuiCol_WindowBg);
    g_frame_extra = hash_bytes(g_frame_extra, &bg, sizeof bg);           // the clear colour
    g_frame_hash = draw_hash() ^ (g_frame_extra * 0x9e3779b97f4a7c15ull) ^ (uint64_t(fw) << 40 | uint64_t(fh) << 20);
    App::PngRequest& req = app().png_request;        // "Export → PNG image" of one view
    // A frame that would put the same pixels on the canvas need not be painted: in
    // software GL (SwiftShader) a paint of this page costs tens of ms of CPU that a
    // running job's workers need. The page keeps what it last presented; the
    // desktop swaps buffers every frame, so it always paints.
    // Only frames of a job that waits on workers (platform::wake_within) are skipped:
    // elsewhere the page paints every frame it draws, as the tests of its layout
    // (the tour on a phone) were written against.
    const bool may_skip = platform::is_web() && g_wake_at >= 0;
    const bool paint = !may_skip || g_force_paint || req.pending || g_frame_hash != g_painted_hash;
    if (paint) {
        glViewport(0, 0, fw, fh);
        glClearColor(bg.x * bg.w, bg.y * bg.w, bg.z * bg.w, bg.w);   // premultiplied: a figure with bg=transparent clears to nothing
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        g_painted_hash = g_frame_hash;
        g_force_paint = false;
        ++g_frames_painted;
    }
    if (req.pending) {
        req.pending = false;
        std::string png = read_png(int(req.x), int(req.y), int(req.w), int(req.h), fh);
        if (png.empty()) app().toast("Could not capture the view as PNG.", true);
        else app().toast(platform::save_file(req.filename, png, "image/png"));
    }
}

int frames_painted() { return g_frames_painted; }

// ---- frame pacing: draw only when something changed -------------------------
// An idle lab draws nothing (laptop fans, four embeds in one blog post). A frame
// is drawn after input or any other wake() (the platform calls it for events,
// resizes, messages, a restored GL context), while a job asks for frames
// (platform::keep_awake), and while the picture still changes: the draw lists
// are hashed, so an animation in progress (a fade, the sphere's turn) runs to
// its end and ImGui gets the frames it needs to settle (hover, auto-resize)
// without any view having to say so.
constexpr int kSettleFrames = 3;   // after a wake: ImGui's hover and layout settle in 2
static int g_settle = kSettleFrames;
static bool g_keep_awake = false;
static uint64_t g_last_hash = 0;

static uint64_t mix(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ull + (h >> 29); }
static uint64_t hash_bytes(uint64_t h, const void* p, size_t n) {
    const unsigned char* b = static_cast<const unsigned char*>(p);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) { uint64_t v; std::memcpy(&v, b + i, 8); h = mix(h, v); }
    for (; i < n; ++i) h = mix(h, b[i]);
    return h;
}
// What the frame put on screen: vertices, indices, and each command's clip rect,
// texture and range (callback data pointers are left out: they move per frame).
static uint64_t draw_hash() {
    const ImDrawData* dd = ImGui::GetDrawData();
    uint64_t h = 0xcbf29ce484222325ull;
    if (!dd) return h;
    h = mix(h, uint64_t(dd->DisplaySize.x * 16) << 32 | uint64_t(dd->DisplaySize.y * 16));
    for (int l = 0; l < dd->CmdListsCount; ++l) {
        const ImDrawList* dl = dd->CmdLists[l];
        h = hash_bytes(h, dl->VtxBuffer.Data, size_t(dl->VtxBuffer.Size) * sizeof(ImDrawVert));
        h = hash_bytes(h, dl->IdxBuffer.Data, size_t(dl->IdxBuffer.Size) * sizeof(ImDrawIdx));
        for (const ImDrawCmd& c : dl->CmdBuffer) {
            h = hash_bytes(h, &c.ClipRect, sizeof(c.ClipRect));
            h = mix(h, uint64_t(uintptr_t(c.TextureId)));
            h = mix(h, uint64_t(c.ElemCount) << 32 | c.IdxOffset);
            h = mix(h, uint64_t(uintptr_t(c.UserCallback)));
        }
    }
    return h;
}

void wake() { g_settle = std::max(g_settle, kSettleFrames); }

bool after_frame() {
    uint64_t h = g_frame_hash;
    if (h != g_last_hash) g_settle = std::max(g_settle, 2);   // still changing: look again
    g_last_hash = h;
    bool want = g_keep_awake || g_settle > 0;
    if (g_settle > 0) --g_settle;
    g_keep_awake = false;
    return want;
}

double next_wake_ms() {
    double t = -1;
    auto earliest = [&](double x) { if (t < 0 || x < t) t = x; };
    for (const Message& m : app().messages) earliest(m.until_ms + 1);   // a message to take away
    if (g_wake_at >= 0) earliest(g_wake_at);
    if (ImGui::GetCurrentContext() && ImGui::GetIO().WantTextInput) earliest(platform::now_ms() + 530);  // caret blink
    return t;
}

void shutdown() {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(g_window);
    glfwTerminate();
}

}  // namespace factlab::host

namespace factlab::platform {
void keep_awake() { host::g_keep_awake = true; }
void repaint() { host::g_force_paint = true; }
void wake_within(double ms) {
    const double t = now_ms() + ms;
    if (host::g_wake_at < 0 || t < host::g_wake_at) host::g_wake_at = t;
}
void frame_key(const void* bytes, size_t n) { host::g_frame_extra = host::hash_bytes(host::g_frame_extra, bytes, n); }
}  // namespace factlab::platform
