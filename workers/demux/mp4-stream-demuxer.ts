import type { MediaSample, TrackInfo } from '../media-sample.js';
import type { BoxHeader } from './box-header.js';
import { parseFragment } from './fragment-parser.js';
import { parseInit, type FragmentTrack, type ParsedInit } from './init-parser.js';
import { MediaFormatError, type DemuxErrorCode } from './media-format-error.js';
import { SampleAssembler } from './sample-assembler.js';
import { TopLevelFramer, type FramerSink } from './top-level-framer.js';

export type { DemuxErrorCode } from './media-format-error.js';

export interface DemuxerHandlers {
  /** A codec configuration (every moov); sample times may restart after it. */
  onInit(tracks: TrackInfo[]): void;
  /** Complete samples in stream order; dts already shifted by the edit list. */
  onSamples(samples: MediaSample[]): void;
  /** The stream goes on: after 'corrupt-data', samples resume at the next video keyframe. */
  onError(code: DemuxErrorCode, message: string): void;
}

/** An exception thrown by one of the handlers: the caller's, so it is rethrown rather than taken for bad input. */
class HandlerFailure {
  constructor(readonly cause: unknown) {}
}

interface CurrentInit {
  fragmentTracks: Map<number, FragmentTrack>;
  videoTrackId: number | undefined;
}

/**
 * Demuxes an MP4 byte stream split at any byte: fragmented MP4 (moov + moof/mdat, with styp, sidx, emsg, prft,
 * free skipped) and progressive faststart files, several back to back. Samples are emitted as soon as their bytes
 * have arrived. Bad input never throws: it is reported through onError and the stream resynchronises.
 * Memory is bounded by the largest box held whole (moov/moof ≤ 4 MiB) plus one sample being assembled.
 */
export class Mp4StreamDemuxer {
  private readonly framer: TopLevelFramer;
  private readonly assembler: SampleAssembler;
  private init: CurrentInit | undefined;
  private fileStart = 0;
  private nextDts = new Map<number, number>();
  private batch: MediaSample[] = [];
  /** After corrupt data: samples are dropped until the next video keyframe, and no further corruption is reported. */
  private recovering = false;
  private fragmentWithoutInitReported = false;
  /** A moof was read and its mdat has not started yet. */
  private fragmentPending = false;

  constructor(private readonly handlers: DemuxerHandlers) {
    this.assembler = new SampleAssembler(
      (sample) => this.accept(sample),
      () => this.report('corrupt-data', 'a sample lies outside the media data that follows its index'),
    );
    this.framer = new TopLevelFramer(this.sink());
  }

  /** Never throws for bad input; an exception thrown by a handler is passed on to the caller. */
  push(chunk: Uint8Array): void {
    try {
      this.demux(chunk);
      this.flush();
    } catch (error) {
      throw error instanceof HandlerFailure ? error.cause : error;
    }
  }

  private demux(chunk: Uint8Array): void {
    try {
      this.framer.push(chunk);
    } catch (error) {
      if (error instanceof HandlerFailure) throw error;
      // a bug of ours must not stop the stream: start over and let the framer resynchronise
      const message = error instanceof Error ? error.message : String(error);
      this.reset();
      this.report('corrupt-data', `demuxing failed (${message}); resynchronising`);
    }
  }

  /** Forgets everything: the next byte pushed starts a new stream. */
  reset(): void {
    this.framer.reset();
    this.assembler.clear();
    this.init = undefined;
    this.fileStart = 0;
    this.nextDts = new Map();
    this.batch = [];
    this.recovering = false;
    this.fragmentWithoutInitReported = false;
  }

  private sink(): FramerSink {
    return {
      boxStart: (header, start) => this.boxStart(header, start),
      wholeBox: (type, bytes, start) => {
        if (type === 'moov') this.readInit(bytes, start);
        else if (type === 'moof') this.readFragment(bytes, start);
      },
      mediaData: (position, bytes) => this.assembler.mediaData(position, bytes),
      corrupt: (reason, position) => this.report('corrupt-data', `bad box header at byte ${position}: ${reason}`),
    };
  }

  private boxStart(header: BoxHeader, start: number): void {
    if (header.type === 'mdat') return this.mdatAfterFragment(start + header.size);
    const missing = header.type === 'ftyp' || header.type === 'moov' ? this.assembler.clear() : this.assembler.dropBefore(start);
    if (missing > 0) this.report('corrupt-data', `the media data of ${missing} samples is missing`);
    if (header.type === 'ftyp') this.fileStart = start;
  }

  /**
   * A fragment's samples lie in the mdat that follows it: one that points further (a corrupt data offset)
   * would be filled with a later fragment's bytes and reach the decoder as garbage.
   */
  private mdatAfterFragment(mdatEnd: number): void {
    if (!this.fragmentPending) return;
    this.fragmentPending = false;
    const misplaced = this.assembler.dropBeyond(mdatEnd);
    if (misplaced > 0) this.report('corrupt-data', `${misplaced} samples of a fragment point past its media data`);
  }

  private readInit(bytes: Uint8Array, start: number): void {
    let parsed: ParsedInit;
    try {
      parsed = parseInit(bytes, start, this.fileStart);
    } catch (error) {
      this.init = undefined;
      this.reportFailure(error);
      return;
    }
    this.init = { fragmentTracks: parsed.fragmentTracks, videoTrackId: parsed.tracks.find((track) => track.kind === 'video')?.id };
    this.nextDts = new Map();
    this.fragmentWithoutInitReported = false;
    this.assembler.add(parsed.samples);
    this.flush();
    this.call(() => this.handlers.onInit(parsed.tracks));
  }

  private readFragment(bytes: Uint8Array, start: number): void {
    if (!this.init) {
      if (!this.fragmentWithoutInitReported && !this.recovering) this.report('unsupported-media', 'a media fragment (moof) arrived before any init segment (moov)');
      this.fragmentWithoutInitReported = true;
      return;
    }
    try {
      const context = { moofStart: start, moofSize: bytes.length, fileStart: this.fileStart, tracks: this.init.fragmentTracks, nextDts: this.nextDts };
      this.assembler.add(parseFragment(bytes, context));
      this.fragmentPending = true;
    } catch (error) {
      this.reportFailure(error);
    }
  }

  private accept(sample: MediaSample): void {
    if (this.recovering) {
      const videoId = this.init?.videoTrackId;
      if (videoId !== undefined && !(sample.trackId === videoId && sample.keyframe)) return;
      this.recovering = false;
    }
    this.batch.push(sample);
  }

  private reportFailure(error: unknown): void {
    if (error instanceof MediaFormatError) this.report(error.code, error.message);
    else this.report('corrupt-data', error instanceof Error ? error.message : String(error));
  }

  private report(code: DemuxErrorCode, message: string): void {
    if (code === 'corrupt-data') {
      if (this.recovering) return;
      this.recovering = true;
    }
    this.flush();
    this.call(() => this.handlers.onError(code, message));
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const samples = this.batch;
    this.batch = [];
    this.call(() => this.handlers.onSamples(samples));
  }

  private call(handler: () => void): void {
    try {
      handler();
    } catch (error) {
      throw new HandlerFailure(error);
    }
  }
}
