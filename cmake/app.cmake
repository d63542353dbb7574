# The lab app: src/ui panels + src/platform window/page + Dear ImGui.
factlab_require_imgui()
set(IMGUI ${FACTLAB_IMGUI_DIR})
add_library(factlab_imgui STATIC
  ${IMGUI}/imgui.cpp ${IMGUI}/imgui_draw.cpp ${IMGUI}/imgui_tables.cpp ${IMGUI}/imgui_widgets.cpp
  ${IMGUI}/backends/imgui_impl_glfw.cpp ${IMGUI}/backends/imgui_impl_opengl3.cpp)
target_include_directories(factlab_imgui SYSTEM PUBLIC ${IMGUI} ${IMGUI}/backends)
target_compile_definitions(factlab_imgui PUBLIC GLFW_INCLUDE_NONE IMGUI_DISABLE_OBSOLETE_FUNCTIONS)
target_compile_options(factlab_imgui PRIVATE -w)
if(FACTLAB_WASM)
  target_compile_definitions(factlab_imgui PUBLIC IMGUI_IMPL_OPENGL_ES3)
  target_compile_options(factlab_imgui PRIVATE -Oz -sUSE_GLFW=3)
else()
  # Desktop GL 3.3 core: Mesa's libGL exports every entry point, so the backend
  # and our own GL code share <GL/glcorearb.h> prototypes instead of a loader.
  target_compile_definitions(factlab_imgui PUBLIC IMGUI_IMPL_OPENGL_LOADER_CUSTOM GL_GLEXT_PROTOTYPES)
  target_compile_options(factlab_imgui PRIVATE -include GL/glcorearb.h)
  find_package(glfw3 REQUIRED)
  find_package(OpenGL REQUIRED)
  target_link_libraries(factlab_imgui PUBLIC glfw OpenGL::GL ${CMAKE_DL_LIBS})
endif()

# Shaders and the UI font are embedded into the binary: the page needs no extra fetch.
file(GLOB FACTLAB_SHADERS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/shaders/*.glsl)
set(FACTLAB_APP_DATA "")
foreach(sh ${FACTLAB_SHADERS})
  get_filename_component(name ${sh} NAME_WE)
  factlab_embed(FACTLAB_APP_DATA shader_${name} ${sh})
endforeach()

# UI font: Inter (Debian's fonts-inter), subset at build time to the glyphs the
# lab uses (Latin, Greek, arrows, maths), so it costs tens of kB, not hundreds.
set(FACTLAB_FONT_SRC "/usr/share/fonts/opentype/inter/Inter-Regular.otf" CACHE FILEPATH "UI font")
set(FACTLAB_FONT_OUT "${CMAKE_BINARY_DIR}/fonts/ui_font.otf")
set(FACTLAB_FONT_UNICODES "U+0020-007E,U+00A0-017F,U+0370-03FF,U+1D40-1D6A,U+2000-206F,U+2070-209F,U+2190-21FF,U+2200-22FF,U+2300-23FF,U+25A0-25FF,U+2713-2717")
add_custom_command(OUTPUT ${FACTLAB_FONT_OUT}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/fonts
  COMMAND pyftsubset ${FACTLAB_FONT_SRC} --unicodes=${FACTLAB_FONT_UNICODES}
          --layout-features= --no-hinting --desubroutinize --output-file=${FACTLAB_FONT_OUT}
  DEPENDS ${FACTLAB_FONT_SRC} COMMENT "Subsetting the UI font")
factlab_embed(FACTLAB_APP_DATA ui_font ${FACTLAB_FONT_OUT})
# Finished long runs an embed shows before Replay (src/ui/superposition/superlab.cpp;
# written by `factlab-cli superpose ... --snapshot`, docs/superpose.md).
factlab_embed_text(FACTLAB_APP_DATA snapshot_superposition_video "${CMAKE_SOURCE_DIR}/src/core/data/snapshots/superposition-video.txt")

file(GLOB_RECURSE FACTLAB_UI_SRC CONFIGURE_DEPENDS src/ui/*.cpp)
list(FILTER FACTLAB_UI_SRC EXCLUDE REGEX "/state[^/]*\\.cpp$")
file(GLOB FACTLAB_PLATFORM_SRC CONFIGURE_DEPENDS src/platform/*.cpp)
# Long jobs (src/worker/worker_jobs.cpp) are in the page's own module: a job worker
# (web/factlab-job-worker.js) runs factlab.wasm itself, so they cost no extra bytes.
list(APPEND FACTLAB_PLATFORM_SRC ${CMAKE_SOURCE_DIR}/src/worker/worker_jobs.cpp)
add_executable(factlab ${FACTLAB_UI_SRC} ${FACTLAB_PLATFORM_SRC} ${FACTLAB_APP_DATA})
target_link_libraries(factlab PRIVATE factlab_state factlab_core factlab_imgui)
factlab_hot_first(factlab)
target_include_directories(factlab PRIVATE src)

if(FACTLAB_WASM)
  set_target_properties(factlab PROPERTIES OUTPUT_NAME factlab SUFFIX ".js")
  target_compile_options(factlab PRIVATE -Os)   # UI code: size over speed (the site budget); kernels are in factlab_core
  target_link_options(factlab PRIVATE -O3 -sUSE_GLFW=3 -sUSE_WEBGL2=1 -sFULL_ES3=1 -sMIN_WEBGL_VERSION=2
    -sMAX_WEBGL_VERSION=2 -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=33554432 -sTOTAL_STACK=1048576
    -sEXPORTED_RUNTIME_METHODS=ccall,cwrap,UTF8ToString,HEAPU8
    -sEXPORTED_FUNCTIONS=@${CMAKE_SOURCE_DIR}/src/platform/exports.txt
    -sENVIRONMENT=web -sFILESYSTEM=1 -sEXIT_RUNTIME=0)
  # The site: our page shell, the glue and the wasm, in one folder.
  set(FACTLAB_SITE ${CMAKE_BINARY_DIR}/site)
  add_custom_command(TARGET factlab POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E make_directory ${FACTLAB_SITE}
    COMMAND ${CMAKE_COMMAND} -E copy_directory ${CMAKE_SOURCE_DIR}/web ${FACTLAB_SITE}
    COMMAND node ${CMAKE_SOURCE_DIR}/scripts/strip-js-comments.mjs ${FACTLAB_SITE}
            factlab-page.js factlab-worker.js factlab-job-worker.js
    COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE_DIR:factlab>/factlab.js $<TARGET_FILE_DIR:factlab>/factlab.wasm ${FACTLAB_SITE}
    COMMENT "Writing the site to ${FACTLAB_SITE}")
else()
  target_compile_definitions(factlab PRIVATE GL_GLEXT_PROTOTYPES)
endif()
