// The check names are the ones the checks write into decision records (grep `check = "`
// under src/); a test lists them so a new check without words here is noticed.
#include "web/check_explanations.h"

namespace ts {
namespace {

constexpr CheckExplanation kExplanations[] = {
    {"allowlist", "Allowlist",
     "Your domain is on this gateway's allowlist, but the message did not prove it came from "
     "your domain (SPF or DKIM with DMARC alignment), so it was not let through on that "
     "ground.",
     "Make sure your mail passes SPF or carries a DKIM signature aligned with your From "
     "domain."},
    {"authorised_sender", "Authorised senders",
     "This gateway sends SMS through an API for the operator's own systems and authorised "
     "businesses only, and this message came from none of them.",
     "Send from the operator's trusted networks or with SMTP AUTH, or ask the operator to "
     "allowlist your domain and make your mail pass SPF or DKIM."},
    {"auth", "Authentication", "Your client signed in with a user name and password (SMTP AUTH).",
     "If signing in failed, check the account's user name and password with the gateway's "
     "operator."},
    {"ban", "Block list of this gateway",
     "The sender address, your domain, your network or the recipient is on this gateway's own "
     "block list.",
     "Ask the carrier's postmaster to review the entry, quoting the reference id."},
    {"callout", "Sender address verification",
     "This gateway asked your domain's mail server whether the sender address exists, and it "
     "said no (or could not be asked).",
     "Send from an address that your mail server accepts mail for, and let your server answer "
     "RCPT TO for it."},
    {"content", "Message content",
     "The message matched content rules that mark unwanted mail (for example link "
     "shorteners or typical spam wording).",
     "Remove what the reason names from the message text and send it again.", false},
    {"dkim", "DKIM signature",
     "The message's DKIM signature could not be verified against the key your domain "
     "publishes in DNS.",
     "Check the selector's public key record in DNS and that nothing changes the message "
     "after it is signed."},
    {"dmarc", "DMARC policy",
     "Your domain's DMARC policy asks receivers to refuse mail that neither passes SPF nor "
     "DKIM aligned with the From domain, and this message did neither.",
     "Send through servers listed in your SPF record, or sign with DKIM for the From "
     "domain."},
    {"dnsbl", "DNS block list",
     "The address of the server that sent the message is listed on a public DNS block list "
     "this gateway consults.",
     "Look your server's address up on the list named in the reason, remove the cause "
     "(often an infected machine or an open relay) and ask the list to delist it."},
    {"headers", "Message headers",
     "The message's header section does not follow the Internet Message Format (RFC 5322).",
     "Fix the sending software so that it writes well-formed headers."},
    {"header_date", "Date header", "The message has no Date header or one that cannot be read.",
     "Have the sending software add a Date header in RFC 5322 form."},
    {"header_date_range", "Date header out of range",
     "The message's Date is far in the past or in the future.",
     "Set the sending server's clock right (use NTP) and send the message again."},
    {"header_from", "From header",
     "The message has no From header, more than one, or one without a valid address.",
     "Have the sending software write exactly one From header with a valid address."},
    {"header_line_length", "Header line length",
     "A header line is longer than the limit of RFC 5322 (998 characters).",
     "Fold long header lines as RFC 5322 describes."},
    {"header_message_id", "Message-ID header", "The message's Message-ID is missing or malformed.",
     "Have the sending software add a Message-ID like <unique@your.domain>."},
    {"helo", "HELO name",
     "The name your server introduced itself with (HELO or EHLO) is not a real host name "
     "that resolves in DNS.",
     "Configure your server to greet with its fully qualified host name, one that has an "
     "address record."},
    {"pregreet", "Talking before the greeting",
     "Your client sent data before this gateway's 220 greeting, which SMTP forbids and many "
     "spam programs do.",
     "Fix the sending software so that it waits for the greeting (RFC 5321 section 3.1)."},
    {"rate", "Sending rate", "Too much mail arrived from your side in a short time.",
     "Wait until the time the reason names, then send again; spread large sends over time.", false},
    {"rate_client", "Sending rate of your server",
     "Your server sent more messages than this gateway accepts from one server in the time "
     "window.",
     "Wait until the time the reason names, then send again; spread large sends over time.", false},
    {"rate_identical", "Identical messages",
     "The same message was sent to the same recipient too often.",
     "Stop resending the same text; check for a loop or a retrying script.", false},
    {"rate_recipient", "Messages to one recipient",
     "The recipient received more messages than this gateway passes to one number in the "
     "time window.",
     "Wait until the time the reason names; send fewer messages to one number.", false},
    {"rate_sender_domain", "Sending rate of your domain",
     "Your domain sent more messages than this gateway accepts from one domain in the time "
     "window.",
     "Wait until the time the reason names, then send again; spread large sends over time.", false},
    {"rdns", "Reverse DNS",
     "The address of the server that sent the message has no reverse DNS name (PTR), or "
     "that name does not point back to the address.",
     "Ask whoever runs the address (your provider) for a PTR record whose name resolves back "
     "to the same address."},
    {"recipient", "Recipient",
     "The recipient is not a number this gateway delivers to, or is not written as one.",
     "Check the recipient: a subscriber number at the gateway's domain, without spaces or "
     "other characters."},
    {"sender_domain", "Sender domain",
     "The domain in the sender address cannot receive mail: it has no mail server (MX) or "
     "address record, or does not exist.",
     "Send from a domain that exists and has a mail server, so replies and bounces can reach "
     "you."},
    {"spf", "Sender Policy Framework (SPF)",
     "Your domain's SPF record does not list the server that sent the message.",
     "Add the sending server (or your mail provider's include) to your domain's SPF record."},
    {"surge", "Mass sending",
     "Many similar messages reached many numbers at once; this gateway holds back such a "
     "surge until it is reviewed or ends.",
     "If the messages are wanted (for example alerts to your own customers), ask the "
     "carrier's postmaster to allowlist your domain, quoting the reference id.",
     false},
    {"tls", "Encryption (TLS)",
     "Setting up an encrypted connection (STARTTLS) with your server failed.",
     "Check your server's TLS settings: a current protocol version and cipher."},
};

constexpr std::string_view kGeneralMeaning =
    "One of this gateway's checks found a problem with the message or the server that sent "
    "it; the reason above says which.";
constexpr std::string_view kGeneralFix =
    "Fix what the reason names; if it is unclear, ask the carrier's postmaster, quoting the "
    "reference id.";

}  // namespace

CheckExplanation explainCheck(std::string_view name) {
  for (const CheckExplanation& e : kExplanations) {
    if (e.name == name) return e;
  }
  return CheckExplanation{name, name, kGeneralMeaning, kGeneralFix};
}

std::span<const CheckExplanation> knownCheckExplanations() {
  return kExplanations;
}

}  // namespace ts
