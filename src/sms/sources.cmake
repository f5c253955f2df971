# The SMS text of an email for the SMS API upstream (issue 12).
target_sources(textscreen_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/gsm7_alphabet.cc
  ${CMAKE_CURRENT_LIST_DIR}/sms_body.cc
  ${CMAKE_CURRENT_LIST_DIR}/sms_segments.cc
  ${CMAKE_CURRENT_LIST_DIR}/sms_template.cc
  ${CMAKE_CURRENT_LIST_DIR}/template_fit.cc
  ${CMAKE_CURRENT_LIST_DIR}/utf8_text.cc
)
