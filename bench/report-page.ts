/** bench/results/report.html: one self-contained page (inline SVG, no scripts) from latest.json. */
import { escapeHtml, histogramSvg, scatterSvg, stripSvg } from './plots.js';
import type { LatestJson } from './report.js';
import type { SyncTransportResult } from './sync.js';

const COLORS: Record<string, string> = { webrtc: '#1f6fd1', mse: '#d1711f' };
/** DESIGN.md budgets. */
const BUDGET = { latencyP95Ms: { webrtc: 80, mse: 100 } as Record<string, number>, avOffsetAbsP95Ms: 20, firstFrameMs: { webrtc: 500, mse: 300 } as Record<string, number> };

function colorOf(transport: string): string {
  return COLORS[transport] ?? '#555';
}

function table(rows: string[][]): string {
  const [head, ...body] = rows;
  const cells = (row: string[], tag: string) => `<tr>${row.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
  return `<table>${head ? cells(head, 'th') : ''}${body.map((r) => cells(r, 'td')).join('')}</table>`;
}

function latencySection(transports: SyncTransportResult[]): string {
  const withG2g = transports.filter((t) => t.glassToGlass);
  if (withG2g.length === 0) {
    return `<p>Not measured: ${escapeHtml(transports.map((t) => `${t.transport}: ${t.glassToGlassMissing ?? 'no data'}`).join('; '))}.</p>`;
  }
  return withG2g
    .map((t) => {
      const g = t.glassToGlass!;
      const series = [{ label: `${t.transport} measured`, color: colorOf(t.transport), histogram: g.histogram }];
      if (g.playerHistogram) series.push({ label: `player's getStats()`, color: '#888', histogram: g.playerHistogram });
      const budget = BUDGET.latencyP95Ms[t.transport];
      return `<h3>${t.transport}</h3>${histogramSvg(series, 'glass-to-glass, ms (display time − server send time of that frame)', budget ? [{ at: budget, label: `p95 budget ${budget} ms` }] : [])}`;
    })
    .join('');
}

function fixed(value: number): string {
  return Number.isFinite(value) ? value.toFixed(1) : '–';
}

function avOffsetTable(transports: SyncTransportResult[]): string {
  const rows = [['path', 'pairs', 'median', 'p5', 'p95', '|p95|', 'splices |p95|', 'at the tap: median', '|p95|', 'render-ahead', 'splice flashes without beep', 'audio tap']];
  for (const t of transports) {
    const a = t.avOffset;
    rows.push([t.transport, String(a.all.n), fixed(a.all.median), fixed(a.all.p5), fixed(a.all.p95), fixed(a.all.absP95), fixed(a.splices.absP95), fixed(a.atTap.median), fixed(a.atTap.absP95), fixed(a.renderAhead.median), String(a.unpairedSpliceFlashes), t.audio.source]);
  }
  return table(rows);
}

function avOffsetSection(transports: SyncTransportResult[]): string {
  const series = transports.map((t) => ({
    label: t.transport,
    color: colorOf(t.transport),
    points: t.avOffset.pairs.map((p) => ({ x: p.atS, y: p.offsetMs, marked: p.splice })),
  }));
  const splices = transports.map((t) => ({ label: t.transport, color: colorOf(t.transport), points: t.avOffset.pairs.filter((p) => p.splice).map((p, i) => ({ x: i + 1, y: p.offsetMs, marked: true })) }));
  return (
    avOffsetTable(transports) +
    `<h3>Every flash/beep pair (filled: a splice, the flash is a clip's first frame)</h3>` +
    scatterSvg(series, 's since the first frame', 'video − audio, ms', [-BUDGET.avOffsetAbsP95Ms, BUDGET.avOffsetAbsP95Ms]) +
    `<h3>Per splice</h3>` +
    scatterSvg(splices, 'splice number', 'video − audio, ms', [-BUDGET.avOffsetAbsP95Ms, BUDGET.avOffsetAbsP95Ms])
  );
}

function firstFrameSection(latest: LatestJson): string {
  const groups = (['webrtc', 'mse'] as const).flatMap((t) => {
    const runs = latest[t]?.firstFrame.runs;
    return runs ? [{ label: t, color: colorOf(t), values: runs.map((r) => r.elementMs) }] : [];
  });
  if (groups.length === 0) return '<p>Not in this run (BENCH_ONLY).</p>';
  return stripSvg(groups, "ms from connect() to the element's firstframe event", [
    { at: BUDGET.firstFrameMs['mse']!, label: 'mse 300' },
    { at: BUDGET.firstFrameMs['webrtc']!, label: 'webrtc 500' },
  ]);
}

export function reportPage(latest: LatestJson, summaryRows: string[][]): string {
  const transports = latest.sync?.transports ?? [];
  const dates = Object.entries(latest.dates ?? {}).map(([k, v]) => `${k}: ${v}`).join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>avatar-player bench</title>
<style>body{font:14px sans-serif;max-width:60em;margin:1em auto;padding:0 1em}table{border-collapse:collapse}td,th{padding:2px 8px;text-align:right;border-bottom:1px solid #eee}td:first-child,th:first-child{text-align:left}svg{display:block;margin:.5em 0 1.5em}</style>
</head><body>
<h1>avatar-player bench</h1>
<p>Written ${escapeHtml(latest.date)}; sections measured: ${escapeHtml(dates || 'unknown')}. ${latest.sync ? `Sync runs: ${latest.sync.seconds} s per path; clock: ${escapeHtml(latest.sync.clock)}; send log: ${escapeHtml(latest.sync.sendLog)}.` : ''}</p>
<h2>Glass-to-glass latency per path</h2>
<p>Every displayed frame's burned-in code (clip, frame) matched with the server's send time of that frame. Budget (DESIGN.md): p95 ≤ 80 ms WebRTC, ≤ 100 ms MSE. Grey: the player's own figure at the same frames; it should agree within a frame (40 ms).</p>
${latencySection(transports)}
<h2>A/V offset</h2>
<p>Flash (displayed frame) minus beep (audio output), ms; positive: the picture is late. Budget: |p95| ≤ 20 ms on every path, splices included (green band).</p>
${avOffsetSection(transports)}
<h2>First frame</h2>
${firstFrameSection(latest)}
<h2>Summary</h2>
${table(summaryRows)}
</body></html>
`;
}
