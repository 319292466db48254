/** The stylesheet of the pages, served from `/assets/agnes.css` (no inline styles: CSP). */
export const STYLES = String.raw`:root {
  --fg: #1b1f24; --muted: #57606a; --bg: #f6f8fa; --card: #fff; --line: #d0d7de;
  --accent: #0a58ca; --ok: #116329; --ok-bg: #dafbe1; --err: #a40e26; --err-bg: #ffebe9;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; line-height: 1.5; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #fb8c00; outline-offset: 2px; }
.skip-link { position: absolute; left: -999px; top: 0; background: var(--card); padding: .5rem 1rem; z-index: 10; }
.skip-link:focus { left: 1rem; }
.offscreen { position: absolute; left: -9999px; }
.app-header { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem 2rem; padding: .75rem 1.5rem; background: #24292f; color: #fff; }
.app-header a { color: #fff; text-decoration: none; }
.app-header a[aria-current="page"] { text-decoration: underline; text-underline-offset: 6px; }
.brand { font-weight: 700; font-size: 1.2rem; }
.app-header nav ul { display: flex; flex-wrap: wrap; gap: 1.25rem; list-style: none; margin: 0; padding: 0; }
.account { margin-left: auto; display: flex; align-items: center; gap: 1rem; }
.account .button.link { color: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 1.5rem; }
main:focus { outline: none; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .75rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; margin-bottom: 1rem; }
.stats { display: flex; flex-wrap: wrap; gap: 1rem; margin: 0 0 1rem; padding: 0; list-style: none; }
.stats li { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; min-width: 10rem; }
.stats strong { display: block; font-size: 1.3rem; }
table { border-collapse: collapse; width: 100%; background: var(--card); }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f4; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; }
.muted { color: var(--muted); }
.pill { display: inline-block; border-radius: 999px; padding: 0 .55rem; font-size: .8rem; margin-left: .4rem; background: #ddf4ff; color: #0a3069; border: 1px solid #54aeff; }
.pill.revoked, .pill.inactive, .pill.failed { background: var(--err-bg); color: var(--err); border-color: #ff8182; }
.pill.expired { background: #fff8c5; color: #7d4e00; border-color: #d4a72c; }
.pill.active, .pill.succeeded, .pill.ok { background: var(--ok-bg); color: var(--ok); border-color: #4ac26b; }
.notice { padding: .75rem 1rem; border-radius: 6px; border: 1px solid; }
.notice.ok { background: var(--ok-bg); color: var(--ok); }
.notice.error { background: var(--err-bg); color: var(--err); }
form.stack { display: grid; gap: .75rem; max-width: 28rem; }
form.row { display: flex; flex-wrap: wrap; align-items: end; gap: .75rem; }
form.inline { display: inline; }
label { display: grid; gap: .2rem; font-weight: 500; }
label.check { display: flex; align-items: center; gap: .4rem; }
input, select, textarea { font: inherit; padding: .4rem .5rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
textarea { width: 100%; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
.button, button { font: inherit; cursor: pointer; padding: .4rem .8rem; border-radius: 6px; border: 1px solid var(--line); background: #f3f4f6; color: var(--fg); }
.button.primary, button.primary { background: #1f883d; color: #fff; border-color: #1a7f37; }
.button.danger { color: var(--err); }
.button.link { background: none; border: none; padding: 0; text-decoration: underline; }
.actions { display: flex; flex-wrap: wrap; gap: .4rem; }
pre.code { background: #0d1117; color: #e6edf3; padding: .75rem 1rem; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.copy-row { display: flex; gap: .5rem; align-items: start; }
.copy-row pre { flex: 1; margin: 0; }
.secret { width: 100%; font-family: ui-monospace, monospace; }
details summary { cursor: pointer; }
.card > h2:first-child { margin-top: 0; }
`;
