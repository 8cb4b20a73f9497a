/**
 * Watches the video on screen, frame by frame, through a MediaClock: fires the stream's cues on their
 * frames (one CueScheduler for the whole player, so that a cue delivered by two paths fires once), and
 * keeps the figures `getStats()` reports — latency, A/V offset, position, frame rate — the same way for
 * every transport. The session tells it which video is on screen and how that path maps frames.
 */

import type { CueDetail, PlayerEventDetails, SpeechDetail } from '../events.js';
import type { CueMessage } from '../protocol.js';
import { CueScheduler, type FiredCue } from './cue-scheduler.js';
import { FrameRateMeter } from './frame-rate.js';
import { MediaClock, type FrameTiming, type PresentedFrame } from './media-clock.js';

export type PlayoutEvents = Pick<PlayerEventDetails, 'cue' | 'speechstart' | 'speechend' | 'caption'>;

export type PlayoutEmit = <K extends keyof PlayoutEvents>(type: K, detail: PlayoutEvents[K]) => void;

/** What the path on screen tells about its frames. */
export interface PlayoutSource extends FrameTiming {
  /** How far the picture of this frame is ahead of the sound, in ms, where the path can tell. */
  avOffsetOf?(frame: PresentedFrame): number | undefined;
}

export interface PlayoutFigures {
  latencyMs: number | null;
  avOffsetMs: number | null;
  positionS: number | null;
  framesPerSecond: number | null;
  droppedFrames: number | null;
  clockOffsetMs: number | null;
}

/** A/V readings step by ~10 ms (audio is played in 10 ms frames): the figure is the median of the last ones. */
const AV_READINGS = 25;
const DEFAULT_FRAME_S = 1 / 25;

export class PlayoutMonitor {
  private readonly cues: CueScheduler;
  private readonly frameRate = new FrameRateMeter();
  private clock: MediaClock | undefined;
  private source: PlayoutSource | undefined;
  private video: HTMLVideoElement | undefined;
  private last: PresentedFrame | undefined;
  private avReadings: number[] = [];
  /** The element's dropped-frame count when its path came on screen: the videos are reused. */
  private droppedBefore = 0;

  constructor(
    private readonly emit: PlayoutEmit,
    log: (message: string) => void,
  ) {
    this.cues = new CueScheduler({ onWarning: (warning) => log(`cues: ${warning.message}`) });
  }

  /** The path on screen changed: from now on its video and its timing are watched. */
  watch(video: HTMLVideoElement, source: PlayoutSource): void {
    this.source = source;
    if (this.video !== video) {
      this.clock?.stop();
      this.video = video;
      this.clock = new MediaClock(video, source);
      this.clock.onFrame((frame) => this.onFrame(frame));
      this.clock.start();
    } else {
      this.clock?.setTiming(source);
    }
    this.last = undefined;
    this.avReadings = [];
    this.frameRate.reset();
    this.droppedBefore = droppedFramesOf(video) ?? 0;
  }

  addCue(cue: CueMessage): void {
    this.cues.add(cue);
  }

  /** Nothing on screen any more: cues pending are dropped, a caption on screen is taken down, speech ends. */
  stop(): void {
    this.clock?.stop();
    this.clock = this.video = this.source = this.last = undefined;
    this.avReadings = [];
    this.frameRate.reset();
    this.fire(this.cues.reset(), undefined);
  }

  figures(): PlayoutFigures {
    const rate = this.frameRate.rate();
    const offset = this.source?.serverOffsetMs();
    return {
      latencyMs: rounded(this.last?.latencyMs),
      avOffsetMs: rounded(median(this.avReadings)),
      positionS: this.last?.pts ?? null,
      framesPerSecond: rate ? Math.round(rate.fps * 10) / 10 : null,
      droppedFrames: this.video ? Math.max(0, (droppedFramesOf(this.video) ?? 0) - this.droppedBefore) : null,
      clockOffsetMs: offset === undefined ? null : Math.round(offset * 10) / 10,
    };
  }

  private onFrame(frame: PresentedFrame): void {
    this.last = frame;
    this.frameRate.add({ time: performance.now(), presentedFrames: frame.presentedFrames });
    this.readAvOffset(frame);
    if (frame.pts === undefined) return;
    this.fire(this.cues.onFrame(frame.pts, frame.frameDurationS ?? DEFAULT_FRAME_S), frame.pts);
  }

  private readAvOffset(frame: PresentedFrame): void {
    const reading = this.source?.avOffsetOf?.(frame);
    if (reading === undefined || !Number.isFinite(reading)) return;
    this.avReadings.push(reading);
    if (this.avReadings.length > AV_READINGS) this.avReadings.shift();
  }

  private fire(fired: FiredCue[], pts: number | undefined): void {
    for (const output of fired) {
      if (output.type === 'caption') this.emit('caption', { text: output.text, pts: pts ?? output.cue?.pts ?? 0 });
      else if (output.type === 'speech') this.emitSpeech(output.speaking, output.cue, output.late, pts);
      else this.emit('cue', { ...cueDetail(output.cue), late: output.late });
    }
  }

  private emitSpeech(speaking: boolean, cue: CueMessage | null, late: boolean, pts: number | undefined): void {
    const detail: SpeechDetail = { pts: cue?.pts ?? pts ?? 0, late, ...(cue?.clip === undefined ? {} : { clip: cue.clip }) };
    this.emit(speaking ? 'speechstart' : 'speechend', detail);
  }
}

function droppedFramesOf(video: HTMLVideoElement): number | undefined {
  return video.getVideoPlaybackQuality?.().droppedVideoFrames;
}

function cueDetail(cue: CueMessage): Omit<CueDetail, 'late'> {
  const { v: _v, type: _type, ...detail } = cue;
  return detail;
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function rounded(value: number | undefined): number | null {
  return value === undefined ? null : Math.round(value * 10) / 10;
}
