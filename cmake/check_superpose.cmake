# ctest `check_superpose`: NumPy recomputes `factlab-cli superpose --json` from its
# --out .npy (scripts/check_superpose.py): min/max angle, worst |cos|, shares within
# 1 and 5 degrees, Welch and Levenshtein. Needs FACTLAB_HAVE_NUMPY (check_export.cmake).
if(FACTLAB_HAVE_NUMPY)
  add_test(NAME check_superpose_video
           COMMAND "${FACTLAB_PYTHON3}" "${CMAKE_SOURCE_DIR}/scripts/check_superpose.py"
                   --cli $<TARGET_FILE:factlab-cli> --n 1500 --d 40 --steps 30)
  add_test(NAME check_superpose_exp
           COMMAND "${FACTLAB_PYTHON3}" "${CMAKE_SOURCE_DIR}/scripts/check_superpose.py"
                   --cli $<TARGET_FILE:factlab-cli> --n 700 --d 12 --steps 60 --loss exp)
  if(FACTLAB_WASM)
    set_tests_properties(check_superpose_video check_superpose_exp PROPERTIES ENVIRONMENT "NODE_PATH=/usr/share/nodejs")
  endif()
endif()
