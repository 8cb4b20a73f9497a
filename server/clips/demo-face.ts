/**
 * ffmpeg filter expressions that draw the demo avatar: a synthetic face whose mouth opening follows
 * the same syllable envelope, written once as a formula of time, that shapes the voice's loudness.
 */

export const FACE_SIZE = 320;
export const FRAME_RATE = 25;

export interface SpeechShape {
  /** Syllables per second: the mouth opens and closes this often. */
  syllableRate: number;
  /** Fundamental of the voiced tone, in Hz. */
  pitchHz: number;
}

export interface FaceClipSpec {
  seconds: number;
  /** Undefined: the idle loop (closed mouth, silence). */
  speech?: SpeechShape;
  /** When the eyes are shut for a blink, in seconds from the start. */
  blinkAt: number;
}

const RGB = {
  background: [43, 58, 74],
  skin: [232, 183, 150],
  hair: [70, 46, 32],
  eyeWhite: [248, 248, 244],
  iris: [60, 90, 120],
  pupil: [20, 20, 24],
  brow: [60, 40, 28],
  nose: [212, 158, 124],
  lips: [176, 84, 84],
  mouth: [80, 20, 26],
} as const;

type Colour = keyof typeof RGB;

const MOUTH = { centreX: 160, centreY: 242, halfWidth: 36, maxHalfHeight: 17, lipThickness: 4 };
const MOUTH_BOX = { width: 96, height: 60 };
const EYES = [108, 212] as const;
const EYE_Y = 158;
const EDGE_SECONDS = 0.2;

/** 0 (closed) … 1 (wide open) as a formula of the variable `t`: syllables that fade in and out at the clip's ends. */
export function envelope(shape: SpeechShape, seconds: number, t: string): string {
  const fade = `min(1,max(0,min(${t}/${EDGE_SECONDS},(${seconds}-${t})/${EDGE_SECONDS})))`;
  return `(abs(sin(PI*${shape.syllableRate}*${t}))*${fade})`;
}

/** aevalsrc expression: a voiced tone (fundamental and two harmonics) whose loudness is the envelope. */
export function voiceExpression(shape: SpeechShape, seconds: number): string {
  const f = shape.pitchHz;
  const tone = `(0.55*sin(2*PI*${f}*t)+0.3*sin(2*PI*${2 * f}*t)+0.15*sin(2*PI*${3 * f}*t))`;
  return `0.6*${envelope(shape, seconds, 't')}*${tone}`;
}

/** The filter graph: the static face drawn once and repeated, eyelids for the blink, the mouth on top. */
export function faceFilterGraph(spec: FaceClipSpec): string {
  const frames = Math.round(spec.seconds * FRAME_RATE);
  const face =
    `color=c=black:s=${FACE_SIZE}x${FACE_SIZE}:r=${FRAME_RATE}:d=1,trim=end_frame=1,` +
    `${rgbGeq(staticFaceRegion())},format=yuv420p,loop=loop=${frames - 1}:size=1:start=0,setpts=N/(${FRAME_RATE}*TB)`;
  const blink = EYES.map((x) => `drawbox=x=${x - 23}:y=${EYE_Y - 14}:w=46:h=28:c=${hex('skin')}:t=fill:enable='${blinkWindow(spec.blinkAt)}'`).join(',');
  const lashes = EYES.map((x) => `drawbox=x=${x - 22}:y=${EYE_Y}:w=44:h=3:c=${hex('brow')}:t=fill:enable='${blinkWindow(spec.blinkAt)}'`).join(',');
  const opening = spec.speech ? envelope(spec.speech, spec.seconds, 'T') : '0';
  const mouth = `color=c=black:s=${MOUTH_BOX.width}x${MOUTH_BOX.height}:r=${FRAME_RATE}:d=${spec.seconds},${rgbGeq(mouthRegion(opening))},format=yuv420p`;
  const at = `x=${MOUTH.centreX - MOUTH_BOX.width / 2}:y=${MOUTH.centreY - MOUTH_BOX.height / 2}`;
  return `${face},${blink},${lashes}[face];${mouth}[mouth];[face][mouth]overlay=${at}:shortest=1,trim=end_frame=${frames}[v]`;
}

function blinkWindow(at: number): string {
  return `between(t,${at.toFixed(2)},${(at + 0.12).toFixed(2)})`;
}

/** A region expression stores a colour index in register 0; the geq then maps it to r, g and b. */
function rgbGeq(region: string): string {
  const colours = Object.keys(RGB) as Colour[];
  const channel = (c: 0 | 1 | 2) => {
    const pick = colours.reduceRight((rest, name, index) => `if(eq(ld(0),${index}),${RGB[name][c]},${rest})`, '0');
    return `'st(0,${region});${pick}'`;
  };
  return `geq=r=${channel(0)}:g=${channel(1)}:b=${channel(2)}`;
}

function colourIndex(name: Colour): number {
  return (Object.keys(RGB) as Colour[]).indexOf(name);
}

function inEllipse(cx: number | string, cy: number | string, rx: number | string, ry: number | string): string {
  return `lte(pow((X-(${cx}))/(${rx}),2)+pow((Y-(${cy}))/(${ry}),2),1)`;
}

/** First matching layer wins, so the list runs from the front of the face to the back. */
function layered(layers: Array<[string, Colour]>, base: Colour): string {
  return layers.reduceRight((rest, [test, colour]) => `if(${test},${colourIndex(colour)},${rest})`, String(colourIndex(base)));
}

function staticFaceRegion(): string {
  const eyeLayers = EYES.flatMap((x): Array<[string, Colour]> => [
    [inEllipse(x, EYE_Y, 5, 5), 'pupil'],
    [inEllipse(x, EYE_Y, 10, 10), 'iris'],
    [inEllipse(x, EYE_Y, 21, 12), 'eyeWhite'],
    [`between(X,${x - 22},${x + 22})*between(Y,${EYE_Y - 31},${EYE_Y - 24})`, 'brow'],
  ]);
  return layered(
    [
      ...eyeLayers,
      [inEllipse(160, 200, 13, 9), 'nose'],
      [`${inEllipse(160, 168, 112, 140)}*lt(Y,118)`, 'hair'],
      [inEllipse(160, 180, 104, 132), 'skin'],
      [inEllipse(160, 150, 116, 120), 'hair'],
    ],
    'background',
  );
}

/** The mouth, centred in its box: a dark opening inside lips; closed, the lips meet in a line. */
function mouthRegion(opening: string): string {
  const cx = MOUTH_BOX.width / 2;
  const cy = MOUTH_BOX.height / 2;
  const halfHeight = `(1.5+${MOUTH.maxHalfHeight}*${opening})`;
  return layered(
    [
      [inEllipse(cx, cy, MOUTH.halfWidth - MOUTH.lipThickness, halfHeight), 'mouth'],
      [inEllipse(cx, cy, MOUTH.halfWidth, `(${halfHeight}+${MOUTH.lipThickness})`), 'lips'],
    ],
    'skin',
  );
}

function hex(name: Colour): string {
  return `0x${RGB[name].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}
