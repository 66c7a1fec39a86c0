// driver.mjs drives Debian's Chromium through JupyterLab or Notebook 7 for the Go tests of
// package browser (see browser.go). It reads one JSON request on stdin, logs progress on
// stderr and writes one JSON report on stdout. It only reports what it saw: the Go test
// decides what passes.
//
// Requests ({"task": ...}):
//   notebook: open `path` in `app` ("lab" or "notebook"), Run All from the menu, wait for the
//             kernel to go idle, look at every output (scrolled into view), save, reload and
//             look again. With `slider`, moves every slider the notebook shows while it runs.
//   kernel:   in JupyterLab, a new notebook picked from the launcher's "Go (dl4go)" tile:
//             the kernel's About dialog, %help, Tab completion, Shift+Tab, interrupting
//             `!sleep 30` and a busy Go loop, restarting the kernel.
//   gonb:     run one of GoNB's browser test notebooks (examples/tests) as a person would: Run
//             All, type into its input boxes, use widgets in an added cell, save (gonbTask).
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const req = JSON.parse(readFileSync(0, 'utf8'));
const log = (...a) => console.error(`[driver ${((Date.now() - started) / 1000).toFixed(1)}s]`, ...a);
const started = Date.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A JupyterLab page loads ~40 scripts: 30 s (playwright's default) was too short at load 45 on 2 cores.
const pageLoadMs = 120000;
const report = { task: req.task, pageErrors: [], consoleErrors: [], dialogs: [] };

const browser = await chromium.launch({
  executablePath: req.chromium || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});
// Chromium (and this process) must not outlive the Go test: it closes stdin's pipe or kills us.
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(sig, async () => { await browser.close().catch(() => {}); process.exit(2); });
}
const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
context.setDefaultTimeout(30000);
const page = await context.newPage();
page.on('pageerror', (e) => report.pageErrors.push(String(e.message || e).slice(0, 500)));
page.on('console', (m) => { if (m.type() === 'error') report.consoleErrors.push(m.text().slice(0, 500)); });
page.on('dialog', (d) => {
  // "Leave the page? Changes you made may not be saved" on reload: counted (the Go test logs it and
  // checks the saved file and the reloaded page), accepted, or the reload would never happen.
  if (d.type() === 'beforeunload') { report.unloadPrompts = (report.unloadPrompts || 0) + 1; d.accept().catch(() => {}); return; }
  report.dialogs.push(`${d.type()}: ${d.message()}`); d.dismiss().catch(() => {});
});

try {
  if (req.task === 'notebook') await notebookTask();
  else if (req.task === 'kernel') await kernelTask();
  else if (req.task === 'gonb') await gonbTask();
  else throw new Error(`unknown task ${req.task}`);
} catch (e) {
  report.fatal = String(e.stack || e);
  await shot('failure').catch(() => {});
} finally {
  process.stdout.write(JSON.stringify(report) + '\n');
  await browser.close().catch(() => {});
}

// --- helpers ---------------------------------------------------------------------------------

function url(p) {
  const sep = p.includes('?') ? '&' : '?';
  return `${req.base}${p}${sep}token=${encodeURIComponent(req.token)}`;
}

async function shot(name) {
  if (!req.outDir) return;
  const file = path.join(req.outDir, `${req.name || req.task}-${name}.png`);
  await page.screenshot({ path: file });
  (report.screenshots ||= []).push(file);
}

// menu clicks a top-level menu, then the first visible item among labels.
async function menu(top, ...labels) {
  await page.locator(`.lm-MenuBar-itemLabel:text-is("${top}")`).first().click();
  const open = page.locator('.lm-Menu:visible');
  await open.first().waitFor();
  for (const l of labels) {
    const item = open.locator(`.lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel:text-is("${l}")`);
    if (await item.count()) { await item.first().click(); return l; }
  }
  const have = await open.locator('.lm-Menu-itemLabel').allTextContents();
  await page.keyboard.press('Escape');
  throw new Error(`menu ${top} has none of ${labels.join(', ')} (it has: ${have.filter(Boolean).join(', ')})`);
}

