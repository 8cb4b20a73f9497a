export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(scope: string): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Logs to stderr, so that stdout carries only the server's ready line. */
export function createLogger(level: LogLevel = 'info', scope = 'avatar-server'): Logger {
  const write = (at: LogLevel) => (message: string) => {
    if (ORDER[at] >= ORDER[level]) process.stderr.write(`${new Date().toISOString()} ${at.padEnd(5)} [${scope}] ${message}\n`);
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (child) => createLogger(level, `${scope}:${child}`),
  };
}
