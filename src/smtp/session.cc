// Commands are handled one at a time, in order: a command that waits for the gateway
// leaves the rest of the client's (pipelined) input unread until its reply is sent, so
// replies can never be reordered and input stays bounded by the read watermark.
#include "smtp/session.h"

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <chrono>
#include <ctime>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "checks/dmarc/organizational_domain.h"
#include "checks/fingerprint/body_fingerprint.h"
#include "checks/rate/rate_limiter.h"
#include "net/client_network.h"
#include "net/direct_write.h"
#include "net/openssl_errors.h"
#include "net/tls_server_context.h"
#include "obs/log.h"
#include "policy/authentication_results.h"
#include "policy/reference_id.h"
#include "smtp/command_parser.h"
#include "store/decision_log.h"
#include "store/quarantine_store.h"
#include "util/ascii.h"
#include "util/time_words.h"
#include "util/timeval.h"

namespace ts::smtp {
namespace {

// What a client may leave unread with us: pipelined commands waiting behind a slow check
// (far more than any real pipelined group; DATA is consumed as it arrives), and replies the
// client does not read. Past these, reading stops until the other side catches up.
constexpr std::size_t kReadHighWatermark = 64 * 1024;
constexpr std::size_t kMaxUnreadOutput = 64 * 1024;

constexpr unsigned bit(int state) {
  return 1u << state;
}

// The enhanced code in the class of the reply: a check's "5.7.25" becomes "4.7.25" when
// its action is tempfail (RFC 3463: the first digit repeats the reply's class).
std::string enhancedFor(int code, std::string_view enhanced, std::string_view fallback) {
  std::string out(enhanced.empty() ? fallback : enhanced);
  if (!out.empty()) out[0] = static_cast<char>('0' + code / 100);
  return out;
}

// Why a TLS handshake failed, from the errors the bufferevent collected.
std::string tlsErrors(bufferevent* bev) {
  std::string out;
  while (unsigned long e = bufferevent_get_openssl_error(bev)) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? std::string("connection closed") : out;
}

// RFC 4954's prompts of LOGIN, base64: "Username:" and "Password:".
constexpr std::string_view kLoginUserPrompt = "VXNlcm5hbWU6";
constexpr std::string_view kLoginPasswordPrompt = "UGFzc3dvcmQ6";

std::string rfc5322Date() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return std::string(buf, n);
}

}  // namespace

struct Session::CommandSpec {
  Verb verb;
  unsigned allowed;  // bit(State) of the states the command is valid in
  void (Session::*handler)(std::string_view);
};

namespace {
constexpr unsigned kConnected = bit(0), kReady = bit(1), kMail = bit(2), kRcpt = bit(3);
constexpr unsigned kAnyState = kConnected | kReady | kMail | kRcpt;
}  // namespace

// The session's stages, declared once (OpenSMTPD's commands[] table).
const Session::CommandSpec Session::kCommands[] = {
    {Verb::kHelo, kAnyState, &Session::onHelo},
    {Verb::kEhlo, kAnyState, &Session::onEhlo},
    {Verb::kMail, kReady, &Session::onMail},
    {Verb::kRcpt, kMail | kRcpt, &Session::onRcpt},
    {Verb::kData, kMail | kRcpt, &Session::onData},
    {Verb::kRset, kAnyState, &Session::onRset},
    {Verb::kNoop, kAnyState, &Session::onNoop},
    {Verb::kQuit, kAnyState, &Session::onQuit},
    {Verb::kHelp, kAnyState, &Session::onHelp},
    {Verb::kVrfy, kAnyState, &Session::onVrfy},
    {Verb::kExpn, kAnyState, &Session::onExpn},
    {Verb::kStarttls, kReady, &Session::onStarttls},
    // AUTH during a transaction gets its own 503 (onAuth), not "send MAIL FROM first".
    {Verb::kAuth, kReady | kMail | kRcpt, &Session::onAuth},
};

static_assert(static_cast<int>(Verb::kUnknown) == 13, "every verb but kUnknown has a row");

Session::Session(SessionHost host, evutil_socket_t fd, SocketAddress peer,
                 std::shared_ptr<Runtime> runtime, std::optional<SocketAddress> proxy)
    : host_(std::move(host)),
      peer_(std::move(peer)),
      proxy_(std::move(proxy)),
      runtime_(std::move(runtime)),
      config_(runtime_->config),
      command_rate_(config_.max_commands_per_minute),
      session_ref_(newReferenceId()),
      reader_(config_.max_message_size) {
  bev_ = bufferevent_socket_new(host_.base, fd, BEV_OPT_CLOSE_ON_FREE);
  timer_ = evtimer_new(host_.base, timerCallback, this);
  bufferevent_setcb(bev_, readCallback, writeCallback, eventCallback, this);
  // Plus one whole command line, or a line longer than the mark could never be read.
  bufferevent_setwatermark(bev_, EV_READ, 0, kReadHighWatermark + config_.max_line_length);
  trusted_ = runtime_->isTrusted(peer_);
}

Session::~Session() {
  upstream_.reset();  // drops its handlers: none may call a freed session
  if (timer_) event_free(timer_);
  freeConnection();
}

void Session::freeConnection() {
  if (!bev_) return;
  if (drain_watch_) {
    evbuffer_remove_cb_entry(bufferevent_get_output(bufferevent_get_underlying(bev_)),
                             drain_watch_);
    drain_watch_ = nullptr;
  }
  bufferevent_free(bev_);  // under TLS, the socket's bufferevent and the SSL with it
  bev_ = nullptr;
}

void Session::start() {
  {
    LogLine connect(session_ref_);  // written when it goes out of scope
    connect.kv("event", "connect").kv("client", peer_.host());
    if (proxy_) connect.kv("proxy", proxy_->host());
    connect.kv("trusted", trusted_ ? "yes" : "no");
  }
  if (!trusted_) abuse_.emplace(config_.abuse, *host_.counters, peer_.host());
  startConnectChecks();
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
  if (!trusted_ && runtime_->pregreet.enabled()) {
    // Hold the banner; whatever arrives meanwhile stays unread until the timer fires.
    greeting_pending_ = true;
    armTimer(config_.pregreet.greet_delay);
    return;
  }
  sendBanner();
}

void Session::sendBanner() {
  out_.clear();
  appendReply(out_, 220, "", "", config_.hostname + " ESMTP textscreen");
  queueOutput();
  armTimer(config_.command_timeout);
}

void Session::endGreetDelay() {
  greeting_pending_ = false;
  std::size_t early = evbuffer_get_length(bufferevent_get_input(bev_));
  CheckResult result = runtime_->pregreet.evaluate(early);
  if (result.outcome != Outcome::kPass) {
    LogLine(session_ref_)
        .kv("event", "pregreet")
        .kv("client", peer_.host())
        .kv("bytes", static_cast<unsigned long long>(early));
    client_proposals_.push_back(Proposal{result, config_.pregreet.action});
  }
  client_results_.push_back(std::move(result));
  sendBanner();
  processInput();
}

void Session::refuse(std::string_view enhanced, std::string_view text) {
  LogLine(session_ref_)
      .kv("event", "reject")
      .kv("stage", "connect")
      .kv("client", peer_.host())
      .kv("reason", text);
  bufferevent_enable(bev_, EV_WRITE);
  reply(421, enhanced, text);
  closeAfterReply();
}

void Session::shutdown() {
  shutting_down_ = true;
  if (!busy_ && (state_ == State::kConnected || state_ == State::kReady)) {
    reply(421, "4.3.2", "Service shutting down; try again later");
    closeAfterReply();
  }
}

// ---- input ----

void Session::readCallback(bufferevent*, void* self) {
  static_cast<Session*>(self)->onReadable();
}

void Session::onReadable() {
  if (greeting_pending_) return;
  if (state_ == State::kClosing) {
    evbuffer_drain(bufferevent_get_input(bev_), evbuffer_get_length(bufferevent_get_input(bev_)));
    return;
  }
  processInput();
}

void Session::resume() {
  busy_ = false;
  if (state_ == State::kClosing) return;
  if (shutting_down_ && state_ == State::kReady) {
    reply(421, "4.3.2", "Service shutting down; try again later");
    closeAfterReply();
    return;
  }
  armTimer(config_.command_timeout);
  // Pipelined commands may already be buffered; no read event will announce them.
  processInput();
}