// kernelState returns the active notebook's kernel display name and status, as the UI shows them.
async function kernelState() {
  return page.evaluate(() => {
    const name = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-KernelName')?.textContent?.trim() || '';
    let status = '';
    const bar = document.querySelector('.jp-StatusBar-Widget')?.textContent || '';
    const m = bar.match(/\|\s*(Idle|Busy|Starting|Restarting|Connecting|Unknown|Dead|Terminating|Reconnecting|Autorestarting|Initializing|No Kernel)/);
    if (m) status = m[1];
    const prog = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) [data-jp-item-name="executionProgress"]')?.textContent || '';
    const m2 = prog.match(/Kernel status:\s*(\w+)/);
    if (m2) status = m2[1];
    return { name, status };
  });
}

async function waitKernel(want = 'Idle', timeout = 120000) {
  const t0 = Date.now();
  let st;
  while (Date.now() - t0 < timeout) {
    st = await kernelState();
    if (st.status === want && st.name && st.name !== 'No Kernel') return st;
    await sleep(200);
  }
  throw new Error(`kernel did not become ${want} within ${timeout / 1000}s (last state ${JSON.stringify(st)})`);
}

// prompts returns the input prompt of every code cell in the active notebook ("[3]:", "[*]:", "[ ]:").
async function prompts() {
  return page.evaluate(() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]
    .map((p) => p.textContent.trim()));
}

async function dismissDialogs() {
  const d = page.locator('.jp-Dialog');
  const out = [];
  for (let i = 0; i < 5 && await d.count(); i++) {
    out.push((await d.first().innerText()).slice(0, 300));
    await page.keyboard.press('Escape');
    await sleep(300);
  }
  return out;
}

// openNotebook loads the notebook page and waits for its kernel.
async function openNotebook(ws) {
  const p = req.app === 'notebook' ? `/notebooks/${req.path}` : `/lab/workspaces/${ws}/tree/${req.path}`;
  await page.goto(url(p), { timeout: pageLoadMs });
  await page.locator('.jp-NotebookPanel .jp-Cell').first().waitFor({ timeout: 90000 });
  return waitKernel('Idle', 120000);
}

// look scrolls every code cell into view in turn, waits for its charts and images, and
// returns what each cell shows.
async function look() {
  const n = await page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell').count();
  const cells = [];
  for (let i = 0; i < n; i++) {
    const cell = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell').nth(i);
    await cell.scrollIntoViewIfNeeded().catch(() => {});
    // Give charts up to 10 s to draw and images and sounds to load once visible.
    const t0 = Date.now();
    let info;
    for (;;) {
      info = await cell.evaluate(describeCell);
      const pending = info.charts.some((c) => !c.drawn || c.ink < 200) || info.images.some((im) => !im.complete) ||
      info.audios.some((a) => !a.loaded);
      if (!pending || Date.now() - t0 > 10000) break;
      await sleep(250);
      await cell.scrollIntoViewIfNeeded().catch(() => {});
    }
    info.index = i;
    cells.push(info);
  }
  return cells;
}

