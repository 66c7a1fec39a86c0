package export

// pageCSS styles exported pages and the site index: one readable column,
// responsive down to a phone, and a print layout without navigation.
const pageCSS = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-code: #f6f8fa;
  --pass: #1a7f37; --fail: #cf222e; --none: #6e7781; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 60rem; padding: 1rem 1.25rem 3rem; color: var(--fg);
  font: 16px/1.6 "` + CJKFamily + `", system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans CJK JP", "Noto Sans", sans-serif; }
a { color: #0969da; }
h1, h2, h3, h4 { line-height: 1.25; margin: 1.5em 0 .5em; }
header.lesson h1 { margin-top: .5em; font-size: 2rem; }
.title-ja { margin: -.25rem 0 .75rem; font-size: 1.25rem; color: var(--muted); }
.badges { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .5rem 0; }
.badge { display: inline-block; padding: .1rem .6rem; border-radius: 1rem; color: #fff;
  font-weight: 600; font-size: .85rem; letter-spacing: .03em; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.none { background: var(--none); }
.result-line { font-size: .8rem; overflow-wrap: anywhere; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .75rem 0; font-size: .95rem; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
.not-executed, .has-errors { border-left: 4px solid var(--fail); background: #fff1f0; padding: .5rem .75rem; }
.intro { border-top: 1px solid var(--line); margin-top: 1rem; }
nav.up { font-size: .9rem; }
nav.toc { border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1rem; margin: 1rem 0; font-size: .95rem; }
nav.toc summary { cursor: pointer; font-weight: 600; }
nav.toc ul { list-style: none; padding-left: 0; margin: .5rem 0 0; }
nav.toc li.h2 { padding-left: 1rem; } nav.toc li.h3 { padding-left: 2rem; }
.cell { margin: 1rem 0; }
.cell.code .input { position: relative; }
.prompt { display: block; font: 12px/1.2 "` + CJKFamily + `", ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--muted); }
pre, code { font-family: "` + CJKFamily + `", ui-monospace, SFMono-Regular, Menlo, Consolas, "Noto Sans Mono CJK JP", monospace; font-size: .875rem; }
pre { overflow-x: auto; padding: .6rem .8rem; border-radius: 6px; margin: .25rem 0; }
.input pre.chroma { background: var(--bg-code); border: 1px solid var(--line); }
.outputs { border-left: 3px solid var(--line); padding-left: .5rem; margin-left: .1rem; }
.outputs pre { background: none; padding: .25rem .5rem; white-space: pre-wrap; overflow-wrap: anywhere; }
pre.stderr { background: #fff8e6; }
.error pre { background: #fff1f0; }
.outputs .html { overflow-x: auto; max-width: 100%; }
.outputs .dl4go-chart { max-width: 100%; }
.cell.markdown pre, .intro pre { background: var(--bg-code); border: 1px solid var(--line); }
.outputs img { max-width: 100%; height: auto; }
.outputs audio { width: 100%; max-width: 30rem; }
pre.raw-html { background: var(--bg-code); white-space: pre-wrap; }
table { border-collapse: collapse; margin: .5rem 0; display: block; overflow-x: auto; }
th, td { border: 1px solid var(--line); padding: .3rem .6rem; }
th { background: var(--bg-code); }
.markdown img { max-width: 100%; }
span.math.display { display: block; text-align: center; margin: .75rem 0; overflow-x: auto; overflow-y: hidden; }
span.math:not(:has(.katex)) { font-family: ui-monospace, monospace; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); padding-top: .5rem; }
table.lessons { display: table; width: 100%; }
table.lessons td.metric { overflow-wrap: anywhere; }
@media (max-width: 40rem) {
  body { padding: .5rem .75rem 2rem; font-size: 15px; }
  header.lesson h1 { font-size: 1.5rem; }
  dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin-bottom: .3rem; }
  table.lessons, table.lessons tbody, table.lessons tr, table.lessons td { display: block; width: 100%; }
  table.lessons thead { display: none; }
  table.lessons tr { border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0; padding: .25rem; }
  table.lessons td { border: none; padding: .15rem .5rem; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav.toc, nav.up, .prompt { display: none; }
  a { color: inherit; text-decoration: none; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; overflow: visible; }
  .cell, figure, img, table { break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; }
  .badge { border: 1px solid #000; color: #000 !important; background: none !important; }
  .outputs .html { overflow: visible; }
}
`