void Session::processInput() {
  if (processing_) return;
  processing_ = true;
  drainInput();
  processing_ = false;
  // The replies to a pipelined group of commands leave in one write.
  flushOutput();
}

void Session::drainInput() {
  evbuffer* in = bufferevent_get_input(bev_);
  while (!busy_ && state_ != State::kClosing) {
    if (state_ == State::kData) {
      if (!readDataSection()) return;
      continue;
    }
    evbuffer* out = bufferevent_get_output(bev_);
    if (pending_out_.size() + evbuffer_get_length(out) >= kMaxUnreadOutput) {
      flushOutput();
      if (evbuffer_get_length(out) >= kMaxUnreadOutput) {
        output_full_ = true;  // writeCallback goes on once the client has read its replies
        return;
      }
    }
    std::size_t eol_len = 0;
    evbuffer_ptr eol = evbuffer_search_eol(in, nullptr, &eol_len, EVBUFFER_EOL_LF);
    if (eol.pos < 0) {
      std::size_t buffered = evbuffer_get_length(in);
      if (buffered > config_.max_line_length) {
        evbuffer_drain(in, buffered);
        discarding_line_ = true;
      }
      return;
    }
    auto line_len = static_cast<std::size_t>(eol.pos);
    // The limit counts the line with its CRLF, as RFC 5321 section 4.5.3.1.4 counts 512.
    if (discarding_line_ || line_len + eol_len > config_.max_line_length) {
      evbuffer_drain(in, line_len + eol_len);
      discarding_line_ = false;
      reply(500, "5.5.2",
            fmt::format("Line too long: the limit is {} bytes; fix the client that sent it",
                        config_.max_line_length));
      continue;
    }
    line_.resize(line_len);
    evbuffer_remove(in, line_.data(), line_len);
    evbuffer_drain(in, eol_len);
    // Commands tolerate a bare LF, as Postfix does; DATA does not (see DataReader).
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    if (!command_rate_.note(CommandRate::Clock::now())) {
      tooManyCommands();
      return;
    }
    armTimer(config_.command_timeout);
    handleLine(line_);
  }
}

void Session::handleLine(std::string_view line) {
  if (auth_step_ != AuthStep::kNone) {
    onAuthResponse(line);
    return;
  }
  if (hasControlBytes(line)) {
    reply(500, "5.5.2", "Command contains NUL or control characters; fix the client that sent it");
    return;
  }
  Command cmd = parseCommand(line);
  if (shutting_down_ && cmd.verb != Verb::kQuit &&
      (state_ == State::kConnected || state_ == State::kReady)) {
    reply(421, "4.3.2", "Service shutting down; try again later");
    closeAfterReply();
    return;
  }
  if (cmd.verb == Verb::kUnknown) {
    reply(500, "5.5.2", "Command not recognized");
    return;
  }
  for (const CommandSpec& spec : kCommands) {
    if (spec.verb != cmd.verb) continue;
    if (!(spec.allowed & bit(static_cast<int>(state_)))) {
      std::string_view hint = "Send EHLO or HELO first";
      if (state_ != State::kConnected) {
        switch (cmd.verb) {
          case Verb::kMail:
            hint = "Sender already given; send RSET to start over";
            break;
          case Verb::kStarttls:
            hint = "STARTTLS is not allowed during a mail transaction; send RSET first";
            break;
          default:
            hint = "Send MAIL FROM first";
            break;
        }
      }
      reply(503, "5.5.1", fmt::format("Bad sequence of commands: {}", hint));
      return;
    }
    (this->*spec.handler)(cmd.argument);
    return;
  }
}

bool Session::readDataSection() {
  evbuffer* in = bufferevent_get_input(bev_);
  while (!reader_.done() && evbuffer_get_length(in) > 0) {
    evbuffer_iovec chunk{};
    if (evbuffer_peek(in, -1, nullptr, &chunk, 1) < 1) break;
    std::size_t used =
        reader_.feed(std::string_view(static_cast<const char*>(chunk.iov_base), chunk.iov_len));
    evbuffer_drain(in, used);
  }
  if (!reader_.done()) {
    armTimer(config_.data_timeout);
    return false;
  }
  finishData();
  return true;
}

// ---- commands ----

bool Session::acceptHelo(std::string_view arg, bool esmtp) {
  std::optional<std::string_view> name = heloName(arg);
  if (!name) {
    reply(501, "5.5.4",
          fmt::format("Syntax: {} hostname (your host's name or address literal)",
                      esmtp ? "EHLO" : "HELO"));
    return false;
  }
  if (state_ == State::kMail || state_ == State::kRcpt) endTransaction();
  helo_ = std::string(*name);
  esmtp_ = esmtp;
  state_ = State::kReady;
  judgeHelo();
  return true;
}

ClientContext Session::clientContext() const {
  return ClientContext{peer_, helo_, config_.hostname, config_.gateway_domains,
                       mail_given_ ? mail_.sender.address() : std::string()};
}

void Session::startConnectChecks() {
  if (trusted_) {
    for (const ScreeningCheck& c : runtime_->connect_checks) host_.check_stats->skipped(c.name);
    return;
  }
  screening_ = std::make_unique<ClientScreening>(host_.base, runtime_->dns->resolver(),
                                                 *host_.check_stats, session_ref_);
  // Started before the banner: the answers arrive while the client is still typing EHLO.
  for (const ScreeningCheck& c : runtime_->connect_checks) screening_->start(c, clientContext());
}

void Session::startSenderChecks() {
  if (!screening_) {
    for (const ScreeningCheck& c : runtime_->sender_checks) host_.check_stats->skipped(c.name);
    return;
  }
  for (const ScreeningCheck& c : runtime_->sender_checks) screening_->start(c, clientContext());
}

void Session::judgeHelo() {
  if (!runtime_->helo_check) return;
  if (!screening_) {
    host_.check_stats->skipped(runtime_->helo_check->name);
    return;
  }
  // A new EHLO replaces the HELO verdict; what was learnt at connect stays.
  screening_->start(*runtime_->helo_check, clientContext());
}

void Session::onHelo(std::string_view arg) {
  if (acceptHelo(arg, false)) reply(250, "", config_.hostname);
}

void Session::onEhlo(std::string_view arg) {
  if (!acceptHelo(arg, true)) return;
  std::vector<std::string> lines{
      config_.hostname, "PIPELINING",          fmt::format("SIZE {}", config_.max_message_size),
      "8BITMIME",       "ENHANCEDSTATUSCODES", "SMTPUTF8"};
  if (runtime_->security.tls && !tls_) lines.emplace_back("STARTTLS");
  if (offersAuth()) lines.emplace_back("AUTH PLAIN LOGIN");
  lines.emplace_back("HELP");
  out_.clear();
  appendMultilineReply(out_, 250, lines);
  flushReply(250, "2.0.0");
}

void Session::onMail(std::string_view arg) {
  ref_ = transactions_ == 0 ? session_ref_ : newReferenceId();
  ++transactions_;
  auto parsed = parseMailFrom(arg);
  if (!parsed) {
    switch (parsed.error()) {
      case EnvelopeError::kSyntax:
        reply(501, "5.5.4", "Syntax: MAIL FROM:<address> [SIZE=n] [BODY=8BITMIME] [SMTPUTF8]");
        break;
      case EnvelopeError::kBadAddress:
        reply(501, "5.1.7",
              "Bad sender address syntax: send a plain address like <alerts@example.com>");
        break;
      case EnvelopeError::kUnsupportedParameter:
        reply(555, "5.5.4",
              "Unsupported MAIL parameter: only SIZE, BODY, SMTPUTF8 and AUTH are offered");
        break;
      case EnvelopeError::kNonAsciiWithoutSmtputf8:
        reply(553, "5.6.7", "Non-ASCII sender address needs the SMTPUTF8 parameter (RFC 6531)");
        break;
      case EnvelopeError::kInvalidUtf8:
        reply(501, "5.1.7", "Sender address is not valid UTF-8");
        break;
    }
    ref_.clear();
    return;
  }
  if (parsed->size && *parsed->size > config_.max_message_size) {
    reply(552, "5.3.4",
          fmt::format("Message size exceeds the limit of {} bytes; SMS mail must be short",
                      config_.max_message_size));
    ref_.clear();
    return;
  }
  mail_ = std::move(*parsed);
  mail_given_ = true;
  std::int64_t now = std::time(nullptr);
  // Bans are the operator's explicit word: they bind trusted networks too.
  Proposal ban = host_.access->senderBan(peer_, mail_.sender.address(), now);
  results_.push_back(ban.result);
  if (ban.result.outcome == Outcome::kFail && ban.action == Action::kReject) {
    reply(550, ban.result.enhanced, ban.result.reason);
    recordDecision("reject", ban.result.check, ban.result.reason);
    endTransaction();
    return;
  }
  if (ban.result.outcome == Outcome::kFail) proposals_.push_back(std::move(ban));
  allow_entry_ = host_.access->allowEntry(store::domainOf(mail_.sender.address()), now);
  state_ = State::kMail;
  startSenderChecks();
  reply(250, "2.1.0", fmt::format("Sender <{}> ok", mail_.sender.address()));
}

