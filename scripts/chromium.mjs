// How every test and benchmark starts Debian's Chromium: headless, as root, with no traffic of its own.
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a fresh profile in `userDataDir`; add `--disable-features=WebRtcHideLocalIpsWithMdns` to see host IPs. */
export function chromiumFlags(userDataDir) {
  return [
    '--headless=new',
    '--no-sandbox', // Chromium refuses to start as root with its sandbox on
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--autoplay-policy=no-user-gesture-required',
    `--user-data-dir=${userDataDir}`,
  ];
}
