import { DEMO_REFERENCE_DATE, mulberry32, Rng } from '@app/fixtures';
import { InteractionType } from '../interactions/engagement-terms.js';
import type { InteractionInput } from '../interactions/interaction.models.js';

const DAY_MS = 86_400_000;
/** Two seasons before the demo's reference date. */
const DAYS = 730;
const DISCIPLINES = ['THEATRE', 'DANCE', 'MUSIC', 'CIRCUS', 'HUMOUR', 'VISUAL_ARTS', 'HERITAGE'];
const TITLES = [
  'Les Belles-sœurs',
  'Le Songe',
  'Nuit blanche',
  'Hiver en fête',
  'Traces',
  'Les Voix du fleuve',
  'Carnet de route',
  'Lumières',
];
const VENUES = ['Grande salle', 'Studio', 'Parvis', 'Salle d’exposition'];

/**
 * What the demo's contacts did over two seasons, for `npm start` to show engagement: ticket purchases followed by
 * attendance, monthly newsletters (delivered, some opened and clicked), a few donations. Deterministic for a seed;
 * every record has a source and an external id, so seeding twice records nothing new.
 */
export function generateDemoInteractions(contactIds: readonly string[], seed: number): InteractionInput[] {
  const rng = new Rng(mulberry32(seed));
  const offerings = Array.from({ length: 24 }, (_, i) => ({
    id: `DEMO-${String(i + 1).padStart(3, '0')}`,
    name: `${TITLES[i % TITLES.length]}${i >= TITLES.length ? ` (${Math.floor(i / TITLES.length) + 1})` : ''}`,
    discipline: DISCIPLINES[i % DISCIPLINES.length],
    venue: VENUES[i % VENUES.length],
    day: rng.int(0, DAYS - 1),
    priceCents: rng.pick([2500, 3500, 4500, 6000]),
  }));
  const at = (day: number, hour: number) =>
    new Date(DEMO_REFERENCE_DATE.getTime() - (DAYS - day) * DAY_MS + hour * 3_600_000);
  const records: InteractionInput[] = [];
  let next = 0;
  const add = (contactId: string, type: InteractionType, occurredAt: Date, extra: Partial<InteractionInput> = {}) =>
    records.push({
      contact: { id: contactId },
      type,
      occurredAt,
      source: 'demo',
      externalId: `demo-${seed}-${++next}`,
      ...extra,
    });

  for (const contactId of contactIds) {
    // a few regulars, most come once or twice
    for (
      let shows = rng.weighted([
        [0, 30],
        [1, 35],
        [2, 20],
        [4, 10],
        [8, 5],
      ]);
      shows > 0;
      shows--
    ) {
      const offering = rng.pick(offerings);
      const quantity = rng.weighted([
        [1, 45],
        [2, 40],
        [4, 15],
      ]);
      const show = {
        offering: { id: offering.id, name: offering.name },
        discipline: offering.discipline,
        venue: offering.venue,
        quantity,
      };
      add(contactId, InteractionType.TICKET_PURCHASE, at(Math.max(0, offering.day - rng.int(1, 40)), 14), {
        ...show,
        amountCents: offering.priceCents * quantity,
        channel: rng.pick(['web', 'box_office', 'phone']),
      });
      if (rng.chance(0.85)) add(contactId, InteractionType.ATTENDANCE, at(offering.day, 23), show);
    }
    if (rng.chance(0.6)) {
      for (let month = rng.int(0, 6); month < 24; month += rng.int(1, 3)) {
        const campaign = `NL-${month + 1}`;
        add(contactId, InteractionType.EMAIL_DELIVERED, at(month * 30 + 5, 13), { campaign, channel: 'email' });
        if (rng.chance(0.4))
          add(contactId, InteractionType.EMAIL_OPENED, at(month * 30 + 5, 15), { campaign, channel: 'email' });
        if (rng.chance(0.1))
          add(contactId, InteractionType.EMAIL_CLICKED, at(month * 30 + 5, 16), { campaign, channel: 'email' });
      }
    }
    if (rng.chance(0.08))
      add(contactId, InteractionType.DONATION, at(rng.int(0, DAYS - 1), 18), {
        amountCents: rng.pick([2000, 5000, 10_000, 25_000]),
      });
  }
  return records;
}