void Session::onRcpt(std::string_view arg) {
  ++rcpt_attempts_;
  auto parsed = parseRcptTo(arg, mail_.smtputf8);
  if (!parsed) {
    switch (parsed.error()) {
      case EnvelopeError::kSyntax:
        reply(501, "5.5.4", "Syntax: RCPT TO:<address>");
        break;
      case EnvelopeError::kBadAddress:
        reply(501, "5.1.3", "Bad recipient address syntax: use <number@gateway-domain>");
        break;
      case EnvelopeError::kUnsupportedParameter:
        reply(555, "5.5.4", "Unsupported RCPT parameter: none are offered");
        break;
      case EnvelopeError::kNonAsciiWithoutSmtputf8:
        reply(553, "5.6.7", "Non-ASCII recipient address needs SMTPUTF8 on MAIL FROM (RFC 6531)");
        break;
      case EnvelopeError::kInvalidUtf8:
        reply(501, "5.1.3", "Recipient address is not valid UTF-8");
        break;
    }
    return;
  }
  if (accepted_.size() >= config_.max_recipients) {
    reply(
        452, "4.5.3",
        fmt::format("Too many recipients: at most {} per message; send the rest in another message",
                    config_.max_recipients));
    return;
  }
  if (unsigned per = host_.upstream->recipientsPerTransaction();
      per != 0 && accepted_.size() >= per) {
    // The API's answer for the one text must be the client's answer for the message.
    reply(452, "4.5.3",
          "One recipient per message here: this gateway sends each message as one SMS "
          "through an API; your mail server sends the other recipients in new transactions");
    return;
  }
  attempted_.push_back(parsed->recipient.address());
  RecipientVerdict verdict = runtime_->recipients.evaluate(parsed->recipient);
  if (verdict.result.outcome != Outcome::kPass) {
    LogLine(ref_)
        .kv("event", "reject")
        .kv("stage", "rcpt")
        .kv("client", peer_.host())
        .kv("from", mail_.sender.address())
        .kv("to", parsed->recipient.address())
        .kv("check", verdict.result.check)
        .kv("reason", verdict.result.reason);
    reply(550, verdict.result.enhanced, verdict.result.reason);
    results_.push_back(std::move(verdict.result));
    noteAbuse(AbuseEvent::kBadRecipient);
    return;
  }
  results_.push_back(std::move(verdict.result));
  const std::string& number = parsed->recipient.local_part;
  Proposal rcpt_ban = host_.access->recipientBan(number, std::time(nullptr));
  if (rcpt_ban.result.outcome == Outcome::kFail && rcpt_ban.action == Action::kReject) {
    reply(550, rcpt_ban.result.enhanced, rcpt_ban.result.reason);
    results_.push_back(std::move(rcpt_ban.result));
    return;
  }
  if (rcpt_ban.result.outcome == Outcome::kFail) proposals_.push_back(rcpt_ban);
  if (rcpt_ban.result.outcome != Outcome::kPass) results_.push_back(std::move(rcpt_ban.result));
  // Role addresses are never screened; an allowlisted sender's refusals wait for end of
  // data, where authentication (which can make it trusted) is known.
  RecipientKind kind = verdict.role ? RecipientKind::kRole : RecipientKind::kScreened;
  if (allow_entry_) {
    AllowlistStanding standing =
        allowlistStanding(&*allow_entry_, store::domainOf(mail_.sender.address()), number, auth_);
    if (kind == RecipientKind::kScreened && (standing == AllowlistStanding::kNotAuthenticated ||
                                             standing == AllowlistStanding::kTrusted)) {
      kind = RecipientKind::kHeld;
      if (held_number_.empty()) held_number_ = number;
    }
    CheckResult allow;
    allow.check = "allowlist";
    allow.outcome = standing == AllowlistStanding::kTrusted ? Outcome::kPass : Outcome::kNeutral;
    allow.reason =
        fmt::format("{} ({}) for {}", allow_entry_->domain, standingName(standing), number);
    results_.push_back(std::move(allow));
  }
  // An allowlisted sender is held: whether it authenticated is known at end of data.
  if (host_.upstream->authorisedSendersOnly() && !trusted_ && kind != RecipientKind::kHeld) {
    CheckResult r = unauthorisedSender();
    refuseRecipient(verdict.forward_path, r, false);
    results_.push_back(std::move(r));
    return;
  }
  admitRecipient(std::move(verdict.forward_path), kind, number);
}

void Session::admitRecipient(std::string forward_path, RecipientKind kind, std::string number) {
  if (trusted_ || kind == RecipientKind::kRole) {
    routeRecipient(std::move(forward_path), kind);
    return;
  }
  // An allowlisted domain is the operator's word that its volume is expected: only its
  // client address and its recipients are limited, which a forger cannot escape either.
  RecipientRateInput input{
      peer_.host(),
      allow_entry_ ? std::string() : organizationalDomain(store::domainOf(mail_.sender.address())),
      std::move(number)};
  RateLimiter(config_.rate, *host_.counters)
      .admitRecipient(input, whenAnswered<CheckResult>(
                                 [this, path = std::move(forward_path), kind](CheckResult r) {
                                   host_.check_stats->record(r, false);
                                   if (r.outcome == Outcome::kPass) {
                                     routeRecipient(path, kind);
                                     return;
                                   }
                                   refuseRecipient(path, r, true);
                                   results_.push_back(std::move(r));
                                 }));
}

void Session::routeRecipient(std::string forward_path, RecipientKind kind) {
  if (kind == RecipientKind::kScreened) {
    screenRecipient(std::move(forward_path));
    return;
  }
  forwardRecipient(std::move(forward_path), kind);
}

void Session::screenRecipient(std::string forward_path) {
  pending_forward_path_ = std::move(forward_path);
  afterScreening(&Session::judgeRecipient);
}

void Session::afterScreening(void (Session::*next)()) {
  if (!screening_ || !screening_->pending()) {
    (this->*next)();
    return;
  }
  busy_ = true;
  evtimer_del(timer_);
  screening_->whenSettled([this, next] {
    busy_ = false;
    (this->*next)();
    if (!busy_) resume();
  });
}

void Session::collectClientChecks(std::vector<CheckResult>& results,
                                  std::vector<Proposal>& proposals) const {
  results.insert(results.end(), client_results_.begin(), client_results_.end());
  proposals.insert(proposals.end(), client_proposals_.begin(), client_proposals_.end());
  if (screening_) screening_->collect(results, proposals);
}

bool Session::startCallout() {
  if (callout_started_ || !runtime_->callout_check || !screening_ || allow_entry_ ||
      mail_.sender.address().empty()) {
    return false;
  }
  callout_started_ = true;
  const CheckResult* spf = screening_->result("spf");
  if (spf && spf->outcome == Outcome::kPass) return false;  // authenticated: nothing to verify
  screening_->start(*runtime_->callout_check, clientContext());
  afterScreening(&Session::judgeRecipient);
  return true;
}