// describeCell runs in the page on a code cell element.
function describeCell(cell) {
  const outputs = [...cell.querySelectorAll('.jp-OutputArea-child')].map((child) => {
    const o = child.querySelector('.jp-OutputArea-output');
    // blank: an output with no text and no element at all, i.e. an erased display (a live
    // view emptied instead of ended in place). textContent, not innerText: JupyterLab skips
    // rendering off-screen cells (content-visibility), where innerText is "". GoNB's own
    // anchors (empty <div id=...> its widgets and dom package write into) are elements.
    const blank = !o || ((o.textContent || '').trim() === '' && o.querySelectorAll('*').length === 0);
    return { mime: o?.getAttribute('data-mime-type') || '', text: (o?.innerText || '').slice(0, 2000), blank };
  });
  const charts = [...cell.querySelectorAll('.dl4go-chart')].map((el) => {
    let ink = 0;
    const cv = el.querySelector('canvas');
    if (cv) {
      try {
        const ctx = cv.getContext('2d');
        const d = ctx.getImageData(0, 0, cv.width, cv.height).data;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) ink++;
      } catch (e) { ink = -1; }
    }
    let title = '';
    try { title = window.echarts?.getInstanceByDom(el)?.getOption()?.title?.[0]?.text || ''; } catch (e) { /* none */ }
    return { id: el.id, drawn: el.getAttribute('data-dl4go-drawn') === '1', canvas: !!cv, ink, title,
      w: el.clientWidth, h: el.clientHeight, text: cv ? '' : (el.innerText || '').trim().slice(0, 300) };
  });
  const images = [...cell.querySelectorAll('.jp-OutputArea-output img')].map((im) => ({
    complete: im.complete && im.naturalWidth > 0, w: im.naturalWidth, h: im.naturalHeight }));
  // A sound has loaded when the browser has decoded its length (preload="auto").
  const audios = [...cell.querySelectorAll('.jp-OutputArea-output audio')].map((a) => ({
    loaded: a.readyState >= 1 && !a.error && Number.isFinite(a.duration) && a.duration > 0,
    seconds: Number.isFinite(a.duration) ? a.duration : -1, error: a.error ? String(a.error.code) : '' }));
  return {
    prompt: cell.querySelector('.jp-InputPrompt')?.textContent.trim() || '',
    source: (cell.querySelector('.cm-content')?.innerText || '').slice(0, 200),
    // GoNB's widgets and dom package run their JavaScript in a display they then empty
    // (gonbui/dom.TransientJavascript), by design: such cells keep blank outputs.
    gonbWidgets: /plotting\.Slider\(|widgets\.|dom\./.test(cell.querySelector('.cm-content')?.textContent || ''),
    outputs, charts, images, audios,
    sliders: cell.querySelectorAll('input[type=range]').length,
  };
}

// trust returns JupyterLab's trust indicator text ("" in Notebook 7, which has none).
async function trust() {
  return page.evaluate(() => document.querySelector('.jp-StatusItem-trust')?.getAttribute('title') || '');
}

// --- tasks -----------------------------------------------------------------------------------

async function notebookTask() {
  const ws = `nb${Date.now()}`;
  const k = await openNotebook(ws);
  report.kernelName = k.name;
  report.openDialogs = await dismissDialogs();
  log(`${req.path} open in ${req.app}, kernel ${k.name}; Run All`);

  const n = (await prompts()).length;
  report.menuItem = await menu('Run', 'Run All Cells');
  const t0 = Date.now();
  const maxOutputs = new Array(n).fill(0);
  report.sliders = [];
  let idleSince = 0;
  let lastLog = 0;
  let startedRun = false;
  for (;;) {
    if (Date.now() - t0 > req.timeoutMs) { report.timedOut = true; break; }
    const ps = await prompts();
    startedRun ||= ps.some((p) => /[*\d]/.test(p));
    if (!startedRun) {
      if (Date.now() - t0 > 30000) throw new Error(`Run All started no cell within 30 s (prompts ${ps.join(' ')})`);
      await sleep(250);
      continue;
    }
    const counts = await page.evaluate(() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell')]
      .map((c) => c.querySelectorAll('.jp-OutputArea-child').length));
    counts.forEach((c, i) => { maxOutputs[i] = Math.max(maxOutputs[i] || 0, c); });
    if (req.slider) await moveSliders();
    const st = await kernelState();
    const running = ps.some((p) => p.includes('*'));
    if (!running && st.status === 'Idle') {
      if (!idleSince) idleSince = Date.now();
      if (Date.now() - idleSince > 1500) break;
    } else idleSince = 0;
    if (Date.now() - lastLog > 15000) {
      lastLog = Date.now();
      log(`running: ${ps.filter((p) => /\d/.test(p)).length}/${ps.length} cells done, kernel ${st.status}`);
    }
    await sleep(250);
  }
  report.runSeconds = (Date.now() - t0 - (report.timedOut ? 0 : 1500)) / 1000;
  report.maxOutputs = maxOutputs;
  log(`run finished in ${report.runSeconds}s${report.timedOut ? ' (TIMED OUT)' : ''}`);
  report.run = await look();
  report.runDialogs = await dismissDialogs();
  await scrollToLastChart(report.run);
  await shot('run');

  // Save, then reload the page: the outputs come back from the file.
  const saved0 = await lastModified();
  report.saveItem = await menu('File', 'Save Notebook', 'Save', 'Save and Checkpoint');
  // The save is done when the server's copy changed (Notebook 7 shows no dirty tab to watch).
  for (const t1 = Date.now(); await lastModified() === saved0;) {
    if (Date.now() - t1 > 60000) { report.saveDirty = true; break; }
    await sleep(250);
  }
  await page.waitForFunction(() => !document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-mod-dirty, .lm-TabBar-tab.jp-mod-current.jp-mod-dirty'),
    null, { timeout: 30000 }).catch(() => { report.saveDirty = true; });
  await sleep(1000);
  report.saveDialogs = await dismissDialogs();
  await page.reload({ timeout: pageLoadMs });
  await page.locator('.jp-NotebookPanel .jp-Cell').first().waitFor({ timeout: 90000 });
  // The notebook's cells are attached a few at a time: wait for all those of the run.
  for (const t1 = Date.now(); (await prompts()).length < report.run.length && Date.now() - t1 < 90000;) await sleep(250);
  await waitKernel('Idle', 60000).catch((e) => { report.reloadKernel = String(e); });
  await sleep(1500); // a trust prompt or any other dialog would be up by now
  report.reloadDialogs = await dismissDialogs();
  report.trust = await trust();
  report.reload = await look();
  await scrollToLastChart(report.reload);
  await shot('reload');
}

