// sphere_ball_fs.glsl: shade the impostor as a lit ball and write its true depth,
// so balls on the far side sink behind the translucent sphere.
in vec2 v_uv;
in vec4 v_color;
in vec3 v_center;
uniform mat4 u_proj;
uniform float u_radius;
out vec4 o_color;

void main() {
    float r2 = dot(v_uv, v_uv);
    if (r2 > 1.0) discard;
    vec3 n = vec3(v_uv, sqrt(1.0 - r2));
    vec3 light = normalize(vec3(-0.4, 0.6, 0.7));
    float diffuse = max(dot(n, light), 0.0);
    float spec = pow(max(dot(reflect(-light, n), vec3(0.0, 0.0, 1.0)), 0.0), 24.0);
    vec3 col = v_color.rgb * (0.35 + 0.65 * diffuse) + vec3(0.3) * spec;
    vec4 clip = u_proj * vec4(v_center + n * u_radius, 1.0);
    gl_FragDepth = 0.5 * clip.z / clip.w + 0.5;
    // A soft edge, one pixel wide, instead of multisampling.
    float edge = 1.0 - smoothstep(1.0 - 2.0 * fwidth(sqrt(r2)), 1.0, sqrt(r2));
    o_color = vec4(col, v_color.a * edge);
}
