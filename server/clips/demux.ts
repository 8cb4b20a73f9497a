import { basename } from 'node:path';
import { AudioSampleEntry, VisualSampleEntry } from 'mp4box';
import type { AudioSample, AudioTrackInfo, Clip, VideoSample, VideoTrackInfo } from './clip.js';
import { ClipError } from './clip-error.js';
import { toFourByteLengths, withFourByteLengthSize } from './avcc.js';
import { boxPayload, type Mp4Track, type ParsedMp4 } from './mp4-parse.js';

const OPUS_RATE = 48000;

/**
 * Turns a parsed MP4 whose codecs already fit (H.264 without B-frames, Opus 48 kHz) into a Clip.
 * Throws ClipError 'unsupported' when they do not, or when the samples are not well-formed AVCC.
 * `name` is the original file's name, used in logs.
 */
export function demuxClip(parsed: ParsedMp4, name = basename(parsed.file)): Clip {
  const { video, audio, file } = parsed;
  if (!video) throw new ClipError('no-video', file, 'the file has no video track');
  if (!audio) throw new ClipError('unsupported', file, 'the file has no audio track');
  const { info: videoInfo, lengthSize } = videoTrackInfo(parsed, video);
  const audioInfo = audioTrackInfo(parsed, audio);
  const audioSamples = audioSamplesOf(audio, file);
  return {
    name,
    path: file,
    video: videoInfo,
    audio: audioInfo,
    videoSamples: videoSamplesOf(video, lengthSize, file),
    audioSamples,
    duration: audioSamples.reduce((sum, sample) => sum + sample.duration, 0),
  };
}

function videoTrackInfo(parsed: ParsedMp4, track: Mp4Track): { info: VideoTrackInfo; lengthSize: number } {
  const { entry } = track;
  const avcC = entry instanceof VisualSampleEntry ? entry.avcC : undefined;
  const payload = avcC && boxPayload(parsed.bytes, avcC);
  if (!(entry instanceof VisualSampleEntry) || entry.type !== 'avc1' || !avcC || !payload || payload[0] !== 1) {
    throw new ClipError('unsupported', parsed.file, `video is ${track.info.codec}, not H.264 with an avcC box`);
  }
  const lengthSize = avcC.lengthSizeMinusOne + 1;
  return {
    lengthSize,
    info: {
      codec: track.info.codec,
      width: entry.width,
      height: entry.height,
      sps: avcC.SPS.map((nalu) => nalu.data.slice()),
      pps: avcC.PPS.map((nalu) => nalu.data.slice()),
      avcC: withFourByteLengthSize(payload),
    },
  };
}

function audioTrackInfo(parsed: ParsedMp4, track: Mp4Track): AudioTrackInfo {
  const { entry } = track;
  const dOps = entry.boxes?.find((box) => box.type === 'dOps');
  const payload = dOps && boxPayload(parsed.bytes, dOps);
  if (entry.type !== 'Opus' || !(entry instanceof AudioSampleEntry) || !payload || payload.length < 11 || entry.samplerate !== OPUS_RATE) {
    throw new ClipError('unsupported', parsed.file, `audio is ${track.info.codec}, not Opus at 48 kHz with a dOps box`);
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { codec: 'opus', sampleRate: OPUS_RATE, channels: view.getUint8(1), preSkip: view.getUint16(2) };
}

function videoSamplesOf(track: Mp4Track, lengthSize: number, file: string): VideoSample[] {
  const first = track.samples[0];
  return track.samples.map((sample, index) => {
    const data = sample.data && toFourByteLengths(sample.data, lengthSize);
    if (!data) throw new ClipError('unsupported', file, `video sample ${index + 1} is not well-formed AVCC`);
    return {
      data,
      time: (sample.cts - first!.cts) / sample.timescale,
      duration: sample.duration / sample.timescale,
      keyframe: sample.is_sync,
    };
  });
}

function audioSamplesOf(track: Mp4Track, file: string): AudioSample[] {
  const first = track.samples[0];
  return track.samples.map((sample, index) => {
    if (!sample.data) throw new ClipError('truncated', file, `audio packet ${index + 1} has no data`);
    return {
      data: sample.data,
      time: (sample.dts - first!.dts) / sample.timescale,
      duration: sample.duration / sample.timescale,
    };
  });
}
