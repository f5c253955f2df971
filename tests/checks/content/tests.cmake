target_sources(unit_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/content_check_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/message_content_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/rule_set_test.cc
)
