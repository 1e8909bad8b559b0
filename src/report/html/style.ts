/**
 * The report's style sheet, inlined into the page (no network: the report
 * opens from file://). System fonts only; monospace for everything a kernel
 * developer would grep.
 */
export const STYLE = `
:root { --fg:#1d1f21; --muted:#666; --line:#d8d8d8; --bg:#fff; --panel:#f6f7f9; --bad:#b00020; --ok:#1b6e20;
  --chg:#fff2b3; --add:#d5f5d5; --del:#fbd5d5; --cur:#e3ecff; --mono: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 10px 18px; border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { font-size: 18px; margin: 0; }
header .sub { color: var(--muted); font-size: 13px; }
main { padding: 8px 18px 40px; }
h2 { font-size: 16px; margin: 18px 0 6px; }
code, .mono { font-family: var(--mono); font-size: 12px; }
table { border-collapse: collapse; }
#jobs th, #jobs td { border: 1px solid var(--line); padding: 3px 7px; font-size: 12px; text-align: left; white-space: nowrap; }
#matrix { width: 100%; table-layout: fixed; }
#matrix th, #matrix td { border: 1px solid var(--line); padding: 2px 4px; font-size: 11px; text-align: left; overflow-wrap: anywhere; vertical-align: top; }
#matrix thead th { font-size: 10.5px; }
#matrix th.rowhead { width: 15em; }
#matrix td small { display: block; font-weight: 400; color: var(--muted); }
#matrix-details summary { cursor: pointer; font-weight: 600; margin: 4px 0; }
#verdict { border-collapse: collapse; margin-top: 4px; }
#verdict td, #verdict th { padding: 2px 10px 2px 0; font: 12px var(--mono); text-align: left; vertical-align: top; }
#verdict tr.first td { border-top: 1px solid var(--line); padding-top: 5px; }
#verdict td.design { font-weight: 700; }
#verdict td.note { color: var(--muted); }
#verdict td.bad, #shared .bad { color: #c05800; font-weight: 700; }
#verdict a, #shared a { color: var(--bad); }
#shared { font: 12px var(--mono); background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 6px 10px; margin: 4px 0 8px; display: inline-block; }
#shared .title { font: 600 13px system-ui, sans-serif; margin-bottom: 3px; }
#matrix th { background: var(--panel); font-weight: 600; }
#matrix td.holds { color: var(--ok); }
#matrix td.broken { background: #fde8e8; color: var(--bad); font-weight: 600; }
#matrix td.na { color: #aaa; }
#matrix td.bad { outline: 2px solid #e08a00; outline-offset: -2px; }
#matrix a { color: inherit; }
.legend { color: var(--muted); font-size: 12px; margin: 4px 0; }
#violations { display: flex; flex-wrap: wrap; gap: 6px; margin: 6px 0; }
.violation-link { font: 12px var(--mono); border: 1px solid var(--line); background: #fff; border-radius: 4px; padding: 4px 8px; cursor: pointer; color: var(--bad); }
.violation-link.active { background: var(--cur); border-color: #7d9be0; }
.violation-link .meta { color: var(--muted); }
#viewer { border: 1px solid var(--line); border-radius: 6px; margin-top: 10px; display: none; }
#viewer.open { display: block; }
#vhead { padding: 8px 12px; border-bottom: 1px solid var(--line); background: var(--panel); }
#vhead .bug { color: var(--bad); font-weight: 700; font-family: var(--mono); }
#vhead .rule { margin: 4px 0; font-size: 13px; }
#vhead .msg { font-family: var(--mono); font-size: 12px; }
#vhead .meta { color: var(--muted); font-size: 12px; }
#nav { display: flex; align-items: center; gap: 8px; padding: 6px 12px; border-bottom: 1px solid var(--line); }
#nav button { font-size: 13px; padding: 2px 10px; }
#stepinfo { font-family: var(--mono); font-size: 13px; }
#nav .hint { color: var(--muted); font-size: 12px; margin-left: auto; }
#vbody { display: grid; grid-template-columns: minmax(0, 1.35fr) minmax(0, 1fr); }
#lanes-wrap { overflow: auto; max-height: 78vh; border-right: 1px solid var(--line); }
#lanes { min-width: 100%; }
#lanes th { position: sticky; top: 0; background: var(--panel); font: 600 12px var(--mono); padding: 4px 6px; border-bottom: 1px solid var(--line); text-align: left; z-index: 1; }
#lanes th.device { color: #6b3fa0; }
#lanes th.stepcol { width: 58px; }
#lanes td { vertical-align: top; border-bottom: 1px solid #eee; padding: 3px 6px; font: 11px/1.35 var(--mono); }
#lanes tr { cursor: pointer; }
#lanes tr.cur td { background: var(--cur); }
#lanes tr.future td { color: #999; }
#lanes td.stepname { color: var(--muted); white-space: nowrap; }
#lanes td.ran { border-left: 3px solid #7d9be0; }
.ev { margin: 1px 0; white-space: nowrap; }
.ev .fn { font-weight: 600; }
.ev .ret { color: #0b5cad; }
.ev.k-violation, .ev.k-warn { color: var(--bad); font-weight: 700; }
.ev.k-signal .fn { color: #a0157a; }
.ev.k-insert .fn { color: #1b6e20; }
.ev.k-zap .fn { color: #b04a00; }
.ev.k-device .fn { color: #6b3fa0; }
.ev.k-lock { color: #777; }
.at { color: var(--muted); font-style: italic; }
#state { overflow: auto; max-height: 78vh; padding: 6px 10px; }
#state h3 { font: 600 12px system-ui, sans-serif; margin: 8px 0 2px; color: var(--muted); text-transform: none; }
.sl { font: 11.5px/1.45 var(--mono); white-space: pre-wrap; padding: 0 4px; border-radius: 2px; }
.sl.chg { background: var(--chg); }
.sl.add { background: var(--add); }
.sl.del { background: var(--del); text-decoration: line-through; color: #8a3030; }
.sl.leaf.pmd, .sl.leaf.pud { font-weight: 700; }
.sl.leaf.nospecial { color: var(--bad); }
.sl.off { color: var(--bad); }
.sl .lv { display: inline-block; min-width: 2.6em; }
#changes { font-size: 12px; color: var(--muted); margin: 2px 0 6px; }
.chart { border: 1px solid var(--line); background: #fff; }
.chart text { font: 10px var(--mono); fill: #555; }
.chart polyline { fill: none; stroke-width: 1.5; }
.chart polyline.hl { stroke-width: 3.5; }
#plots { display: flex; gap: 12px; flex-wrap: wrap; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; }
#rules dt { font: 600 12px var(--mono); margin-top: 6px; }
#rules dd { margin: 0 0 0 16px; font-size: 13px; }
`;
