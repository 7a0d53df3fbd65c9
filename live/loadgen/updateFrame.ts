/** How a pushed update starts as the server serialises it (live/server/handlers.ts: type first). */
const UPDATE_PREFIX = Buffer.from('{"type":"pool_update"');
const PUBLISHED_AT = Buffer.from('"publishedAt":');

/**
 * The `publishedAt` of a pushed update read straight from the frame's bytes, without parsing
 * the JSON: most messages a user receives are updates, and only this field is needed. NaN when
 * the frame is not an update in the server's usual form (the caller then parses it in full).
 */
export function updatePublishedAt(data: Buffer): number {
  if (data.length < UPDATE_PREFIX.length || data.compare(UPDATE_PREFIX, 0, UPDATE_PREFIX.length, 0, UPDATE_PREFIX.length) !== 0) return NaN;
  const at = data.indexOf(PUBLISHED_AT, UPDATE_PREFIX.length);
  if (at < 0) return NaN;
  let i = at + PUBLISHED_AT.length;
  let v = 0;
  let digits = 0;
  for (; i < data.length; i++, digits++) {
    const c = data[i] - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
  }
  if (digits === 0) return NaN;
  if (data[i] === 46) {
    // a fraction of a millisecond
    let scale = 0.1;
    for (i++; i < data.length; i++, scale /= 10) {
      const c = data[i] - 48;
      if (c < 0 || c > 9) break;
      v += c * scale;
    }
  }
  const end = data[i];
  // the number must end the value (',' or '}'): anything else (an exponent, a string) is parsed in full
  return end === 44 || end === 125 ? v : NaN;
}