void Session::judgeRecipient() {
  if (startCallout()) return;
  std::string forward_path = std::move(pending_forward_path_);
  std::vector<CheckResult> results;
  std::vector<Proposal> proposals;
  collectClientChecks(results, proposals);
  Decision decision = runtime_->decisions.decide(Stage::kRcpt, proposals);
  bool temporary = decision.verdict == Verdict::kTempFail;
  bool refused = temporary || decision.verdict == Verdict::kReject ||
                 decision.verdict == Verdict::kRejectDisconnect;
  if (!refused || decision.deciding == nullptr) {
    forwardRecipient(std::move(forward_path), RecipientKind::kScreened);
    return;
  }
  refuseRecipient(forward_path, decision.deciding->result, temporary);
}

void Session::refuseRecipient(std::string_view forward_path, const CheckResult& why,
                              bool temporary) {
  int code = temporary ? 450 : 550;
  LogLine(ref_)
      .kv("event", temporary ? "tempfail" : "reject")
      .kv("stage", "rcpt")
      .kv("client", peer_.host())
      .kv("from", mail_.sender.address())
      .kv("to", forward_path)
      .kv("check", why.check)
      .kv("reason", why.reason);
  rcpt_refusal_ = why.reason;
  rcpt_refusal_check_ = why.check;
  rcpt_refusal_action_ = temporary ? "tempfail" : "reject";
  reply(code, enhancedFor(code, why.enhanced, "5.7.1"), why.reason);
}

void Session::forwardRecipient(std::string forward_path, RecipientKind kind) {
  busy_ = true;
  evtimer_del(timer_);
  if (!upstream_) {
    upstream_ = host_.upstream->begin(UpstreamEnvelope{
        ref_, mail_.sender.address(), mail_.body == BodyType::k8BitMime, mail_.smtputf8, &config_,
        runtime_->dns ? &runtime_->dns->resolver() : nullptr});
  }
  upstream_->addRecipient(forward_path,
                          [this, kind, path = forward_path](const UpstreamAnswer& answer) {
                            onUpstreamRcpt(path, kind, answer);
                          });
}

void Session::onUpstreamRcpt(const std::string& forward_path, RecipientKind kind,
                             const UpstreamAnswer& answer) {
  if (answer.positive()) {
    accepted_.push_back(forward_path);
    if (kind == RecipientKind::kScreened) ++screened_accepted_;
    if (kind == RecipientKind::kHeld) ++held_accepted_;
  }
  if (!accepted_.empty()) state_ = State::kRcpt;
  replyWithRef(answer.code, answer.enhanced, answer.text);
  resume();
}

void Session::onData(std::string_view arg) {
  if (!arg.empty()) {
    // Answering 354 to "DATA junk" would read the client's next commands as the message.
    reply(501, "5.5.4", "Syntax: DATA takes no argument");
    return;
  }
  if (rcpt_attempts_ == 0) {
    reply(503, "5.5.1", "Bad sequence of commands: Send RCPT TO first");
    return;
  }
  if (accepted_.empty()) {
    reply(554, "5.5.1",
          "No valid recipients: every recipient was refused, see the replies to RCPT");
    return;
  }
  if (!upstream_ || !upstream_->ready()) {
    reply(451, "4.4.2", "The connection to the SMS gateway was lost; try again later");
    endTransaction();
    return;
  }
  message_memory_ = host_.memory->reserve(config_.max_message_size);
  if (!message_memory_) {
    reply(452, "4.3.1", "Insufficient system storage; nothing was accepted, try again later");
    recordDecision("tempfail", "message_memory",
                   "max_total_message_memory is in use by other messages");
    endTransaction();
    return;
  }
  reader_.reset(config_.max_message_size);
  state_ = State::kData;
  reply(354, "", "End data with <CR><LF>.<CR><LF>");
  armTimer(config_.data_timeout);
}

void Session::onRset(std::string_view arg) {
  if (!arg.empty()) {
    reply(501, "5.5.4", "Syntax: RSET takes no argument");
    return;
  }
  endTransaction();
  reply(250, "2.0.0", "Ok");
  noteAbuse(AbuseEvent::kRset);
}

void Session::onNoop(std::string_view) {
  reply(250, "2.0.0", "Ok");
}

void Session::onQuit(std::string_view arg) {
  if (!arg.empty()) {
    reply(501, "5.5.4", "Syntax: QUIT takes no argument");
    return;
  }
  endTransaction();
  reply(221, "2.0.0", "Bye");
  closeAfterReply();
}

void Session::onHelp(std::string_view) {
  reply(214, "2.0.0",
        "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT HELP VRFY. "
        "Mail here goes to SMS subscribers: <number@gateway-domain>");
}

void Session::onVrfy(std::string_view) {
  reply(252, "2.5.0", "Cannot VRFY users; send the message and the recipient will be checked");
}

void Session::onExpn(std::string_view) {
  reply(502, "5.5.1", "EXPN is not supported");
}

// ---- STARTTLS ----

