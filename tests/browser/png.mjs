// png.mjs: a tiny PNG decoder and encoder (node's zlib only) and the "is this
// picture blank?" statistics the browser and native screenshot tests rely on.
//
//   decodePng(buf)        -> { width, height, data }   data: RGBA, 8 bits per channel
//   encodePng(img, opts)  -> Buffer                    for the decoder's own tests
//   imageStats(img, box?) -> { pixels, distinct, dominant, dominantShare, nonBackground, ... }
//   blankReason(stats)    -> null when the picture has content, else why it looks blank
//
// Supports what Chromium, stb_image_write and ImageMagick write: bit depth 8
// (and 16, reduced to 8), colour types 0 (grey), 2 (RGB), 3 (palette),
// 4 (grey+alpha), 6 (RGBA), every filter type, no interlace.
import zlib from "node:zlib";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function decodePng(buf) {
  if (!Buffer.isBuffer(buf)) buf = Buffer.from(buf);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) throw new Error("not a PNG file");
  let pos = 8, ihdr = null, palette = null, trns = null;
  const idat = [];
  while (pos + 8 <= buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString("latin1", pos + 4, pos + 8);
    if (pos + 12 + len > buf.length) throw new Error(`PNG chunk ${type} runs past the end`);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (type === "IHDR") {
      ihdr = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), depth: body[8], colour: body[9], interlace: body[12] };
    } else if (type === "PLTE") palette = body;
    else if (type === "tRNS") trns = body;
    else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") break;
    pos += 12 + len;
  }
  if (!ihdr) throw new Error("PNG without IHDR");
  const { width, height, depth, colour, interlace } = ihdr;
  const ch = CHANNELS[colour];
  if (!ch) throw new Error(`PNG colour type ${colour} not supported`);
  if (depth !== 8 && depth !== 16) throw new Error(`PNG bit depth ${depth} not supported`);
  if (interlace) throw new Error("interlaced PNG not supported");
  if (colour === 3 && !palette) throw new Error("palette PNG without PLTE");
  const bpp = ch * (depth / 8);               // bytes per pixel (filter unit)
  const stride = width * bpp;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  if (raw.length < height * (stride + 1)) throw new Error(`PNG data too short: ${raw.length} < ${height * (stride + 1)}`);
  const cur = Buffer.alloc(stride), prev = Buffer.alloc(stride);
  const out = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; ++y) {
    const f = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; ++i) {
      const a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      let v;
      switch (f) {
        case 0: v = line[i]; break;
        case 1: v = line[i] + a; break;
        case 2: v = line[i] + b; break;
        case 3: v = line[i] + ((a + b) >> 1); break;
        case 4: {
          const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          v = line[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default: throw new Error(`PNG filter type ${f} on row ${y}`);
      }
      cur[i] = v & 0xff;
    }
    for (let x = 0; x < width; ++x) {
      const s = (k) => cur[x * bpp + k * (depth / 8)];   // high byte of 16-bit samples
      let r, g, b2, al = 255;
      if (colour === 0) { r = g = b2 = s(0); }
      else if (colour === 4) { r = g = b2 = s(0); al = s(1); }
      else if (colour === 2) { r = s(0); g = s(1); b2 = s(2); }
      else if (colour === 6) { r = s(0); g = s(1); b2 = s(2); al = s(3); }
      else { const idx = s(0); r = palette[idx * 3]; g = palette[idx * 3 + 1]; b2 = palette[idx * 3 + 2]; al = trns && idx < trns.length ? trns[idx] : 255; }
      const o = (y * width + x) * 4;
      out[o] = r; out[o + 1] = g; out[o + 2] = b2; out[o + 3] = al;
    }
    cur.copy(prev);
  }
  return { width, height, data: out };
}

// CRC-32 as PNG wants it (the encoder below, for tests).
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; ++n) { let c = n; for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; t[n] = c >>> 0; }
  return t;
})();
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, body) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

// Encodes RGBA (colour 6) or RGB (colour 2) 8-bit; `filter` picks the filter
// type per row (a number, or a function of the row index) to exercise them all.
export function encodePng({ width, height, data }, { colour = 6, filter = 0 } = {}) {
  const ch = colour === 6 ? 4 : 3;
  const stride = width * ch;
  const rows = [];
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < height; ++y) {
    const line = Buffer.alloc(stride);
    for (let x = 0; x < width; ++x) for (let k = 0; k < ch; ++k) line[x * ch + k] = data[(y * width + x) * 4 + k];
    const f = typeof filter === "function" ? filter(y) : filter;
    const enc = Buffer.alloc(stride + 1);
    enc[0] = f;
    for (let i = 0; i < stride; ++i) {
      const a = i >= ch ? line[i - ch] : 0, b = prev[i], c = i >= ch ? prev[i - ch] : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >> 1;
      else if (f === 4) { const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c); pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c; }
      enc[i + 1] = (line[i] - pred) & 0xff;
    }
    rows.push(enc);
    prev = line;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = colour; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([SIGNATURE, chunk("IHDR", ihdr), chunk("IDAT", zlib.deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0))]);
}

