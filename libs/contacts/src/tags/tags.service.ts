import { Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { TenantDb, type Tx } from '@app/database';
import type { TagModel } from './tag.model.js';

const COLUMNS = `id, name::text AS name, created_at AS "createdAt"`;

@Injectable()
export class TagsService {
  constructor(private readonly db: TenantDb) {}

  async list(): Promise<TagModel[]> {
    return this.db.transaction((tx) => tx.query<TagModel>(`SELECT ${COLUMNS} FROM tags ORDER BY name`));
  }

  /** Deletes a tag and removes it from every contact. */
  async remove(id: string): Promise<TagModel> {
    const [tag] = await this.db.transaction((tx) =>
      tx.query<TagModel>(`DELETE FROM tags WHERE id = $1 RETURNING ${COLUMNS}`, [id]),
    );
    if (!tag) throw AppError.notFound('Tag');
    return tag;
  }

  /** The id of the tag each name finds (compared as tag names are: case-insensitively); names finding none absent. */
  async idsByName(tx: Tx, names: readonly string[]): Promise<Map<string, string>> {
    const rows = await tx.query<{ name: string; id: string }>(
      `SELECT n.name, t.id FROM unnest($1::text[]) AS n(name) JOIN tags t ON t.name = n.name::citext`,
      [[...new Set(names)]],
    );
    return new Map(rows.map((row) => [row.name, row.id]));
  }

  /** Links the contacts to the tags (created when new); the number of new links. */
  async tagContacts(tx: Tx, contactIds: readonly string[], names: readonly string[]): Promise<number> {
    const tagIds = await this.idsFor(tx, names, { create: true });
    return tx.execute(
      `INSERT INTO contact_tags (org_id, contact_id, tag_id)
       SELECT (SELECT crm_current_org()), c, t FROM unnest($1::uuid[]) c, unnest($2::uuid[]) t
       ON CONFLICT DO NOTHING`,
      [contactIds, tagIds],
    );
  }

  /** Ids of the named tags (case-insensitive), creating the missing ones when asked to. */
  async idsFor(tx: Tx, names: readonly string[], options: { create: boolean }): Promise<string[]> {
    const clean = [...new Set(names.map((n) => n.trim().replace(/\s+/g, ' ')).filter(Boolean))];
    if (clean.length === 0) throw AppError.badInput('tags', 'tags must name at least one tag');
    if (clean.some((n) => n.length > 100)) throw AppError.badInput('tags', 'a tag name has at most 100 characters');
    if (options.create) {
      await tx.query(
        `INSERT INTO tags (org_id, name) SELECT (SELECT crm_current_org()), n FROM unnest($1::text[]) n ON CONFLICT (org_id, name) DO NOTHING`,
        [clean],
      );
    }
    const rows = await tx.query<{ id: string }>(`SELECT id FROM tags WHERE name = ANY($1::citext[])`, [clean]);
    return rows.map((row) => row.id);
  }
}
