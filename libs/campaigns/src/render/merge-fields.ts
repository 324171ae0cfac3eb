/** The merge fields a campaign's subject and content may use. */
export const MERGE_FIELDS = ['firstName', 'lastName', 'fullName', 'email', 'city'] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];

/** What a recipient's merge fields are made of (null: not known). */
export interface MergeValues {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  city: string | null;
}

/** A template's merge fields in order, and what is wrong with it (empty when it can be sent). */
export interface ParsedTemplate {
  fields: { name: MergeField; fallback: string | null }[];
  problems: string[];
}

/** Bounds of a template: the text checked and the fields it may hold. */
export const TEMPLATE_LIMITS = { maxBytes: 200 * 1024, maxFields: 200, maxFallbackChars: 100 } as const;

// `{{ name }}` or `{{ name | fallback }}`; the name is bounded so a problem can name it without echoing a long value
const FIELD = /\{\{\s*([A-Za-z_][A-Za-z0-9_]{0,39})\s*(?:\|([^{}]{0,100}))?\}\}/g;

const KNOWN = new Set<string>(MERGE_FIELDS);

/** Reads a subject, HTML or text template: its merge fields, and problems naming the unknown ones. */
export function parseTemplate(text: string): ParsedTemplate {
  if (Buffer.byteLength(text, 'utf8') > TEMPLATE_LIMITS.maxBytes)
    return { fields: [], problems: [`The template is longer than ${TEMPLATE_LIMITS.maxBytes / 1024} KB`] };
  const fields: ParsedTemplate['fields'] = [];
  const problems = new Set<string>();
  for (const match of text.matchAll(FIELD)) {
    if (fields.length + problems.size >= TEMPLATE_LIMITS.maxFields) {
      problems.add(`The template has more than ${TEMPLATE_LIMITS.maxFields} merge fields`);
      break;
    }
    const name = match[1];
    if (KNOWN.has(name)) fields.push({ name: name as MergeField, fallback: fallbackOf(match[2]) });
    else problems.add(`Unknown merge field {{${name}}}: use one of ${MERGE_FIELDS.join(', ')}`);
  }
  return { fields, problems: [...problems] };
}

/**
 * The template with each known merge field replaced by the recipient's value, else its fallback, else nothing;
 * `escape` is applied to what is inserted (HTML escaping for HTML content). Unknown fields are left as written
 * (validation refuses them before a campaign is sent).
 */
export function applyMergeFields(template: string, values: MergeValues, escape: (value: string) => string): string {
  return template.replace(FIELD, (whole, name: string, fallback: string | undefined) => {
    if (!KNOWN.has(name)) return whole;
    const value = valueOf(name as MergeField, values) || fallbackOf(fallback) || '';
    return escape(value);
  });
}

function valueOf(field: MergeField, values: MergeValues): string {
  if (field === 'fullName')
    return [values.firstName, values.lastName]
      .map((v) => v?.trim())
      .filter(Boolean)
      .join(' ');
  return values[field]?.trim() ?? '';
}

function fallbackOf(raw: string | undefined): string | null {
  const fallback = raw?.trim();
  return fallback ? fallback : null;
}

/** Text for HTML content and attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