void Session::onStarttls(std::string_view arg) {
  if (!runtime_->security.tls) {
    reply(502, "5.5.1", "STARTTLS is not offered here");
    return;
  }
  if (tls_) {
    reply(503, "5.5.1", "Bad sequence of commands: TLS is already active");
    return;
  }
  if (!arg.empty()) {
    reply(501, "5.5.4", "Syntax: STARTTLS takes no argument");
    return;
  }
  SSL* ssl = runtime_->security.tls->newConnection();
  if (!ssl) {
    LogLine(session_ref_)
        .kv("event", "tls")
        .kv("client", peer_.host())
        .kv("result", "unavailable")
        .kv("reason", takeOpensslErrors());
    reply(454, "4.7.0", "TLS not available due to temporary reason; try again later");
    return;
  }
  reply(220, "2.0.0", "Ready to start TLS");
  flushOutput();  // the 220 (and any reply queued before it) leaves in plaintext
  // Commands pipelined after STARTTLS came in plaintext: read inside TLS they would pass
  // for protected ones (CVE-2011-0411). RFC 3207 makes STARTTLS the last of a group.
  evbuffer* in = bufferevent_get_input(bev_);
  if (std::size_t injected = evbuffer_get_length(in); injected > 0) {
    LogLine(session_ref_)
        .kv("event", "tls")
        .kv("client", peer_.host())
        .kv("discarded", static_cast<unsigned long long>(injected))
        .kv("reason", "plaintext sent after STARTTLS");
    evbuffer_drain(in, injected);
  }
  bufferevent* tls =
      bufferevent_openssl_filter_new(host_.base, bev_, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                     BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
  if (!tls) {
    // Only an allocation failure gets here; the socket's bufferevent is still ours.
    SSL_free(ssl);
    destroy("cannot start TLS");
    return;
  }
  bev_ = tls;
  // A client that closes without a TLS close_notify has ended the session like one that
  // closes a plain connection; SMTP's QUIT and final dot tell truncation apart.
  bufferevent_openssl_set_allow_dirty_shutdown(bev_, 1);
  bufferevent_setcb(bev_, readCallback, writeCallback, eventCallback, this);
  bufferevent_setwatermark(bev_, EV_READ, 0, kReadHighWatermark);
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
  handshaking_ = true;
  busy_ = true;
  armTimer(config_.command_timeout);  // the handshake is bounded like a command
}

void Session::onTlsEstablished() {
  handshaking_ = false;
  tls_ = true;
  SSL* ssl = bufferevent_openssl_get_ssl(bev_);
  std::string_view version = SSL_get_version(ssl);
  std::string_view cipher = SSL_get_cipher_name(ssl);
  LogLine(session_ref_)
      .kv("event", "tls")
      .kv("client", peer_.host())
      .kv("result", "ok")
      .kv("version", version)
      .kv("cipher", cipher);
  CheckResult tls;
  tls.check = "tls";
  tls.outcome = Outcome::kPass;
  tls.reason = fmt::format("{} with cipher {}", version, cipher);
  client_results_.push_back(std::move(tls));
  // RFC 3207 section 4.2: nothing the client said before TLS counts; it starts over with
  // EHLO.
  helo_.clear();
  esmtp_ = false;
  state_ = State::kConnected;
  resume();
}

// ---- AUTH ----

bool Session::offersAuth() const {
  return tls_ && runtime_->security.users && !authenticated_;
}

void Session::onAuth(std::string_view arg) {
  if (!runtime_->security.users) {
    reply(502, "5.5.1", "AUTH is not offered here");
    return;
  }
  if (!tls_) {
    reply(530, "5.7.0", "Must issue a STARTTLS command first: AUTH is only offered inside TLS");
    return;
  }
  if (authenticated_) {
    reply(503, "5.5.1", "Bad sequence of commands: already authenticated");
    return;
  }
  if (state_ != State::kReady) {
    reply(503, "5.5.1",
          "Bad sequence of commands: AUTH is not allowed during a mail "
          "transaction; send RSET first");
    return;
  }
  auto cmd = auth::parseAuthCommand(arg);
  if (!cmd) {
    if (cmd.error() == auth::SaslError::kUnknownMechanism) {
      reply(504, "5.5.4", "Unrecognized authentication type: use PLAIN or LOGIN");
    } else {
      reply(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
    }
    return;
  }
  auth_mechanism_ = cmd->mechanism;
  if (cmd->mechanism == auth::Mechanism::kPlain) {
    if (cmd->initial_response) {
      checkPlain(*cmd->initial_response);
      return;
    }
    auth_step_ = AuthStep::kPlainResponse;
    challenge("");
    return;
  }
  if (!cmd->initial_response) {
    auth_step_ = AuthStep::kLoginUser;
    challenge(kLoginUserPrompt);
    return;
  }
  auth_step_ = AuthStep::kLoginUser;
  onAuthResponse(*cmd->initial_response);
}

void Session::challenge(std::string_view base64) {
  // "334 " even when empty (RFC 4954 section 4): appendReply would drop the space.
  out_ = fmt::format("334 {}\r\n", base64);
  queueOutput();
}

void Session::onAuthResponse(std::string_view line) {
  AuthStep step = std::exchange(auth_step_, AuthStep::kNone);
  if (line == "*") {
    auth_user_.clear();
    reply(501, "5.0.0", "Authentication cancelled");
    return;
  }
  switch (step) {
    case AuthStep::kNone:
      return;
    case AuthStep::kPlainResponse:
      checkPlain(line);
      return;
    case AuthStep::kLoginUser: {
      auto user = auth::decodeLoginField(line);
      if (!user) {
        refuseAuthResponse(user.error());
        return;
      }
      auth_user_ = std::move(*user);
      auth_step_ = AuthStep::kLoginPassword;
      challenge(kLoginPasswordPrompt);
      return;
    }
    case AuthStep::kLoginPassword: {
      auto password = auth::decodeLoginField(line);
      if (!password) {
        auth_user_.clear();
        refuseAuthResponse(password.error());
        return;
      }
      checkPassword(std::exchange(auth_user_, std::string()), std::move(*password));
      return;
    }
  }
}

void Session::checkPlain(std::string_view base64) {
  auto plain = auth::decodePlain(base64);
  if (!plain) {
    refuseAuthResponse(plain.error());
    return;
  }
  checkPassword(std::move(plain->user), std::move(plain->password));
}

void Session::refuseAuthResponse(auth::SaslError error) {
  switch (error) {
    case auth::SaslError::kOtherAuthorization:
      onPasswordChecked("", false);
      return;
    case auth::SaslError::kBadBase64:
      reply(501, "5.5.2", "Cannot decode the AUTH response: it is not valid base64");
      return;
    case auth::SaslError::kSyntax:
    case auth::SaslError::kUnknownMechanism:
    case auth::SaslError::kMalformed:
      reply(501, "5.5.2",
            "Malformed AUTH response: PLAIN is base64 of authzid NUL user NUL password");
      return;
  }
}

void Session::checkPassword(std::string user, std::string password) {
  const auth::Credentials& users = *runtime_->security.users;
  const std::string* hash = users.hashFor(user);
  bool known = hash != nullptr;
  // An unknown user costs a verification too, so timing does not tell who exists.
  std::string against = known ? *hash : users.decoyHash();
  host_.verifier->verify(std::move(against), std::move(password),
                         whenAnswered<bool>([this, user = std::move(user), known](bool matches) {
                           onPasswordChecked(user, known && matches);
                         }));
}

void Session::onPasswordChecked(const std::string& user, bool matches) {
  std::string_view mechanism = auth_mechanism_ == auth::Mechanism::kPlain ? "PLAIN" : "LOGIN";
  LogLine(session_ref_)
      .kv("event", "auth")
      .kv("client", peer_.host())
      .kv("mechanism", mechanism)
      .kv("user", user)
      .kv("result", matches ? "ok" : "fail");
  if (!matches) {
    reply(535, "5.7.8", "Authentication credentials invalid");
    noteAbuse(AbuseEvent::kAuthFailure);
    return;
  }
  authenticated_ = true;
  auth_user_ = user;
  // From now on the client is trusted like trusted_networks: the screening checks and
  // rate limits skip it. The recipient policy still binds it (never an open relay).
  trusted_ = true;
  screening_.reset();
  client_proposals_.clear();
  CheckResult auth;
  auth.check = "auth";
  auth.outcome = Outcome::kPass;
  auth.reason = fmt::format("authenticated as {} ({})", user, mechanism);
  client_results_.push_back(std::move(auth));
  reply(235, "2.7.0", "Authentication succeeded");
}

// ---- abuse ----

void Session::noteAbuse(AbuseEvent event) {
  if (!abuse_) return;
  std::weak_ptr<bool> alive = alive_;
  abuse_->note(event, [this, alive](std::string reason) {
    if (alive.expired()) return;
    penalise(reason);
  });
}

void Session::penalise(const std::string& reason) {
  if (state_ == State::kClosing) return;
  // A trusted client is sent away too, but never boxed: it is the operator's own.
  std::chrono::seconds penalty = trusted_ ? std::chrono::seconds(0) : config_.abuse.penalty_time;
  std::string until;
  if (penalty.count() > 0) {
    host_.penalties->add(peer_.host(), penalty, reason);
    auto now = std::chrono::system_clock::now();
    until =
        fmt::format("; your address may connect again after {}", utcTimeWords(now + penalty, now));
  }
  LogLine(session_ref_)
      .kv("event", "penalty")
      .kv("client", peer_.host())
      .kv("seconds", static_cast<long long>(penalty.count()))
      .kv("reason", reason);
  reply(421, "4.7.0",
        fmt::format("Closing the connection: {}{}. Fix the sending software", reason, until));
  closeAfterReply();
}

void Session::tooManyCommands() {
  ++*host_.commands_over_rate;
  penalise(fmt::format("too many commands ({} in one minute, the limit is {})",
                       command_rate_.count(), command_rate_.limit()));
}

// ---- end of data and relay ----

void Session::finishData() {
  if (reader_.bareLineEnding()) {
    reply(554, "5.5.2",
          "Message refused: it contains a bare CR or LF; every line must end with CRLF "
          "(RFC 5321 section 2.3.8); fix the sending software");
    recordDecision("reject", "bare_line_ending", "bare CR or LF in DATA");
    endTransaction();
    return;
  }
  if (reader_.oversize()) {
    reply(552, "5.3.4",
          fmt::format("Message size exceeds the limit of {} bytes; SMS mail must be short",
                      config_.max_message_size));
    recordDecision("reject", "message_size", "message too large");
    endTransaction();
    return;
  }
  if (!screening_) {
    decideMessage();  // a trusted client: nothing to check
    return;
  }
  startDkim();
  afterScreening(&Session::startDmarc);
}

void Session::startDkim() {
  const std::string* message = &reader_.message();
  ScreeningCheck dkim{"dkim", "DKIM", config_.dkim.timeout, config_.dkim.actions,
                      [this, message](const ClientContext&, dns::Resolver& r, CheckDone done) {
                        return runtime_->dkim.start(*message, r,
                                                    [this, done = std::move(done)](DkimVerdict v) {
                                                      dkim_signatures_ = std::move(v.signatures);
                                                      done(std::move(v.result));
                                                    });
                      }};
  screening_->start(dkim, clientContext());
}

void Session::startDmarc() {
  const CheckResult* spf = screening_->result("spf");
  DmarcInput input{
      reader_.message(),
      // For the null sender SPF judged the HELO name, which DMARC then aligns (RFC 7489 4.1).
      mail_.sender.address().empty() ? helo_ : store::domainOf(mail_.sender.address()),
      spf ? spf->outcome : Outcome::kNone, dkim_signatures_};
  dmarc_action_ = Action::kOff;
  ScreeningCheck dmarc{
      "dmarc",
      "DMARC",
      config_.dmarc.timeout,
      {},
      [this, input](const ClientContext&, dns::Resolver& r, CheckDone done) {
        return runtime_->dmarc.start(input, r, [this, done = std::move(done)](DmarcVerdict v) {
          dmarc_action_ = v.action;
          dmarc_from_domain_ = std::move(v.from_domain);
          dmarc_policy_ = std::move(v.policy);
          done(std::move(v.result));
        });
      },
      // A deadline's temperror comes from the screening, not from the check.
      [this](const CheckResult& r) {
        return isTemporary(r.outcome) ? config_.dmarc.temperror_action : dmarc_action_;
      }};
  screening_->start(dmarc, clientContext());
  afterScreening(&Session::decideMessage);
}

void Session::noteAuthentication() {
  auth_ = AuthenticationResult{};
  if (!screening_) return;
  const CheckResult* spf = screening_->result("spf");
  if (spf && spf->outcome == Outcome::kPass && !mail_.sender.address().empty()) {
    auth_.spf_pass_domain = store::domainOf(mail_.sender.address());
  }
  for (const DkimSignature& s : dkim_signatures_) {
    if (s.outcome == Outcome::kPass) auth_.dkim_pass_domains.push_back(s.domain);
  }
}

bool Session::allowlistTrusted() const {
  if (!allow_entry_ || held_number_.empty()) return false;
  return allowlistStanding(&*allow_entry_, store::domainOf(mail_.sender.address()), held_number_,
                           auth_) == AllowlistStanding::kTrusted;
}

void Session::decideMessage() {
  noteAuthentication();
  sender_trusted_ = allowlistTrusted();
  if (held_accepted_ > 0) {
    CheckResult allow;
    allow.check = "allowlist";
    allow.outcome = sender_trusted_ ? Outcome::kPass : Outcome::kNeutral;
    allow.reason = sender_trusted_ ? "allowlisted and authenticated: not screened"
                                   : "allowlisted but not authenticated (no SPF pass, no "
                                     "aligned DKIM pass): screened as usual";
    results_.push_back(std::move(allow));
  }
  // postmaster@ and abuse@ alone, or an authenticated allowlisted sender: no screening.
  message_screened_ = screened_accepted_ > 0 || (held_accepted_ > 0 && !sender_trusted_);
  if (!screening_) {
    concludeMessage();  // a trusted client: nothing to check or count
    return;
  }
  screenMessage();
  checkIdentical(0);
}

void Session::screenMessage() {
  const Runtime& rt = *runtime_;
  bool rules = message_screened_ && rt.content.enabled() && config_.content.action != Action::kOff;
  bool surge = message_screened_ && config_.surge.enabled;
  if (rules || surge || config_.rate.identical.limit > 0) {
    content_ = extractContent(reader_.message());
    BodyFingerprint fingerprint = fingerprintBody(content_->text);
    body_hash_ = fingerprint.exact;
    if (surge) cluster_ = host_.clusters->assign(fingerprint);
  }
  if (!message_screened_) return;
  if (config_.headers.action != Action::kOff || config_.headers.date_action != Action::kOff) {
    auto started = std::chrono::steady_clock::now();
    std::vector<CheckResult> problems =
        rt.headers.evaluate(reader_.message(), mail_.smtputf8, std::chrono::system_clock::now());
    host_.check_stats->timed("headers", std::chrono::steady_clock::now() - started);
    if (problems.empty()) {
      CheckResult compliant;
      compliant.check = "headers";
      compliant.outcome = Outcome::kPass;
      host_.check_stats->record(compliant, false);
    }
    for (CheckResult& problem : problems) {
      Action action = problem.check == "header_date_range" ? config_.headers.date_action
                                                           : config_.headers.action;
      if (action == Action::kOff) continue;
      host_.check_stats->record(problem, false);
      proposals_.push_back(Proposal{problem, action});
      results_.push_back(std::move(problem));
    }
  }
  if (rules) {
    auto started = std::chrono::steady_clock::now();
    CheckResult verdict = rt.content.evaluate(*content_);
    host_.check_stats->timed(verdict.check, std::chrono::steady_clock::now() - started);
    host_.check_stats->record(verdict, false);
    if (verdict.outcome != Outcome::kPass) {
      proposals_.push_back(Proposal{verdict, config_.content.action});
    }
    results_.push_back(std::move(verdict));
  }
}

void Session::checkIdentical(std::size_t index) {
  if (config_.rate.identical.limit == 0 || index >= accepted_.size()) {
    observeSurge();
    return;
  }
  RateLimiter(config_.rate, *host_.counters)
      .admitIdentical(mail_.sender.address(), accepted_[index], body_hash_,
                      whenAnswered<CheckResult>([this, index](CheckResult r) {
                        if (r.outcome == Outcome::kPass) {
                          checkIdentical(index + 1);
                          return;
                        }
                        host_.check_stats->record(r, false);
                        proposals_.push_back(Proposal{r, Action::kTempfail});
                        results_.push_back(std::move(r));
                        observeSurge();
                      }));
}

void Session::observeSurge() {
  if (!message_screened_ || !config_.surge.enabled) {
    concludeMessage();
    return;
  }
  SurgeSample sample{cluster_, mail_.sender.address(), accepted_, clientNetwork(peer_)};
  host_.surges->observe(
      sample, whenAnswered<SurgeStatus>([this](SurgeStatus status) {
        if (status.level != SurgeLevel::kNone) {
          bool confirmed = status.level == SurgeLevel::kConfirmed;
          CheckResult r;
          r.check = "surge";
          r.outcome = Outcome::kFail;
          r.reason = std::move(status.reason);
          r.enhanced = confirmed ? "5.7.1" : "4.7.1";
          r.detail = status.id;
          // Unauthenticated mail of a surge is deferred: its senders retry,
          // nothing is lost.
          Action action = confirmed ? config_.surge.confirmed_action : Action::kTempfail;
          // Counted as concludeMessage will act (see releasesQuarantine).
          if (action == Action::kQuarantine && !host_.upstream->releasesQuarantine()) {
            action = Action::kReject;
          }
          if (!confirmed || action == Action::kTempfail) {
            host_.surges->countDeferred();
          } else if (action == Action::kQuarantine) {
            host_.surges->countQuarantined();
          } else {
            host_.surges->countRejected();
          }
          host_.check_stats->record(r, false);
          proposals_.push_back(Proposal{r, action});
          results_.push_back(std::move(r));
        }
        concludeMessage();
      }));
}

void Session::concludeMessage() {
  std::vector<CheckResult> unused;
  std::vector<Proposal> proposals;
  if (message_screened_) collectClientChecks(unused, proposals);
  proposals.insert(proposals.end(), proposals_.begin(), proposals_.end());
  Decision decision = runtime_->decisions.decide(Stage::kEndOfData, proposals);
  std::string_view reason = decision.deciding ? std::string_view(decision.deciding->result.reason)
                                              : std::string_view("policy");
  std::string_view cause = decision.deciding ? std::string_view(decision.deciding->result.check)
                                             : std::string_view("policy");
  std::string_view enhanced = decision.deciding && !decision.deciding->result.enhanced.empty()
                                  ? std::string_view(decision.deciding->result.enhanced)
                                  : std::string_view();
  Verdict verdict = decision.verdict;
  // A sender this upstream does not serve is refused even when the checks would pass or
  // hold its mail (a release would send it); their tempfail and reject stand (an SPF
  // temperror may pass on the retry).
  bool passes = verdict == Verdict::kAccept || verdict == Verdict::kContinue ||
                verdict == Verdict::kQuarantine;
  if (passes && host_.upstream->authorisedSendersOnly() && !trusted_ && !sender_trusted_) {
    results_.push_back(unauthorisedSender());
    const CheckResult& r = results_.back();
    reply(550, r.enhanced, r.reason);
    recordDecision("reject", r.check, r.reason);
    endTransaction();
    return;
  }
  if (verdict == Verdict::kQuarantine && !host_.upstream->releasesQuarantine()) {
    verdict = Verdict::kReject;
  }
  switch (verdict) {
    case Verdict::kAccept:
    case Verdict::kContinue:
      relayMessage();
      return;
    case Verdict::kTempFail:
      reply(451, enhancedFor(451, enhanced, "4.7.1"), reason);
      recordDecision("tempfail", cause, reason);
      endTransaction();
      return;
    case Verdict::kReject:
      reply(550, enhancedFor(550, enhanced, "5.7.1"), reason);
      recordDecision("reject", cause, reason);
      endTransaction();
      return;
    case Verdict::kRejectDisconnect:
      reply(554, enhancedFor(554, enhanced, "5.7.1"), reason);
      recordDecision("reject", cause, reason);
      endTransaction();
      closeAfterReply();
      return;
    case Verdict::kQuarantine:
      quarantineMessage(cause, reason);
      return;
  }
}

CheckResult Session::unauthorisedSender() const {
  CheckResult r;
  r.check = "authorised_sender";
  r.outcome = Outcome::kFail;
  r.enhanced = "5.7.1";
  r.reason = allow_entry_
                 ? fmt::format(
                       "Your domain {} is allowlisted here, but this message did not "
                       "authenticate: publish SPF for the sending server or sign with DKIM "
                       "aligned to the domain, or send with SMTP AUTH",
                       allow_entry_->domain)
                 : std::string(
                       "This gateway sends SMS for authorised senders only: send from the "
                       "operator's trusted networks or with SMTP AUTH, or ask the operator "
                       "to allowlist your domain (it must pass SPF or DKIM)");
  return r;
}

void Session::relayMessage() {
  busy_ = true;
  evtimer_del(timer_);
  // Only we may speak for our authserv-id: a sender's own claim to it is removed.
  std::string message = removeForgedAuthenticationResults(reader_.takeMessage(), config_.hostname);
  upstream_->deliver(receivedHeader() + authenticationHeader(), std::move(message),
                     [this](const UpstreamAnswer& answer) { onUpstreamFinal(answer); });
}

void Session::onUpstreamFinal(const UpstreamAnswer& answer) {
  gateway_reply_ = answer.record;
  message_id_ = answer.message_id;
  replyWithRef(answer.code, answer.enhanced, answer.text);
  if (answer.positive()) {
    recordDecision("relay", host_.upstream->cause(), "accepted");
  } else {
    recordDecision(answer.code >= 500 ? "reject" : "tempfail", host_.upstream->cause(),
                   answer.text);
  }
  endTransaction();
  resume();
}

std::string Session::authenticationHeader() const {
  if (!screening_) return {};  // a trusted client: nothing was checked
  AuthenticationSummary s;
  s.authserv_id = config_.hostname;
  if (const CheckResult* spf = screening_->result("spf")) {
    s.spf = spf->outcome;
    s.spf_for_helo = mail_.sender.address().empty();
    s.spf_domain = s.spf_for_helo ? helo_ : store::domainOf(mail_.sender.address());
  }
  s.dkim = dkim_signatures_;
  if (const CheckResult* dmarc = screening_->result("dmarc")) {
    s.dmarc = dmarc->outcome;
    s.dmarc_from_domain = dmarc_from_domain_;
    s.dmarc_policy = dmarc_policy_;
  }
  return authenticationResultsHeader(s);
}

std::string Session::receivedHeader() const {
  std::string with = mail_.smtputf8 ? "UTF8SMTP" : (esmtp_ ? "ESMTP" : "SMTP");
  // RFC 3848 (and RFC 6531 for UTF8SMTP): S for STARTTLS, A for AUTH.
  if (with != "SMTP") {
    if (tls_) with += "S";
    if (authenticated_) with += "A";
  }
  std::string tls;
  if (tls_) {
    SSL* ssl = bufferevent_openssl_get_ssl(bev_);
    tls = fmt::format(" (using {} with cipher {})", SSL_get_version(ssl), SSL_get_cipher_name(ssl));
  }
  std::string header =
      fmt::format("Received: from {} ([{}]){}\r\n\tby {} (textscreen) with {} id {}", helo_,
                  peer_.host(), tls, config_.hostname, with, ref_);
  if (accepted_.size() == 1) header += fmt::format("\r\n\tfor <{}>", accepted_.front());
  header += fmt::format("; {}\r\n", rfc5322Date());
  return header;
}

// ---- transaction ----

void Session::endTransaction() {
  if (mail_given_ && !decision_recorded_) {
    // A transaction that ends without a message (RSET, QUIT, a lost client) is recorded
    // only when something was refused: that is what a sender's admin will ask about. A
    // failure the client heard as 4xx (a rate limit) is the tempfail below, no rejection.
    for (const CheckResult& r : results_) {
      if (r.outcome == Outcome::kFail && !r.enhanced.starts_with("4.")) {
        recordDecision("reject", r.check, r.reason);
        break;
      }
    }
    if (!decision_recorded_ && !rcpt_refusal_.empty()) {
      recordDecision(rcpt_refusal_action_, rcpt_refusal_check_, rcpt_refusal_);
    }
  }
  mail_given_ = false;
  decision_recorded_ = false;
  // The sender's and the message's checks belong to this transaction; the message they
  // read is freed below.
  if (screening_) {
    for (std::string_view name : {"sender_domain", "spf", "callout", "dkim", "dmarc"}) {
      screening_->drop(name);
    }
  }
  dkim_signatures_.clear();
  dmarc_action_ = Action::kOff;
  dmarc_from_domain_.clear();
  dmarc_policy_.clear();
  auth_ = AuthenticationResult{};
  held_accepted_ = 0;
  held_number_.clear();
  sender_trusted_ = false;
  message_screened_ = false;
  content_.reset();
  body_hash_ = 0;
  cluster_ = 0;
  callout_started_ = false;
  allow_entry_.reset();
  if (upstream_) upstream_->end();
  upstream_.reset();
  mail_ = MailFrom{};
  rcpt_attempts_ = 0;
  accepted_.clear();
  screened_accepted_ = 0;
  rcpt_refusal_.clear();
  rcpt_refusal_check_.clear();
  rcpt_refusal_action_.clear();
  pending_forward_path_.clear();
  attempted_.clear();
  results_.clear();
  proposals_.clear();
  gateway_reply_.clear();
  message_id_.clear();
  reader_ = DataReader(config_.max_message_size);  // gives the message buffer back
  message_memory_.release();  // the relay and the quarantine let go of it before this
  ref_.clear();
  if (state_ != State::kClosing && state_ != State::kConnected) state_ = State::kReady;
}

template <typename Record>
void Session::describeTransaction(Record& r) const {
  r.ref = ref_;
  r.time = std::time(nullptr);
  r.client = peer_.host();
  r.helo = helo_;
  r.mail_from = mail_.sender.address();
}

void Session::recordDecision(std::string_view action, std::string_view cause,
                             std::string_view reason) {
  decision_recorded_ = true;
  host_.decision_stats->record(action, cause);
  store::DecisionRecord record;
  describeTransaction(record);
  record.recipients = attempted_;
  std::string checks;
  std::vector<CheckResult> client_results;
  std::vector<Proposal> unused;
  collectClientChecks(client_results, unused);
  for (const std::vector<CheckResult>* list : {&client_results, &results_}) {
    for (const CheckResult& r : *list) {
      record.checks.push_back(store::CheckRecord{
          r.check, std::string(outcomeName(r.outcome)),
          r.detail.empty() ? r.reason : r.reason + " [" + r.detail + "]", r.score});
      if (!checks.empty()) checks.push_back(',');
      checks.append(r.check).append(":").append(outcomeName(r.outcome));
    }
  }
  record.action = std::string(action);
  record.reason = std::string(reason);
  record.gateway_reply = gateway_reply_;
  record.message_id = message_id_;
  std::string rcpts;
  for (const std::string& r : accepted_) {
    if (!rcpts.empty()) rcpts.push_back(',');
    rcpts.append(r);
  }
  LogLine line(ref_);
  line.kv("event", "decision")
      .kv("action", action)
      .kv("client", peer_.host())
      .kv("helo", helo_)
      .kv("trusted", trusted_ ? "yes" : "no")
      .kv("auth", auth_user_)
      .kv("from", mail_.sender.address())
      .kv("to", rcpts)
      .kv("size", static_cast<unsigned long long>(reader_.size()))
      .kv("checks", checks)
      .kv("reason", reason)
      .kv("gateway", gateway_reply_);
  if (!message_id_.empty()) line.kv("message_id", message_id_);
  // Not awaited: the decision log is a record, not a promise made to the client. A lost
  // record (full disk or map) is said in the log, which then is the only trace of it.
  host_.writer->submit(
      store::StoreWriter::Urgency::kLazy,
      [record = std::move(record)](MDB_txn* txn, const store::Databases& dbs) {
        return store::DecisionLog::put(txn, dbs, record);
      },
      [ref = ref_.empty() ? session_ref_ : ref_](int rc) {
        if (rc == 0) return;
        LogLine(ref)
            .kv("event", "store_error")
            .kv("record", "decision")
            .kv("error", store::storeError(rc));
      });
}

void Session::quarantineMessage(std::string_view cause, std::string_view reason) {
  busy_ = true;
  evtimer_del(timer_);
  store::QuarantineRecord q;
  describeTransaction(q);
  q.recipients = accepted_;
  q.reason = std::string(reason);
  q.message = receivedHeader() + reader_.takeMessage();
  std::weak_ptr<bool> alive = alive_;
  // The 250 waits for the commit: quarantined means durable first (invariant 2).
  host_.writer->submit(
      store::StoreWriter::Urgency::kDurable,
      [q = std::move(q)](MDB_txn* txn, const store::Databases& dbs) {
        return store::QuarantineStore::put(txn, dbs, q);
      },
      [this, alive, decided_by = std::string(cause), why = std::string(reason)](int rc) {
        if (alive.expired() || !bev_) return;
        onQuarantined(rc, decided_by, why);
      });
}

void Session::onQuarantined(int rc, std::string_view cause, std::string_view reason) {
  if (rc == 0) {
    replyWithRef(250, "2.0.0",
                 "Message accepted and held for review by the gateway's operator (quarantined)");
    recordDecision("quarantine", cause, reason);
  } else {
    replyWithRef(
        451, "4.3.0",
        "The message could not be stored for review; nothing was accepted, try again later");
    recordDecision("tempfail", "quarantine_store", "quarantine store: " + store::storeError(rc));
  }
  endTransaction();
  resume();
}

// ---- output ----

void Session::reply(int code, std::string_view enhanced, std::string_view text) {
  out_.clear();
  std::string_view ref = !ref_.empty() ? std::string_view(ref_)
                         : code >= 400 ? std::string_view(session_ref_)
                                       : std::string_view();
  appendReply(out_, code, enhanced, ref, text);
  flushReply(code, enhanced);
}

void Session::replyWithRef(int code, std::string_view enhanced, std::string_view text) {
  out_.clear();
  appendReply(out_, code, enhanced, ref_.empty() ? session_ref_ : ref_, text);
  flushReply(code, enhanced);
}

void Session::flushReply(int code, std::string_view enhanced) {
  if (!bev_ || state_ == State::kClosing) return;
  queueOutput();
  if (code < 400 || code == 421) return;
  // 4.3.x (mail system) and 4.4.x (network, the gateway) are this side's faults: a sender
  // retrying through a gateway outage must not be cut off or boxed for them.
  if (enhanced.starts_with("4.3.") || enhanced.starts_with("4.4.")) return;
  noteAbuse(AbuseEvent::kError);
  if (state_ == State::kClosing) return;
  if (++errors_ >= config_.max_errors) {
    LogLine(session_ref_)
        .kv("event", "disconnect")
        .kv("client", peer_.host())
        .kv("reason", "too many errors");
    out_.clear();
    appendReply(out_, 421, "4.7.0", session_ref_,
                "Too many errors in this session; fix your client and try again later");
    queueOutput();
    closeAfterReply();
  }
}

void Session::queueOutput() {
  pending_out_.append(out_);
  if (!processing_) flushOutput();
}

void Session::flushOutput() {
  if (bev_ && !pending_out_.empty()) writeNow(bev_, pending_out_);
  pending_out_.clear();
}

void Session::closeAfterReply() {
  if (state_ == State::kClosing) return;
  flushOutput();
  endTransaction();
  state_ = State::kClosing;
  evtimer_del(timer_);
  bufferevent_disable(bev_, EV_READ);
  // Wait until the reply has left; writeCallback finishes the job.
  bufferevent_setwatermark(bev_, EV_WRITE, 0, 0);
  if (evbuffer_get_length(bufferevent_get_output(bev_)) == 0) {
    timeval now{};
    evtimer_add(timer_, &now);
  } else {
    armTimer(config_.command_timeout);  // a client that never reads must not keep its slot
  }
}

void Session::writeCallback(bufferevent*, void* arg) {
  auto* self = static_cast<Session*>(arg);
  if (self->state_ == State::kClosing) {
    self->finishClosing();
  } else if (self->output_full_) {
    self->output_full_ = false;
    self->processInput();
  }
}

void Session::finishClosing() {
  bufferevent* socket = bufferevent_get_underlying(bev_);
  if (socket && evbuffer_get_length(bufferevent_get_output(socket)) > 0) {
    if (!drain_watch_) {
      drain_watch_ = evbuffer_add_cb(bufferevent_get_output(socket), socketDrained, this);
      armTimer(config_.command_timeout);  // a client that never reads must not keep its slot
    }
    return;
  }
  destroy("closed");
}

void Session::socketDrained(evbuffer* buffer, const evbuffer_cb_info*, void* arg) {
  auto* self = static_cast<Session*>(arg);
  if (evbuffer_get_length(buffer) > 0) return;
  // Not freed from inside the buffer's own callback: the timer finishes the job.
  timeval now{};
  evtimer_add(self->timer_, &now);
}

void Session::armTimer(Duration d) {
  timeval tv = toTimeval(d);
  evtimer_add(timer_, &tv);
}

void Session::timerCallback(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Session*>(arg);
  if (self->state_ == State::kClosing) {
    // With the drain watch on, the timer means the socket drained or the client never read.
    if (self->drain_watch_) {
      self->destroy("closed");
    } else {
      self->finishClosing();
    }
    return;
  }
  if (self->handshaking_) {
    LogLine(self->session_ref_)
        .kv("event", "tls")
        .kv("client", self->peer_.host())
        .kv("result", "failed")
        .kv("reason", "handshake timed out");
    self->destroy("TLS handshake timed out");
    return;
  }
  if (self->greeting_pending_) {
    self->endGreetDelay();
    return;
  }
  bool in_data = self->state_ == State::kData;
  LogLine(self->ref_.empty() ? self->session_ref_ : self->ref_)
      .kv("event", "timeout")
      .kv("client", self->peer_.host())
      .kv("stage", in_data ? "data" : "command");
  self->reply(421, "4.4.2",
              in_data ? "Timeout reading message data; closing"
                      : "Timeout waiting for your command; closing");
  self->closeAfterReply();
}

void Session::eventCallback(bufferevent* bev, short what, void* arg) {
  auto* self = static_cast<Session*>(arg);
  if ((what & BEV_EVENT_CONNECTED) && self->handshaking_) {
    self->onTlsEstablished();
    return;
  }
  if ((what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) && self->handshaking_) {
    LogLine(self->session_ref_)
        .kv("event", "tls")
        .kv("client", self->peer_.host())
        .kv("result", "failed")
        .kv("reason", tlsErrors(bev));
    self->destroy("TLS handshake failed");
    return;
  }
  if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
    if (self->state_ == State::kData && !self->busy_) {
      self->recordDecision("abandoned", "client_disconnected", "client disconnected during DATA");
    }
    self->destroy(what & BEV_EVENT_EOF ? "client closed" : "connection error");
  }
}

void Session::destroy(std::string_view why) {
  if (!bev_) return;
  LogLine(session_ref_).kv("event", "disconnect").kv("client", peer_.host()).kv("reason", why);
  // A handler of ours may still be queued upstream: never let it call a freed session.
  upstream_.reset();
  endTransaction();
  screening_.reset();  // cancels its lookups: nothing may call back into a closed session
  evtimer_del(timer_);
  freeConnection();
  state_ = State::kClosing;
  host_.on_closed(this);
}

}  // namespace ts::smtp
