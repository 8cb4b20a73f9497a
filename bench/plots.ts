/** Inline SVG plots for bench/results/report.html: no dependencies, plain strings. Pure. */

const SIZE = { width: 640, height: 240, left: 56, right: 16, top: 16, bottom: 40 };

export interface Histogram {
  from: number;
  width: number;
  counts: number[];
}

export interface Guide {
  /** A vertical (x) or horizontal (y) reference line, e.g. a budget. */
  at: number;
  label: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Scale {
  (value: number): number;
  ticks: number[];
}

function scale(min: number, max: number, from: number, to: number): Scale {
  const span = max - min || 1;
  const map = ((value: number) => from + ((value - min) / span) * (to - from)) as Scale;
  const step = niceStep(span / 6);
  map.ticks = [];
  for (let t = Math.ceil(min / step) * step, i = 0; t <= max + 1e-9 && i < 50; t += step, i++) map.ticks.push(Number(t.toFixed(6)));
  return map;
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

function frame(x: Scale, y: Scale, xLabel: string, yLabel: string): string {
  const { width, height, left, right, top, bottom } = SIZE;
  const parts = [`<rect x="${left}" y="${top}" width="${width - left - right}" height="${height - top - bottom}" fill="none" stroke="#999"/>`];
  for (const t of x.ticks) parts.push(`<text x="${x(t)}" y="${height - bottom + 14}" text-anchor="middle">${t}</text>`);
  for (const t of y.ticks) parts.push(`<text x="${left - 4}" y="${y(t) + 4}" text-anchor="end">${t}</text>`);
  parts.push(`<text x="${(left + width - right) / 2}" y="${height - 6}" text-anchor="middle">${escapeHtml(xLabel)}</text>`);
  parts.push(`<text transform="translate(12 ${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(yLabel)}</text>`);
  return parts.join('');
}

function svg(body: string, legend: { label: string; color: string }[]): string {
  const keys = legend
    .map((l, i) => `<rect x="${SIZE.left + 8 + i * 150}" y="${SIZE.top + 6}" width="10" height="10" fill="${l.color}"/><text x="${SIZE.left + 22 + i * 150}" y="${SIZE.top + 15}">${escapeHtml(l.label)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${SIZE.width} ${SIZE.height}" width="${SIZE.width}" height="${SIZE.height}" font-family="sans-serif" font-size="11">${body}${keys}</svg>`;
}

function guides(xGuides: Guide[], x: Scale, top: number, bottom: number): string {
  return xGuides
    .map((g) => {
      // Labels on the right half go left of their line, so that none runs off the plot.
      const right = x(g.at) > SIZE.width / 2;
      const label = `<text x="${x(g.at) + (right ? -3 : 3)}" y="${top + 28}" fill="#c00" text-anchor="${right ? 'end' : 'start'}">${escapeHtml(g.label)}</text>`;
      return `<line x1="${x(g.at)}" x2="${x(g.at)}" y1="${top}" y2="${bottom}" stroke="#c00" stroke-dasharray="4 3"/>${label}`;
    })
    .join('');
}

/** Overlaid histograms (counts as a share of each series, so series of different sizes compare). */
export function histogramSvg(series: { label: string; color: string; histogram: Histogram }[], xLabel: string, xGuides: Guide[] = []): string {
  const shown = series.filter((s) => s.histogram.counts.length > 0);
  if (shown.length === 0) return '<p>no data</p>';
  const min = Math.min(...shown.map((s) => s.histogram.from), ...xGuides.map((g) => g.at));
  const max = Math.max(...shown.map((s) => s.histogram.from + s.histogram.counts.length * s.histogram.width), ...xGuides.map((g) => g.at));
  const shares = shown.map((s) => {
    const total = s.histogram.counts.reduce((a, b) => a + b, 0) || 1;
    return s.histogram.counts.map((c) => (100 * c) / total);
  });
  const x = scale(min, max, SIZE.left, SIZE.width - SIZE.right);
  const y = scale(0, Math.max(...shares.flat()), SIZE.height - SIZE.bottom, SIZE.top);
  const bars = shown.flatMap((s, i) =>
    shares[i]!.map((share, b) => {
      const x0 = x(s.histogram.from + b * s.histogram.width);
      const x1 = x(s.histogram.from + (b + 1) * s.histogram.width);
      return share > 0 ? `<rect x="${x0}" y="${y(share)}" width="${Math.max(1, x1 - x0 - 1)}" height="${y(0) - y(share)}" fill="${s.color}" fill-opacity="0.6"/>` : '';
    }),
  );
  return svg(frame(x, y, xLabel, '% of frames') + bars.join('') + guides(xGuides, x, SIZE.top, SIZE.height - SIZE.bottom), shown);
}

export interface Point {
  x: number;
  y: number;
  /** Drawn filled (e.g. a splice); others hollow. */
  marked: boolean;
}

/** Points over time; a shaded band (e.g. the ±20 ms budget) behind them. */
export function scatterSvg(series: { label: string; color: string; points: Point[] }[], xLabel: string, yLabel: string, band?: [number, number]): string {
  const points = series.flatMap((s) => s.points);
  if (points.length === 0) return '<p>no data</p>';
  const ys = [...points.map((p) => p.y), ...(band ?? [])];
  const x = scale(Math.min(0, ...points.map((p) => p.x)), Math.max(...points.map((p) => p.x)), SIZE.left, SIZE.width - SIZE.right);
  const y = scale(Math.min(...ys), Math.max(...ys), SIZE.height - SIZE.bottom, SIZE.top);
  const shade = band ? `<rect x="${SIZE.left}" y="${y(band[1])}" width="${SIZE.width - SIZE.left - SIZE.right}" height="${y(band[0]) - y(band[1])}" fill="#0a0" fill-opacity="0.08"/>` : '';
  const dots = series.flatMap((s) =>
    s.points.map((p) => `<circle cx="${x(p.x)}" cy="${y(p.y)}" r="3" stroke="${s.color}" fill="${p.marked ? s.color : 'none'}"><title>${p.x.toFixed(2)} s: ${p.y.toFixed(1)}</title></circle>`),
  );
  return svg(shade + frame(x, y, xLabel, yLabel) + dots.join(''), series);
}

/** One row of dots per group (e.g. first-frame runs per path). */
export function stripSvg(groups: { label: string; color: string; values: number[] }[], xLabel: string, xGuides: Guide[] = []): string {
  const shown = groups.filter((g) => g.values.length > 0);
  if (shown.length === 0) return '<p>no data</p>';
  const all = [...shown.flatMap((g) => g.values), ...xGuides.map((g) => g.at)];
  const x = scale(0, Math.max(...all), SIZE.left + 60, SIZE.width - SIZE.right);
  const rowHeight = (SIZE.height - SIZE.top - SIZE.bottom) / shown.length;
  const rows = shown.map((g, i) => {
    const cy = SIZE.top + rowHeight * (i + 0.5);
    const dots = g.values.map((v) => `<circle cx="${x(v)}" cy="${cy}" r="4" fill="${g.color}" fill-opacity="0.7"><title>${v.toFixed(0)}</title></circle>`).join('');
    return `<text x="${SIZE.left + 54}" y="${cy + 4}" text-anchor="end">${escapeHtml(g.label)}</text>${dots}`;
  });
  const axis = x.ticks.map((t) => `<text x="${x(t)}" y="${SIZE.height - SIZE.bottom + 14}" text-anchor="middle">${t}</text>`).join('');
  const label = `<text x="${(SIZE.left + SIZE.width) / 2}" y="${SIZE.height - 6}" text-anchor="middle">${escapeHtml(xLabel)}</text>`;
  return svg(rows.join('') + axis + label + guides(xGuides, x, SIZE.top, SIZE.height - SIZE.bottom), []);
}
