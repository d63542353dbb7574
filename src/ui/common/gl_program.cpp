// gl_program.cpp: see gl_program.hpp.
#include "ui/common/gl_program.hpp"

#include <cstdio>

namespace factlab {
namespace {

GLuint compile(const char* what, GLenum type, const unsigned char* body) {
    const char* src[2] = {FACTLAB_GLSL_PREFIX, reinterpret_cast<const char*>(body)};
    GLuint s = glCreateShader(type);
    glShaderSource(s, 2, src, nullptr);
    glCompileShader(s);
    GLint ok = 0;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[1024] = {0};
        glGetShaderInfoLog(s, sizeof log, nullptr, log);
        std::fprintf(stderr, "%s %s shader: %s\n", what, type == GL_VERTEX_SHADER ? "vertex" : "fragment", log);
        glDeleteShader(s);
        return 0;
    }
    return s;
}

}  // namespace

GLuint gl_program(const char* what, const unsigned char* vs_src, const unsigned char* fs_src) {
    GLuint vs = compile(what, GL_VERTEX_SHADER, vs_src), fs = compile(what, GL_FRAGMENT_SHADER, fs_src);
    if (!vs || !fs) {
        if (vs) glDeleteShader(vs);
        if (fs) glDeleteShader(fs);
        return 0;
    }
    GLuint p = glCreateProgram();
    glAttachShader(p, vs);
    glAttachShader(p, fs);
    glLinkProgram(p);
    glDeleteShader(vs);   // the program keeps them alive
    glDeleteShader(fs);
    GLint ok = 0;
    glGetProgramiv(p, GL_LINK_STATUS, &ok);
    if (!ok) {
        char log[1024] = {0};
        glGetProgramInfoLog(p, sizeof log, nullptr, log);
        std::fprintf(stderr, "%s program: %s\n", what, log);
        glDeleteProgram(p);
        return 0;
    }
    return p;
}

}  // namespace factlab
