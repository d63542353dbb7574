// png.cpp: reads a region of the rendered frame and encodes it as PNG (stb_image_write),
// for "Export → PNG image" on the page and `factlab --screenshot` on the desktop.
#include "platform/png.hpp"

#include <algorithm>
#include <vector>
#include "platform/gl.hpp"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include <stb/stb_image_write.h>

namespace factlab::host {

std::string read_png(int x, int y_top, int w, int h, int fb_height) {
    if (w <= 0 || h <= 0 || fb_height <= 0) return {};
    std::vector<unsigned char> px(size_t(w) * h * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(x, fb_height - y_top - h, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px.data());   // GL rows go up
    for (size_t i = 3; i < px.size(); i += 4) px[i] = 255;                             // opaque, whatever GL kept
    std::string out;
    stbi_flip_vertically_on_write(1);
    stbi_write_png_to_func([](void* ctx, void* data, int size) {
        static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), size_t(size));
    }, &out, w, h, 4, px.data(), w * 4);
    return out;
}

}  // namespace factlab::host
