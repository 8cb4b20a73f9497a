import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { readClipSidecar } from '../cues/clip-sidecar.js';
import { SidecarError } from '../cues/sidecar-error.js';
import type { Clip } from './clip.js';
import { ClipError } from './clip-error.js';
import { demuxClip } from './demux.js';
import { parseMp4 } from './mp4-parse.js';
import { normaliseClip, planNormalisation, type NormaliseOptions } from './normalise.js';
import { probeParsed, readClipBytes } from './probe.js';

export { ClipError, isClipError, type ClipErrorCode } from './clip-error.js';
export type { ClipLog } from './normalise.js';

export type LoadClipOptions = NormaliseOptions;

/**
 * Loads a clip file for playout: probes it, has ffmpeg normalise it (once, cached) when its codecs
 * do not fit every output, and demuxes it into memory; with the cues of its sidecar `<name>.json`, if any.
 * Throws ClipError: 'not-mp4', 'truncated', 'no-video', 'unsupported' or 'normalise-failed'.
 * A bad sidecar is logged and the clip comes without cues.
 */
export async function loadClip(path: string, options: LoadClipOptions): Promise<Clip> {
  const clip = await loadMedia(path, options);
  const cues = await sidecarCuesOf(path, clip, options);
  return cues ? { ...clip, cues } : clip;
}

async function loadMedia(path: string, options: LoadClipOptions): Promise<Clip> {
  const content = await readClipBytes(path);
  const parsed = parseMp4(content, path);
  const probe = probeParsed(parsed);
  const plan = planNormalisation(probe);
  if (!plan) return demuxClip(parsed);
  const normalised = await normaliseClip(path, content, probe, plan, options);
  return loadNormalised(path, normalised);
}

/** A normalised copy that does not fit either is removed, so that the next attempt runs ffmpeg again. */
async function loadNormalised(source: string, normalised: string): Promise<Clip> {
  try {
    const parsed = parseMp4(await readClipBytes(normalised), normalised);
    const leftOver = planNormalisation(probeParsed(parsed));
    if (leftOver) throw new ClipError('normalise-failed', source, `the normalised copy still does not fit: ${leftOver.reasons.join('; ')}`);
    return demuxClip(parsed, basename(source));
  } catch (error) {
    await rm(normalised, { force: true });
    if (error instanceof ClipError && error.code === 'normalise-failed') throw error;
    throw new ClipError('normalise-failed', source, `the normalised copy is unreadable: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Cue times are clip times of the video; it stays on screen as long as the audio lasts (its last frame held). */
async function sidecarCuesOf(path: string, clip: Clip, options: LoadClipOptions): Promise<Clip['cues']> {
  try {
    return await readClipSidecar(path, clip.duration);
  } catch (error) {
    if (!(error instanceof SidecarError)) throw error;
    options.log?.warn(`${clip.name} plays without cues: its sidecar is unusable: ${error.message}`);
    return undefined;
  }
}
