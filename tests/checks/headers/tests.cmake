# The headers tests, added to unit_tests.
target_sources(unit_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/header_check_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/header_config_test.cc
)
