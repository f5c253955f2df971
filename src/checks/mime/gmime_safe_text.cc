#include "checks/mime/gmime_safe_text.h"

#include <vector>

namespace ts {
namespace {

// GMime's is_lwsp: what skip_lwsp steps over between the literal and the comment.
bool isLwsp(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// A line ends where GMime's header value may end: at a line break, or at a NUL (GMime
// reads header values as C strings).
bool endsLine(char c) {
  return c == '\r' || c == '\n' || c == '\0';
}

// One forward pass per line, as g_mime_skip_comment reads (a backslash escapes the next
// byte, comments nest). Any ']' counts as a literal's end, escaped or not: finding more
// than GMime would is safe. A comment opened at depth d closes when the depth returns to d;
// depth moves by one, so the open ones form a stack in increasing depth and a ')' closes
// at most the top one.
class OpenCommentFinder {
 public:
  explicit OpenCommentFinder(std::string_view text) : text_(text) {}

  std::vector<std::size_t> find() {
    bool after_literal = false;
    for (std::size_t i = 0; i < text_.size(); ++i) {
      char c = text_[i];
      if (endsLine(c)) {
        endLine();
      } else if (c == '\\' && i + 1 < text_.size() && !endsLine(text_[i + 1])) {
        c = text_[++i];
      } else if (c == '(') {
        if (after_literal) open_.push_back({i, depth_});
        ++depth_;
      } else if (c == ')') {
        --depth_;
        if (!open_.empty() && open_.back().depth == depth_) open_.pop_back();
      }
      after_literal = c == ']' || (after_literal && isLwsp(c));
    }
    endLine();
    return std::move(unclosed_);
  }

 private:
  struct Opening {
    std::size_t at;
    int depth;
  };

  void endLine() {
    for (const Opening& o : open_) unclosed_.push_back(o.at);
    open_.clear();
    depth_ = 0;
  }

  std::string_view text_;
  int depth_ = 0;
  std::vector<Opening> open_;
  std::vector<std::size_t> unclosed_;
};

// The quick test first: most messages have no '(' after a ']' at all, and finding the
// ']' bytes (memchr) costs far less than reading every byte as the finder must.
bool hasCommentAfterLiteral(std::string_view text) {
  for (std::size_t at = text.find(']'); at != std::string_view::npos; at = text.find(']', at + 1)) {
    std::size_t next = at + 1;
    while (next < text.size() && isLwsp(text[next])) ++next;
    if (next < text.size() && text[next] == '(') return true;
  }
  return false;
}

}  // namespace

std::string_view gmimeSafeText(std::string_view text, std::string& storage) {
  if (!hasCommentAfterLiteral(text)) return text;
  std::vector<std::size_t> unclosed = OpenCommentFinder(text).find();
  if (unclosed.empty()) return text;
  storage.assign(text);
  for (std::size_t at : unclosed) storage[at] = '_';
  return storage;
}

}  // namespace ts
