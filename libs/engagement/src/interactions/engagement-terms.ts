import { searchTerms } from '@app/contacts';

/** The interaction types every organization has; an organization may add its own (interaction_terms). */
export enum InteractionType {
  TICKET_PURCHASE = 'TICKET_PURCHASE',
  ATTENDANCE = 'ATTENDANCE',
  DONATION = 'DONATION',
  MEMBERSHIP = 'MEMBERSHIP',
  EMAIL_SENT = 'EMAIL_SENT',
  EMAIL_DELIVERED = 'EMAIL_DELIVERED',
  EMAIL_OPENED = 'EMAIL_OPENED',
  EMAIL_CLICKED = 'EMAIL_CLICKED',
  EMAIL_BOUNCED = 'EMAIL_BOUNCED',
  EMAIL_UNSUBSCRIBED = 'EMAIL_UNSUBSCRIBED',
  FORM_SUBMISSION = 'FORM_SUBMISSION',
}

export enum TermKind {
  TYPE = 'TYPE',
  DISCIPLINE = 'DISCIPLINE',
}

export interface Term {
  key: string;
  labelFr: string;
  labelEn: string;
}

export const BUILT_IN_TYPES: readonly Term[] = [
  { key: InteractionType.TICKET_PURCHASE, labelFr: 'Achat de billets', labelEn: 'Ticket purchase' },
  { key: InteractionType.ATTENDANCE, labelFr: 'Présence', labelEn: 'Attendance' },
  { key: InteractionType.DONATION, labelFr: 'Don', labelEn: 'Donation' },
  { key: InteractionType.MEMBERSHIP, labelFr: 'Adhésion', labelEn: 'Membership' },
  { key: InteractionType.EMAIL_SENT, labelFr: 'Courriel envoyé', labelEn: 'Email sent' },
  { key: InteractionType.EMAIL_DELIVERED, labelFr: 'Courriel livré', labelEn: 'Email delivered' },
  { key: InteractionType.EMAIL_OPENED, labelFr: 'Courriel ouvert', labelEn: 'Email opened' },
  { key: InteractionType.EMAIL_CLICKED, labelFr: 'Clic dans un courriel', labelEn: 'Email clicked' },
  { key: InteractionType.EMAIL_BOUNCED, labelFr: 'Courriel rejeté', labelEn: 'Email bounced' },
  { key: InteractionType.EMAIL_UNSUBSCRIBED, labelFr: 'Désabonnement', labelEn: 'Unsubscribed' },
  { key: InteractionType.FORM_SUBMISSION, labelFr: 'Formulaire', labelEn: 'Form submission' },
];

export const BUILT_IN_DISCIPLINES: readonly Term[] = [
  { key: 'THEATRE', labelFr: 'Théâtre', labelEn: 'Theatre' },
  { key: 'DANCE', labelFr: 'Danse', labelEn: 'Dance' },
  { key: 'MUSIC', labelFr: 'Musique', labelEn: 'Music' },
  { key: 'VISUAL_ARTS', labelFr: 'Arts visuels', labelEn: 'Visual arts' },
  { key: 'CIRCUS', labelFr: 'Cirque', labelEn: 'Circus' },
  { key: 'LITERATURE', labelFr: 'Littérature', labelEn: 'Literature' },
  { key: 'CINEMA', labelFr: 'Cinéma', labelEn: 'Cinema' },
  { key: 'HERITAGE', labelFr: 'Patrimoine', labelEn: 'Heritage' },
  { key: 'HUMOUR', labelFr: 'Humour', labelEn: 'Humour' },
  { key: 'MULTIDISCIPLINARY', labelFr: 'Multidisciplinaire', labelEn: 'Multidisciplinary' },
];

export const BUILT_IN_TERMS: Readonly<Record<TermKind, readonly Term[]>> = {
  [TermKind.TYPE]: BUILT_IN_TYPES,
  [TermKind.DISCIPLINE]: BUILT_IN_DISCIPLINES,
};

/** "Théâtre", "theatre", "visual arts", "Arts visuels" -> the word form a key is compared in. */
function wordsOf(text: string): string {
  return searchTerms(text).join('_').toUpperCase();
}

/**
 * The organization's vocabulary of one kind: built-in and own terms, found by key or by either label, without
 * accents, case or punctuation ("théâtre", "Theatre" and "THEATRE" are THEATRE).
 */
export class Vocabulary {
  private readonly byWords = new Map<string, string>();

  constructor(readonly terms: readonly Term[]) {
    for (const term of terms) {
      for (const text of [term.key, term.labelFr, term.labelEn]) this.byWords.set(wordsOf(text), term.key);
    }
  }

  /** The term's key, or null when the text names no term. */
  keyOf(text: string): string | null {
    return this.byWords.get(wordsOf(text)) ?? null;
  }
}
