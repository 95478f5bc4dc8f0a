/**
 * The one stylesheet, served from /static/dashboard.css (the Content-Security-Policy allows no
 * inline styles). System fonts, high contrast, a visible focus ring, no layout that needs JS.
 */
export const STYLESHEET = `
:root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; --accent: #0b57d0;
  --ok: #116329; --warn: #7d4e00; --bad: #a40e26; --focus: #f0b400; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible, main:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem 2rem; padding: .6rem 1.5rem;
  background: #24292f; color: #fff; }
header.top .brand { font-weight: 700; }
header.top nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; list-style: none; margin: 0; padding: 0; }
header.top nav a { color: #fff; text-decoration: none; padding: .2rem 0; border-bottom: 2px solid transparent; }
header.top nav a:hover { border-bottom-color: #8c959f; }
header.top nav a[aria-current="page"] { border-bottom-color: var(--focus); font-weight: 600; }
header.top form { margin-left: auto; }
main { max-width: 1200px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; padding-bottom: .25rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 1.25rem 0 .5rem; }
.muted { color: var(--muted); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: .25rem 0 1rem; font-size: .93rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
.anywhere { overflow-wrap: anywhere; }
thead th { background: var(--bg); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .88em; overflow-wrap: anywhere; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1.5rem; margin: .5rem 0 1rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-size: .85em; font-weight: 600;
  border: 1px solid currentColor; white-space: nowrap; }
.badge-ok { color: var(--ok); } .badge-warn { color: var(--warn); } .badge-bad { color: var(--bad); }
.badge-neutral { color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); gap: 1rem; margin: 1rem 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; background: var(--bg); }
.card .n { font-size: 1.8rem; font-weight: 700; display: block; }
.notice, .error { padding: .6rem 1rem; border-radius: 6px; margin: .5rem 0 1rem; border: 1px solid; }
.notice { background: #dafbe1; border-color: #4ac26b; }
.error { background: #ffebe9; border-color: #ff8182; }
.secret { background: #fff8c5; border: 1px solid #d4a72c; padding: .75rem 1rem; border-radius: 6px; }
form.inline { display: inline-block; margin: 0 .5rem .5rem 0; }
form.search { display: flex; flex-wrap: wrap; align-items: end; gap: .5rem 1rem; margin: .5rem 0 1rem; }
form.search label, form.stack label { display: block; font-weight: 600; margin-bottom: .2rem; }
form.search label.inline-label { display: inline; font-weight: 400; }
form.stack { max-width: 28rem; display: grid; gap: .75rem; }
input[type="text"], input[type="search"], input[type="email"], input[type="password"], input[type="datetime-local"], select {
  font: inherit; padding: .4rem .6rem; border: 1px solid #8c959f; border-radius: 6px; min-width: 16rem; max-width: 100%; }
button { white-space: nowrap; font: inherit; padding: .4rem .9rem; border-radius: 6px; border: 1px solid #8c959f; background: #fff; cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
header.top button { background: transparent; color: #fff; border-color: #8c959f; }
fieldset { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; margin: 1rem 0; }
legend { font-weight: 600; padding: 0 .25rem; }
details > summary { cursor: pointer; }
ul.plain { list-style: none; margin: 0; padding: 0; }
pre { background: var(--bg); border: 1px solid var(--line); padding: .75rem; overflow-x: auto; font-size: .85rem; }
.login { max-width: 26rem; margin: 4rem auto; }
`;
