// One client SMTP session, from banner to QUIT: the state machine of RFC 5321 as a table
// of commands (syntax -> stage checks -> proceed), the recipient policy, DATA reading and
// the relay to the gateway. Only the session turns verdicts into replies (STYLE.md 3).
#pragma once

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/password_verifier.h"
#include "auth/sasl.h"
#include "checks/abuse/abuse_counters.h"
#include "checks/abuse/penalty_box.h"
#include "checks/client_context.h"
#include "checks/client_screening.h"
#include "checks/content/message_content.h"
#include "checks/fingerprint/cluster_index.h"
#include "checks/rate/counter_store.h"
#include "checks/surge/surge_tracker.h"
#include "daemon/runtime.h"
#include "net/memory_budget.h"
#include "net/socket_address.h"
#include "obs/decision_stats.h"
#include "policy/access_policy.h"
#include "policy/allowlist_trust.h"
#include "policy/decision.h"
#include "relay/upstream.h"
#include "smtp/command_rate.h"
#include "smtp/data_reader.h"
#include "smtp/envelope_parser.h"
#include "smtp/reply.h"
#include "store/store_writer.h"

namespace ts::smtp {

struct SessionHost {
  event_base* base;
  Upstream* upstream;            // the SMTP gateway or the SMS API, chosen by `upstream`
  const AccessPolicy* access;    // bans and allowlist, read live from the store
  store::StoreWriter* writer;    // decision log and quarantine writes
  CheckStatsTable* check_stats;  // outcome counters of the network checks
  // Transactions' outcomes, by action and cause, counted with each decision record.
  DecisionStatsTable* decision_stats;
  // Daemon-wide state that outlives reloads: rate and abuse counters, the penalty box,
  // the campaign clusters and the surges.
  CounterStore* counters;
  PenaltyBox* penalties;
  ClusterIndex* clusters;
  SurgeTracker* surges;
  MemoryBudget* memory;                           // the daemon-wide bound on messages in transit
  std::uint64_t* commands_over_rate;              // sessions ended by max_commands_per_minute
  auth::PasswordVerifier* verifier;               // AUTH's password checks, off the loop
  std::function<void(class Session*)> on_closed;  // the session may be freed after this
};

class Session {
 public:
  // proxy: the load balancer that named peer in a PROXY header, if one did.
  Session(SessionHost host, evutil_socket_t fd, SocketAddress peer,
          std::shared_ptr<Runtime> runtime, std::optional<SocketAddress> proxy = std::nullopt);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();
  // Refuses the connection with a 421 and closes (connection limits).
  void refuse(std::string_view enhanced, std::string_view text);
  // SIGTERM: idle sessions end now; a transaction in flight may finish first.
  void shutdown();
  const SocketAddress& peer() const { return peer_; }

 private:
  enum class State { kConnected, kReady, kMail, kRcpt, kData, kClosing };
  // Who judges a recipient: nobody (postmaster@, abuse@), the checks at end of data (an
  // allowlisted sender, trusted if it authenticates), or the checks at RCPT.
  enum class RecipientKind { kRole, kHeld, kScreened };
  // Where an AUTH exchange stands: which answer to the server's 334 comes next.
  enum class AuthStep { kNone, kPlainResponse, kLoginUser, kLoginPassword };
  struct CommandSpec;
  static const CommandSpec kCommands[];

  void sendBanner();
  void endGreetDelay();

  // input
  void onReadable();
  void processInput();
  void drainInput();
  bool readDataSection();
  void handleLine(std::string_view line);
  void resume();

  // commands
  void onHelo(std::string_view arg);
  void onEhlo(std::string_view arg);
  void onMail(std::string_view arg);
  void onRcpt(std::string_view arg);
  void onData(std::string_view arg);
  void onRset(std::string_view arg);
  void onNoop(std::string_view arg);
  void onQuit(std::string_view arg);
  void onHelp(std::string_view arg);
  void onVrfy(std::string_view arg);
  void onExpn(std::string_view arg);
  void onStarttls(std::string_view arg);
  void onAuth(std::string_view arg);
  bool acceptHelo(std::string_view arg, bool esmtp);
  void judgeHelo();
  ClientContext clientContext() const;
  void startConnectChecks();
  void startSenderChecks();
  // The callout, once SPF is known: only for senders neither allowlisted nor
  // authenticated. True when it was started and the recipient must wait for it.
  bool startCallout();
  // End of data: DKIM on the message, then DMARC with SPF's and DKIM's results.
  void startDkim();
  void startDmarc();
  // What SPF and DKIM established, for the allowlist and the Authentication-Results.
  void noteAuthentication();
  bool allowlistTrusted() const;
  std::string authenticationHeader() const;

