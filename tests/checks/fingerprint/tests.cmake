# The fingerprint tests, added to unit_tests.
target_sources(unit_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/body_fingerprint_test.cc
)
