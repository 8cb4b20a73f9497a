export interface ReferenceServerOptions {
  /** Where the server's stdout and stderr go. */
  logFile: string;
  /** Arguments after `server/main.ts`, e.g. `['--port', '0', '--host', '127.0.0.1']`. */
  args?: string[];
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** Bound on the wait for the ready line; the first start makes the demo clips with ffmpeg. */
  readyTimeoutMs?: number;
}

export interface ReferenceServer {
  /** The signaling WebSocket, as printed in the ready line. */
  wsUrl: string;
  /** The same host and port over HTTP (`/health`). */
  httpUrl: string;
  pid: number | undefined;
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** SIGKILL at once; safe in a process 'exit' handler. */
  killNow(): void;
}

export const REPO_ROOT: string;
export function startReferenceServer(options: ReferenceServerOptions): Promise<ReferenceServer>;
export function tailOf(file: string, lines?: number): Promise<string>;
