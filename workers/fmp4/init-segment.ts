import type { TrackInfo } from '../media-sample.js';
import { BoxWriter } from './box-writer.js';

const MOVIE_TIMESCALE = 1000;
const UNITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
const LANGUAGE_UND = 0x55c4;
const TRACK_ENABLED_IN_MOVIE = 0x000003;
const URL_SELF_CONTAINED = 0x000001;

/**
 * An fMP4 init segment: ftyp + moov with one trak per track (the track's sample entry in stsd, empty
 * sample tables, no edit list) and mvex/trex, so that every sample comes in a later moof.
 */
export function writeInitSegment(tracks: readonly TrackInfo[]): Uint8Array {
  const w = new BoxWriter();
  w.box('ftyp', (b) => b.fourcc('isom').u32(0x200).fourcc('isom').fourcc('iso6').fourcc('mp41'));
  w.box('moov', (moov) => {
    writeMvhd(moov, nextTrackId(tracks));
    for (const track of tracks) writeTrak(moov, track);
    moov.box('mvex', (mvex) => {
      for (const track of tracks) writeTrex(mvex, track.id);
    });
  });
  return w.finish();
}

function nextTrackId(tracks: readonly TrackInfo[]): number {
  return tracks.reduce((max, track) => Math.max(max, track.id), 0) + 1;
}

function writeMvhd(w: BoxWriter, nextId: number): void {
  w.fullBox('mvhd', 0, 0, (b) => {
    b.u32(0).u32(0).u32(MOVIE_TIMESCALE).u32(0); // creation, modification, timescale, duration
    b.u32(0x00010000).u16(0x0100).zeros(10); // rate 1.0, volume 1.0, reserved
    writeMatrix(b);
    b.zeros(24).u32(nextId); // pre_defined[6], next_track_ID
  });
}

function writeTrak(w: BoxWriter, track: TrackInfo): void {
  w.box('trak', (trak) => {
    writeTkhd(trak, track);
    trak.box('mdia', (mdia) => {
      mdia.fullBox('mdhd', 0, 0, (b) => b.u32(0).u32(0).u32(track.timescale).u32(0).u16(LANGUAGE_UND).u16(0));
      writeHdlr(mdia, track);
      mdia.box('minf', (minf) => {
        if (track.kind === 'video') minf.fullBox('vmhd', 0, 1, (b) => b.zeros(8));
        else minf.fullBox('smhd', 0, 0, (b) => b.zeros(4));
        minf.box('dinf', (dinf) => dinf.fullBox('dref', 0, 0, (b) => b.u32(1).fullBox('url ', 0, URL_SELF_CONTAINED)));
        writeEmptyStbl(minf, track.sampleEntry);
      });
    });
  });
}

function writeTkhd(w: BoxWriter, track: TrackInfo): void {
  const video = track.kind === 'video';
  w.fullBox('tkhd', 0, TRACK_ENABLED_IN_MOVIE, (b) => {
    b.u32(0).u32(0).u32(track.id).u32(0).u32(0); // creation, modification, track_ID, reserved, duration
    b.zeros(8).u16(0).u16(0).u16(video ? 0 : 0x0100).u16(0); // reserved, layer, alternate_group, volume, reserved
    writeMatrix(b);
    b.u32(video ? (track.width ?? 0) * 0x10000 : 0).u32(video ? (track.height ?? 0) * 0x10000 : 0);
  });
}

function writeHdlr(w: BoxWriter, track: TrackInfo): void {
  const video = track.kind === 'video';
  const name = video ? 'VideoHandler' : 'SoundHandler';
  w.fullBox('hdlr', 0, 0, (b) => {
    b.u32(0).fourcc(video ? 'vide' : 'soun').zeros(12);
    for (let i = 0; i < name.length; i++) b.u8(name.charCodeAt(i));
    b.u8(0);
  });
}

function writeEmptyStbl(w: BoxWriter, sampleEntry: Uint8Array): void {
  w.box('stbl', (stbl) => {
    stbl.fullBox('stsd', 0, 0, (b) => b.u32(1).raw(sampleEntry));
    stbl.fullBox('stts', 0, 0, (b) => b.u32(0));
    stbl.fullBox('stsc', 0, 0, (b) => b.u32(0));
    stbl.fullBox('stsz', 0, 0, (b) => b.u32(0).u32(0));
    stbl.fullBox('stco', 0, 0, (b) => b.u32(0));
  });
}

function writeTrex(w: BoxWriter, trackId: number): void {
  // default sample description 1; durations, sizes and flags always come in the trun
  w.fullBox('trex', 0, 0, (b) => b.u32(trackId).u32(1).u32(0).u32(0).u32(0));
}

function writeMatrix(w: BoxWriter): void {
  for (const value of UNITY_MATRIX) w.u32(value);
}
