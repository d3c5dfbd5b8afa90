const KEPT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const MAX_NAME_BYTES = 200;

/**
 * Maps a builder name to a file name (without extension) that is safe inside the
 * watch directory. Names of letters, digits, `.`, `_`, `-` not starting with `.` are
 * kept as is; anything else is percent-encoded byte by byte. `%` never appears in a
 * kept name, so the mapping is injective (collision-free) and stable. Over-long
 * results are cut and suffixed with a hash of the full name.
 */
export function safeBuilderFileName(builder: string): string {
  let name: string;
  if (KEPT.test(builder)) {
    name = builder;
  } else {
    name = "";
    const bytes = Buffer.from(builder, "utf8");
    bytes.forEach((byte, index) => {
      const ch = String.fromCharCode(byte);
      const keep = (byte < 0x80 && /[A-Za-z0-9_-]/.test(ch)) || (ch === "." && index > 0);
      name += keep ? ch : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    });
    if (name === "") name = "%";
  }
  // ASCII by construction: its length is its bytes
  if (name.length > MAX_NAME_BYTES) {
    // node:crypto loaded on first use: costly at start-up, and only over-long names need it
    const digest = process.getBuiltinModule("node:crypto").createHash("sha256").update(builder, "utf8").digest("hex").slice(0, 16);
    name = `${name.slice(0, MAX_NAME_BYTES - 18)}%~${digest}`;
  }
  return name;
}

/** The watch file name for a builder: `<safe name>.json`. */
export function watchFileNameFor(builder: string): string {
  return `${safeBuilderFileName(builder)}.json`;
}
