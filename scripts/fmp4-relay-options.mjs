// The query options of `ws://HOST:PORT/fmp4/<variant>?<options>`; anything unknown or malformed is refused.

export const CHUNK_MODES = ['fragment', 'box', 'odd'];
export const PACE_MODES = ['start', 'end'];
/** chunks=odd cuts messages to these sizes, in turn, across message and box boundaries. */
export const ODD_CHUNK_SIZES = [7, 1000, 3, 4093, 1];

const MAX_MS = 10 * 60_000;
const NUMERIC = ['stallAtMs', 'stallMs', 'corruptAtMs', 'textEveryMs'];
const MIN_TEXT_EVERY_MS = 10;

export class RelayOptionsError extends Error {
  name = 'RelayOptionsError';
  code = 'bad-relay-option';
}

/**
 * @param {URLSearchParams} query
 * @returns {import('./fmp4-relay.mjs').Fmp4RelayOptions & { chunks: 'fragment' | 'box' | 'odd'; pace: 'start' | 'end' }}
 */
export function parseRelayOptions(query) {
  const options = { chunks: 'fragment', pace: 'start' };
  for (const [name, value] of query) {
    if (name === 'chunks') {
      if (!CHUNK_MODES.includes(value)) throw new RelayOptionsError(`chunks must be one of ${CHUNK_MODES.join(', ')}, not "${value}"`);
      options.chunks = value;
    } else if (name === 'pace') {
      if (!PACE_MODES.includes(value)) throw new RelayOptionsError(`pace must be one of ${PACE_MODES.join(', ')}, not "${value}"`);
      options.pace = value;
    } else if (NUMERIC.includes(name)) {
      options[name] = parseMs(name, value);
    } else {
      throw new RelayOptionsError(`unknown option "${name}"`);
    }
  }
  if ((options.stallAtMs === undefined) !== (options.stallMs === undefined)) {
    throw new RelayOptionsError('stallAtMs and stallMs go together');
  }
  if (options.textEveryMs !== undefined && options.textEveryMs < MIN_TEXT_EVERY_MS) {
    throw new RelayOptionsError(`textEveryMs must be at least ${MIN_TEXT_EVERY_MS}`);
  }
  return options;
}

function parseMs(name, value) {
  if (!/^\d{1,7}$/.test(value) || Number(value) > MAX_MS) {
    throw new RelayOptionsError(`${name} must be a whole number of ms up to ${MAX_MS}, not "${value}"`);
  }
  return Number(value);
}
