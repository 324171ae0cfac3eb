import { Field, InputType, registerEnumType } from '@nestjs/graphql';
import { IsBoolean, IsOptional } from 'class-validator';

export enum ExportFormat {
  CSV = 'CSV',
  NDJSON = 'NDJSON',
}
registerEnumType(ExportFormat, {
  name: 'ExportFormat',
  description: 'The file format of an export.',
  valuesMap: {
    CSV: {
      description:
        'Comma-separated values in UTF-8 with a header line; a cell a spreadsheet would run as a formula gets an apostrophe first.',
    },
    NDJSON: { description: 'One JSON object per line, values raw.' },
  },
});

@InputType({ description: 'How an export file is written.' })
export class ExportOptionsInput {
  @Field(() => Boolean, {
    nullable: true,
    description: 'CSV for Excel: UTF-8 with a BOM and ";" between fields (French Excel).',
  })
  @IsOptional()
  @IsBoolean()
  excel?: boolean | null;
}

/** What an export job is given (kept in its job run). */
export interface ExportContactsParams {
  filter: Record<string, unknown> | null;
  format: ExportFormat;
  excel: boolean;
}
