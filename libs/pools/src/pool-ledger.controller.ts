import { Controller, Get, Param, Res } from '@nestjs/common';
import { UuidPipe } from '@app/common';
import { csvText } from '@app/imports';
import { RequireRole, Role } from '@app/tenancy';
import { PoolAggregatesService } from './pool-aggregates.service.js';

/** What the route needs of Fastify's reply (without depending on its types here). */
interface CsvReply {
  header(name: string, value: string): CsvReply;
  send(body: unknown): unknown;
}

const HEADER = [
  'at',
  'action',
  'asked_by',
  'asked_by_me',
  'data_organizations',
  'shared_segment_ids',
  'purpose',
  'outcome',
];

/**
 * `GET /pools/:id/ledger.csv` with the API key (every role, as `poolLedger`): the sharing ledger as my organization may
 * read it, newest first, at most LEDGER_CSV_MAX_ROWS entries; 404 for a pool my organization is not ACTIVE in. The
 * counts of an entry are one cell, `name=value` pairs separated by `; ` (an empty value: suppressed).
 */
@Controller('pools')
export class PoolLedgerController {
  constructor(private readonly aggregates: PoolAggregatesService) {}

  @Get(':id/ledger.csv')
  @RequireRole(Role.ANALYST)
  async download(@Param('id', UuidPipe) id: string, @Res() reply: CsvReply): Promise<void> {
    const entries = await this.aggregates.ledgerEntries(id);
    const rows = entries.map((entry) => [
      entry.at.toISOString(),
      entry.action,
      entry.askedBy,
      entry.askedByMe ? 'yes' : 'no',
      entry.dataOrganizations.join('; '),
      entry.sharedSegmentIds.join('; '),
      entry.purpose ?? '',
      entry.outcome.map(({ name, value }) => `${name}=${value ?? ''}`).join('; '),
    ]);
    reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="pool-${id}-ledger.csv"`)
      .send(csvText([HEADER, ...rows], ','));
  }
}