// lastModified is the server's last_modified of the notebook file (contents API).
async function lastModified() {
  return page.evaluate(async (u) => {
    const r = await fetch(u, { cache: 'no-store' });
    return r.ok ? (await r.json()).last_modified : `HTTP ${r.status}`;
  }, url(`/api/contents/${encodeURI(req.path)}?content=0`));
}

async function scrollToLastChart(cells) {
  const last = [...cells].reverse().find((c) => c.charts.length || c.images.length) || cells[cells.length - 1];
  if (!last) return;
  const cell = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell').nth(last.index);
  await cell.scrollIntoViewIfNeeded().catch(() => {});
  const box = cell.locator('.dl4go-chart, .jp-OutputArea-output img').last();
  if (await box.count()) await box.scrollIntoViewIfNeeded().catch(() => {});
  await sleep(500);
}

// moveSliders moves each slider not yet moved with a click on its track, then checks the chart of that cell redraws, then
// clicks the cell's Done button if it has one.
async function moveSliders() {
  const sl = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell input[type=range]:not([data-driver-moved])');
  if (!(await sl.count())) return;
  const s = await sl.first().elementHandle(); // a handle: the locator stops matching once marked
  await s.evaluate((el) => el.setAttribute('data-driver-moved', '1'));
  const cell = await s.evaluateHandle((el) => el.closest('.jp-CodeCell'));
  await s.scrollIntoViewIfNeeded().catch(() => {});
  // The program listens to the moves once its widgets are up (the Done button comes last).
  for (let i = 0; i < 40 && !(await cell.$('button')); i++) await sleep(250);
  await sleep(1000);
  const before = await cell.evaluate(describeCell);
  const v0 = await s.inputValue().catch(() => '');
  // A click on the track, 60% along it, as a person would (the browser fires input and change).
  const box = await s.boundingBox().catch(() => null);
  if (!box) {
    // The program replaced its controls: no browser took the widgets in time (GoNB's widget
    // connection needs a comm_open_ack within 500 ms), or the cell ended.
    const now = await cell.evaluate(describeCell).catch(() => ({ outputs: [] }));
    report.sliders.push({ from: v0, to: v0, before: before.charts, after: [], vanished: true,
      cellText: now.outputs.map((o) => o.text).join('\n').slice(0, 600) });
    log('the slider vanished before it could be moved');
    return;
  }
  // Through the element, not page coordinates: outputs above may still grow while the slider
  // waits (lesson 12's cells below it keep the page moving), and a click at stale coordinates
  // lands elsewhere; Playwright scrolls it into view and waits for it to be still.
  await s.click({ position: { x: box.width * 0.6, y: box.height / 2 } });
  const v1 = await s.inputValue();
  log(`slider moved from ${v0} to ${v1}`);
  const t0 = Date.now();
  let after;
  for (;;) {
    after = await cell.evaluate(describeCell);
    const redrawn = after.charts.length && after.charts.every((c) => c.drawn && c.ink > 200) &&
      JSON.stringify(after.charts.map((c) => [c.id, c.title])) !== JSON.stringify(before.charts.map((c) => [c.id, c.title]));
    if (redrawn || Date.now() - t0 > 15000) break;
    await sleep(250);
  }
  const entry = { from: v0, to: v1, before: before.charts, after: after.charts, redrawSeconds: (Date.now() - t0) / 1000 };
  await shot('slider');
  const done = await cell.$('button:text-is("Done")');
  if (done) { await done.click(); entry.clickedDone = true; }
  report.sliders.push(entry);
}

