import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startAvatarServer } from './avatar-server.js';
import { createLogger, type LogLevel } from './log.js';
import { turnConfigFromArgs, TurnConfigError } from './turn/turn-config.js';

const USAGE = `usage: npm run server -- [--port 8080] [--host 0.0.0.0] [--clips DIR] [--idle FILE]
                           [--cache DIR] [--announce ADDR ...] [--log debug|info|warn|error]
                           [--turn-url turn:HOST:PORT[?transport=tcp] ...] [--turn-secret-file FILE]
                           [--turn-ttl SECONDS] [--whep-trickle on|off] [--send-log FILE]
  The TURN secret (coturn static-auth-secret) comes from AVATAR_TURN_SECRET or --turn-secret-file.
  --send-log FILE writes one JSON line per video frame sent (pts, wall-clock time, clip, frame, keyframe).`;

function options() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '0.0.0.0' },
      clips: { type: 'string' },
      idle: { type: 'string' },
      cache: { type: 'string', default: join(process.cwd(), '.cache', 'clips') },
      announce: { type: 'string', multiple: true, default: [] },
      log: { type: 'string', default: 'info' },
      'turn-url': { type: 'string', multiple: true, default: [] },
      'turn-secret-file': { type: 'string' },
      'turn-ttl': { type: 'string' },
      'whep-trickle': { type: 'string', default: 'on' },
      'send-log': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  const trickle = values['whep-trickle'];
  if (values.help || !Number.isInteger(port) || port < 0 || port > 65535 || !isLogLevel(values.log) || !['on', 'off'].includes(trickle)) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  return { ...values, port, level: values.log, announced: values.announce, turn: turnOptions(values), whepTrickle: trickle === 'on' };
}

function turnOptions(values: { 'turn-url': string[]; 'turn-secret-file'?: string; 'turn-ttl'?: string }) {
  try {
    return turnConfigFromArgs({ urls: values['turn-url'], secretFile: values['turn-secret-file'], ttl: values['turn-ttl'] });
  } catch (error) {
    if (!(error instanceof TurnConfigError)) throw error;
    console.error(`avatar-server: ${error.message}`);
    process.exit(2);
  }
}

function isLogLevel(value: string): value is LogLevel {
  return ['debug', 'info', 'warn', 'error'].includes(value);
}

const { port, host, clips, idle, cache, level, announced, turn, whepTrickle, 'send-log': sendLog } = options();
const log = createLogger(level);
const server = await startAvatarServer({
  port,
  host,
  clipsDir: clips ? resolve(clips) : undefined,
  idleClip: idle ? resolve(idle) : undefined,
  cacheDir: resolve(cache ?? join(tmpdir(), 'avatar-clips')),
  announcedAddresses: announced,
  turn,
  whep: { trickle: whepTrickle },
  sendLog: sendLog ? resolve(sendLog) : undefined,
  log,
});
console.log(`avatar-server ready ${server.wsUrl.replace('0.0.0.0', '127.0.0.1')}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info(`${signal}: closing`);
    setTimeout(() => process.exit(1), 10_000).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error(`closing failed: ${String(error)}`);
        process.exit(1);
      },
    );
  });
}
