// One HTTP request as the web pages see it, and the answer they give: plain values, no
// libevent types, so a page is a function that can be tested without a socket.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/socket_address.h"

namespace ts {

enum class HttpMethod { kGet, kHead, kPost, kOther };

// Decoded name=value pairs in the order they came (a query string or a form body).
using FormFields = std::vector<std::pair<std::string, std::string>>;

// The value of the first field called name; "" when there is none.
std::string fieldValue(const FormFields& fields, std::string_view name);
// Appends the pairs of application/x-www-form-urlencoded text ('+' is a space); false
// when the text is not valid form encoding.
bool parseFormFields(std::string_view text, FormFields& out);

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string path;  // decoded, without the query
  FormFields query;
  FormFields form;  // a POST's urlencoded body
  SocketAddress peer;
  std::string authorization;  // the Authorization header as sent; "" if none
  std::string origin;         // the Origin header; "" if none
  std::string host;           // the Host header
  bool tls = false;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
};

// Answers one request: call it exactly once, at once or later on the loop. When the
// client has gone meanwhile, the answer is dropped.
using HttpReply = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(const HttpRequest&, HttpReply)>;

}  // namespace ts
