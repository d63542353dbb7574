// sphere_line_vs.glsl: lines in the sphere's space (great circles, the line
// through each vector and its opposite).
layout(location = 0) in vec3 a_pos;
uniform mat4 u_view;
uniform mat4 u_proj;

void main() { gl_Position = u_proj * u_view * vec4(a_pos, 1.0); }
