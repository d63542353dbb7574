// heatmap_fs.glsl: colours a matrix stored in a one-channel float texture.
//
// Each screen pixel covers a window of matrix cells (u_view, in cells). When a
// pixel covers several cells (a 277 x 256 matrix in a 200-px box), it shows
// the most extreme of them (largest |value| for the diverging map, largest
// value for the sequential one), so a sparse pattern never vanishes between
// sampled cells. Colours: mid -> pos for positive values, mid -> neg for
// negative ones, linear in value, as in theme::diverging on the CPU.
in vec2 v_uv;
out vec4 frag;

uniform sampler2D u_values;   // (rows, cols) R32F, texel (col, row)
uniform vec4 u_view;          // visible window in cells: col0, row0, col1, row1
uniform vec2 u_pixels;        // the heatmap's size on screen, in pixels
uniform vec2 u_range;         // diverging: (-vmax, vmax); sequential: (vmin, vmax)
uniform int u_mode;           // 0 diverging, 1 sequential
uniform vec3 u_neg;
uniform vec3 u_mid;
uniform vec3 u_pos;

const int kMaxTaps = 10;      // per axis; wider footprints are strided

void main() {
    ivec2 size = textureSize(u_values, 0);
    vec2 cells = u_view.zw - u_view.xy;
    vec2 cell = u_view.xy + v_uv * cells;              // (col, row) under the pixel centre
    vec2 foot = max(cells / u_pixels, vec2(1.0));      // cells covered by one pixel
    ivec2 c0 = ivec2(floor(cell - 0.5 * foot + 0.001));
    ivec2 c1 = ivec2(floor(cell + 0.5 * foot - 0.001));
    c0 = clamp(c0, ivec2(0), size - 1);
    c1 = clamp(max(c1, c0), ivec2(0), size - 1);
    ivec2 n = c1 - c0 + 1;
    ivec2 step = max((n + kMaxTaps - 1) / kMaxTaps, ivec2(1));

    float best = texelFetch(u_values, c0, 0).r;
    for (int j = 0; j < kMaxTaps; ++j) {
        int r = c0.y + j * step.y;
        if (r > c1.y) break;
        for (int i = 0; i < kMaxTaps; ++i) {
            int c = c0.x + i * step.x;
            if (c > c1.x) break;
            float v = texelFetch(u_values, ivec2(c, r), 0).r;
            bool better = u_mode == 0 ? abs(v) > abs(best) : v > best;
            if (better) best = v;
        }
    }

    vec3 col;
    if (u_mode == 0) {
        float t = clamp(best / max(u_range.y, 1e-30), -1.0, 1.0);
        col = mix(u_mid, t < 0.0 ? u_neg : u_pos, abs(t));
    } else {
        float t = clamp((best - u_range.x) / max(u_range.y - u_range.x, 1e-30), 0.0, 1.0);
        col = mix(u_mid, u_pos, t);
    }
    frag = vec4(col, 1.0);
}
