/**
 * The remux pipeline, free of MediaSource and messaging so that it runs in Node tests too:
 * bytes → demux → encoder-contract check → rebase onto one timeline → jitter buffer → small fMP4
 * segments, one stream per track kind (one SourceBuffer each).
 */

import { EncoderContract } from './encoder-contract/encoder-contract.js';
import { Mp4StreamDemuxer } from './demux/mp4-stream-demuxer.js';
import { writeInitSegment, writeMediaSegment } from './fmp4/index.js';
import type { MediaSample, TrackInfo, TrackKind } from './media-sample.js';
import type { TrackSummary, WorkerEvent } from './remux-messages.js';
import { JitterBuffer } from './timing/jitter-buffer.js';
import { SilenceDetector } from './timing/silence-detector.js';
import { TimestampRebaser } from './timing/timestamp-rebaser.js';

export interface RemuxOutput {
  /** A new codec configuration: its tracks and one init segment per kind, before any segment of it. */
  configure(tracks: TrackSummary[], inits: Map<TrackKind, Uint8Array>): void;
  segment(kind: TrackKind, data: Uint8Array): void;
  /** Everything else the main thread wants to know (anchors, silence, jitter, warnings, errors). */
  report(event: Exclude<WorkerEvent, { type: 'handle' | 'segment' | 'tracks' }>): void;
}

/** Each kind is alone in its SourceBuffer's init segment, so it gets the same track id there. */
const OUTPUT_TRACK_ID = 1;
/** Reports are sent when something changed, at most this often (a 25 fps stream pushes far more often). */
const REPORT_INTERVAL_MS = 200;
/** A change of the jitter depth worth telling the live-edge control about at once. */
const DEPTH_CHANGE_MS = 20;

export class RemuxPipeline {
  private readonly demuxer: Mp4StreamDemuxer;
  private readonly contract = new EncoderContract();
  private readonly rebaser: TimestampRebaser;
  private readonly jitter = new JitterBuffer();
  private readonly silence = new SilenceDetector();
  private tracks = new Map<number, TrackInfo>();
  private sequence = 1;
  private lastReportAt = -Infinity;
  private depthReported = -Infinity;
  private silenceReported = '';
  private timelineMoved = false;

  constructor(
    private readonly output: RemuxOutput,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.rebaser = new TimestampRebaser({
      onAnchor: ({ outputTime, sourceTime }) => {
        this.timelineMoved = true;
        output.report({ type: 'anchor', outputTime, sourceTime });
      },
    });
    this.demuxer = new Mp4StreamDemuxer({
      onInit: (tracks) => this.onInit(tracks),
      onSamples: (samples) => this.onSamples(samples),
      onError: (code, message) =>
        output.report({ type: 'error', code: code === 'corrupt-data' ? 'media-corrupt' : 'media-unsupported', message, fatal: false }),
    });
  }

  push(bytes: Uint8Array): void {
    this.demuxer.push(bytes);
    this.flush();
    this.report();
  }

  /** Media before `time` (output seconds) has been played. */
  played(time: number): void {
    this.silence.forgetBefore(time);
  }

  private onInit(tracks: TrackInfo[]): void {
    this.flush(); // the previous configuration's samples go before the new init segments
    const playable = tracks.filter((track) => track.kind === 'video' || track.kind === 'audio');
    this.tracks = new Map(playable.map((track) => [track.id, track]));
    this.rebaser.setTracks(playable);
    for (const warning of this.contract.checkInit(playable)) this.output.report({ type: 'warning', ...warning });
    const inits = new Map<TrackKind, Uint8Array>();
    for (const track of playable) inits.set(track.kind, writeInitSegment([{ ...track, id: OUTPUT_TRACK_ID }]));
    this.output.configure(playable.map(summarize), inits);
  }

  private onSamples(samples: MediaSample[]): void {
    const arrival = this.now();
    for (const sample of samples) {
      const track = this.tracks.get(sample.trackId);
      if (!track) continue;
      for (const warning of this.contract.checkSample(sample)) this.output.report({ type: 'warning', ...warning });
      const rebased = this.rebaser.rebase(sample);
      if (!rebased) continue;
      if (this.timelineMoved) this.jitter.timelineMoved(arrival);
      this.timelineMoved = false;
      if (track.kind === 'audio') {
        const start = rebased.dts / track.timescale;
        this.silence.add(start, start + rebased.duration / track.timescale, rebased.data.byteLength);
      }
      this.jitter.push(rebased, track.timescale, arrival);
    }
  }

  private flush(): void {
    for (const fragment of this.jitter.drain()) {
      const track = this.tracks.get(fragment.trackId);
      if (!track || fragment.samples.length === 0) continue;
      const samples = fragment.samples.map((sample) => ({ ...sample, trackId: OUTPUT_TRACK_ID }));
      this.output.segment(track.kind, writeMediaSegment(this.sequence++, [{ trackId: OUTPUT_TRACK_ID, samples }]));
    }
  }

  /** Jitter depth and silent ranges, when they changed: a depth jump at once, the rest at a bounded rate. */
  private report(): void {
    const now = this.now();
    const { depthMs, jitterMs, stalls } = this.jitter.stats;
    const depthJumped = Math.abs(depthMs - this.depthReported) >= DEPTH_CHANGE_MS;
    if (!depthJumped && now - this.lastReportAt < REPORT_INTERVAL_MS) return;
    this.lastReportAt = now;
    this.depthReported = depthMs;
    this.output.report({ type: 'jitter', depthMs, jitterMs, stalls });
    const ranges = this.silence.ranges();
    const key = JSON.stringify(ranges);
    if (key === this.silenceReported) return;
    this.silenceReported = key;
    this.output.report({ type: 'silence', ranges });
  }
}

function summarize(track: TrackInfo): TrackSummary {
  const { kind, codec, width, height, sampleRate, channels } = track;
  return { kind, mimeType: `${kind}/mp4; codecs="${codec}"`, width, height, sampleRate, channels };
}
