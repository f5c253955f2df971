# The abuse tests, added to unit_tests.
target_sources(unit_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/abuse_counters_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/penalty_box_test.cc
)
