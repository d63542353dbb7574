# Header-only dependencies from Debian (Eigen, doctest, nlohmann-json, stb).
# They are linked into one private include folder, so the wasm build can see
# them without putting the host's /usr/include (glibc) on its include path.
set(FACTLAB_SYSINC "${CMAKE_BINARY_DIR}/sysinc")
file(MAKE_DIRECTORY "${FACTLAB_SYSINC}")
foreach(pair "Eigen=/usr/include/eigen3/Eigen" "unsupported=/usr/include/eigen3/unsupported"
             "doctest=/usr/include/doctest" "nlohmann=/usr/include/nlohmann" "stb=/usr/include/stb")
  string(REPLACE "=" ";" kv "${pair}")
  list(GET kv 0 name)
  list(GET kv 1 target)
  if(NOT EXISTS "${target}")
    message(FATAL_ERROR "Missing ${target}: run scripts/deps.sh (installs Debian's libeigen3-dev doctest-dev nlohmann-json3-dev libstb-dev)")
  endif()
  if(NOT EXISTS "${FACTLAB_SYSINC}/${name}")
    file(CREATE_LINK "${target}" "${FACTLAB_SYSINC}/${name}" SYMBOLIC)
  endif()
endforeach()

# Dear ImGui is never committed: fetch it into the git-ignored external/ folder.
function(factlab_require_imgui)
  if(NOT EXISTS "${FACTLAB_IMGUI_DIR}/imgui.cpp")
    message(STATUS "Fetching Dear ImGui 1.86 (${FACTLAB_IMGUI_SOURCE}) into ${FACTLAB_IMGUI_DIR}")
    execute_process(COMMAND bash "${CMAKE_SOURCE_DIR}/scripts/fetch-imgui.sh" "${FACTLAB_IMGUI_DIR}" "${FACTLAB_IMGUI_SOURCE}"
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0 OR NOT EXISTS "${FACTLAB_IMGUI_DIR}/imgui.cpp")
      message(FATAL_ERROR "Could not fetch Dear ImGui; see scripts/fetch-imgui.sh")
    endif()
  endif()
endfunction()
