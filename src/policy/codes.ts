// The code units of the text a detector scans, read once into a typed array. The hot loops of the address anchors,
// the tokenizer (tokens.ts), the digit runs and the card check read them there: a property read on a string
// (charCodeAt, length) turns megamorphic once a process has seen strings of many representations (one-byte and
// two-byte, sliced, cons), and costs a call a read. Past the end the array holds zeros for a few places, which every
// test there reads as it reads NaN (no letter, no digit, no space).

/** Zeros kept after the text: reads just past its end (a glance at the next characters) stay in the array. */
const padding = 8;
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const initialBytes = Buffer.allocUnsafeSlow(512);

export const scan = {
  /** The text the codes are of. */
  text: '',
  length: 0,
  /** A view of bytes (which loadCodes writes): from the start, else a first text short enough to fit reads zeros. */
  codes: new Uint16Array(initialBytes.buffer, initialBytes.byteOffset, 256),
  bytes: initialBytes,
};

/** Reads text into scan.codes, unless it holds that text already. */
export function loadCodes(text: string): Uint16Array {
  if (scan.text === text) return scan.codes;
  const length = text.length;
  if (length + padding > scan.codes.length) {
    const capacity = Math.max(length + padding, scan.codes.length * 2);
    scan.bytes = Buffer.allocUnsafeSlow(capacity * 2);
    scan.codes = new Uint16Array(scan.bytes.buffer, scan.bytes.byteOffset, capacity);
  }
  const codes = scan.codes;
  if (littleEndian) scan.bytes.write(text, 0, 'utf16le');
  else for (let index = 0; index < length; index += 1) codes[index] = text.charCodeAt(index);
  codes.fill(0, length, length + padding);
  scan.text = text;
  scan.length = length;
  return codes;
}
