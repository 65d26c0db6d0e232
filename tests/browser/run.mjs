// Browser tests of the reporter site, in Debian's Chromium (never a downloaded
// browser), driven by playwright-core:
//
// 1. With JavaScript DISABLED, as in Tor Browser at "Safest": in Arabic and in
//    Chinese (and English), file a report with an attachment after a
//    validation error, read the receipt, print it, switch its language, log in
//    with it, send a follow-up with a file; the officer then replies and sets
//    a status with the real candor-desk, and the reporter sees both.
// 2. axe-core (WCAG 2.0/2.1 A and AA, plus best practices) on every page in
//    every language: landing, report form, report form with errors, receipt,
//    follow-up log-in, log-in with an error, case thread, error page.
// 3. Every page with its stylesheet under 30 KB, nothing from another origin.
//
// Starts the real `candor` server (built beforehand with cargo) on port 0
// against a fresh data directory and the demo keys. Screenshots of every page
// go to test-artifacts/browser/ (not committed). Exits non-zero on any failure.
//
// Usage: cargo build --locked --bin candor --bin candor-desk && node tests/browser/run.mjs

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TARGET = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(ROOT, 'target');
const SERVER = process.env.CANDOR_BIN ?? join(TARGET, 'debug', 'candor');
const DESK = process.env.CANDOR_DESK_BIN ?? join(TARGET, 'debug', 'candor-desk');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test-artifacts', 'browser');
const LANGS = ['ar', 'zh-Hans', 'en', 'fr', 'ru', 'es'];
const PAGE_BUDGET = 30 * 1024;

let failures = 0;
let passes = 0;
function check(ok, what) {
  if (ok) {
    passes += 1;
    console.log(`  ok   ${what}`);
  } else {
    failures += 1;
    console.log(`  FAIL ${what}`);
  }
}

// ------------------------------------------------------------------ server

