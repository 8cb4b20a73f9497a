import type { AudioSample, Clip, VideoSample } from '../clips/clip.js';
import { DECODER_RESET_SAMPLES, decoderResetPacket, opusPacketSamples } from './opus-packet.js';

/** Audio is the master clock: clip boundaries fall on whole 48 kHz samples, so the timeline never drifts. */
const AUDIO_RATE = 48000;
const MAX_EMPTY_CLIPS = 100;

export interface TimelineVideoSample extends VideoSample {
  kind: 'video';
  /** Seconds on screen: the frame's own duration, except that a clip's last frame is held until the next clip's video begins. */
  duration: number;
  /** Presentation time on the stream timeline, in seconds. */
  pts: number;
  clip: Clip;
  /** Counts clips played since the timeline began; changes at every splice. */
  clipSequence: number;
  /** Index of the frame among its clip's video samples. */
  index: number;
}

export interface TimelineAudioSample extends AudioSample {
  kind: 'audio';
  /** Seconds of sound the packet decodes to, which its container may have cut short (see packetTicks). */
  duration: number;
  pts: number;
  clip: Clip;
  clipSequence: number;
  /** Index of the packet among its clip's audio samples; -1 for the decoder-reset packet that opens a clip after a splice. */
  index: number;
}

export type TimelineSample = TimelineVideoSample | TimelineAudioSample;

export interface ScheduledClip {
  clip: Clip;
  /** The clip may be cut at its next keyframe when something else is waiting (the idle loop). */
  interruptible: boolean;
  /** The avatar speaks in it: every clip but the idle loop. */
  speaking: boolean;
}

/** Where a clip sits on the stream timeline. */
export interface ClipPlacement {
  clip: Clip;
  sequence: number;
  speaking: boolean;
  /** Stream time (s) of the clip's first video frame, i.e. of clip time 0: its first audio packet plus the Opus pre-skip. */
  origin: number;
  /** How long (s) the clip stays on screen, from origin to the next clip's first frame; undefined while it may still be cut. */
  length: number | undefined;
}

/** Hears what the timeline decides, as it decides it (cues are made from this). */
export interface TimelineObserver {
  /** The clip's first sample is the next one handed out. */
  clipScheduled(placement: ClipPlacement): void;
  /** The playing clip (an interruptible one) was cut: it now stays `length` seconds on screen. */
  clipCut(sequence: number, length: number): void;
  /** A sample with this pts was handed out; they come in pts order. */
  reached(pts: number): void;
}

export interface ClipScheduler {
  next(): ScheduledClip;
  hasPending(): boolean;
}

interface PlayingClip extends ScheduledClip {
  sequence: number;
  /** Where the clip's own audio starts on the timeline, in 48 kHz ticks (after its decoder-reset packet). */
  startTicks: number;
  /** The decoder-reset packet to hand out before anything else of the clip, until it is out. */
  leadIn: TimelineAudioSample | undefined;
  /** Audio ticks emitted so far, relative to the clip start. */
  audioTicks: number;
  videoIndex: number;
  audioIndex: number;
  videoEnd: number;
  audioEnd: number;
  cut: boolean;
}

/**
 * One continuous stream timeline built from clips played back to back.
 * Each clip lasts exactly as long as its audio decodes to (every Opus packet whole); its video is cut (or its
 * last frame held) to match, and the next clip starts on its first keyframe right where the audio ended: no
 * gap, no overlap. After a splice the clip opens with a 10 ms decoder-reset packet (see decoderResetPacket),
 * so that receivers decode it as its encoder meant; the previous clip's last frame is held over it.
 * Video is delayed by the Opus pre-skip, because a WebRTC receiver plays those priming samples too.
 */
export class Timeline {
  private playing!: PlayingClip;
  private sequence = 0;

  constructor(
    private readonly scheduler: ClipScheduler,
    private readonly observer?: TimelineObserver,
  ) {
    this.begin(scheduler.next(), 0);
  }

