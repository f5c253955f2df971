// What the content rules, the header checks and the bulk fingerprint read of a message:
// its headers unfolded and decoded, its text parts decoded (quoted-printable, base64,
// charset to UTF-8) with HTML reduced to its text, the URLs it carries and its
// attachments. Parsed once per message with GMime, HTML read with libxml2.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ts {

struct MessageHeader {
  std::string name;   // as written
  std::string value;  // unfolded, RFC 2047 words decoded to UTF-8
};

struct MessageUrl {
  std::string url;   // as found (scheme added for "www." links)
  std::string host;  // lower case, no port, no trailing dot; empty when unreadable
};

struct MessageAttachment {
  std::string filename;      // may be empty
  std::string content_type;  // "application/pdf"
};

// A byte range [begin, end) of MessageContent::text.
struct TextSpan {
  std::size_t begin = 0;
  std::size_t end = 0;
};

struct MessageContent {
  std::vector<MessageHeader> headers;  // in order
  // Every text/plain and text/html part that is not an attachment, decoded to UTF-8,
  // HTML reduced to its visible text; parts separated by "\n". Invalid UTF-8 is replaced.
  std::string text;
  // Where the text/plain parts are in text, in order: the SMS body prefers them to HTML.
  std::vector<TextSpan> plain_parts;
  std::vector<MessageUrl> urls;  // from the text and from HTML links, in order
  std::vector<MessageAttachment> attachments;
  // The first From: mailbox as a person reads it: its display name (encoded words
  // decoded), else its address; empty when there is none.
  std::string from_name;
  std::size_t size = 0;  // of the raw message, in bytes

  // The first header of that name (case-insensitive), or null.
  const MessageHeader* header(std::string_view name) const;
};

// Never fails: an unreadable message gives what could be read of it.
MessageContent extractContent(std::string_view raw_message);

}  // namespace ts
