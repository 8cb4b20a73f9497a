import { createFile, MP4BoxBuffer, type Box, type Movie, type Sample, type SampleEntry, type Track } from 'mp4box';
import { ClipError } from './clip-error.js';
import { scanTopLevelBoxes } from './mp4-boxes.js';

const EXTRACTION_BATCH = 1000;

export interface Mp4Track {
  info: Track;
  /** The first sample description (codec configuration). */
  entry: SampleEntry;
  sampleEntryCount: number;
  /** Samples with their bytes, in decode order. */
  samples: Sample[];
}

export interface ParsedMp4 {
  file: string;
  /** The whole file: codec configuration boxes are copied out of it byte for byte. */
  bytes: Uint8Array;
  movie: Movie;
  /** The first video and audio tracks; others are ignored. */
  video: Mp4Track | undefined;
  audio: Mp4Track | undefined;
  /** The moov box comes before the media data. */
  faststart: boolean;
}

/**
 * Reads a whole MP4 held in memory with mp4box and extracts every sample of its first video and audio track.
 * Throws ClipError 'not-mp4' or 'truncated' (a sample of the index is missing from the file).
 */
export function parseMp4(bytes: Uint8Array, file: string): ParsedMp4 {
  const scan = scanTopLevelBoxes(bytes);
  if (!scan.looksLikeMp4) throw new ClipError('not-mp4', file, 'not an ISO-BMFF (MP4) file');
  const isoFile = createFile(true);
  const extracted = new Map<number, Sample[]>();
  let movie: Movie | undefined;
  let parseError: string | undefined;
  isoFile.onError = (module, message) => {
    parseError ??= `${module}: ${message}`;
  };
  isoFile.onReady = (info) => {
    movie = info;
    for (const track of [info.videoTracks[0], info.audioTracks[0]]) {
      if (!track) continue;
      extracted.set(track.id, []);
      isoFile.setExtractionOptions(track.id, undefined, { nbSamples: EXTRACTION_BATCH });
    }
    isoFile.start();
  };
  isoFile.onSamples = (id, _user, samples) => {
    extracted.get(id)?.push(...samples);
  };
  try {
    isoFile.appendBuffer(MP4BoxBuffer.fromArrayBuffer(copyToArrayBuffer(bytes), 0), true);
    isoFile.flush();
  } catch (error) {
    parseError ??= error instanceof Error ? error.message : String(error);
  }
  if (!movie) {
    if (scan.cutShort) throw new ClipError('truncated', file, 'the file ends before its index (moov box) is complete');
    throw new ClipError('not-mp4', file, `no readable moov box${parseError ? ` (${parseError})` : ''}`);
  }
  const video = trackOf(isoFile, movie.videoTracks[0], extracted, bytes.length, file);
  const audio = trackOf(isoFile, movie.audioTracks[0], extracted, bytes.length, file);
  const moov = scan.boxes.findIndex((box) => box.type === 'moov');
  const mdat = scan.boxes.findIndex((box) => box.type === 'mdat');
  return { file, bytes, movie, video, audio, faststart: moov !== -1 && (mdat === -1 || moov < mdat) };
}

/** The payload (without the 8-byte header) of a box parsed from `bytes`, copied. */
export function boxPayload(bytes: Uint8Array, box: Box): Uint8Array | undefined {
  const { start, hdr_size: headerSize, size } = box;
  if (start === undefined || headerSize === undefined || start + size > bytes.length) return undefined;
  return bytes.slice(start + headerSize, start + size);
}

function trackOf(
  isoFile: ReturnType<typeof createFile>,
  info: Track | undefined,
  extracted: Map<number, Sample[]>,
  fileLength: number,
  file: string,
): Mp4Track | undefined {
  if (!info) return undefined;
  const trak = isoFile.getTrackById(info.id);
  const entries = trak.mdia.minf.stbl.stsd.entries;
  const entry = entries[0];
  if (!entry) throw new ClipError('unsupported', file, `track ${info.id} has no sample description`);
  const listed = trak.samples;
  const samples = extracted.get(info.id) ?? [];
  const missing = listed.findIndex((sample) => sample.offset + sample.size > fileLength);
  if (missing !== -1 || samples.length < listed.length) {
    const index = missing !== -1 ? missing : samples.length;
    throw new ClipError('truncated', file, `${info.type ?? 'track'} sample ${index + 1} of ${listed.length} is missing from the file`);
  }
  return { info, entry, sampleEntryCount: entries.length, samples };
}

function copyToArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}