  // screening: the client checks' verdict, awaited at RCPT (or end of data)
  void screenRecipient(std::string forward_path);
  void judgeRecipient();
  // A screening check's refusal of a recipient: logged, kept for the record, answered.
  void refuseRecipient(std::string_view forward_path, const CheckResult& why, bool temporary);
  // Runs next now, or after the pending checks settled; input waits meanwhile.
  void afterScreening(void (Session::*next)());
  // Pregreet and the network checks: results for the record, proposals for the decision.
  void collectClientChecks(std::vector<CheckResult>& results,
                           std::vector<Proposal>& proposals) const;

  // For an answer that may come later (the counter store, the surge tracker): input waits
  // meanwhile; the answer runs next unless the session has closed, then input resumes.
  template <typename Answer, typename Next>
  std::function<void(Answer)> whenAnswered(Next next) {
    busy_ = true;
    evtimer_del(timer_);
    return
        [this, alive = std::weak_ptr<bool>(alive_), next = std::move(next)](Answer answer) mutable {
          if (alive.expired() || state_ == State::kClosing) return;
          busy_ = false;
          next(std::move(answer));
          if (!busy_) resume();
        };
  }

  // The rate limits of a recipient, then on to screening or the gateway.
  void admitRecipient(std::string forward_path, RecipientKind kind, std::string number);
  void routeRecipient(std::string forward_path, RecipientKind kind);

  // STARTTLS (RFC 3207): the handshake done, the session starts over as if just connected.
  void onTlsEstablished();
  bool offersAuth() const;
  // AUTH (RFC 4954): the client's answers to 334, the password check on the verifier's
  // thread, and the outcome.
  void onAuthResponse(std::string_view line);
  void challenge(std::string_view base64);
  void checkPlain(std::string_view base64);
  void checkPassword(std::string user, std::string password);
  void onPasswordChecked(const std::string& user, bool matches);
  void refuseAuthResponse(auth::SaslError error);

  // abuse: crossing a limit ends the session with 421 and puts the client in the box
  void noteAbuse(AbuseEvent event);
  void penalise(const std::string& reason);
  void tooManyCommands();

  // end of data, after authentication: the message's own checks, then the verdict
  void screenMessage();
  void checkIdentical(std::size_t index);
  void observeSurge();
  void concludeMessage();

  // relay
  void forwardRecipient(std::string forward_path, RecipientKind kind);
  void onUpstreamRcpt(const std::string& forward_path, RecipientKind kind,
                      const UpstreamAnswer& answer);
  void finishData();
  void decideMessage();
  // The SMS API serves authorised senders only: why this one is not.
  CheckResult unauthorisedSender() const;
  void relayMessage();
  void onUpstreamFinal(const UpstreamAnswer& answer);
  std::string receivedHeader() const;

  // transaction
  void endTransaction();
  // The one record of a transaction's outcome: a log line, the decision log and the
  // decision counters. cause: what decided it in a word (a check's name, "gateway").
  void recordDecision(std::string_view action, std::string_view cause, std::string_view reason);
  void quarantineMessage(std::string_view cause, std::string_view reason);
  // The envelope fields the decision and quarantine records share.
  template <typename Record>
  void describeTransaction(Record& record) const;
  void onQuarantined(int rc, std::string_view cause, std::string_view reason);

  // output
  void reply(int code, std::string_view enhanced, std::string_view text);
  void replyWithRef(int code, std::string_view enhanced, std::string_view text);
  void flushReply(int code, std::string_view enhanced);
  // Replies given while input is processed are sent together when it ends.
  void queueOutput();
  void flushOutput();
  void closeAfterReply();
  // The reply has left the session's bufferevent; under TLS its records may still wait in
  // the socket's, which must drain before the connection is freed.
  void finishClosing();
  void freeConnection();
  void armTimer(Duration d);
  void destroy(std::string_view why);

  static void readCallback(bufferevent* bev, void* self);
  static void writeCallback(bufferevent* bev, void* self);
  static void eventCallback(bufferevent* bev, short what, void* self);
  static void timerCallback(evutil_socket_t fd, short what, void* self);
  static void socketDrained(evbuffer* buffer, const evbuffer_cb_info* info, void* self);

