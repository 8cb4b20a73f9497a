import { html } from 'lit';
import type { PlayerStats } from '../../src/player-stats.js';

type Row = [label: string, value: string];

const figure = (value: number | null, unit: string, digits = 0): string => (value === null ? '–' : `${value.toFixed(digits)} ${unit}`);

function pathOf(stats: PlayerStats): string {
  const path = stats.webrtcPath;
  if (!path) return stats.transport ?? 'none';
  const relay = path.relayProtocol ? ` via TURN/${path.relayProtocol}` : '';
  return `${stats.transport} (${path.localCandidateType}/${path.protocol}${relay})`;
}

function rowsOf(stats: PlayerStats): Row[] {
  return [
    ['path', pathOf(stats)],
    ['latency', figure(stats.latencyMs, 'ms')],
    ['A/V offset', figure(stats.avOffsetMs, 'ms')],
    ['frame rate', figure(stats.framesPerSecond, 'fps', 1)],
    ['dropped', stats.droppedFrames === null ? '–' : String(stats.droppedFrames)],
    ['buffer', `${figure(stats.bufferMs, 'ms')} (target ${figure(stats.targetBufferMs, 'ms')})`],
    ['bitrate', figure(stats.bitrateKbps, 'kbit/s')],
    ['loss', stats.packetLoss === null ? '–' : `${(stats.packetLoss * 100).toFixed(1)} %`],
    ['clock offset', figure(stats.clockOffsetMs, 'ms', 1)],
  ];
}

/** The figures of `getStats()`, refreshed with every `stats` event. */
export function statsOverlay(stats: PlayerStats) {
  return html`<dl part="stats">${rowsOf(stats).map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>`;
}
