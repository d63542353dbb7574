// sphere_shell_fs.glsl: the translucent unit sphere, brighter at the rim, with
// the depth of its front surface (balls behind it are veiled, in front are not).
in vec3 v_pos;
uniform mat4 u_view;
uniform mat4 u_proj;
uniform vec3 u_tint;
out vec4 o_color;

void main() {
    vec3 c = (u_view * vec4(0.0, 0.0, 0.0, 1.0)).xyz;
    vec3 dir = normalize(v_pos);           // the eye sits at the origin of view space
    float b = dot(dir, c);
    float disc = b * b - dot(c, c) + 1.0;
    if (disc < 0.0) discard;
    vec3 hit = dir * (b - sqrt(disc));
    vec3 n = normalize(hit - c);
    float rim = 1.0 - abs(n.z);
    vec4 clip = u_proj * vec4(hit, 1.0);
    gl_FragDepth = 0.5 * clip.z / clip.w + 0.5;
    o_color = vec4(u_tint, 0.10 + 0.35 * rim * rim);
}
