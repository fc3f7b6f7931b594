/** Strict UTF-8 check of Arrow string values: what a decoder would not read back byte for byte. */

/**
 * Why bytes[from, to) is not a string a UTF-8 decoder returns unchanged, or null: invalid UTF-8
 * (overlong forms, surrogates, code points above U+10FFFF, cut sequences; TextDecoder would put U+FFFD
 * there) or a leading byte-order mark (TextDecoder drops it).
 */
export function utf8Problem(bytes: Uint8Array, from: number, to: number): string | null {
  if (to - from >= 3 && bytes[from] === 0xef && bytes[from + 1] === 0xbb && bytes[from + 2] === 0xbf) {
    return 'starts with a byte-order mark, which a UTF-8 decoder drops';
  }
  let i = from;
  while (i < to) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return `is not valid UTF-8 (byte 0x${b.toString(16)} at ${i - from})`;
    if (i + need >= to) return `is not valid UTF-8 (a sequence is cut at ${i - from})`;
    const c1 = bytes[i + 1];
    if (c1 < lo || c1 > hi) return `is not valid UTF-8 (byte 0x${c1.toString(16)} at ${i + 1 - from})`;
    for (let k = 2; k <= need; k++) {
      const c = bytes[i + k];
      if (c < 0x80 || c > 0xbf) return `is not valid UTF-8 (byte 0x${c.toString(16)} at ${i + k - from})`;
    }
    i += need + 1;
  }
  return null;
}

/**
 * Why the strings bytes[data + offsets[r], data + offsets[r + 1]) (r < count; int32 offsets at `offsets`
 * in dv, already checked to rise from 0 to `end`) are not all strict UTF-8 (see utf8Problem), or null.
 * One pass over the bytes: the whole range must be valid and every string must start on a character.
 */
export function utf8StringsProblem(bytes: Uint8Array, dv: DataView, data: number, offsets: number, count: number, end: number): string | null {
  let ascii = true;
  for (let p = data; p < data + end; p++) {
    if (bytes[p] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return null;
  const whole = utf8Problem(bytes, data, data + end);
  for (let r = 0; r < count; r++) {
    const from = data + dv.getInt32(offsets + 4 * r, true);
    const to = data + dv.getInt32(offsets + 4 * r + 4, true);
    const b = bytes[from];
    // A string starting inside a character, or starting with a byte-order mark: read it alone.
    if (whole !== null || (from < to && ((b >= 0x80 && b <= 0xbf) || b === 0xef))) {
      const why = utf8Problem(bytes, from, to);
      if (why) return `value ${r} ${why}`;
    }
  }
  return whole === null ? null : `${whole}`;
}
