# factlab-core: the core-only module each Web Worker runs (src/worker, web/factlab-worker.js).
# No ImGui, no GL, no file system: the same factlab_core the page links, so a share
# computed in a worker is the share the page would compute. Written into the site.
if(FACTLAB_WASM)
  add_executable(factlab-core src/worker/worker_main.cpp)
  target_link_libraries(factlab-core PRIVATE factlab_core)
  factlab_hot_first(factlab-core)
  set_target_properties(factlab-core PROPERTIES SUFFIX ".js")
  target_compile_options(factlab-core PRIVATE -O3)
  target_link_options(factlab-core PRIVATE -O3 -sENVIRONMENT=worker -sFILESYSTEM=0 -sALLOW_MEMORY_GROWTH=1
    -sINITIAL_MEMORY=16777216 -sTOTAL_STACK=1048576 -sEXIT_RUNTIME=0 -sEXPORTED_RUNTIME_METHODS=HEAPU8
    -sEXPORTED_FUNCTIONS=_main,_fw_alloc,_fw_run,_fw_reply)
  if(TARGET factlab)
    add_custom_command(TARGET factlab-core POST_BUILD
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/site
      COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE_DIR:factlab-core>/factlab-core.js
              $<TARGET_FILE_DIR:factlab-core>/factlab-core.wasm ${CMAKE_BINARY_DIR}/site
      COMMENT "Writing the worker module to the site")
    add_dependencies(factlab factlab-core)
  endif()
endif()