  /** The next sample in presentation order. */
  next(): TimelineSample {
    this.cutIfWaited();
    for (let skipped = 0; this.finished(); skipped++) {
      if (skipped > MAX_EMPTY_CLIPS) throw new Error('the scheduler keeps handing out clips without audio');
      this.begin(this.scheduler.next(), this.endTicks() + DECODER_RESET_SAMPLES);
    }
    const sample = this.take();
    this.observer?.reached(sample.pts);
    return sample;
  }

  /** Timeline position, in seconds, of the end of what has been handed out so far. */
  get position(): number {
    return this.endTicks() / AUDIO_RATE;
  }

  private take(): TimelineSample {
    const leadIn = this.playing.leadIn;
    if (leadIn) {
      this.playing.leadIn = undefined;
      return leadIn;
    }
    const video = this.peekVideo();
    const audio = this.peekAudio();
    if (video && (!audio || video.pts <= audio.pts)) {
      this.playing.videoIndex++;
      return video;
    }
    // finished() is false and video is absent, so audio is present
    const sample = audio as TimelineAudioSample;
    this.playing.audioIndex++;
    this.playing.audioTicks += ticksOf(sample.duration);
    return sample;
  }

  private begin(scheduled: ScheduledClip, startTicks: number): void {
    this.playing = this.playingClip(scheduled, startTicks);
    const p = this.playing;
    this.observer?.clipScheduled({
      clip: p.clip,
      sequence: p.sequence,
      speaking: p.speaking,
      origin: (startTicks + p.clip.audio.preSkip) / AUDIO_RATE,
      length: p.interruptible ? undefined : this.lengthOnScreen(),
    });
  }

  /** From the first frame to the next clip's first frame: as long as the audio and the next clip's reset packet (same pre-skips). */
  private lengthOnScreen(): number {
    return (this.clipEndTicks() + DECODER_RESET_SAMPLES - this.playing.startTicks) / AUDIO_RATE;
  }

  private playingClip(scheduled: ScheduledClip, startTicks: number): PlayingClip {
    const { clip } = scheduled;
    const sequence = this.sequence++;
    const first = clip.audioSamples[0];
    return {
      ...scheduled,
      sequence,
      startTicks,
      leadIn: sequence > 0 && first ? resetSample(clip, sequence, first, startTicks) : undefined,
      audioTicks: 0,
      videoIndex: 0,
      audioIndex: 0,
      videoEnd: videoSamplesWithin(clip.videoSamples, clip.duration - clip.audio.preSkip / AUDIO_RATE),
      audioEnd: clip.audioSamples.length,
      cut: false,
    };
  }

  /** Every frame within the clip's length is out too: the last ones may come after the last audio packet. */
  private finished(): boolean {
    return this.playing.audioIndex >= this.playing.audioEnd && this.playing.videoIndex >= this.playing.videoEnd;
  }

  private endTicks(): number {
    const p = this.playing;
    return p.startTicks + p.audioTicks - (p.leadIn ? DECODER_RESET_SAMPLES : 0);
  }

  /** Cuts an interruptible clip at its next unplayed keyframe once another clip is waiting. */
  private cutIfWaited(): void {
    const p = this.playing;
    if (!p.interruptible || p.cut || !this.scheduler.hasPending()) return;
    p.cut = true;
    const played = p.audioTicks / AUDIO_RATE;
    const samples = p.clip.videoSamples;
    // Not the very next frame once some samples are out (frames, or the decoder reset that opens the clip): the
    // frame before the cut could no longer be held to the splice, and the reset would leave 10 ms without video.
    const started = p.videoIndex > 0 || (p.sequence > 0 && p.leadIn === undefined);
    let keyframe = started ? p.videoIndex + 1 : 0;
    while (keyframe < p.videoEnd && !(samples[keyframe]!.keyframe && samples[keyframe]!.time >= played)) keyframe++;
    if (keyframe >= p.videoEnd) return;
    // Frames are far longer than the pre-skip, so the frame before the cut still ends before the audio does.
    const cutTime = samples[keyframe]!.time;
    p.videoEnd = keyframe;
    p.audioEnd = Math.max(p.audioIndex, audioSamplesBefore(p.clip.audioSamples, cutTime));
    this.observer?.clipCut(p.sequence, this.lengthOnScreen());
  }