// addCell types code into a new cell at the end of the notebook and returns the cell.
async function addCell(code) {
  const cells = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell');
  const n = await cells.count();
  const last = cells.nth(n - 1);
  const empty = (await last.locator('.cm-content').innerText()).trim() === '';
  let target = last;
  if (!empty) {
    await last.locator('.cm-content').click();
    await page.keyboard.press('Escape');
    await page.keyboard.press('b'); // command mode: insert a cell below
    target = cells.nth(n);
  }
  await target.locator('.cm-content').click();
  if (code) await page.keyboard.insertText(code);
  return target;
}

async function runCell(cell, timeout = 60000) {
  await cell.locator('.cm-content').click();
  await page.keyboard.press('Control+Enter');
  const t0 = Date.now();
  await page.waitForFunction((el) => /\[\d+\]/.test(el.querySelector('.jp-InputPrompt')?.textContent || ''),
    await cell.elementHandle(), { timeout });
  await waitKernel('Idle', timeout);
  return (Date.now() - t0) / 1000;
}

async function cellText(cell) {
  return (await cell.evaluate(describeCell)).outputs.map((o) => o.text).join('\n');
}

async function kernelTask() {
  const checks = (report.checks = {});
  await page.goto(url(`/lab/workspaces/kernel${Date.now()}`), { timeout: pageLoadMs });
  await page.locator('.jp-LauncherCard').first().waitFor({ timeout: 90000 });
  report.launcher = await page.locator('.jp-LauncherCard').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-category')}: ${e.getAttribute('title')}`));
  await page.locator('.jp-LauncherCard[data-category="Notebook"][title="Go (dl4go)"]').click();
  await page.locator('.jp-NotebookPanel .jp-Cell').first().waitFor({ timeout: 60000 });
  const k = await waitKernel('Idle', 120000);
  report.kernelName = k.name;
  log(`new notebook with kernel ${k.name}`);

  // Tab completion right away: the kernel has just started.
  let cell = await addCell('');
  await page.keyboard.type('import "fmt"\n%%\nfmt.Printl', { delay: 60 }); // typed at a person's pace
  const tries = [];
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    await page.keyboard.press('Tab');
    let items = [];
    for (let w = 0; w < 20 && !items.length; w++) {
      await sleep(250);
      items = await page.locator('.jp-Completer:visible .jp-Completer-item').allTextContents();
    }
    tries.push({ items: items.map((s) => s.trim()), seconds: (Date.now() - t0) / 1000 });
    if (items.length) { await shot('completion'); break; }
    await page.keyboard.press('Escape');
    await cell.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
  }
  checks.completion = tries;
  await page.keyboard.press('Escape');
  await cell.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.insertText('n');

  // Shift+Tab shows the documentation of fmt.Println.
  await page.keyboard.press('Shift+Tab');
  const tip = page.locator('.jp-Tooltip');
  checks.inspect = await page.waitForFunction(() => document.querySelector('.jp-Tooltip')?.innerText.trim(), null, { timeout: 10000 })
    .then(() => tip.first().innerText()).catch((e) => `no tooltip: ${e.message}`);
  checks.inspect = String(checks.inspect).slice(0, 600);
  await shot('inspect');
  await page.keyboard.press('Escape');
  await cell.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.insertText('("hello from JupyterLab")');
  await runCell(cell);
  checks.hello = await cellText(cell);

  // The kernel's banner: Help → About the Go (dl4go) Kernel.
  await menu('Help', `About the ${k.name} Kernel`);
  const dlg = page.locator('.jp-Dialog');
  await dlg.waitFor();
  checks.banner = (await dlg.innerText()).slice(0, 2000);
  await shot('about');
  await page.keyboard.press('Escape');

  // %help renders as markdown.
  cell = await addCell('%help');
  await runCell(cell);
  checks.help = await cell.evaluate((c) => ({
    mimes: [...c.querySelectorAll('.jp-OutputArea-output')].map((o) => o.getAttribute('data-mime-type')),
    headings: [...c.querySelectorAll('.jp-OutputArea-output h1, .jp-OutputArea-output h2, .jp-OutputArea-output h3')].map((h) => h.textContent.trim()).slice(0, 5),
    codes: c.querySelectorAll('.jp-OutputArea-output code').length,
  }));

  // Interrupts: a shell command, then a busy Go loop; the next cell runs after each.
  checks.interrupts = [];
  for (const code of ['!sleep 30', '%%\nn := 1\nfor {\n\tn = (n*31 + 7) % 1000003\n}']) {
    const c = await addCell(code);
    await c.locator('.cm-content').click();
    await page.keyboard.press('Control+Enter');
    await waitKernel('Busy', 30000);
    await sleep(3000); // let it really run (the Go loop compiles first)
    const busy = await kernelState();
    const t0 = Date.now();
    await menu('Kernel', 'Interrupt Kernel');
    await page.waitForFunction((el) => /\[\d+\]/.test(el.querySelector('.jp-InputPrompt')?.textContent || ''),
      await c.elementHandle(), { timeout: 60000 }).catch(() => {});
    await waitKernel('Idle', 60000).catch(() => {});
    const seconds = (Date.now() - t0) / 1000;
    const next = await addCell('%%\nfmt.Println("next cell runs")');
    await runCell(next);
    checks.interrupts.push({ code, statusBefore: busy.status, seconds, output: await cellText(c), next: await cellText(next) });
    log(`interrupt of ${JSON.stringify(code.split('\n')[0])}: ${seconds}s`);
  }

  // Restart the kernel (Kernel → Restart Kernel…, confirm), then run a cell.
  cell = await addCell('var beforeRestart = 1');
  await runCell(cell);
  await menu('Kernel', 'Restart Kernel…', 'Restart Kernel...');
  const t0 = Date.now();
  const confirm = page.locator('.jp-Dialog button:has-text("Restart")');
  await confirm.first().click();
  await sleep(500);
  await waitKernel('Idle', 120000);
  const after = await addCell('%%\nfmt.Println("after restart")');
  await runCell(after);
  checks.restart = { seconds: (Date.now() - t0) / 1000, output: await cellText(after) };
  const gone = await addCell('%%\nfmt.Println(beforeRestart)');
  await runCell(gone);
  checks.restart.forgotten = await cellText(gone);
  await shot('kernel');
}

