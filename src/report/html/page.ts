/**
 * One self-contained HTML page: the style, the data as inline JSON and the
 * viewer script. Nothing is fetched, so the file opens from file:// and can
 * be mailed or attached to a bug.
 */
import type { ReportData } from './data.js';
import { STYLE } from './style.js';
import { VIEWER } from './viewer.js';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON that is safe inside a <script> element. */
function inlineJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The report page. */
export function renderPage(d: ReportData): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(d.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${esc(d.title)}</h1><div class="sub">${esc(d.subtitle)}</div></header>
<main>
<section id="verdict-sec" style="display:none">
<h2>Verdict per design</h2>
<div class="legend">what each design breaks: the invariant, the shortest trace in transitions (<i>setup</i>: the setup itself breaks it), the scenario, and the arch profiles when not all; click one to open its trace · ! not as the scenario expects · * not run or cut short</div>
<div id="shared"></div>
<table id="verdict"></table>
</section>
<section id="matrix-sec" style="display:none">
<details id="matrix-details"><summary>Full matrix: design/arch × invariant</summary>
<div class="legend">holds = holds to the bound · broken N = the shortest trace breaking it has N transitions (its scenario below; click to open it) · * incomplete search or job not run · ! not as the scenario expects</div>
<table id="matrix"></table>
</details>
</section>
<section id="jobs-sec" style="display:none">
<h2>The search</h2>
<div id="plots"></div>
<table id="jobs"></table>
</section>
<section>
<h2>${d.kind === 'check' ? 'Violations' : 'Trace'}</h2>
<div id="violations"></div>
<div id="viewer">
<div id="vhead"></div>
<div id="nav"><button id="prev" title="previous step (←)">← prev</button><button id="next" title="next step (→)">next →</button><span id="stepinfo"></span><span class="hint">← → step · Home/End · the URL is a permalink to this step</span></div>
<div id="vbody"><div id="lanes-wrap"><table id="lanes"></table></div><div id="state"></div></div>
</div>
</section>
<section>
<h2>Invariants</h2>
<dl id="rules"></dl>
</section>
</main>
<script type="application/json" id="barmap-data">${inlineJson(d)}</script>
<script>${VIEWER}</script>
</body>
</html>
`;
}
