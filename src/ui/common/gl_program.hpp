// gl_program.hpp: builds a shader program from two embedded shaders/ sources
// (no #version line: gl.hpp's prefix is put in front for WebGL2 or GL 3.3).
#pragma once
#include "platform/gl.hpp"

namespace factlab {

// The linked program, or 0 with the compiler's log on stderr, prefixed by `what`.
GLuint gl_program(const char* what, const unsigned char* vs_src, const unsigned char* fs_src);

}  // namespace factlab
