// textscreen's one script, and the pages work without it: it only refreshes live figures
// and keeps a form from being sent twice by a double click.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.sent === "yes") {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "yes";
  for (const button of form.querySelectorAll("button")) button.disabled = true;
});

// <div data-refresh="/staff/fragment/counters" data-every="5">: replaced by the server's
// fragment (HTML it escaped) every few seconds while the page is visible.
for (const box of document.querySelectorAll("[data-refresh]")) {
  const seconds = Math.max(2, Number(box.dataset.every || 5));
  setInterval(async () => {
    if (document.hidden) return;
    try {
      const answer = await fetch(box.dataset.refresh, { credentials: "same-origin" });
      if (answer.ok) box.innerHTML = await answer.text();
    } catch (error) {
      box.dataset.stale = "yes";
    }
  }, seconds * 1000);
}
