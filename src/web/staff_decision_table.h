// The table of decisions the decisions page and a domain lookup show, and the way staff
// pages write a time. Every cell is escaped: HELO names, senders and reasons are chosen
// by whoever connected.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/records.h"

namespace ts {

// "2026-12-02 14:05:09 UTC"; "-" for 0 (never).
std::string staffTime(std::int64_t unix_seconds);

// <table id="decisions">: one <tr data-ref="ts-..."> per record in the given order, with
// the time, the reference (a link to its lookup), action, sender, HELO and reason.
std::string decisionTableHtml(const std::vector<store::DecisionRecord>& records);

}  // namespace ts