// gonbTask runs one of GoNB's browser test notebooks (examples/tests) in JupyterLab as a
// person would: open it (picking the Go (dl4go) kernel if JupyterLab asks, the notebook names
// GoNB's), Run All from the menu, type `inputs` into the input boxes it asks for as they come,
// then, with `widgetCell`, add that cell, run it and use its widgets with the mouse and the
// keyboard; finally save. Reported: each code cell as the page shows it, the input boxes, the
// elements GoNB's programs added to and removed from the page (seen by a MutationObserver from
// the page's start), the page's console, and the page's gonb_comm.
async function gonbTask() {
  await page.addInitScript(() => {
    const seen = (window.__dl4goSeen = []);
    const interesting = /^(dom\.transient_div_|dom_test_|gonb_widget_test_|dl4go_user_)/;
    const note = (kind, el) => seen.push({ kind, tag: el.tagName.toLowerCase(), id: el.id || '',
      type: el.getAttribute('type') || '', cls: el.className && typeof el.className === 'string' ? el.className : '',
      text: (el.textContent || '').slice(0, 300), t: Date.now() });
    const visit = (kind, node) => {
      if (node.nodeType !== 1) return;
      for (const el of [node, ...node.querySelectorAll('[id], input.jp-Stdin-input')]) {
        if (interesting.test(el.id || '') || (kind === 'added' && el.matches('input.jp-Stdin-input'))) note(kind, el);
      }
    };
    new MutationObserver((records) => {
      for (const r of records) {
        r.addedNodes.forEach((n) => visit('added', n));
        r.removedNodes.forEach((n) => visit('removed', n));
      }
    }).observe(document, { childList: true, subtree: true });
  });
  report.console = [];
  page.on('console', (m) => report.console.push(`${m.type()}: ${m.text().slice(0, 300)}`));

  await page.goto(url(`/lab/workspaces/gonb${Date.now()}/tree/${req.path}`), { timeout: pageLoadMs });
  await page.locator('.jp-NotebookPanel .jp-Cell').first().waitFor({ timeout: 90000 });
  // GoNB's notebooks name GoNB's kernel ("gonb"): JupyterLab picks the one Go kernel it has, or
  // asks; then a person picks Go (dl4go).
  report.kernelDialogs = [];
  for (const t0 = Date.now(); ;) {
    const dlg = page.locator('.jp-Dialog');
    if (await dlg.count()) {
      report.kernelDialogs.push((await dlg.first().innerText()).slice(0, 300));
      const sel = dlg.locator('select');
      if (await sel.count()) await sel.first().selectOption({ label: 'Go (dl4go)' });
      await dlg.locator('button:has-text("Select")').first().click();
      await sleep(500);
    }
    const st = await kernelState();
    if (st.status === 'Idle' && st.name && st.name !== 'No Kernel') { report.kernelName = st.name; break; }
    if (Date.now() - t0 > 120000) throw new Error(`no idle kernel within 120 s (last state ${JSON.stringify(st)})`);
    await sleep(250);
  }
  log(`${req.path} open, kernel ${report.kernelName}; Run All`);

  const inputs = [...(req.inputs || [])];
  report.inputBoxes = [];
  let before = await prompts();
  await menu('Run', 'Run All Cells');
  const t0 = Date.now();
  await waitRun(t0, inputs, before);
  report.runSeconds = (Date.now() - t0) / 1000;
  log(`run finished in ${report.runSeconds}s${report.timedOut ? ' (TIMED OUT)' : ''}`);
  // A cell that printed one of GoNB's own timeout messages (its programs give the page 500 ms
  // to answer) is run again with the cells below it, `retry.max` times at most.
  report.reruns = [];
  const retry = req.retry ? new RegExp(req.retry.pattern, 'm') : null;
  for (let attempt = 1; retry && !report.timedOut && attempt <= req.retry.max; attempt++) {
    const cells = await look();
    const bad = cells.find((c) => c.outputs.some((o) => retry.test(o.text)));
    if (!bad) break;
    const text = bad.outputs.map((o) => o.text).join('\n').slice(0, 300);
    report.reruns.push({ cell: bad.index + 1, prompt: bad.prompt, attempt, text });
    log(`code cell ${bad.index + 1} (${bad.prompt}) says ${JSON.stringify(text)}: run it and the cells below again (attempt ${attempt})`);
    const cell = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell').nth(bad.index);
    await cell.locator('.jp-InputPrompt').click(); // selects the cell (command mode)
    before = await prompts();
    await menu('Run', 'Run Selected Cell and All Below', 'Run Selected Cells and All Below');
    await waitRun(Date.now(), inputs, before);
  }
  report.run = await look();
  report.gonbComm = await page.evaluate(() => typeof globalThis.gonb_comm);
  await shot('run');

  if (req.widgetCell && !report.timedOut) report.userWidgets = await useWidgets(req.widgetCell);

  report.seen = await page.evaluate(() => window.__dl4goSeen || []);
  const saved0 = await lastModified();
  await menu('File', 'Save Notebook', 'Save');
  for (const t1 = Date.now(); await lastModified() === saved0;) {
    if (Date.now() - t1 > 60000) { report.saveDirty = true; break; }
    await sleep(250);
  }
  report.dialogs.push(...await dismissDialogs());
}

