// sphere_shell_vs.glsl: a camera-facing quad around the unit sphere; the fragment
// shader ray-casts the sphere itself. No vertex buffer: corners from gl_VertexID.
uniform mat4 u_view;
uniform mat4 u_proj;
out vec3 v_pos;                            // view-space point on the quad

void main() {
    vec2 corners[6] = vec2[6](vec2(-1.0, -1.0), vec2(1.0, -1.0), vec2(-1.0, 1.0),
                              vec2(-1.0, 1.0), vec2(1.0, -1.0), vec2(1.0, 1.0));
    vec4 c = u_view * vec4(0.0, 0.0, 0.0, 1.0);
    v_pos = c.xyz + vec3(corners[gl_VertexID] * 1.15, 0.0);
    gl_Position = u_proj * vec4(v_pos, 1.0);
}
