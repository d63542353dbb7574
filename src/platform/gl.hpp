// gl.hpp: the one place that knows which OpenGL flavour we render with.
// WebGL2 (GLSL ES 3.00) on the page, OpenGL 3.3 core (GLSL 330) on the desktop;
// shaders in shaders/ are written without a #version line and get this prefix.
#pragma once
#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>
#define FACTLAB_GLSL_PREFIX "#version 300 es\nprecision highp float;\nprecision highp int;\n"
#define FACTLAB_GLSL_VERSION "#version 300 es"     // for ImGui_ImplOpenGL3_Init (at most 31 chars)
#else
#ifndef GL_GLEXT_PROTOTYPES
#define GL_GLEXT_PROTOTYPES 1
#endif
#include <GL/glcorearb.h>
#define FACTLAB_GLSL_PREFIX "#version 330 core\n"
#define FACTLAB_GLSL_VERSION "#version 330 core"
#endif