// Colour statistics of an image (or of a box {x, y, w, h} inside it).
//   distinct:       number of distinct RGB colours
//   dominant:       the most common colour ("the background"), as [r, g, b]
//   dominantShare:  its share of the pixels
//   nonBackground:  share of pixels that differ from it at all visibly (|dr|+|dg|+|db| > 24):
//                   panel fills, borders, text, plots
//   ink:            share of pixels that clearly contrast with it (> 60): text, bars, dots,
//                   lines; a frame of empty panels has almost none
//   rows/cols:      share of rows / columns holding at least one ink pixel
export const INK_CONTRAST = 60;
export function imageStats(img, box = null) {
  const x0 = box ? Math.max(0, Math.floor(box.x)) : 0, y0 = box ? Math.max(0, Math.floor(box.y)) : 0;
  const x1 = box ? Math.min(img.width, Math.ceil(box.x + box.w)) : img.width;
  const y1 = box ? Math.min(img.height, Math.ceil(box.y + box.h)) : img.height;
  const counts = new Map();
  const d = img.data;
  for (let y = y0; y < y1; ++y)
    for (let x = x0; x < x1; ++x) {
      const o = (y * img.width + x) * 4;
      const key = (d[o] << 16) | (d[o + 1] << 8) | d[o + 2];
      counts.set(key, (counts.get(key) || 0) + 1);
    }
  const pixels = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  let domKey = 0, domCount = 0;
  for (const [k, c] of counts) if (c > domCount) { domKey = k; domCount = c; }
  const dr = (domKey >> 16) & 255, dg = (domKey >> 8) & 255, db = domKey & 255;
  let other = 0, ink = 0;
  const rowHit = new Uint8Array(Math.max(0, y1 - y0)), colHit = new Uint8Array(Math.max(0, x1 - x0));
  for (let y = y0; y < y1; ++y)
    for (let x = x0; x < x1; ++x) {
      const o = (y * img.width + x) * 4;
      const diff = Math.abs(d[o] - dr) + Math.abs(d[o + 1] - dg) + Math.abs(d[o + 2] - db);
      if (diff > 24) ++other;
      if (diff > INK_CONTRAST) { ++ink; rowHit[y - y0] = 1; colHit[x - x0] = 1; }
    }
  const sum = (a) => a.reduce((s, v) => s + v, 0);
  return {
    width: x1 - x0, height: y1 - y0, pixels,
    distinct: counts.size,
    dominant: [dr, dg, db],
    dominantShare: pixels ? domCount / pixels : 1,
    nonBackground: pixels ? other / pixels : 0,
    ink: pixels ? ink / pixels : 0,
    rows: rowHit.length ? sum(rowHit) / rowHit.length : 0,
    cols: colHit.length ? sum(colHit) / colHit.length : 0,
  };
}

// The non-blank rule: a drawn lab has text, plots and panels: many colours,
// a few percent of ink, spread over a good part of the picture. A uniform
// canvas, a cleared canvas with a stray line, a lone spinner, or a frame of
// empty panels with one line of text fails. (Calibrated on the lab's views:
// they have 2-40% ink over 20-95% of the rows.)
export const BLANK_RULE = { minDistinct: 24, minInk: 0.02, minRows: 0.15, minCols: 0.2 };

export function blankReason(s, rule = BLANK_RULE) {
  rule = { ...BLANK_RULE, ...(rule || {}) };
  if (s.pixels === 0) return "the picture is empty (0 pixels)";
  if (s.distinct < rule.minDistinct) return `only ${s.distinct} distinct colours (< ${rule.minDistinct})`;
  if (s.ink < rule.minInk)
    return `only ${(100 * s.ink).toFixed(2)}% of pixels contrast with the background rgb(${s.dominant}) (< ${100 * rule.minInk}%)`;
  if (s.rows < rule.minRows || s.cols < rule.minCols)
    return `content covers only ${(100 * s.rows).toFixed(0)}% of rows and ${(100 * s.cols).toFixed(0)}% of columns ` +
      `(< ${100 * rule.minRows}% / ${100 * rule.minCols}%)`;
  return null;
}

export function describeStats(s) {
  return `${s.width}x${s.height}, ${s.distinct} colours, background rgb(${s.dominant}) ${(100 * s.dominantShare).toFixed(1)}%, ` +
    `${(100 * s.nonBackground).toFixed(1)}% other pixels, ${(100 * s.ink).toFixed(1)}% ink over ${(100 * s.rows).toFixed(0)}% rows / ${(100 * s.cols).toFixed(0)}% cols`;
}
