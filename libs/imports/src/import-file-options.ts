import { AppError } from '@app/common';

/** The encodings an import reads. */
export type ImportEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

const ENCODINGS: Record<string, ImportEncoding> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'utf-16le': 'utf-16le',
  'utf-16': 'utf-16le',
  'utf-16be': 'utf-16be',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  latin1: 'windows-1252',
};
const DELIMITERS: Record<string, string> = { ',': ',', ';': ';', tab: '\t', '\t': '\t', '|': '|' };

/** How to read the file, the options every import has: `delimiter` and `encoding` (null: detected). */
export function parseFileOptions(fields: Record<string, string | undefined>): {
  delimiter: string | null;
  encoding: ImportEncoding | null;
} {
  const delimiterText = fields.delimiter === '\t' ? '\t' : fields.delimiter?.trim() || null;
  const delimiter = delimiterText === null ? null : DELIMITERS[delimiterText.toLowerCase()];
  if (delimiter === undefined) throw AppError.badInput('delimiter', 'delimiter must be one of: , ; tab |');
  const encodingText = fields.encoding?.trim() || null;
  const encoding = encodingText === null ? null : ENCODINGS[encodingText.toLowerCase()];
  if (encoding === undefined)
    throw AppError.badInput('encoding', 'encoding must be one of: utf-8, utf-16le, utf-16be, windows-1252');
  return { delimiter, encoding };
}

/** `{"Header": "field"}` as JSON, or `Header=field,Header 2=field`, each field checked by `parseField`. */
export function parseMappingOption<F extends string>(
  value: string | null,
  parseField: (name: string) => F | null,
  what: string,
): Record<string, F> | null {
  if (value === null) return null;
  let pairs: [string, unknown][];
  if (value.startsWith('{')) {
    try {
      pairs = Object.entries(JSON.parse(value) as Record<string, unknown>);
    } catch {
      throw AppError.badInput('mapping', 'mapping is not valid JSON');
    }
  } else {
    pairs = value.split(',').map((pair) => {
      const at = pair.lastIndexOf('=');
      if (at <= 0) throw AppError.badInput('mapping', `mapping: "${pair}" is not header=field`);
      return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    });
  }
  const mapping: Record<string, F> = {};
  for (const [header, field] of pairs) {
    const parsed = typeof field === 'string' ? parseField(field) : null;
    if (!parsed) throw AppError.badInput('mapping', `mapping: "${String(field)}" (for "${header}") is not ${what}`);
    mapping[header] = parsed;
  }
  return mapping;
}