function startServer(dir) {
  const config = join(dir, 'candor.toml');
  // The office's own texts, translated, as an office would configure them.
  writeFileSync(
    config,
    `office_contact = [
  { en = "Room 2-1010, by appointment", ar = "الغرفة 2-1010، بموعد مسبق", "zh-Hans" = "2-1010 室，需预约", fr = "Bureau 2-1010, sur rendez-vous", ru = "Комната 2-1010, по предварительной записи", es = "Despacho 2-1010, con cita previa" },
  "+1 555 0100",
]

[[external_channels]]
name = { en = "Office of Internal Oversight", ar = "مكتب الرقابة الداخلية", "zh-Hans" = "内部监督办公室", fr = "Bureau du contrôle interne", ru = "Управление внутреннего надзора", es = "Oficina de Supervisión Interna" }
how = "oversight.example.org"
`,
  );
  const child = spawn(
    SERVER,
    [
      'serve',
      '--listen', '127.0.0.1:0',
      '--officer-listen', '127.0.0.1:0',
      '--data', join(dir, 'data'),
      '--keys', join(ROOT, 'keys'),
      '--config', config,
    ],
    { env: { ...process.env, CANDOR_RATE_LIMITS: 'off' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolvePromise, reject) => {
    let log = '';
    const found = {};
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 30000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      log += chunk;
      for (const line of log.split('\n')) {
        const m = line.match(/listening on (http:\/\/\S+)/);
        if (m) found[line.includes('officer') ? 'api' : 'site'] = m[1];
      }
      if (found.site && found.api) {
        clearTimeout(timer);
        resolvePromise({ child, ...found, log: () => log });
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}):\n${log}`)));
  });
}

// ------------------------------------------------------------------ browser

async function launch(userDataDir, options) {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 900, height: 900 },
    ...options,
  });
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function expectLang(page, lang, what) {
  const lang_ = await page.locator('html').getAttribute('lang');
  const dir = await page.locator('html').getAttribute('dir');
  check(lang_ === lang && dir === (lang === 'ar' ? 'rtl' : 'ltr'), `${what}: <html lang="${lang_}" dir="${dir}">`);
}

// ------------------------------------------------------------------ the reporter's journey, JavaScript off

const WORDS = {
  ar: { description: 'طلب مني مديري تغيير أرقام العقد قبل التدقيق.', when: 'في مارس الماضي', message: 'لديّ نسخة أخرى من العقد.', reply: 'شكرًا لك. بدأنا مراجعة أولية.' },
  'zh-Hans': { description: '我的主管在审计前让我修改合同金额。', when: '去年三月', message: '我还有一份合同副本。', reply: '谢谢您。我们已开始初步审查。' },
  en: { description: 'My manager asked me to change the contract figures before the audit.', when: 'Last March', message: 'I have another copy of the contract.', reply: 'Thank you. We have opened a preliminary review.' },
};

async function journey(ctx, server, lang, dir) {
  console.log(`\n== reporter journey in ${lang}, JavaScript off`);
  const w = WORDS[lang];
  const page = await ctx.newPage();
  const tag = `journey-${lang}`;

  await page.goto(`${server.site}/?lang=${lang}`);
  await expectLang(page, lang, 'landing');
  check((await page.locator('header .office').innerText()).length > 0, 'landing shows the office name');
  check(await page.locator('text=oversight.example.org').count() === 1, 'landing shows the external channel from config');
  await shot(page, `${tag}-1-landing`);

  // "Make a report" is the first button of the landing page.
  await page.locator('main .actions a.button').first().click();
  check(page.url().includes(`lang=${lang}`) && page.url().includes('/report'), `the report link keeps the language (${page.url().replace(server.site, '')})`);
  await expectLang(page, lang, 'report form');
  await shot(page, `${tag}-2-report`);

  // A mistake: a description of spaces only (the browser's `required` accepts it; the server does not).
  const evidence = join(dir, `evidence-${lang}.txt`);
  writeFileSync(evidence, `evidence for ${lang}\n`);
  await page.locator('#cat-fraud').check();
  await page.locator('#description').fill('   ');
  await page.locator('#when').fill(w.when);
  await page.locator('#attachment').setInputFiles(evidence);
  await page.locator('main form button[type=submit]').click();
  await expectLang(page, lang, 'report form with errors');
  check(await page.locator('.error-summary a[href="#description"]').count() === 1, 'the error summary links to the description');
  check(await page.locator('#when').inputValue() === w.when, 'what was typed is kept');
  check(await page.locator('#cat-fraud').isChecked(), 'the chosen category is kept');
  check(await page.locator('.error-summary p').count() === 1, 'the page says files must be chosen again');
  await shot(page, `${tag}-3-report-errors`);

  // Follow the summary's link: the description field gets focus.
  await page.locator('.error-summary a[href="#description"]').click();
  check(await page.locator('#description:focus').count() === 1, 'the summary link moves focus to the field');

  await page.locator('#description').fill(w.description);
  await page.locator('#attachment').setInputFiles(evidence);
  await page.locator('main form button[type=submit]').click();
  await expectLang(page, lang, 'receipt');
  const receipt = (await page.locator('#receipt').innerText()).trim();
  check(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$/.test(receipt), `a receipt code in five groups (${receipt.replace(/[0-9A-Z]/g, 'X')})`);
  check((await page.locator('#receipt').getAttribute('dir')) === 'ltr', 'the code is isolated left to right');
  const codeFont = await page.locator('#receipt').evaluate((el) => getComputedStyle(el).fontFamily).catch(() => null);
  if (codeFont !== null) check(/mono/i.test(codeFont), `the code is monospace (${codeFont})`);
  await shot(page, `${tag}-4-receipt`);
  await page.emulateMedia({ media: 'print' });
  check(!(await page.locator('header.site').isVisible()), 'printing hides the header and switcher');
  check(await page.locator('#receipt').isVisible(), 'printing keeps the code');
  await shot(page, `${tag}-5-receipt-print`);
  await page.emulateMedia({ media: 'screen' });

  // The switcher on the receipt page re-posts the code: same code, other language.
  const other = lang === 'en' ? 'fr' : 'en';
  await page.locator(`header button[lang="${other}"]`).click();
  await expectLang(page, other, 'receipt after switching language');
  check((await page.locator('#receipt').innerText()).trim() === receipt, 'switching language keeps the same receipt code');
  check(!page.url().includes(receipt.slice(0, 5)), 'the code is not in the URL');
  await page.locator(`header button[lang="${lang}"]`).click();
  await expectLang(page, lang, 'receipt switched back');

  await page.locator('main a[href^="/followup"]').click();
  await expectLang(page, lang, 'follow-up log-in');
  await shot(page, `${tag}-6-login`);

  // A typo in the code is named as a typo, in the reporter's language.
  const typo = receipt.slice(0, 3) + (receipt[3] === 'A' ? 'B' : 'A') + receipt.slice(4);
  await page.locator('#receipt-input').fill(typo);
  await page.locator('main form button[type=submit]').click();
  await expectLang(page, lang, 'log-in with a typo');
  check(await page.locator('.error-summary').count() === 1, 'a typo shows an error');
  await shot(page, `${tag}-7-login-error`);

  // Spaces instead of dashes, small letters: still the same code.
  await page.locator('#receipt-input').fill(receipt.toLowerCase().replaceAll('-', ' '));
  await page.locator('main form button[type=submit]').click();
  await expectLang(page, lang, 'thread');
  check((await page.locator('#status').getAttribute('data-status')) === 'received', 'status: received');
  await shot(page, `${tag}-8-thread`);

  await page.locator('#message').fill(w.message);
  await page.locator('#attachment').setInputFiles(evidence);
  await page.locator('main form[action^="/followup/message"] button[type=submit]').click();
  await expectLang(page, lang, 'thread after a message');
  check(await page.locator('.notice').count() === 1, 'the message was sent');
  check(await page.locator('.thread li').count() === 2, 'the thread lists the report and the message');
  check(!(await page.content()).includes(w.message), "the reporter's own message is not shown back");
  await shot(page, `${tag}-9-sent`);

  // Switching language on the thread page keeps the reporter logged in.
  await page.locator('header nav.langs a[lang="en"], header nav.langs a[lang="fr"]').first().click();
  check((await page.locator('#status').count()) === 1, 'switching language on the thread keeps the case open');
  await page.locator(`header nav.langs a[lang="${lang}"]`).click();
  await expectLang(page, lang, 'thread switched back');

  // Logging out ends the session: the follow-up page asks for the code again.
  await page.locator('main form.logout button').click();
  await expectLang(page, lang, 'after logging out');
  check(await page.locator('#receipt-input').count() === 1, 'logging out shows the log-in form');
  await page.goto(`${server.site}/followup?lang=${lang}`);
  check(await page.locator('#receipt-input').count() === 1, 'and the case stays closed');
  await page.close();
  return receipt;
}

// The officer, on the desk, replies and sets a status; the outbox is imported.
function officerAnswers(server, dir, replies) {
  const vault = join(dir, 'vault');
  const secret = join(ROOT, 'keys', 'demo');
  const token = readFileSync(join(secret, 'officer-token'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('#'));
  const bundle = join(dir, 'export.bundle');
  return fetch(`${server.api}/export?after=0`, { headers: { authorization: `Bearer ${token}` } })
    .then((r) => r.arrayBuffer())
    .then(async (bytes) => {
      writeFileSync(bundle, Buffer.from(bytes));
      execFileSync(DESK, ['open', bundle, '--keys', secret, '--vault', vault], { stdio: 'pipe' });
      const cases = JSON.parse(execFileSync(DESK, ['cases', '--vault', vault, '--json']).toString());
      for (const c of cases) {
        const shown = JSON.parse(execFileSync(DESK, ['show', c.id, '--vault', vault, '--json']).toString());
        const reply = replies.find((r) => r.description === shown.description);
        if (!reply) continue;
        execFileSync(DESK, ['reply', c.id, '--vault', vault, '--message', reply.reply]);
        execFileSync(DESK, ['status', c.id, '--vault', vault, '--set', 'preliminary-review']);
      }
      const outbox = join(dir, 'outbox.bundle');
      execFileSync(DESK, ['outbox', '--vault', vault, '--keys', secret, '--out', outbox], { stdio: 'pipe' });
      const resp = await fetch(`${server.api}/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: readFileSync(outbox),
      });
      check(resp.status === 200, `the officer's outbox is imported (${resp.status})`);
    });
}

