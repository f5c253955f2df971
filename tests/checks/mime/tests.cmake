target_sources(unit_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/gmime_safe_text_test.cc
)
