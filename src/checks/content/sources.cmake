target_sources(textscreen_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/content_check.cc
  ${CMAKE_CURRENT_LIST_DIR}/content_config.cc
  ${CMAKE_CURRENT_LIST_DIR}/message_content.cc
  ${CMAKE_CURRENT_LIST_DIR}/rule_set.cc
)
