export const CHROMIUM_PATH: string;
export function chromiumFlags(userDataDir: string): string[];
