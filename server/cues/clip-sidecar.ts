import { readFile, stat } from 'node:fs/promises';
import type { JsonValue } from '../../src/protocol.js';
import { copyJsonValue } from '../../src/protocol-validation.js';
import { SIDECAR_LIMITS, type ClipAppCue, type ClipCaption, type ClipCues } from './clip-cues.js';
import { SidecarError } from './sidecar-error.js';

/** `talk-17.mp4` → `talk-17.json`: the sidecar sits next to its clip. */
export function sidecarPathOf(clipPath: string): string {
  return clipPath.replace(/\.mp4$/i, '') + '.json';
}

/**
 * Reads the sidecar of a clip, if there is one (a missing sidecar is normal: undefined).
 * `duration` is the clip's length in seconds: cues past it are dropped, captions are cut to it.
 * Throws SidecarError when the file is there but cannot be used.
 */
export async function readClipSidecar(clipPath: string, duration: number): Promise<ClipCues | undefined> {
  const file = sidecarPathOf(clipPath);
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw new SidecarError('unreadable', file, String(error));
  }
  if (size > SIDECAR_LIMITS.fileBytes) throw new SidecarError('too-large', file, `${size} bytes, more than ${SIDECAR_LIMITS.fileBytes}`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw new SidecarError('unreadable', file, String(error));
  }
  return parseClipSidecar(text, duration, file);
}

/**
 * Validates a sidecar: `{ "text"?: string, "captions"?: [{start, end, text}], "cues"?: [{at, data}] }`, times in
 * seconds from the clip's start. `text` alone is one caption for the whole clip. Unknown fields are ignored.
 */
export function parseClipSidecar(text: string, duration: number, file = 'sidecar'): ClipCues {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SidecarError('bad-json', file, `not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const fail = (field: string, rule: string): never => {
    throw new SidecarError('bad-sidecar', file, `${field} must be ${rule}`);
  };
  if (!isObject(json)) return fail('the sidecar', 'a JSON object');
  if (json.text !== undefined && json.captions !== undefined) fail('the sidecar', 'either "text" or "captions", not both');
  const captions = json.text !== undefined ? [wholeClipCaption(json.text, duration, fail)] : readCaptions(json.captions, fail);
  return {
    captions: captions.filter((c) => c.start < duration).map((c) => ({ ...c, end: Math.min(c.end, duration) })).sort((a, b) => a.start - b.start),
    app: readAppCues(json.cues, fail).filter((c) => c.at <= duration).sort((a, b) => a.at - b.at),
  };
}

type Fail = (field: string, rule: string) => never;

function wholeClipCaption(text: unknown, duration: number, fail: Fail): ClipCaption {
  return { start: 0, end: duration, text: captionText(text, 'text', fail) };
}

function readCaptions(value: unknown, fail: Fail): ClipCaption[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > SIDECAR_LIMITS.captions) return fail('captions', `an array of at most ${SIDECAR_LIMITS.captions}`);
  return value.map((item: unknown, i) => {
    const field = `captions[${i}]`;
    if (!isObject(item)) return fail(field, 'an object');
    const start = seconds(item.start, `${field}.start`, fail);
    const end = seconds(item.end, `${field}.end`, fail);
    if (end <= start) fail(`${field}.end`, 'after start');
    return { start, end, text: captionText(item.text, `${field}.text`, fail) };
  });
}

function readAppCues(value: unknown, fail: Fail): ClipAppCue[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > SIDECAR_LIMITS.appCues) return fail('cues', `an array of at most ${SIDECAR_LIMITS.appCues}`);
  return value.map((item: unknown, i) => {
    const field = `cues[${i}]`;
    if (!isObject(item)) return fail(field, 'an object');
    const at = seconds(item.at, `${field}.at`, fail);
    if (!('data' in item)) fail(`${field}.data`, 'present (any JSON value)');
    const data = copyJsonValue(item.data, SIDECAR_LIMITS.dataDepth);
    if (data === undefined) return fail(`${field}.data`, `nested at most ${SIDECAR_LIMITS.dataDepth} deep`);
    if (Buffer.byteLength(JSON.stringify(data)) > SIDECAR_LIMITS.dataBytes) fail(`${field}.data`, `at most ${SIDECAR_LIMITS.dataBytes} bytes as JSON`);
    return { at, data };
  });
}

function seconds(value: unknown, field: string, fail: Fail): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return fail(field, 'a finite number of seconds ≥ 0');
  return value;
}

function captionText(value: unknown, field: string, fail: Fail): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > SIDECAR_LIMITS.textLength) {
    return fail(field, `a string of 1 to ${SIDECAR_LIMITS.textLength} characters`);
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}
