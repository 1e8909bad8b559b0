/**
 * The report's page script: a small vanilla-JS viewer over the data that
 * page.ts inlines as JSON (no framework, no bundle, no network). It draws the
 * matrix, the search plot and, for the chosen violation, the lanes along the
 * steps and the state at the current step with what the step changed
 * highlighted (a diff of the two snapshots by line key). ← and → step, Home
 * and End jump; the URL hash `#v=<trace>&s=<step>` is a permalink to a step
 * and is restored on load.
 *
 * Kept as a string: it runs in the browser, not in Node. It is written in
 * ES2017 without template literals so it can sit in this TypeScript string.
 */
export const VIEWER = String.raw`
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('barmap-data').textContent);
  var items = D.items.map(function (j) { return JSON.parse(j); });
  var cur = { trace: null, step: 0 };

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'cls') e.className = attrs[k];
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (c) { if (c != null) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function $(id) { return document.getElementById(id); }
  function traceById(id) { for (var i = 0; i < D.traces.length; i++) if (D.traces[i].id === id) return D.traces[i]; return null; }
  function docLink(name) { void name; return D.docs || null; }

  /* ---------- verdict per design (the first view) ---------- */
  function lengthText(f) {
    function n(x) { return x === 0 ? 'setup' : String(x); }
    return f.min === f.max ? n(f.min) : n(f.min) + '-' + f.max;
  }
  /* The trace of a finding: on the archs it names (or any), the first the report holds. */
  function findingTrace(design, f) {
    var archs = f.archs.length ? f.archs : D.verdict.archs;
    for (var i = 0; i < archs.length; i++) {
      var id = [f.scenario, design, archs[i], f.invariant].map(function (x) { return x.replace(/[^A-Za-z0-9_.-]+/g, '_'); }).join('--');
      var tr = traceById(id);
      if (tr) return tr;
    }
    return null;
  }
  function findingNode(design, f) {
    var tr = findingTrace(design, f);
    var text = f.invariant;
    return tr ? el('a', { href: '#v=' + tr.id + '&s=' + (tr.steps.length - 1), 'data-trace': tr.id, text: text }) : text;
  }
  function drawVerdict() {
    var v = D.verdict;
    if (!v) return;
    $('verdict-sec').style.display = '';
    if (v.shared.length) {
      var box = $('shared');
      box.appendChild(el('div', { cls: 'title', text: 'Every design breaks (the same on each, so it does not tell them apart):' }));
      v.shared.forEach(function (f) {
        box.appendChild(el('div', null, [findingNode(v.designs[0].design, f), '  ' + lengthText(f) + '  ' + f.scenario + (f.archs.length ? '  on ' + f.archs.join(', ') : ''),
          f.ok ? null : el('span', { cls: 'bad', text: ' !' })]));
      });
    } else $('shared').style.display = 'none';
    var t = $('verdict');
    t.appendChild(el('thead', null, [el('tr', null, ['design', v.shared.length ? 'breaks (beyond what every design breaks)' : 'breaks', 'shortest', 'scenario', 'arch profiles', ''].map(function (h) { return el('th', { text: h }); }))]));
    var body = el('tbody');
    var seen = {};
    v.designs.forEach(function (d) {
      var sig = JSON.stringify([d.breaks, d.missing, d.failed, d.notRun, d.incomplete]);
      var rows = [];
      if (seen[sig] && d.breaks.length) rows.push([el('td', { cls: 'note', colspan: 5, text: 'the same as ' + seen[sig] })]);
      else {
        seen[sig] = d.design;
        if (!d.breaks.length) rows.push([el('td', { cls: 'note', colspan: 5, text: D.holdsWord || 'nothing else (every other invariant holds to the bound)' })]);
        d.breaks.forEach(function (f) {
          rows.push([el('td', null, [findingNode(d.design, f)]), el('td', { text: lengthText(f) }), el('td', { text: f.scenario }),
            el('td', { text: f.archs.length ? f.archs.join(', ') : 'all' }), el('td', { cls: f.ok ? '' : 'bad', text: f.ok ? '' : '!' })]);
        });
        d.missing.forEach(function (m) { rows.push([el('td', { cls: 'bad', colspan: 5, text: '! ' + m })]); });
        if (d.failed.length) rows.push([el('td', { cls: 'bad', colspan: 5, text: '! failed: ' + d.failed.join(', ') })]);
        if (d.notRun.length) rows.push([el('td', { cls: 'bad', colspan: 5, text: '* not run: ' + d.notRun.join(', ') })]);
        if (d.incomplete.length) rows.push([el('td', { cls: 'bad', colspan: 5, text: '* search cut short: ' + d.incomplete.join(', ') })]);
      }
      rows.forEach(function (cells, i) {
        body.appendChild(el('tr', { cls: i === 0 ? 'first' : '', 'data-design': d.design }, [el('td', { cls: 'design', text: i === 0 ? d.design : '' })].concat(cells)));
      });
    });
    t.appendChild(body);
  }

  /* ---------- matrix: one row per design/arch, one column per invariant, so it fits the page ---------- */
  function drawMatrix() {
    if (!D.matrix) return;
    var m = D.matrix;
    var sec = $('matrix-sec'); sec.style.display = '';
    var head = el('tr', null, [el('th', { cls: 'rowhead', text: 'design/arch' })].concat(m.rows.map(function (inv) {
      return el('th', null, [el('a', { href: '#rule-' + inv, title: D.rules[inv] || '', text: inv })]);
    })));
    var rows = m.columns.map(function (col, ci) {
      return el('tr', null, [el('th', { cls: 'rowhead', text: col })].concat(m.rows.map(function (inv, r) {
        var c = m.cells[r][ci];
        var cls = c.s === 'n/a' ? 'na' : c.s === 'not run' ? 'na' : c.s;
        if (c.bad) cls += ' bad';
        var text = (c.s === 'broken' ? 'broken ' + c.n : c.s === 'holds' ? (D.holdsWord ? 'not found' : 'holds') : c.s) + (c.inc ? '*' : '') + (c.bad ? ' !' : '');
        var td = el('td', { cls: cls, title: c.sc ? c.sc : '' });
        var kids = [c.tr ? el('a', { href: '#v=' + c.tr + '&s=' + c.n, text: text, 'data-trace': c.tr }) : text];
        if (c.sc) kids.push(el('small', { text: c.sc }));
        kids.forEach(function (k) { td.appendChild(typeof k === 'string' ? document.createTextNode(k) : k); });
        return td;
      })));
    });
    $('matrix').appendChild(el('thead', null, [head]));
    $('matrix').appendChild(el('tbody', null, rows));
  }

  /* ---------- search plot ---------- */
  var PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
  function fmt(n) { return n >= 1e6 ? (n / 1e6).toFixed(1) + 'M' : n >= 1e3 ? (n / 1e3).toFixed(n >= 1e4 ? 0 : 1) + 'k' : String(n); }
  function chart(title, col, jobs) {
    var W = 430, H = 210, L = 46, B = 26, T = 18, R = 10;
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', W); svg.setAttribute('height', H); svg.setAttribute('class', 'chart');
    var maxX = 1, maxY = 1;
    jobs.forEach(function (j) { j.samples.forEach(function (s) { maxX = Math.max(maxX, s[0]); maxY = Math.max(maxY, s[col]); }); });
    function t(x, y, s, anchor) { var e = document.createElementNS(ns, 'text'); e.setAttribute('x', x); e.setAttribute('y', y); if (anchor) e.setAttribute('text-anchor', anchor); e.textContent = s; svg.appendChild(e); }
    function line(x1, y1, x2, y2) { var e = document.createElementNS(ns, 'line'); e.setAttribute('x1', x1); e.setAttribute('y1', y1); e.setAttribute('x2', x2); e.setAttribute('y2', y2); e.setAttribute('stroke', '#bbb'); svg.appendChild(e); }
    line(L, H - B, W - R, H - B); line(L, T, L, H - B);
    t(W / 2, 12, title, 'middle');
    t(L - 4, H - B, '0', 'end'); t(L - 4, T + 8, fmt(maxY), 'end');
    t(L, H - 8, '0 s'); t(W - R, H - 8, (maxX / 1000).toFixed(maxX < 10000 ? 1 : 0) + ' s', 'end');
    jobs.forEach(function (j, i) {
      var p = document.createElementNS(ns, 'polyline');
      p.setAttribute('points', j.samples.map(function (s) {
        return (L + (s[0] / maxX) * (W - L - R)).toFixed(1) + ',' + (H - B - (s[col] / maxY) * (H - B - T)).toFixed(1);
      }).join(' '));
      p.setAttribute('stroke', PALETTE[i % PALETTE.length]);
      p.setAttribute('data-job', i);
      var tt = document.createElementNS(ns, 'title'); tt.textContent = j.scenario + ' ' + j.design + '/' + j.arch; p.appendChild(tt);
      svg.appendChild(p);
    });
    return svg;
  }
  function highlightJob(i, on) {
    Array.prototype.forEach.call(document.querySelectorAll('polyline[data-job="' + i + '"]'), function (p) { p.classList.toggle('hl', on); });
  }
  function drawJobs() {
    if (!D.jobs || !D.jobs.length) return;
    $('jobs-sec').style.display = '';
    $('plots').appendChild(chart('distinct states over time', 1, D.jobs));
    $('plots').appendChild(chart('BFS depth (transitions) over time', 2, D.jobs));
    var head = el('tr', null, ['', 'scenario', 'design/arch', 'states', 'depth', 'time', 'found'].map(function (h) { return el('th', { text: h }); }));
    var rows = D.jobs.map(function (j, i) {
      return el('tr', { onmouseenter: function () { highlightJob(i, true); }, onmouseleave: function () { highlightJob(i, false); } }, [
        el('td', null, [el('span', { cls: 'swatch', style: 'background:' + PALETTE[i % PALETTE.length] })]),
        el('td', { text: j.scenario }), el('td', { text: j.design + '/' + j.arch }),
        el('td', { text: j.states.toLocaleString('en') + (j.complete ? '' : '*') }), el('td', { text: String(j.depth) }),
        el('td', { text: (j.ms / 1000).toFixed(2) + ' s' }), el('td', { text: j.found.join(', ') || '-' })]);
    });
    $('jobs').appendChild(el('thead', null, [head]));
    $('jobs').appendChild(el('tbody', null, rows));
  }

  /* ---------- violations list ---------- */
  function drawList() {
    var box = $('violations');
    if (!D.traces.length) { box.appendChild(el('span', { cls: 'legend', text: 'no violation: every invariant held to the bound' })); return; }
    D.traces.forEach(function (tr) {
      box.appendChild(el('button', { cls: 'violation-link', 'data-trace': tr.id, onclick: function () { open(tr.id, tr.steps.length - 1, true); } }, [
        tr.invariant || tr.title, el('span', { cls: 'meta', text: '  ' + tr.scenario + ' · ' + tr.design + '/' + tr.arch + ' · ' + (tr.steps.length - 1) + ' steps' })]));
    });
  }

  /* ---------- the trace viewer ---------- */
  function usedLanes(tr) {
    var used = tr.lanes.map(function (l) { return l.kind !== 'kernel'; });
    tr.steps.forEach(function (s) { s.ev.forEach(function (e) { used[e.l] = true; }); });
    return tr.lanes.map(function (l, i) { return used[i] ? i : -1; }).filter(function (i) { return i >= 0; });
  }
  function evNode(e) {
    return el('div', { cls: 'ev k-' + e.k }, [el('span', { cls: 'fn', text: e.f + ':' }), e.a ? ' ' + e.a : '', e.r !== undefined ? el('span', { cls: 'ret', text: ' -> ' + e.r }) : null]);
  }
  function open(id, step, push) {
    var tr = traceById(id);
    if (!tr) return;
    var fresh = cur.trace !== tr;
    cur.trace = tr;
    Array.prototype.forEach.call(document.querySelectorAll('.violation-link'), function (b) { b.classList.toggle('active', b.getAttribute('data-trace') === id); });
    if (fresh) drawTrace(tr);
    $('viewer').classList.add('open');
    go(step, push);
    if (fresh && $('viewer').scrollIntoView) $('viewer').scrollIntoView({ block: 'start' });
  }
  function drawTrace(tr) {
    var h = $('vhead'); h.textContent = '';
    h.appendChild(el('div', { cls: 'bug', text: tr.invariant ? 'BUG: ' + tr.invariant + ' in ' + tr.scenario : tr.title }));
    if (tr.invariant && D.rules[tr.invariant]) {
      var link = docLink(tr.invariant);
      h.appendChild(el('div', { cls: 'rule' }, ['rule: ' + D.rules[tr.invariant] + ' ', link ? el('a', { href: link, id: 'rule-link', target: '_blank', text: '(docs/invariants.md)' }) : null]));
    }
    if (tr.message) h.appendChild(el('div', { cls: 'msg', text: 'broken: ' + tr.message }));
    h.appendChild(el('div', { cls: 'meta', text: 'design ' + tr.design + ' · arch ' + tr.arch + (tr.defects.length ? ' · defects ' + tr.defects.join(',') : '') +
      (tr.file ? ' · barmap replay ' + tr.file : '') + (tr.reproduced === false ? ' · DOES NOT REPRODUCE' : '') }));
    var lanes = usedLanes(tr);
    var t = $('lanes'); t.textContent = '';
    t.appendChild(el('thead', null, [el('tr', null, [el('th', { cls: 'stepcol', text: 'step' })].concat(lanes.map(function (i) {
      return el('th', { cls: 'lane ' + tr.lanes[i].kind, 'data-lane': tr.lanes[i].name, text: tr.lanes[i].name });
    })))]));
    var body = el('tbody');
    tr.steps.forEach(function (s, si) {
      var row = el('tr', { 'data-step': si, onclick: function () { go(si, true); } }, [el('td', { cls: 'stepname', text: s.n })]);
      lanes.forEach(function (li) {
        var td = el('td', { 'data-lane': tr.lanes[li].name });
        if (s.l === li) { td.classList.add('ran'); td.appendChild(el('div', { cls: 'at', text: s.at })); }
        s.ev.forEach(function (e) { if (e.l === li) td.appendChild(evNode(e)); });
        row.appendChild(td);
      });
      body.appendChild(row);
    });
    t.appendChild(body);
  }
  function go(step, push) {
    var tr = cur.trace;
    if (!tr) return;
    step = Math.max(0, Math.min(tr.steps.length - 1, step));
    cur.step = step;
    var s = tr.steps[step];
    Array.prototype.forEach.call($('lanes').querySelectorAll('tbody tr'), function (r, i) {
      r.classList.toggle('cur', i === step);
      r.classList.toggle('future', i > step);
    });
    var row = $('lanes').querySelector('tbody tr.cur');
    if (row && row.scrollIntoView) row.scrollIntoView({ block: 'nearest' });
    $('stepinfo').textContent = s.n + ' · ' + (s.l >= 0 ? tr.lanes[s.l].name + ' ' : '') + s.at +
      (s.bug ? ' · BUG: ' + s.bug.join(', ') : '') + '   (' + step + '/' + (tr.steps.length - 1) + ')';
    $('stepinfo').setAttribute('data-step', String(step));
    drawState(tr, step);
    var hash = '#v=' + tr.id + '&s=' + step;
    if (location.hash !== hash) { if (push) history.pushState(null, '', hash); else history.replaceState(null, '', hash); }
  }
  function drawState(tr, step) {
    var now = tr.steps[step].st, before = step > 0 ? tr.steps[step - 1].st : null;
    var prevByKey = {}, nowKeys = {};
    if (before) before.forEach(function (i) { prevByKey[items[i].k] = i; });
    now.forEach(function (i) { nowKeys[items[i].k] = true; });
    var box = $('state'); box.textContent = '';
    var nChg = 0, nAdd = 0, nDel = 0;
    var lines = now.map(function (i) {
      var it = items[i], mark = '';
      if (before) { if (!(it.k in prevByKey)) { mark = 'add'; nAdd++; } else if (prevByKey[it.k] !== i) { mark = 'chg'; nChg++; } }
      return { it: it, mark: mark };
    });
    if (before) {
      /* a removed line goes where it was: after the nearest line before it that is still there */
      var anchored = {}, anchor = '';
      before.forEach(function (i) {
        var k = items[i].k;
        if (nowKeys[k]) { anchor = k; return; }
        (anchored[anchor] = anchored[anchor] || []).push({ it: items[i], mark: 'del' });
        nDel++;
      });
      var merged = (anchored[''] || []).slice();
      lines.forEach(function (l) { merged.push(l); (anchored[l.it.k] || []).forEach(function (d) { merged.push(d); }); });
      lines = merged;
    }
    box.appendChild(el('div', { id: 'changes', text: before ? 'this step changed ' + nChg + ', added ' + nAdd + ', removed ' + nDel + ' line(s) of the state' : 'the state after the setup' }));
    var order = [];
    var bySec = {};
    lines.forEach(function (l) { if (!bySec[l.it.s]) { bySec[l.it.s] = []; order.push(l.it.s); } bySec[l.it.s].push(l); });
    order.forEach(function (sec) {
      box.appendChild(el('h3', { text: sec }));
      bySec[sec].forEach(function (l) {
        var cls = 'sl ' + (l.it.c || '') + (l.mark ? ' ' + l.mark : '');
        box.appendChild(el('div', { cls: cls, 'data-key': l.it.k, style: 'padding-left:' + (4 + l.it.d * 16) + 'px', text: l.it.t }));
      });
    });
  }
  function fromHash() {
    var m = /^#v=([^&]+)&s=(\d+)$/.exec(location.hash);
    if (m) { open(decodeURIComponent(m[1]), Number(m[2]), false); return true; }
    var r = /^#rule-(.+)$/.exec(location.hash);
    return !!r;
  }
  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (!cur.trace) {
      /* nothing open yet: the step keys open the first violation at its first or last step */
      if (!D.traces.length || ['ArrowRight', 'ArrowLeft', 'j', 'k', 'Home', 'End'].indexOf(e.key) < 0) return;
      var first = D.traces[0];
      open(first.id, e.key === 'End' || e.key === 'ArrowLeft' || e.key === 'k' ? first.steps.length - 1 : 0, true);
      e.preventDefault();
      return;
    }
    if (e.key === 'ArrowRight' || e.key === 'j') { go(cur.step + 1, false); e.preventDefault(); }
    else if (e.key === 'ArrowLeft' || e.key === 'k') { go(cur.step - 1, false); e.preventDefault(); }
    else if (e.key === 'Home') { go(0, false); e.preventDefault(); }
    else if (e.key === 'End') { go(cur.trace.steps.length - 1, false); e.preventDefault(); }
  });
  window.addEventListener('hashchange', fromHash);
  function drawRules() {
    var dl = $('rules');
    Object.keys(D.rules).forEach(function (n) {
      var link = docLink(n);
      dl.appendChild(el('dt', { id: 'rule-' + n }, [n + ' ', link ? el('a', { href: link, target: '_blank', text: '(docs)' }) : null]));
      dl.appendChild(el('dd', { text: D.rules[n] }));
    });
  }

  $('prev').addEventListener('click', function () { go(cur.step - 1, false); });
  $('next').addEventListener('click', function () { go(cur.step + 1, false); });
  drawVerdict();
  drawMatrix();
  drawJobs();
  drawList();
  drawRules();
  if (!fromHash() && D.kind !== 'check' && D.traces.length) open(D.traces[0].id, 0, false);
})();
`;
