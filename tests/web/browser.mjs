// Runs one script of browser steps in Debian's headless Chromium through playwright-core
// and prints what the steps read as JSON, so Python tests (tests/integration/browser.py)
// can drive real pages while the harness owns the daemon and its peers.
//
// Input (stdin, JSON): {"steps": [{"op": "goto", "url": "..."}, ...],
//   "timeout_ms": 30000, "httpCredentials": {"username": "u", "password": "p"},
//   "ignoreHTTPSErrors": false, "failureScreenshot": "/path.png"}
// Output (stdout, JSON): {"ok": true, "results": [one value per step], "dialogs": [...],
//   "pageErrors": [...]}; on failure {"ok": false, "error": "...", "step": N, ...} and exit 1.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.TEXTSCREEN_CHROMIUM || '/usr/bin/chromium';

// Each op gets the page and the step; what it returns is the step's result.
const OPS = {
  // With "status", any other answer fails the step at once (a missing page is a 404, not
  // a wait for its elements).
  goto: async (page, s) => {
    const response = await page.goto(s.url);
    const status = response ? response.status() : null;
    if (s.status && status !== s.status) {
      throw new Error(`${s.url} answered ${status}, not ${s.status}`);
    }
    return { status, url: page.url() };
  },
  fill: async (page, s) => page.locator(s.selector).fill(s.text),
  click: async (page, s) => page.locator(s.selector).click(),
  waitFor: async (page, s) => page.locator(s.selector).waitFor({ state: s.state || 'visible' }),
  text: async (page, s) => page.locator(s.selector).textContent(),
  count: async (page, s) => page.locator(s.selector).count(),
  url: async (page) => page.url(),
  // A phone's screen, for the pages that must read well on one.
  viewport: async (page, s) => page.setViewportSize({ width: s.width, height: s.height }),
  // An expression evaluated in the page; a promise is awaited, the value must be JSON.
  eval: async (page, s) => page.evaluate(s.expression),
  screenshot: async (page, s) => {
    await page.screenshot({ path: s.path, fullPage: true });
    return s.path;
  },
};

function describe(step) {
  return JSON.stringify(step).slice(0, 300);
}

// Playwright colours its call logs; the Python side prints them into a test log.
function plain(message) {
  return String(message).replace(/\u001b\[[0-9;]*m/g, '');
}

// Every step has a bound even where Playwright has none (evaluate): a page that never
// answers fails the step instead of hanging the test.
function bounded(promise, ms, what) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

async function runSteps(page, script, timeout, out) {
  for (const [i, step] of script.steps.entries()) {
    const op = OPS[step.op];
    try {
      if (!op) throw new Error('unknown op');
      // Playwright's own timeout, with its call log, comes first when it has one.
      const value = await bounded(op(page, step), timeout + 5000, 'the step');
      out.results.push(value === undefined ? null : value);
    } catch (e) {
      throw Object.assign(new Error(`step ${i} ${describe(step)} failed: ${plain(e.message)}`),
                          { step: i });
    }
  }
}

async function openPage(script, timeout, out) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'],
                                          timeout });
  let page;
  try {
    const context = await browser.newContext({
      httpCredentials: script.httpCredentials,
      ignoreHTTPSErrors: Boolean(script.ignoreHTTPSErrors),
    });
    context.setDefaultTimeout(timeout);
    context.setDefaultNavigationTimeout(timeout);
    page = await context.newPage();
  } catch (e) {
    await browser.close().catch(() => {});
    throw e;
  }
  // A dialog is recorded and dismissed: an escaping test asserts none opened.
  page.on('dialog', (d) => {
    out.dialogs.push({ type: d.type(), message: d.message() });
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => out.pageErrors.push(plain(e.message)));
  return { browser, page };
}

async function main() {
  const script = JSON.parse(process.argv[2] ?? readFileSync(0, 'utf8'));
  if (!Array.isArray(script.steps)) {
    throw new Error('the script has no "steps" array');
  }
  const timeout = script.timeout_ms ?? 30000;
  const out = { ok: false, results: [], dialogs: [], pageErrors: [] };
  const opening = openPage(script, timeout, out);
  let browser;
  let page;
  try {
    ({ browser, page } = await bounded(opening, timeout + 5000, 'starting Chromium'));
    await runSteps(page, script, timeout, out);
    out.ok = true;
  } catch (e) {
    out.error = plain(e.message);
    if (e.step !== undefined) out.step = e.step;
    if (page && script.failureScreenshot) {
      await bounded(page.screenshot({ path: script.failureScreenshot, fullPage: true, timeout }),
                    timeout + 5000, 'the failure screenshot')
        .then(() => { out.failureScreenshot = script.failureScreenshot; }, () => {});
    }
  } finally {
    // A launch that finished after its bound still leaves a browser to close.
    browser ??= await bounded(opening, timeout, 'starting Chromium')
      .then((o) => o.browser, () => undefined);
    if (browser) await bounded(browser.close(), timeout, 'closing Chromium').catch(() => {});
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  if (!out.ok) {
    process.stderr.write(`browser.mjs: ${out.error}\n`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  process.stderr.write(`browser.mjs: ${e.message}\n`);
  process.exitCode = 2;
});