async function readsReply(ctx, server, lang, receipt) {
  const page = await ctx.newPage();
  await page.goto(`${server.site}/followup?lang=${lang}`);
  await page.locator('#receipt-input').fill(receipt);
  await page.locator('main form button[type=submit]').click();
  await expectLang(page, lang, 'thread with the reply');
  check((await page.locator('#status').getAttribute('data-status')) === 'preliminary-review', 'the new status is shown');
  check((await page.content()).includes(WORDS[lang].reply), "the office's reply is shown in full");
  const statusText = (await page.locator('#status').innerText()).trim();
  const english = 'Under preliminary review';
  check(lang === 'en' ? statusText === english : statusText !== english && statusText.length > 0, `the status is translated (${statusText})`);
  await shot(page, `journey-${lang}-10-reply`);
  await page.close();
}

// ------------------------------------------------------------------ every page in every language: axe and weight

async function pagesOf(ctx, server, lang, receipt) {
  // Each entry: name, and a function that brings `page` to that page.
  const go = (path) => async (page) => page.goto(`${server.site}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
  return [
    ['landing', go('/')],
    ['report', go('/report')],
    ['report-errors', async (page) => {
      await go('/report?kind=advice')(page);
      await page.locator('#description').fill(' ');
      await page.locator('main form button[type=submit]').click();
    }],
    ['receipt', async (page) => {
      await go('/report')(page);
      await page.locator('#description').fill(`axe ${lang}`);
      await page.locator('main form button[type=submit]').click();
    }],
    ['login', go('/followup')],
    ['login-error', async (page) => {
      await go('/followup')(page);
      await page.locator('#receipt-input').fill('hello');
      await page.locator('main form button[type=submit]').click();
    }],
    ['thread', async (page) => {
      await go('/followup')(page);
      await page.locator('#receipt-input').fill(receipt);
      await page.locator('main form button[type=submit]').click();
    }],
    ['error', go('/no-such-page')],
  ];
}

async function audit(ctx, server, receipt) {
  console.log('\n== axe-core (WCAG 2.1 A/AA and best practices) and page weight, every page in every language');
  const foreign = [];
  const page = await ctx.newPage();
  page.on('request', (req) => {
    if (!req.url().startsWith(server.site)) foreign.push(req.url());
  });
  let css = 0;
  let doc = 0;
  page.on('response', async (resp) => {
    // Bytes as sent (the server does not compress), not the re-serialised DOM.
    const bytes = (await resp.body().catch(() => Buffer.alloc(0))).length;
    if (resp.url().endsWith('/static/style.css')) css = bytes;
    if (resp.request().resourceType() === 'document') doc = bytes;
  });
  // The checker itself must be able to fail: an unlabelled field and faint text.
  await page.setContent('<!DOCTYPE html><html lang="en"><title>t</title><main><input type="text"><p style="color:#bbb">faint</p></main></html>');
  await page.evaluate(AXE_SOURCE);
  const broken = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } }));
  const ids = broken.violations.map((v) => v.id).sort().join(', ');
  check(ids.includes('label') && ids.includes('color-contrast'), `axe finds the faults of a broken page (${ids})`);

  for (const lang of LANGS) {
    for (const [name, open] of await pagesOf(ctx, server, lang, receipt)) {
      await ctx.clearCookies();
      await open(page);
      await expectLang(page, lang, `${name} (${lang})`);
      const html = doc;
      check(html + css <= PAGE_BUDGET, `${name} (${lang}): ${html} B + ${css} B CSS = ${html + css} B`);
      await page.evaluate(AXE_SOURCE);
      const result = await page.evaluate(() =>
        window.axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
          
        }),
      );
      const v = result.violations;
      check(v.length === 0 && result.passes.length > 10, `${name} (${lang}): ${v.length} axe violations, ${result.passes.length} rules passed`);
      for (const violation of v) {
        console.log(`       ${violation.id} (${violation.impact}): ${violation.help}`);
        for (const node of violation.nodes.slice(0, 3)) console.log(`         ${node.target.join(' ')}: ${node.failureSummary.split('\n').slice(1).join(' ')}`);
      }
      if (lang !== 'ar' && lang !== 'zh-Hans') continue;
      await shot(page, `axe-${lang}-${name}`);
    }
  }
  check(foreign.length === 0, `nothing requested from another origin (${foreign.length})`);
  await page.close();
}

// ------------------------------------------------------------------ main

async function main() {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'candor-browser-'));
  const server = await startServer(dir);
  console.log(`server at ${server.site}`);
  const contexts = [];
  try {
    // JavaScript off, with the site's own CSP in force.
    const noJs = await launch(join(dir, 'profile-nojs'), { javaScriptEnabled: false });
    contexts.push(noJs);
    const probe = await noJs.newPage();
    await probe.setContent('<noscript><p id="off">scripts are off</p></noscript>');
    check(await probe.locator('#off').isVisible(), 'JavaScript is disabled in this browser context');
    await probe.close();

    const receipts = {};
    for (const lang of ['ar', 'zh-Hans', 'en']) {
      // Each reporter in a browser of their own (fresh profile, JavaScript off).
      const ctx = await launch(join(dir, `profile-${lang}`), { javaScriptEnabled: false });
      contexts.push(ctx);
      receipts[lang] = await journey(ctx, server, lang, dir);
    }
    console.log('\n== the officer replies from the desk');
    await officerAnswers(server, dir, ['ar', 'zh-Hans', 'en'].map((l) => ({ description: WORDS[l].description, reply: WORDS[l].reply })));
    for (const lang of ['ar', 'zh-Hans', 'en']) {
      const ctx = await launch(join(dir, `profile-reply-${lang}`), { javaScriptEnabled: false });
      contexts.push(ctx);
      await readsReply(ctx, server, lang, receipts[lang]);
    }

    // axe needs JavaScript to run; the pages themselves have none. CSP is
    // bypassed only so that axe can be injected.
    const axeCtx = await launch(join(dir, 'profile-axe'), { bypassCSP: true });
    contexts.push(axeCtx);
    await audit(axeCtx, server, receipts.en);
  } finally {
    for (const c of contexts) await c.close().catch(() => {});
    server.child.kill();
    const log = server.log();
    for (const words of Object.values(WORDS)) {
      check(!log.includes(words.description), 'the server log holds no report text');
    }
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nscreenshots in ${SHOTS}`);
  console.log(`browser: ${passes} passed, ${failures} failed`);
  if (failures > 0) {
    console.log(`${failures} check(s) failed`);
    process.exit(1);
  }
  console.log('all browser checks passed');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
