// The hostile-input corpus (issue 12, item 8): crafted files and field values, generated
// deterministically at test time. Nothing here talks to a server; tests/hostile.test.mjs
// sends it. Workbooks are written by a tiny zip writer (zlib's raw deflate and CRC-32), so
// a zip can say what a real one would not: sizes that lie, a ratio no spreadsheet has.
import zlib from 'node:zlib'
import { once } from 'node:events'

// ---------------------------------------------------------------------------------------
// CRC-32 and a zip writer

const crcTable = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

// CRC-32 of `buf`, continuing from `crc` (zlib's own when Node has it: Node 20.15+).
export function crc32 (buf, crc = 0) {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(buf, crc)
  let c = (crc ^ 0xFFFFFFFF) >>> 0
  for (let i = 0; i < buf.length; i++) c = crcTable[(c ^ buf[i]) & 0xFF] ^ (c >>> 8)
  return (c ^ 0xFFFFFFFF) >>> 0
}

// A part compressed in one go: { deflated, crc, size }.
export function deflatePart (data) {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8')
  return { deflated: zlib.deflateRawSync(bytes), crc: crc32(bytes), size: bytes.length }
}

// A part of `head`, then `unit` repeated `count` times, then `tail`, compressed as a stream
// so the whole (hundreds of MB) is never held in memory: { deflated, crc, size }.
export async function deflateRepeated (head, unit, count, tail) {
  const [h, u, t] = [head, unit, tail].map(b => Buffer.isBuffer(b) ? b : Buffer.from(b, 'utf8'))
  // Feed whole units in blocks of about 1 MB.
  const perBlock = Math.max(1, Math.floor((1 << 20) / u.length))
  const block = Buffer.concat(Array(perBlock).fill(u))
  const deflate = zlib.createDeflateRaw({ level: 6 })
  const out = []
  deflate.on('data', chunk => out.push(chunk))
  const done = once(deflate, 'end')
  let crc = crc32(h)
  let size = h.length
  deflate.write(h)
  for (let left = count; left > 0; left -= perBlock) {
    const piece = left >= perBlock ? block : block.subarray(0, left * u.length)
    crc = crc32(piece, crc)
    size += piece.length
    if (!deflate.write(piece)) await once(deflate, 'drain')
  }
  crc = crc32(t, crc)
  size += t.length
  deflate.end(t)
  await done
  return { deflated: Buffer.concat(out), crc, size }
}

