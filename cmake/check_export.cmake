# ctest `check_export`: NumPy recomputes lookups from an exported model and
# compares them with factlab-cli's JSON (scripts/check_export.py). Added only
# when Debian's python3 can import numpy (package python3-numpy); otherwise
# skipped with a message, since NumPy is a development aid, never a dependency.
find_program(FACTLAB_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT FACTLAB_PYTHON3)
  find_program(FACTLAB_PYTHON3 NAMES python3)
endif()
set(FACTLAB_HAVE_NUMPY OFF)
if(FACTLAB_PYTHON3)
  execute_process(COMMAND "${FACTLAB_PYTHON3}" -c "import numpy"
                  RESULT_VARIABLE _numpy_rc OUTPUT_QUIET ERROR_QUIET)
  if(_numpy_rc EQUAL 0)
    set(FACTLAB_HAVE_NUMPY ON)
  endif()
endif()
if(FACTLAB_HAVE_NUMPY)
  add_test(NAME check_export
           COMMAND "${FACTLAB_PYTHON3}" "${CMAKE_SOURCE_DIR}/scripts/check_export.py"
                   --cli $<TARGET_FILE:factlab-cli> --out "${CMAKE_BINARY_DIR}/check_export_model"
                   "Michael Jordan" "Michael Phelps" "DeAndre Jordan" "Alexis Jordan" "Michael B. Jordan"
                   "Pelé" "Ken Griffey Jr." "Nobody Known" "Jordan Michael" "Jordan Spieth" "Michael Zzyzx Jordan")
  # Other domains: names inside names, four-word subjects, one-word countries.
  add_test(NAME check_export_capitals
           COMMAND "${FACTLAB_PYTHON3}" "${CMAKE_SOURCE_DIR}/scripts/check_export.py"
                   --cli $<TARGET_FILE:factlab-cli> --out "${CMAKE_BINARY_DIR}/check_export_model_capitals"
                   --facts "${CMAKE_SOURCE_DIR}/tests/data/capitals.csv"
                   "New York" "New York City" "York" "Jordan" "Saint Kitts and Nevis" "Trinidad and Tobago"
                   "York New" "Papua New Guinea")
  add_test(NAME check_export_nested
           COMMAND "${FACTLAB_PYTHON3}" "${CMAKE_SOURCE_DIR}/scripts/check_export.py"
                   --cli $<TARGET_FILE:factlab-cli> --out "${CMAKE_BINARY_DIR}/check_export_model_nested"
                   --facts "${CMAKE_SOURCE_DIR}/tests/data/nested_names.csv"
                   "George H. W. Bush" "George W. Bush" "Ken Griffey" "Ken Griffey Jr." "Martin Luther King Jr.")
  add_test(NAME check_export_gelu
           COMMAND "${FACTLAB_PYTHON3}" "${CMAKE_SOURCE_DIR}/scripts/check_export.py"
                   --cli $<TARGET_FILE:factlab-cli> --out "${CMAKE_BINARY_DIR}/check_export_model_gelu" --act gelu
                   "Michael Jordan" "Michael Phelps" "Alexis Jordan")
  if(FACTLAB_WASM)
    set_tests_properties(check_export check_export_gelu check_export_capitals check_export_nested PROPERTIES ENVIRONMENT "NODE_PATH=/usr/share/nodejs")
  endif()
else()
  message(STATUS "python3 with numpy not found (Debian: python3-numpy): skipping the check_export test")
endif()
