# ctest `check_gpt`: NumPy recomputes the transformer's predictions, logit lens and a causal
# trace (with --noise, the same samples on both sides) from an exported GPT-2 checkpoint
# folder, and compares them with factlab-cli's JSON (scripts/check_gpt.py). Added only when
# Debian's python3 can import numpy (check_export.cmake finds it).
if(FACTLAB_HAVE_NUMPY)
  add_test(NAME check_gpt
           COMMAND "${FACTLAB_PYTHON3}" "${CMAKE_SOURCE_DIR}/scripts/check_gpt.py"
                   --cli $<TARGET_FILE:factlab-cli> --out "${CMAKE_BINARY_DIR}/check_gpt_model")
  if(FACTLAB_WASM)
    set_tests_properties(check_gpt PROPERTIES ENVIRONMENT "NODE_PATH=/usr/share/nodejs")
  endif()
else()
  message(STATUS "python3 with numpy not found: skipping the check_gpt test")
endif()