  SessionHost host_;
  SocketAddress peer_;
  std::optional<SocketAddress> proxy_;
  std::shared_ptr<Runtime> runtime_;
  const Config& config_;
  CommandRate command_rate_;
  bufferevent* bev_ = nullptr;
  event* timer_ = nullptr;

  State state_ = State::kConnected;
  bool busy_ = false;        // waiting for the gateway; input is left unread
  bool processing_ = false;  // inside processInput: a reply given synchronously must not recurse
  bool discarding_line_ = false;  // skipping the rest of an overlong line
  bool shutting_down_ = false;
  bool output_full_ = false;       // the client is not reading its replies: commands wait
  bool greeting_pending_ = false;  // the banner is held for greet_delay
  bool trusted_ = false;  // trusted_networks, or authenticated: the screening checks skip it
  bool esmtp_ = false;
  bool handshaking_ = false;  // STARTTLS answered, the TLS handshake under way; input waits
  bool tls_ = false;          // the connection runs over TLS
  evbuffer_cb_entry* drain_watch_ = nullptr;  // see finishClosing
  AuthStep auth_step_ = AuthStep::kNone;
  auth::Mechanism auth_mechanism_ = auth::Mechanism::kPlain;
  std::string auth_user_;  // LOGIN's user name between its two steps; then who authenticated
  bool authenticated_ = false;
  unsigned errors_ = 0;
  unsigned transactions_ = 0;
  std::string session_ref_;
  std::string ref_;  // this transaction's reference id
  std::string helo_;
  std::string line_;
  std::string out_;
  std::string pending_out_;  // replies not yet written (see queueOutput)

  // transaction
  MailFrom mail_;
  unsigned rcpt_attempts_ = 0;
  std::vector<std::string> accepted_;  // forward paths the gateway took
  unsigned screened_accepted_ = 0;     // of those, the ones the checks judged at RCPT
  unsigned held_accepted_ = 0;         // and the allowlisted sender's, judged at the end
  std::string held_number_;            // one of those, for the allowlist's scope
  std::vector<DkimSignature> dkim_signatures_;
  Action dmarc_action_ = Action::kOff;  // what the domain's DMARC policy makes of a failure
  std::string dmarc_from_domain_;
  std::string dmarc_policy_;
  bool callout_started_ = false;
  std::string rcpt_refusal_;            // why the screening refused a recipient, if it did
  std::string rcpt_refusal_action_;     // "reject" or "tempfail"
  std::string rcpt_refusal_check_;      // the check that refused it
  std::vector<std::string> attempted_;  // every recipient asked for, for the decision log
  // What pregreet said about the client: kept for every transaction of the session.
  std::vector<CheckResult> client_results_;
  std::vector<Proposal> client_proposals_;
  // The network checks of this client (rDNS, DNS lists, HELO name); null when trusted.
  std::unique_ptr<ClientScreening> screening_;
  std::string pending_forward_path_;              // the recipient waiting for the screening verdict
  std::vector<CheckResult> results_;              // every check's answer, for the decision record
  std::vector<Proposal> proposals_;               // what the screening checks propose
  std::optional<store::AllowEntry> allow_entry_;  // of the sender's domain
  AuthenticationResult auth_;                     // empty until the SPF and DKIM checks exist
  bool sender_trusted_ = false;            // allowlisted and authenticated, known at end of data
  bool message_screened_ = false;          // some recipient's verdict depends on the checks
  std::optional<MessageContent> content_;  // read only when a check needs it
  std::uint64_t body_hash_ = 0;            // the normalised body's exact fingerprint
  std::uint64_t cluster_ = 0;              // its campaign cluster, 0: none
  // What this client did wrong in this session; absent for trusted clients.
  std::optional<AbuseCounters> abuse_;
  bool mail_given_ = false;
  bool decision_recorded_ = false;
  std::unique_ptr<UpstreamTransaction> upstream_;  // from the first accepted recipient on
  DataReader reader_;
  MemoryBudget::Reservation message_memory_;  // held from DATA to the end of the transaction
  std::string gateway_reply_;                 // the upstream's final answer, for the log
  std::string message_id_;                    // the SMS API's id of the text, for the log
  // Completions from the store writer check this: the session may be gone by then.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ts::smtp
