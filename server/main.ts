import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startAvatarServer } from './avatar-server.js';
import { createLogger, type LogLevel } from './log.js';

const USAGE = `usage: npm run server -- [--port 8080] [--host 0.0.0.0] [--clips DIR] [--idle FILE]
                           [--cache DIR] [--announce ADDR ...] [--log debug|info|warn|error]`;

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
      help: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (values.help || !Number.isInteger(port) || port < 0 || port > 65535 || !isLogLevel(values.log)) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  return { ...values, port, level: values.log, announced: values.announce };
}

function isLogLevel(value: string): value is LogLevel {
  return ['debug', 'info', 'warn', 'error'].includes(value);
}

const { port, host, clips, idle, cache, level, announced } = options();
const log = createLogger(level);
const server = await startAvatarServer({
  port,
  host,
  clipsDir: clips ? resolve(clips) : undefined,
  idleClip: idle ? resolve(idle) : undefined,
  cacheDir: resolve(cache ?? join(tmpdir(), 'avatar-clips')),
  announcedAddresses: announced,
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
