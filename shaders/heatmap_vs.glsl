// heatmap_vs.glsl: one quad that covers the viewport, which the heatmap sets to
// its own rectangle on screen. No vertex buffer: corners come from gl_VertexID.
out vec2 v_uv;   // (0,0) top-left .. (1,1) bottom-right of the heatmap

void main() {
    vec2 corners[6] = vec2[6](vec2(0.0, 0.0), vec2(1.0, 0.0), vec2(0.0, 1.0),
                              vec2(0.0, 1.0), vec2(1.0, 0.0), vec2(1.0, 1.0));
    vec2 p = corners[gl_VertexID];
    v_uv = vec2(p.x, 1.0 - p.y);            // row 0 of the matrix at the top
    gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}