// A zip archive of `entries`: { name, part: { deflated, crc, size }, declaredSize? }. A
// `declaredSize` is written in both headers instead of the true size (a lying zip).
export function zip (entries) {
  const locals = []
  const centrals = []
  let offset = 0
  for (const { name, part, declaredSize } of entries) {
    const nameBytes = Buffer.from(name, 'utf8')
    const size = declaredSize ?? part.size
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4) // version needed
    local.writeUInt16LE(0x0800, 6) // UTF-8 names
    local.writeUInt16LE(8, 8) // deflate
    local.writeUInt16LE(0, 10) // time
    local.writeUInt16LE(0x5A21, 12) // 2025-01-01
    local.writeUInt32LE(part.crc >>> 0, 14)
    local.writeUInt32LE(part.deflated.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(nameBytes.length, 26)
    local.writeUInt16LE(0, 28)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4) // made by
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(8, 10)
    central.writeUInt16LE(0, 12)
    central.writeUInt16LE(0x5A21, 14)
    central.writeUInt32LE(part.crc >>> 0, 16)
    central.writeUInt32LE(part.deflated.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(nameBytes.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, nameBytes, part.deflated)
    centrals.push(central, nameBytes)
    offset += local.length + nameBytes.length + part.deflated.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

// ---------------------------------------------------------------------------------------
// Workbooks

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
const PKG = 'http://schemas.openxmlformats.org/package/2006/relationships'

// The parts of a one-sheet workbook other than the sheet (and shared strings, if given).
function workbookParts (withSharedStrings) {
  const types = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
    (withSharedStrings ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' : '') +
    '</Types>'
  const rels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="${PKG}">` +
    `<Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`
  const workbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="${MAIN}" xmlns:r="${REL}">` +
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
  const workbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="${PKG}">` +
    `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
    (withSharedStrings ? `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : '') +
    '</Relationships>'
  return [
    { name: '[Content_Types].xml', part: deflatePart(types) },
    { name: '_rels/.rels', part: deflatePart(rels) },
    { name: 'xl/workbook.xml', part: deflatePart(workbook) },
    { name: 'xl/_rels/workbook.xml.rels', part: deflatePart(workbookRels) }
  ]
}

const sheetHead = (extra = '') => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${MAIN}" xmlns:r="${REL}">${extra}<sheetData>`
const sheetTail = (extra = '') => `</sheetData>${extra}</worksheet>`
const escapeXml = text => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const inlineCell = (ref, text) => `<c r="${ref}" t="inlineStr"><is><t>${escapeXml(text)}</t></is></c>`

// A workbook whose one sheet holds `rows` (arrays of text, from A1).
export function xlsxOf (rows) {
  const letters = i => { let s = ''; for (i++; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + (i - 1) % 26) + s; return s }
  const body = rows.map((cells, r) => `<row r="${r + 1}">${cells.map((c, i) => inlineCell(`${letters(i)}${r + 1}`, String(c))).join('')}</row>`).join('')
  return zip([...workbookParts(false), { name: 'xl/worksheets/sheet1.xml', part: deflatePart(sheetHead() + body + sheetTail()) }])
}

// A 1.5 KB workbook that declares the whole of Excel's grid and has cells at its corners.
export function dimensionBomb () {
  const sheet = sheetHead('<dimension ref="A1:XFD1048576"/>') +
    `<row r="1">${inlineCell('A1', 'Period')}</row>` +
    `<row r="1048576">${inlineCell('XFD1048576', 'corner')}</row>` + sheetTail()
  return zip([...workbookParts(false), { name: 'xl/worksheets/sheet1.xml', part: deflatePart(sheet) }])
}

// One cell of 32,000 characters merged over the whole grid.
export function mergedCellBomb () {
  const sheet = sheetHead('<dimension ref="A1:XFD1048576"/>') +
    `<row r="1">${inlineCell('A1', 'M'.repeat(32000))}</row>` +
    sheetTail('<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>')
  return zip([...workbookParts(false), { name: 'xl/worksheets/sheet1.xml', part: deflatePart(sheet) }])
}

// A sheet of about `megabytes` MB of rows, each one cell of 30,000 characters (Excel's limit
// is 32,767), which deflate packs about 1,000 to 1. With `lie`, the zip declares the sheet
// to be 4 MB (about 8 times its compressed size, as a real workbook might be).
export async function zipBomb ({ megabytes = 500, lie = false } = {}) {
  const unit = `<row><c t="inlineStr"><is><t>${'A'.repeat(30000)}</t></is></c></row>`
  const count = Math.ceil(megabytes * 1048576 / unit.length)
  const part = await deflateRepeated(sheetHead(), unit, count, sheetTail())
  return {
    bytes: zip([...workbookParts(false), { name: 'xl/worksheets/sheet1.xml', part, declaredSize: lie ? 4 * 1048576 : undefined }]),
    unzipped: part.size
  }
}

// One cell holding `megabytes` MB of text, in the sheet (inline) or as the workbook's one
// shared string, in a zip that declares the part to be 4 MB.
export async function giantCell ({ megabytes = 500, shared = false } = {}) {
  const count = megabytes * 1048576 / 1024
  const unit = 'B'.repeat(1024)
  if (shared) {
    const strings = await deflateRepeated(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="${MAIN}" count="1" uniqueCount="1"><si><t>`, unit, count, '</t></si></sst>')
    const sheet = sheetHead() + '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + sheetTail()
    return {
      bytes: zip([...workbookParts(true),
        { name: 'xl/sharedStrings.xml', part: strings, declaredSize: 4 * 1048576 },
        { name: 'xl/worksheets/sheet1.xml', part: deflatePart(sheet) }]),
      unzipped: strings.size
    }
  }
  const part = await deflateRepeated(sheetHead() + '<row r="1"><c r="A1" t="inlineStr"><is><t>', unit, count, '</t></is></c></row>' + sheetTail())
  return {
    bytes: zip([...workbookParts(false), { name: 'xl/worksheets/sheet1.xml', part, declaredSize: 4 * 1048576 }]),
    unzipped: part.size
  }
}

// A sheet whose data is 100,000 elements nested inside each other, around one cell.
export function deepXml (depth = 100000) {
  const sheet = sheetHead() + '<row r="1">' + '<x>'.repeat(depth) + inlineCell('A1', 'deep') + '</x>'.repeat(depth) + '</row>' + sheetTail()
  return zip([...workbookParts(false), { name: 'xl/worksheets/sheet1.xml', part: deflatePart(sheet) }])
}

// A real workbook cut off half way.
export function truncatedZip () {
  const whole = xlsxOf([['Period', 'Value'], ['2023-01', '5']])
  return whole.subarray(0, Math.floor(whole.length / 2))
}

// ---------------------------------------------------------------------------------------
// Text files

const csv = rows => Buffer.from(rows.map(r => r.join(',')).join('\r\n') + '\r\n', 'utf8')

export function wideCsv (columns = 20000) {
  const header = Array.from({ length: columns }, (_, i) => `c${i}`)
  return csv([header, header.map((_, i) => String(i))])
}

export function tallCsv (rows = 20000) {
  return csv([['Period', 'Value'], ...Array.from({ length: rows }, (_, i) => [`${2000 + Math.floor(i / 12) % 100}-${String(i % 12 + 1).padStart(2, '0')}`, String(i)])])
}

export function longCellCsv (chars = 100000) {
  return csv([['Period', 'Value', 'Note'], ['2023-01', '5', 'L'.repeat(chars)]])
}

// A CSV with a few NUL bytes inside a cell (under 1% of the text, so it still looks like a
// CSV file): the NULs must be refused or removed, never stored.
export function nulCsv (header = ['Period', 'Value', 'Note']) {
  const filler = 'padding text so the file is mostly ordinary '.repeat(20)
  const cells = header.map((h, i) => i === header.length - 1 ? `before\u0000\u0000after ${filler}` : (/period|date/i.test(h) ? '2023-01' : '5'))
  return csv([header, cells])
}

// A file that is mostly NUL bytes with a header in front.
export function binaryCsv () {
  return Buffer.concat([Buffer.from('Period,Value\r\n'), Buffer.alloc(4096, 0), Buffer.from('\r\n2023-01,5\r\n')])
}

// UTF-16 (little-endian) with its byte order mark, as Excel's "Unicode text" saves.
export function utf16Csv () {
  const text = 'Period\tValue\r\n2023-01\t5\r\n2023-02\t6\r\n'
  return Buffer.concat([Buffer.from([0xFF, 0xFE]), Buffer.from(text, 'utf16le')])
}

export function deepJson (depth = 100000) {
  return '['.repeat(depth) + ']'.repeat(depth)
}

// A CSV of `bytes` bytes (ordinary rows), to go over a size limit.
export function sizedCsv (bytes) {
  const row = 'Period,Value,Note,Filler filler filler filler filler filler filler filler filler\r\n'
  const out = Buffer.alloc(bytes)
  for (let i = 0; i < bytes; i += row.length) out.write(row, i)
  return out
}

// The header of the DfE's EHC plan timeliness file, and rows in its shape.
export const DFE_HEADER = ['time_period', 'time_identifier', 'geographic_level', 'country_code', 'country_name', 'region_code', 'region_name', 'new_la_code', 'old_la_code', 'la_name', 'breakdown_topic', 'breakdown', 'plans_issued_den', 'plans_issued_den_ex', 'plans_issued_within_20_weeks', 'plans_issued_20_weeks_ex', 'pc_plans_issued_within_20_weeks', 'PC_plans_issued_20_weeks_ex']
export function dfeCsv (rows) {
  // rows: [time_period, geographic_level, new_la_code, la_name, percent]
  return csv([DFE_HEADER, ...rows.map(([period, level, code, name, percent]) =>
    [period, 'Calendar year', level, 'E92000001', 'England', level === 'National' ? '' : 'E12000005', level === 'National' ? '' : 'West Midlands', level === 'Local authority' ? code : '', level === 'Local authority' ? '336' : '', level === 'Local authority' ? name : '', 'All EHC plans issued', 'All EHC plans issued', '100', '100', '50', '50', percent, percent])])
}

// ---------------------------------------------------------------------------------------
// Multipart bodies

export function multipart (boundary, parts) {
  const chunks = []
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`))
    if (part.filename !== undefined) {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type || 'application/octet-stream'}\r\n\r\n`))
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${part.name}"\r\n\r\n`))
    }
    chunks.push(Buffer.isBuffer(part.value) ? part.value : Buffer.from(String(part.value), 'utf8'))
    chunks.push(Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(chunks)
}

// A 70-character boundary (the most RFC 2046 allows) and a file part of `megabytes` MB of
// lines that each almost close the part: the boundary with its last character changed.
export function pathologicalMultipart (csrf, megabytes = 7) {
  const boundary = 'B'.repeat(69) + 'x'
  const near = Buffer.from(`\r\n--${'B'.repeat(69)}y`)
  const count = Math.floor(megabytes * 1048576 / near.length)
  const file = Buffer.alloc(near.length * count)
  for (let i = 0; i < count; i++) near.copy(file, i * near.length)
  return { boundary, body: multipart(boundary, [{ name: '_csrf', value: csrf }, { name: 'file', filename: 'near.csv', type: 'text/csv', value: file }]) }
}

// ---------------------------------------------------------------------------------------
// Field values. Each says, for each kind of field, whether it must be refused ('invalid')
// or may be taken ('either': refused with a message, or stored exactly).

const NFD = 'Zoe\u0308 A\u030Angstro\u0308m cafe\u0301'

// Text for free-text fields (names, titles, narratives). `bytes` is sent as raw bytes,
// `stored` is what a server that takes it must keep (after trimming): the same text,
// unless said otherwise.
export const textCases = [
  { id: 'nul', value: 'Sam\u0000Patel', verdict: 'invalid', message: /control character/i },
  { id: 'bel-esc', value: 'ding\u0007 \u001b[31mred\u001b[0m', verdict: 'invalid', message: /control character/i },
  { id: 'c1-control', value: 'next\u0085line', verdict: 'invalid', message: /control character/i },
  { id: 'rtl-override', value: 'invoice\u202Etxt.exe', verdict: 'either' },
  { id: 'zero-width', value: 'Zero\u200Bwidth\u200Djoiner\uFEFF mid', verdict: 'either' },
  { id: 'emoji-zwj', value: '👩‍👩‍👧 family 🏳️‍🌈 𝕳𝖊𝖑𝖑𝖔', verdict: 'either' },
  { id: 'combining-x1000', value: 'Z' + '\u0301'.repeat(1000), verdict: 'either' },
  { id: 'nfd', value: NFD, verdict: 'either', alsoStored: [NFD.normalize('NFC')] },
  { id: 'nfc', value: NFD.normalize('NFC'), verdict: 'either' },
  { id: 'lone-surrogate-bytes', bytes: Buffer.from([0x61, 0xED, 0xA0, 0x80, 0x62]), value: 'a\uFFFD\uFFFD\uFFFDb', verdict: 'either', alsoStored: ['a\uFFFDb'] },
  { id: 'invalid-utf8', bytes: Buffer.from([0x6F, 0x6B, 0xC0, 0xAF, 0xFF, 0xFE, 0x21]), value: 'ok\uFFFD\uFFFD\uFFFD\uFFFD!', verdict: 'either' },
  { id: 'escapes-as-text', value: '\\ud800 \\u0000 %00 &#0; \\x1b ${7*7} {{7*7}}', verdict: 'either' },
  { id: 'crlf-header-injection', value: 'Sam Patel\r\nBcc: x@evil.example', verdict: 'either', oneLine: true },
  { id: 'encoded-crlf', value: 'Sam Patel%0d%0aBcc: x@evil.example', verdict: 'either' },
  { id: 'html-and-formula', value: '<script>alert(1)</script> =HYPERLINK("http://evil.example") @SUM(A1)', verdict: 'either' },
  { id: 'whitespace-only', value: ' \t \u00A0 \u3000 ', verdict: 'either' },
  { id: 'over-long', value: 'L'.repeat(20001), verdict: 'invalid', message: /characters or fewer|at most|too long/i }
]

// Numbers, for number fields and the parts of dates.
export const numberCases = [
  { id: '1e400', value: '1e400', verdict: { number: 'invalid', whole: 'invalid', datePart: 'invalid' } },
  { id: 'huge-integer', value: '99999999999999999999999', verdict: { number: 'either', whole: 'invalid', datePart: 'invalid' } },
  { id: 'nan', value: 'NaN', verdict: { number: 'invalid', whole: 'invalid', datePart: 'invalid' } },
  { id: 'infinity', value: '-Infinity', verdict: { number: 'invalid', whole: 'invalid', datePart: 'invalid' } },
  { id: 'minus-one', value: '-1', verdict: { number: 'either', whole: 'either', datePart: 'invalid' } },
  { id: 'hex', value: '0x1F', verdict: { number: 'invalid', whole: 'invalid', datePart: 'invalid' } },
  { id: 'arabic-indic-digits', value: '١٢', verdict: { number: 'either', whole: 'either', datePart: 'either' } }
]

// Dates as the three boxes of a GOV.UK date input: every one must be refused.
export const dateCases = [
  { id: '2022-02-30', day: '30', month: '2', year: '2022' },
  { id: '9999-12-31', day: '31', month: '12', year: '9999' },
  { id: '0000-00-00', day: '0', month: '0', year: '0' },
  { id: 'minus-one', day: '-1', month: '-1', year: '-1' },
  { id: 'year-1e400', day: '1', month: '1', year: '1e400' },
  { id: 'year-huge', day: '1', month: '1', year: '99999999999999999999999' }
]

// Periods and dates written as text (a measure's period, a target's date).
export const periodCases = ['9999-12', '0000-00-00', '-1', '2022-02-30', '2022-13', '1e400', '99999999999999999999999']

// For the lines of a measure's targets ("June 2023 = 125").
export const targetLineCases = [
  '30 February 2022 = 5', '9999-12 = 5', 'June 2023 = 1e400', 'June 2023 = 99999999999999999999999', '0000-00-00 = 1', 'June 2023 = NaN'
]

// For email fields: all but the internationalised one must be refused.
export const emailCases = [
  { id: 'crlf-bcc', value: 'sam@council.example\r\nBcc: x@evil.example', verdict: 'invalid' },
  { id: 'encoded-crlf', value: 'sam@council.example%0d%0aBcc:x@evil.example', verdict: 'invalid' },
  { id: 'two-addresses', value: 'sam@council.example, x@evil.example', verdict: 'invalid' },
  { id: 'two-addresses-no-space', value: 'sam@council.example,x@evil.example', verdict: 'invalid' },
  { id: 'two-at-signs', value: 'sam@council.example@evil.example', verdict: 'invalid' },
  { id: 'display-name', value: '"Sam" <sam@council.example>', verdict: 'invalid' },
  { id: 'nul', value: 'sam\u0000@council.example', verdict: 'invalid' },
  { id: 'over-long', value: 'a'.repeat(300) + '@council.example', verdict: 'invalid' },
  { id: 'unicode', value: 'zoë@exämple.org', verdict: 'either' }
]

// For choices (radios, selects, lists of ids): none of these is on any list.
export const choiceCases = ['not-a-choice', '99999999999999999999999', '-1']
