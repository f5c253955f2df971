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
  goto: async (page, s) => {
    const response = await page.goto(s.url);
    return { status: response ? response.status() : null, url: page.url() };
  },
  back: async (page) => {
    const response = await page.goBack();
    return { status: response ? response.status() : null, url: page.url() };
  },
  fill: async (page, s) => page.locator(s.selector).fill(s.text),
  check: async (page, s) => page.locator(s.selector).check(),
  click: async (page, s) => page.locator(s.selector).click(),
  waitFor: async (page, s) => page.locator(s.selector).waitFor({ state: s.state || 'visible' }),
  text: async (page, s) => page.locator(s.selector).textContent(),
  texts: async (page, s) => page.locator(s.selector).allTextContents(),
  html: async (page, s) => page.locator(s.selector).innerHTML(),
  count: async (page, s) => page.locator(s.selector).count(),
  url: async (page) => page.url(),
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

async function runSteps(page, script, out) {
  for (const [i, step] of script.steps.entries()) {
    const op = OPS[step.op];
    if (!op) {
      throw Object.assign(new Error(`unknown op in ${describe(step)}`), { step: i });
    }
    try {
      const value = await op(page, step);
      out.results.push(value === undefined ? null : value);
    } catch (e) {
      throw Object.assign(new Error(`step ${i} ${describe(step)} failed: ${plain(e.message)}`),
                          { step: i });
    }
  }
}

async function main() {
  const script = JSON.parse(process.argv[2] ?? readFileSync(0, 'utf8'));
  if (!Array.isArray(script.steps)) {
    throw new Error('the script has no "steps" array');
  }
  const timeout = script.timeout_ms ?? 30000;
  const out = { ok: false, results: [], dialogs: [], pageErrors: [] };
  let browser;
  let page;
  // A bound on the whole run, so a step that ignores its own timeout cannot hang the test.
  let watchdog;
  const overall = new Promise((_, reject) => {
    watchdog = setTimeout(() => reject(new Error(`the script took longer than its bound of ` +
                                                 `${timeout * (script.steps.length + 2)} ms`)),
                          timeout * (script.steps.length + 2));
  });
  try {
    await Promise.race([overall, (async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'],
                                        timeout });
      const context = await browser.newContext({
        httpCredentials: script.httpCredentials,
        ignoreHTTPSErrors: Boolean(script.ignoreHTTPSErrors),
      });
      context.setDefaultTimeout(timeout);
      context.setDefaultNavigationTimeout(timeout);
      page = await context.newPage();
      // A dialog is recorded and dismissed: an escaping test asserts none opened.
      page.on('dialog', (d) => {
        out.dialogs.push({ type: d.type(), message: d.message() });
        d.dismiss().catch(() => {});
      });
      page.on('pageerror', (e) => out.pageErrors.push(String(e.message)));
      await runSteps(page, script, out);
    })()]);
    out.ok = true;
  } catch (e) {
    out.error = plain(e.message);
    if (e.step !== undefined) out.step = e.step;
    if (page && script.failureScreenshot) {
      await page.screenshot({ path: script.failureScreenshot, fullPage: true, timeout })
        .then(() => { out.failureScreenshot = script.failureScreenshot; }, () => {});
    }
  } finally {
    clearTimeout(watchdog);
    if (browser) await browser.close().catch(() => {});
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
