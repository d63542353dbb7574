// png.hpp: a region of the current frame buffer as PNG bytes.
#pragma once
#include <string>
namespace factlab::host {
// (x, y_top) in framebuffer pixels from the top-left; empty on a bad region.
std::string read_png(int x, int y_top, int w, int h, int fb_height);
}
