import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '@app/common';
import { PgErrorCode, pgErrorCode, TenantDb, type Tx } from '@app/database';
import {
  AttributeType,
  type AttributeDefinitionModel,
  type DefineAttributeInput,
} from './attribute-definition.model.js';

const COLUMNS = `key, label, type, choices, created_at AS "createdAt"`;

/** Definitions of the custom attributes an organization keeps on its contacts. */
@Injectable()
export class AttributesService {
  constructor(private readonly db: TenantDb) {}

  async list(): Promise<AttributeDefinitionModel[]> {
    return this.db.transaction((tx) =>
      tx.query<AttributeDefinitionModel>(`SELECT ${COLUMNS} FROM attribute_definitions ORDER BY key`),
    );
  }

  /** The definitions by key, read in the caller's transaction. */
  async definitions(tx: Tx): Promise<Map<string, AttributeDefinitionModel>> {
    const rows = await tx.query<AttributeDefinitionModel>(`SELECT ${COLUMNS} FROM attribute_definitions`);
    return new Map(rows.map((row) => [row.key, row]));
  }

  async define(input: DefineAttributeInput): Promise<AttributeDefinitionModel> {
    const isChoice = input.type === AttributeType.CHOICE;
    if (isChoice && !input.choices?.length)
      throw AppError.badInput('input.choices', 'input.choices is required for a CHOICE attribute');
    if (!isChoice && input.choices)
      throw AppError.badInput('input.choices', 'input.choices is only for a CHOICE attribute');
    try {
      const [definition] = await this.db.transaction((tx) =>
        tx.query<AttributeDefinitionModel>(
          `INSERT INTO attribute_definitions (org_id, key, label, type, choices) VALUES (crm_current_org(), $1, $2, $3, $4) RETURNING ${COLUMNS}`,
          [input.key, input.label.trim(), input.type, isChoice ? [...new Set(input.choices)] : null],
        ),
      );
      return definition;
    } catch (error) {
      if (pgErrorCode(error) === PgErrorCode.UNIQUE_VIOLATION)
        throw new AppError(ErrorCode.CONFLICT, `Attribute "${input.key}" is already defined`, 'input.key');
      throw error;
    }
  }

  /** Deletes the definition and the values contacts had for it. */
  async remove(key: string): Promise<AttributeDefinitionModel> {
    return this.db.transaction(async (tx) => {
      const [definition] = await tx.query<AttributeDefinitionModel>(
        `DELETE FROM attribute_definitions WHERE key = $1 RETURNING ${COLUMNS}`,
        [key],
      );
      if (!definition) throw AppError.notFound(`Attribute "${key}"`);
      await tx.execute(
        `UPDATE contacts SET attributes = attributes - $1::text, updated_at = now() WHERE attributes ? $1`,
        [key],
      );
      return definition;
    });
  }
}
