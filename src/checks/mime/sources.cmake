target_sources(textscreen_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/gmime_safe_text.cc
)
