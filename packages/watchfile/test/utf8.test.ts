import { describe, expect, it } from "vitest";
import { describeBadUtf8 } from "../src/json.js";

/**
 * The reference, independent of the locator's own method: a replacing (non-fatal) TextDecoder
 * fed one byte at a time writes U+FFFD when it meets the first byte it refuses. A U+FFFD in the
 * input (EF BF BD) also comes out as one, on its last byte: that one is not an error.
 */
function byReplacement(bytes: Uint8Array): string {
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  for (let index = 0; index < bytes.length; index++) {
    const out = decoder.decode(bytes.subarray(index, index + 1), { stream: true });
    const literal = out === "\uFFFD" && index >= 2 && bytes[index - 2] === 0xef && bytes[index - 1] === 0xbf && bytes[index] === 0xbd;
    if (out.includes("\uFFFD") && !literal) return `not valid UTF-8 (bad byte near offset ${index}); the whole file is rejected`;
  }
  if (decoder.decode().includes("\uFFFD")) {
    return `not valid UTF-8: the file ends in the middle of a character (${bytes.byteLength} bytes); the whole file is rejected`;
  }
  return "valid";
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function seeded(seed: number): (below: number) => number {
  let state = seed;
  return (below) => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 8) % below;
}

describe("describeBadUtf8", () => {
  it("names the byte TextDecoder refuses, for every lead byte followed by every kind of next byte", () => {
    const seconds = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xe0, 0xf0, 0xff];
    let checked = 0;
    for (let lead = 0x80; lead <= 0xff; lead++) {
      for (const second of seconds) {
        for (const tail of [[], [0x80], [0x80, 0x80], [0x41]]) {
          const bytes = Uint8Array.from([0x61, lead, second, ...tail]);
          if (isUtf8(bytes)) continue;
          checked++;
          expect(describeBadUtf8(bytes)).toBe(byReplacement(bytes));
        }
      }
    }
    expect(checked).toBeGreaterThan(5000);
  });

  it("agrees with TextDecoder on random damage to UTF-8 text", () => {
    const text = Buffer.from("watch é ü € 𝄞 \u0800 \uffff \ufffd \u{10ffff} end", "utf8");
    const next = seeded(12345);
    let checked = 0;
    for (let round = 0; round < 4000; round++) {
      const bytes = Uint8Array.from(text.subarray(0, 1 + next(text.length)));
      for (let hits = 1 + next(3); hits > 0; hits--) bytes[next(bytes.length)] = 0x80 + next(0x80);
      if (isUtf8(bytes)) continue;
      checked++;
      expect(describeBadUtf8(bytes)).toBe(byReplacement(bytes));
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it("agrees with TextDecoder on random byte strings, mostly of UTF-8's lead and continuation bytes", () => {
    // bytes drawn where the decoder's rules change: ASCII, continuations (by their sub-ranges), each lead
    const kinds = [
      [0x00, 0x7f],
      [0x80, 0x8f],
      [0x90, 0x9f],
      [0xa0, 0xbf],
      [0xc0, 0xc1],
      [0xc2, 0xdf],
      [0xe0, 0xe0],
      [0xe1, 0xec],
      [0xed, 0xed],
      [0xee, 0xef],
      [0xf0, 0xf0],
      [0xf1, 0xf3],
      [0xf4, 0xf4],
      [0xf5, 0xff],
    ];
    const next = seeded(20261206);
    let checked = 0;
    for (let round = 0; round < 20000; round++) {
      const bytes = new Uint8Array(1 + next(24));
      for (let index = 0; index < bytes.length; index++) {
        const [low, high] = kinds[next(kinds.length)]!;
        bytes[index] = low! + next(high! - low! + 1);
      }
      if (isUtf8(bytes)) continue;
      checked++;
      expect(describeBadUtf8(bytes)).toBe(byReplacement(bytes));
    }
    expect(checked).toBeGreaterThan(15000);
  });
});
