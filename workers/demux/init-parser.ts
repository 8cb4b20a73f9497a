import { AudioSampleEntry, VisualSampleEntry, type SampleEntry } from 'mp4box';
import type { TrackInfo, TrackKind } from '../media-sample.js';
import { editListShift } from './edit-list.js';
import { MediaFormatError } from './media-format-error.js';
import { parseMoov, type MoovBox, type TrakBox } from './mp4box-parse.js';
import type { PendingSample } from './pending-sample.js';
import { tableSamples } from './sample-tables.js';

/** What a moof needs to know about a track: its defaults (trex) and how to shift its times. */
export interface FragmentTrack {
  id: number;
  kind: TrackKind;
  shift: number;
  defaultDuration: number;
  defaultSize: number;
  defaultFlags: number;
}

export interface ParsedInit {
  /** The first video and the first audio track. */
  tracks: TrackInfo[];
  fragmentTracks: Map<number, FragmentTrack>;
  /** Samples listed in the moov's own sample tables (a progressive file), sorted by stream offset. */
  samples: PendingSample[];
}

const HANDLER_KINDS: Readonly<Record<string, TrackKind>> = { vide: 'video', soun: 'audio' };
/** mp4box's codec strings where MediaSource expects another spelling. */
const CODEC_NAMES: Readonly<Record<string, string>> = { Opus: 'opus', fLaC: 'flac' };

/**
 * Reads a moov box (`bytes`, which starts at stream offset `moovStart`; chunk offsets count from `fileStart`).
 * Throws MediaFormatError: 'corrupt-data' when it cannot be parsed, 'unsupported-media' when it has no audio or
 * video track, or lists media data that came before it (moov at the end of the file).
 */
export function parseInit(bytes: Uint8Array, moovStart: number, fileStart: number): ParsedInit {
  const moov = parseMoov(bytes);
  const movieTimescale = moov.mvhd?.timescale ?? 0;
  const tracks: TrackInfo[] = [];
  const fragmentTracks = new Map<number, FragmentTrack>();
  const samples: PendingSample[] = [];
  for (const trak of moov.traks ?? []) {
    const kind = HANDLER_KINDS[trak.mdia?.hdlr?.handler ?? ''];
    if (!kind || tracks.some((track) => track.kind === kind)) continue;
    const info = trackInfo(trak, kind, bytes);
    const shift = editListShift(trak, movieTimescale, info.timescale);
    tracks.push(info);
    fragmentTracks.set(info.id, fragmentTrack(moov, info, shift));
    samples.push(...tableSamples(trak.mdia.minf.stbl, { id: info.id, kind, shift, fileStart }));
  }
  if (tracks.length === 0) throw new MediaFormatError('unsupported-media', 'the init segment has no audio or video track');
  samples.sort((a, b) => a.offset - b.offset);
  const moovEnd = moovStart + bytes.length;
  if (samples.length > 0 && samples[0]!.offset < moovEnd) {
    throw new MediaFormatError('unsupported-media', 'the moov box comes after the media data (not a faststart MP4): nothing can play before the whole file has arrived');
  }
  return { tracks, fragmentTracks, samples };
}

function trackInfo(trak: TrakBox, kind: TrackKind, moovBytes: Uint8Array): TrackInfo {
  const id = trak.tkhd?.track_id ?? 0;
  const timescale = trak.mdia?.mdhd?.timescale ?? 0;
  const entry: SampleEntry | undefined = trak.mdia?.minf?.stbl?.stsd?.entries?.[0];
  if (!entry || entry.start === undefined || timescale <= 0 || id <= 0) {
    throw new MediaFormatError('corrupt-data', `${kind} track ${id} has no sample description, timescale or id`);
  }
  const codec = entry.getCodec();
  const info: TrackInfo = {
    id,
    kind,
    codec: CODEC_NAMES[codec] ?? codec,
    timescale,
    sampleEntry: moovBytes.slice(entry.start, entry.start + entry.size),
  };
  if (entry instanceof VisualSampleEntry) {
    info.width = entry.width;
    info.height = entry.height;
  }
  if (entry instanceof AudioSampleEntry) {
    info.sampleRate = entry.getSampleRate();
    info.channels = entry.getChannelCount();
  }
  return info;
}

function fragmentTrack(moov: MoovBox, info: TrackInfo, shift: number): FragmentTrack {
  const trex = moov.mvex?.trexs?.find((box) => box.track_id === info.id);
  return {
    id: info.id,
    kind: info.kind,
    shift,
    defaultDuration: trex?.default_sample_duration ?? 0,
    defaultSize: trex?.default_sample_size ?? 0,
    defaultFlags: trex?.default_sample_flags ?? 0,
  };
}
