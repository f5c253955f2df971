// Everything built from one configuration snapshot. A session keeps the Runtime it
// started with, so a reload never changes the rules in the middle of a transaction, and
// the DNS stack its lookups run on stays alive until it ends.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "checks/callout/callout_check.h"
#include "checks/client_screening.h"
#include "checks/content/content_check.h"
#include "checks/dkim/dkim_check.h"
#include "checks/dmarc/dmarc_check.h"
#include "checks/dnsbl/dnsbl_check.h"
#include "checks/headers/header_check.h"
#include "checks/helo/helo_check.h"
#include "checks/pregreet/pregreet_check.h"
#include "checks/rdns/rdns_check.h"
#include "checks/sender_domain/sender_domain_check.h"
#include "checks/spf/spf_check.h"
#include "config/config.h"
#include "daemon/session_security.h"
#include "dns/resolver_stack.h"
#include "policy/decision.h"
#include "policy/recipient_policy.h"
#include "policy/subscriber_number.h"

namespace ts {

struct Runtime {
  // callout: the daemon's prober, cache and limiter; null turns the callout off (tools
  // and benchmarks that make no outside connections). security: STARTTLS and AUTH, empty
  // when neither is offered.
  Runtime(Config c, std::shared_ptr<dns::ResolverStack> dns_stack, CalloutServices* callout,
          SessionSecurity security = {});
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  bool isTrusted(const SocketAddress& peer) const;

  const Config config;
  SubscriberNumberValidator numbers;  // its cache is the only mutable part
  const RecipientPolicy recipients;
  const DecisionPolicy decisions;
  const HeloCheck helo;
  const PregreetCheck pregreet;
  const RdnsCheck rdns;
  const DnsblCheck dnsbl;
  const SenderDomainCheck sender_domain;
  const SpfCheck spf;
  const DkimCheck dkim;
  const DmarcCheck dmarc;
  const HeaderCheck headers;
  const ContentCheck content;
  const std::optional<CalloutCheck> callout;
  const std::shared_ptr<dns::ResolverStack> dns;
  const SessionSecurity security;
  // The network checks started when a client connects, and the one started at EHLO
  // (absent when its action is off).
  const std::vector<ScreeningCheck> connect_checks;
  const std::optional<ScreeningCheck> helo_check;
  // Started at MAIL FROM, for the envelope sender.
  const std::vector<ScreeningCheck> sender_checks;
  // Started at the first RCPT, once SPF is known, for senders neither allowlisted nor
  // authenticated (absent when off).
  const std::optional<ScreeningCheck> callout_check;

 private:
  std::vector<ScreeningCheck> connectChecks() const;
  std::optional<ScreeningCheck> heloCheck() const;
  std::vector<ScreeningCheck> senderChecks() const;
  std::optional<ScreeningCheck> calloutCheck() const;
};

}  // namespace ts
