import { describe, expect, it } from "vitest";
import { describeBadUtf8 } from "../src/json.js";

/** The reference: the shortest prefix that a streaming, fatal TextDecoder refuses ends at the bad byte. */
function byTextDecoder(bytes: Uint8Array): string {
  const breaks = (length: number) => {
    try {
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, length), { stream: true });
      return false;
    } catch {
      return true;
    }
  };
  if (!breaks(bytes.byteLength)) {
    return `not valid UTF-8: the file ends in the middle of a character (${bytes.byteLength} bytes); the whole file is rejected`;
  }
  let low = 1;
  let high = bytes.byteLength;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (breaks(middle)) high = middle;
    else low = middle + 1;
  }
  return `not valid UTF-8 (bad byte near offset ${low - 1}); the whole file is rejected`;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe("describeBadUtf8", () => {
  it("names the byte TextDecoder refuses, for every lead byte followed by every kind of next byte", () => {
    const seconds = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xe0, 0xf0, 0xff];
    for (let lead = 0x80; lead <= 0xff; lead++) {
      for (const second of seconds) {
        for (const tail of [[], [0x80], [0x80, 0x80], [0x41]]) {
          const bytes = Uint8Array.from([0x61, lead, second, ...tail]);
          if (!isUtf8(bytes)) expect(describeBadUtf8(bytes)).toBe(byTextDecoder(bytes));
        }
      }
    }
  });

  it("agrees with TextDecoder on random damage to UTF-8 text", () => {
    const text = Buffer.from("watch é ü € 𝄞 \u0800 \uffff \u{10ffff} end", "utf8");
    let state = 12345;
    const next = (below: number) => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 8) % below;
    let checked = 0;
    for (let round = 0; round < 4000; round++) {
      const bytes = Uint8Array.from(text.subarray(0, 1 + next(text.length)));
      for (let hits = 1 + next(3); hits > 0; hits--) bytes[next(bytes.length)] = 0x80 + next(0x80);
      if (isUtf8(bytes)) continue;
      checked++;
      expect(describeBadUtf8(bytes)).toBe(byTextDecoder(bytes));
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
