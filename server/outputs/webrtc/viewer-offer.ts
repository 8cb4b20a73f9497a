/**
 * Checks a viewer's SDP offer (the WHEP case: the browser offers, we answer) and narrows its video
 * codecs to the one H.264 format we can send, because werift answers with the first H.264 it finds,
 * whatever its packetization mode or profile.
 */
export type ViewerOfferCheck = { ok: true; sdp: string } | { ok: false; message: string };

interface H264Format {
  payloadType: string;
  packetizationMode: string;
  profileLevelId: string;
}

const RECEIVING = /^a=(recvonly|sendrecv)\s*$/m;

export function checkViewerOffer(sdp: string, profileLevelId: string): ViewerOfferCheck {
  if (!sdp.startsWith('v=0')) return { ok: false, message: 'the body is not an SDP offer (it must start with v=0)' };
  const sections = splitSections(sdp);
  const videoIndex = sections.findIndex((section, index) => index > 0 && section.startsWith('m=video') && RECEIVING.test(section));
  if (videoIndex < 0) return { ok: false, message: 'the offer has no video m-line that can receive (recvonly or sendrecv)' };
  const formats = h264Formats(sections[videoIndex]!);
  if (formats.length === 0) return { ok: false, message: 'the offer does not list H.264 for video: this server sends H.264 only' };
  const chosen = bestFormat(formats, profileLevelId);
  if (!chosen) return { ok: false, message: 'the offer lists no H.264 with packetization-mode=1: this server sends fragmented NAL units' };
  sections[videoIndex] = keepVideoFormat(sections[videoIndex]!, chosen.payloadType);
  return { ok: true, sdp: sections.join('') };
}

function splitSections(sdp: string): string[] {
  return sdp.split(/(?=^m=)/m);
}

function h264Formats(section: string): H264Format[] {
  return [...section.matchAll(/^a=rtpmap:(\d+) H264\/90000/gim)].map(([, payloadType]) => {
    const fmtp = new RegExp(`^a=fmtp:${payloadType} (.*)$`, 'm').exec(section)?.[1] ?? '';
    const parameter = (name: string) => new RegExp(`(?:^|;)\\s*${name}=([^;\\s]+)`, 'i').exec(fmtp)?.[1] ?? '';
    return { payloadType: payloadType!, packetizationMode: parameter('packetization-mode') || '0', profileLevelId: parameter('profile-level-id').toLowerCase() || '42000a' };
  });
}

/** Same profile as ours first (level asymmetry lets us send our level), then any that decodes baseline. */
function bestFormat(formats: H264Format[], profileLevelId: string): H264Format | undefined {
  const usable = formats.filter((format) => format.packetizationMode === '1');
  const ours = profileOf(profileLevelId);
  return (
    usable.find((format) => format.profileLevelId === profileLevelId.toLowerCase()) ??
    usable.find((format) => profileOf(format.profileLevelId) === ours) ??
    usable.find((format) => format.profileLevelId.startsWith('42')) ??
    usable[0]
  );
}

/** Coarse H.264 profile names from profile_idc and the constraint flags (RFC 6184 table 5). */
function profileOf(profileLevelId: string): string {
  const idc = profileLevelId.slice(0, 2).toLowerCase();
  const constraints = parseInt(profileLevelId.slice(2, 4), 16) || 0;
  if (idc === '42') return constraints & 0x40 ? 'constrained-baseline' : 'baseline';
  if (idc === '4d') return constraints & 0x80 ? 'constrained-baseline' : 'main';
  if (idc === '58') return constraints & 0x80 ? (constraints & 0x40 ? 'constrained-baseline' : 'baseline') : 'extended';
  return idc;
}

/** Drops every other video format (and its attributes) from the m-line. */
function keepVideoFormat(section: string, payloadType: string): string {
  const lines = section.split(/(?<=\n)/);
  return lines
    .map((line, index) => (index === 0 ? line.replace(/^(m=video \S+ \S+)( .*)?(\r?\n)?$/, `$1 ${payloadType}$3`) : line))
    .filter((line) => {
      const format = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+|\*)/.exec(line)?.[1];
      return format === undefined || format === payloadType || format === '*';
    })
    .join('');
}