// waitRun waits for the cells started at t0 to finish (a prompt changed from before, none
// [*], the kernel idle for 1.5 s), typing the next of inputs into each input box that comes
// up, as a person would.
async function waitRun(t0, inputs, before) {
  let idleSince = 0;
  let lastLog = 0;
  let startedRun = false;
  for (;;) {
    if (Date.now() - t0 > req.timeoutMs) { report.timedOut = true; return; }
    const ps = await prompts();
    startedRun ||= ps.some((p, i) => p.includes('*') || p !== before[i]);
    const box = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) input.jp-Stdin-input:not([data-driver-typed])');
    if (await box.count()) {
      const b = await box.first().elementHandle(); // a handle: the locator stops matching once marked
      const info = await b.evaluate((el) => {
        el.setAttribute('data-driver-typed', '1');
        return { type: el.type, prompt: (el.closest('.jp-Stdin')?.querySelector('.jp-Stdin-prompt')?.textContent || '').trim() };
      });
      const value = inputs.shift() ?? '';
      await b.click();
      await page.keyboard.type(value, { delay: 50 });
      await page.keyboard.press('Enter');
      report.inputBoxes.push({ ...info, value });
      log(`input box ${JSON.stringify(info.prompt)} (${info.type}): typed ${JSON.stringify(info.type === 'password' ? '***' : value)}`);
      continue;
    }
    const st = await kernelState();
    const running = ps.some((p) => p.includes('*'));
    if (startedRun && !running && st.status === 'Idle') {
      if (!idleSince) idleSince = Date.now();
      if (Date.now() - idleSince > 1500) return;
    } else idleSince = 0;
    if (!startedRun && Date.now() - t0 > 30000) throw new Error(`no cell started within 30 s (prompts ${ps.join(' ')})`);
    if (Date.now() - lastLog > 15000) {
      lastLog = Date.now();
      log(`running: ${ps.filter((p) => /\d/.test(p)).length}/${ps.length} cells done, kernel ${st.status}`);
    }
    await sleep(250);
  }
}

