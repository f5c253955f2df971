# The SMS text of an email (issue 12): segments, template, body.
target_sources(unit_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/gsm7_alphabet_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/sms_body_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/sms_segments_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/sms_template_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/template_fit_test.cc
)
