# The surge tests, added to unit_tests.
target_sources(unit_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/surge_config_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/surge_tracker_test.cc
)