  private peekVideo(): TimelineVideoSample | undefined {
    const p = this.playing;
    if (p.videoIndex >= p.videoEnd) return undefined;
    const sample = p.clip.videoSamples[p.videoIndex]!;
    const ticks = p.startTicks + p.clip.audio.preSkip + ticksOf(sample.time);
    const nextFrame = this.clipEndTicks() + DECODER_RESET_SAMPLES + p.clip.audio.preSkip;
    const held = p.videoIndex === p.videoEnd - 1 ? (nextFrame - ticks) / AUDIO_RATE : sample.duration;
    return { ...sample, duration: held, kind: 'video', pts: ticks / AUDIO_RATE, clip: p.clip, clipSequence: p.sequence, index: p.videoIndex };
  }

  /**
   * Where the playing clip's audio ends. Once its last frame is handed out the clip can no longer be cut, so
   * that frame can be held until the next clip's video begins (a clip with the same pre-skip), leaving MSE no gap.
   */
  private clipEndTicks(): number {
    const p = this.playing;
    let ticks = p.startTicks + p.audioTicks;
    for (let i = p.audioIndex; i < p.audioEnd; i++) ticks += packetTicks(p.clip.audioSamples[i]!);
    return ticks;
  }

  private peekAudio(): TimelineAudioSample | undefined {
    const p = this.playing;
    if (p.audioIndex >= p.audioEnd) return undefined;
    const sample = p.clip.audioSamples[p.audioIndex]!;
    const pts = (p.startTicks + p.audioTicks) / AUDIO_RATE;
    return { ...sample, duration: packetTicks(sample) / AUDIO_RATE, kind: 'audio', pts, clip: p.clip, clipSequence: p.sequence, index: p.audioIndex };
  }
}

/** The packet that opens a clip after a splice, in the 10 ms before its own audio. */
function resetSample(clip: Clip, sequence: number, first: AudioSample, startTicks: number): TimelineAudioSample {
  const pts = (startTicks - DECODER_RESET_SAMPLES) / AUDIO_RATE;
  const duration = DECODER_RESET_SAMPLES / AUDIO_RATE;
  return { data: decoderResetPacket(first.data), time: -duration, duration, kind: 'audio', pts, clip, clipSequence: sequence, index: -1 };
}

function ticksOf(seconds: number): number {
  return Math.round(seconds * AUDIO_RATE);
}

/**
 * The time a packet takes on the timeline: all the sound it decodes to. Neither a WebRTC receiver nor
 * Chromium's MSE audio renderer can play part of a packet, so a clip's last packet, which MP4 files cut short
 * to the clip's length (pre-skip + content), still plays whole: the next clip's audio must start after all of
 * it, or a receiver overlaps the two (NetEq drops the next clip's first packet as late; MSE plays the extra
 * sound and its audio falls behind the video at every splice). A longer duration is a pause in the source,
 * kept as it is.
 */
function packetTicks(sample: AudioSample): number {
  return Math.max(ticksOf(sample.duration), opusPacketSamples(sample.data) ?? 0);
}

function videoSamplesWithin(samples: VideoSample[], duration: number): number {
  let end = 0;
  while (end < samples.length && samples[end]!.time < duration) end++;
  return end;
}

function audioSamplesBefore(samples: AudioSample[], time: number): number {
  let end = 0;
  while (end < samples.length && samples[end]!.time < time) end++;
  return end;
}