// useWidgets adds the cell `code` (GoNB widgets: a button, a slider from 0 to 100 at 50 and a
// drop-down of ab/cd/ef, with ids dl4go_user_button/slider/select; it prints "widgets up" once
// it listens, then what it receives, and at the end sets the slider to 25 from Go), runs it,
// clicks the button, moves the slider to its end with the keyboard and picks "ef", waiting
// for the program's answer to each, then reads the slider the program moved.
async function useWidgets(code) {
  const out = { steps: [] };
  const cell = await addCell(code);
  await cell.locator('.cm-content').click();
  await page.keyboard.press('Control+Enter');
  const says = async (text, timeout) => {
    const t0 = Date.now();
    for (;;) {
      const got = await cellText(cell);
      if (got.includes(text)) return { text, seconds: (Date.now() - t0) / 1000, ok: true };
      if (/error/.test(got) || Date.now() - t0 > timeout) return { text, seconds: (Date.now() - t0) / 1000, ok: false, got: got.slice(0, 600) };
      await sleep(250);
    }
  };
  const step = async (name, act, answer) => {
    await act();
    const r = await says(answer, 60000);
    out.steps.push({ name, ...r });
    log(`widgets: ${name}: ${r.ok ? `answered in ${r.seconds}s` : `no answer ${JSON.stringify(r.got)}`}`);
    return r.ok;
  };
  const up = await says('widgets up', 240000); // compiles first
  out.steps.push({ name: 'start', ...up });
  if (!up.ok) return out;
  const slider = page.locator('#dl4go_user_slider');
  const ok = await step('click the button', () => page.locator('#dl4go_user_button').click(), 'button clicked') &&
    await step('slider to its end (End key)', async () => { await slider.focus(); await page.keyboard.press('End'); }, 'slider at 100') &&
    await step('pick ef', () => page.locator('#dl4go_user_select').selectOption({ label: 'ef' }), 'picked ef') &&
    await step('Go sets the slider', async () => {}, 'slider set to 25');
  if (ok) {
    for (const t0 = Date.now(); Date.now() - t0 < 10000; await sleep(250)) {
      out.sliderValue = await slider.inputValue().catch((e) => `gone: ${e.message}`);
      if (out.sliderValue === '25') break;
    }
  }
  await shot('widgets');
  await page.waitForFunction((el) => /\[\d+\]/.test(el.querySelector('.jp-InputPrompt')?.textContent || ''),
    await cell.elementHandle(), { timeout: 60000 }).catch(() => {});
  await waitKernel('Idle', 60000).catch(() => {});
  out.text = (await cellText(cell)).slice(0, 1000);
  return out;
}
