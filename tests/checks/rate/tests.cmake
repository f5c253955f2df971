# The rate tests, added to unit_tests.
target_sources(unit_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/local_counter_store_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/rate_config_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/rate_limiter_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/redis_config_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/redis_counter_protocol_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/redis_counter_store_test.cc
)
