// sphere_ball_vs.glsl: one unit vector drawn as a small shaded ball (an impostor).
// Instanced: a quad per vector, facing the camera, sized in world units.
layout(location = 0) in vec2 a_corner;     // quad corner in [-1, 1]^2 (per vertex)
layout(location = 1) in vec3 a_center;     // the vector's tip on the unit sphere (per instance)
layout(location = 2) in vec4 a_color;      // (per instance)
uniform mat4 u_view;                       // rotation, then the camera's distance
uniform mat4 u_proj;                       // perspective
uniform float u_radius;                    // ball radius in world units
out vec2 v_uv;
out vec4 v_color;
out vec3 v_center;                         // ball centre in view space

void main() {
    vec4 c = u_view * vec4(a_center, 1.0);
    v_uv = a_corner;
    v_color = a_color;
    v_center = c.xyz;
    gl_Position = u_proj * vec4(c.xy + a_corner * u_radius, c.z, 1.0);
}
