# factlab_embed(<out-var> <symbol> <file>): at build time, turn <file> into a
# C++ source defining `extern const unsigned char <symbol>[]` (NUL-terminated,
# so text can be read as a C string) and `extern const size_t <symbol>_size`.
function(factlab_embed out symbol file)
  set(gen "${CMAKE_BINARY_DIR}/embed/${symbol}.cpp")
  add_custom_command(OUTPUT "${gen}"
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${gen} -DSYMBOL=${symbol} -P "${CMAKE_SOURCE_DIR}/cmake/embed_file.cmake"
    DEPENDS "${file}" "${CMAKE_SOURCE_DIR}/cmake/embed_file.cmake"
    COMMENT "Embedding ${file}")
  set(${out} ${${out}} "${gen}" PARENT_SCOPE)
endfunction()
function(factlab_embed_text out symbol file)
  factlab_embed(tmp ${symbol} ${file})
  set(${out} ${${out}} ${tmp} PARENT_SCOPE)
endfunction()
