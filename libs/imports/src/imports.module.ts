import { Module } from '@nestjs/common';
import { CsvImports } from './csv-import.js';

/** CSV imports as one capability: what every import job shares (CsvImports); each context keeps its own import. */
@Module({
  providers: [CsvImports],
  exports: [CsvImports],
})
export class ImportsModule {}
