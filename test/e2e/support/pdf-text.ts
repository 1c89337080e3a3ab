import { inflateSync } from 'node:zlib';

// The text of a PDF Chromium printed, without a PDF library (none is a
// dependency): objects are split out, FlateDecode streams inflated, each
// Type0 font's ToUnicode CMap read (bfchar and bfrange), and every page's
// text operators (Tf selects the font; Tj/TJ show 2-byte glyph ids) mapped
// back to Unicode through the font in use. Enough for Skia's PDFs, which is
// all this reads; not a general PDF parser.

type PdfObject = { dict: string; stream: Buffer | null };

function objects(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString('latin1');
  const out = new Map<number, PdfObject>();
  const re = /(\d+) 0 obj\s*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endobj', start);
    const body = text.slice(start, end);
    const s = body.indexOf('stream');
    if (s < 0) {
      out.set(Number(m[1]), { dict: body, stream: null });
      continue;
    }
    const dict = body.slice(0, s);
    let dataStart = start + s + 'stream'.length;
    if (text[dataStart] === '\r') dataStart++;
    if (text[dataStart] === '\n') dataStart++;
    const length = /\/Length (\d+)/.exec(dict);
    const dataEnd = length ? dataStart + Number(length[1]) : text.indexOf('endstream', dataStart);
    let data = pdf.subarray(dataStart, dataEnd);
    if (/\/FlateDecode/.test(dict)) data = inflateSync(data);
    out.set(Number(m[1]), { dict, stream: data });
    re.lastIndex = end;
  }
  return out;
}

function parseCMap(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  const hexToString = (hex: string) => {
    let s = '';
    for (let i = 0; i < hex.length; i += 4) s += String.fromCharCode(parseInt(hex.slice(i, i + 4), 16));
    return s;
  };
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, src, dst] of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) map.set(parseInt(src!, 16), hexToString(dst!));
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, lo, hi, dst] of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
      const base = parseInt(dst!, 16);
      for (let c = parseInt(lo!, 16), i = 0; c <= parseInt(hi!, 16); c++, i++) map.set(c, String.fromCharCode(base + i));
    }
  }
  return map;
}

const ref = (dict: string, key: string): number | null => {
  const m = new RegExp(`/${key}\\s+(\\d+) 0 R`).exec(dict);
  return m ? Number(m[1]) : null;
};

/** Fonts of a resource dictionary (inline or referenced): name → its ToUnicode map. */
function fontsOf(resources: string, objs: Map<number, PdfObject>): Map<string, Map<number, string>> {
  const fonts = new Map<string, Map<number, string>>();
  let fontDict = /\/Font\s*<<([\s\S]*?)>>/.exec(resources)?.[1];
  const fontRef = ref(resources, 'Font');
  if (!fontDict && fontRef !== null) fontDict = objs.get(fontRef)?.dict;
  for (const [, name, num] of (fontDict ?? '').matchAll(/\/([\w.+-]+)\s+(\d+) 0 R/g)) {
    const font = objs.get(Number(num));
    const toUnicode = font ? ref(font.dict, 'ToUnicode') : null;
    const cmap = toUnicode !== null ? objs.get(toUnicode)?.stream : null;
    if (cmap) fonts.set(name!, parseCMap(cmap.toString('latin1')));
  }
  return fonts;
}

function showText(content: string, fonts: Map<string, Map<number, string>>): string {
  let font: Map<number, string> | undefined;
  let out = '';
  const decodeHex = (hex: string) => {
    let s = '';
    for (let i = 0; i + 4 <= hex.length; i += 4) s += font?.get(parseInt(hex.slice(i, i + 4), 16)) ?? '';
    return s;
  };
  for (const m of content.matchAll(/\/([\w.+-]+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>\s*Tj|\[((?:[^\]\\]|\\.)*)\]\s*TJ|(ET)/g)) {
    if (m[1]) font = fonts.get(m[1]);
    else if (m[2] !== undefined) out += decodeHex(m[2]);
    else if (m[3] !== undefined) {
      for (const part of m[3].matchAll(/<([0-9A-Fa-f]*)>|(-?[\d.]+)/g)) {
        if (part[1] !== undefined) out += decodeHex(part[1]);
        else if (Number(part[2]) < -200) out += ' '; // a wide kern is a word gap
      }
    } else if (m[4]) out += '\n';
  }
  return out;
}

export type PdfText = Readonly<{ pages: number; text: string; pageTexts: readonly string[] }>;

export function pdfText(pdf: Buffer): PdfText {
  const objs = objects(pdf);
  const pageTexts: string[] = [];
  for (const [, o] of objs) {
    if (!/\/Type\s*\/Page(?![s\w])/.test(o.dict)) continue;
    const resRef = ref(o.dict, 'Resources');
    const resources = resRef !== null ? (objs.get(resRef)?.dict ?? '') : (/\/Resources\s*<<([\s\S]*)>>/.exec(o.dict)?.[1] ?? '');
    const fonts = fontsOf(resources, objs);
    const contentRefs = /\/Contents\s*\[([^\]]*)\]/.exec(o.dict)?.[1]?.match(/\d+(?= 0 R)/g) ?? [String(ref(o.dict, 'Contents'))];
    pageTexts.push(contentRefs.map((n) => showText(objs.get(Number(n))?.stream?.toString('latin1') ?? '', fonts)).join('\n'));
  }
  return { pages: pageTexts.length, text: pageTexts.join('\n'), pageTexts };
}
