import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each search token carries its contact's sort name (issue 19). A search sorted by name then picks its page among
 * the tokens alone (an index-only scan of their primary key, which includes the sort name) and reads only that page's
 * contacts: "tremblay" matched 1,500 contacts of 100,000 and all of them were read to sort them (12 ms).
 *
 * The trigger writes the sort name with the tokens, and rewrites a contact's tokens when its search text or its sort
 * name changes ("Marie Anne" "Roy" and "Marie" "Anne Roy" have the same search text, not the same sort name).
 */
const indexContactSearch = (withSortName: boolean) => {
  const [columns, value] = withSortName ? [', sort_name', ', n.sort_name'] : ['', ''];
  const changed = withSortName
    ? '(n.search_text IS DISTINCT FROM o.search_text OR n.sort_name IS DISTINCT FROM o.sort_name)'
    : 'n.search_text IS DISTINCT FROM o.search_text';
  return `
      CREATE OR REPLACE FUNCTION crm_index_contact_search() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO contact_search_tokens (org_id, token, contact_id${columns})
            SELECT n.org_id, w.word, n.id${value}
              FROM new_rows n, LATERAL (SELECT DISTINCT word FROM regexp_split_to_table(n.search_text, '[^a-z0-9]+') AS word WHERE word <> '') w
             ORDER BY 1, 2, 3;
        ELSIF TG_OP = 'DELETE' THEN
          DELETE FROM contact_search_tokens t
           USING (SELECT DISTINCT o.org_id, word, o.id FROM old_rows o, regexp_split_to_table(o.search_text, '[^a-z0-9]+') AS word WHERE word <> '')
                 AS gone (org_id, token, contact_id)
           WHERE t.org_id = gone.org_id AND t.token = gone.token AND t.contact_id = gone.contact_id;
        ELSE
          DELETE FROM contact_search_tokens t
           USING (SELECT DISTINCT o.org_id, word, o.id
                    FROM old_rows o JOIN new_rows n ON n.org_id = o.org_id AND n.id = o.id,
                         regexp_split_to_table(o.search_text, '[^a-z0-9]+') AS word
                   WHERE word <> '' AND ${changed}) AS gone (org_id, token, contact_id)
           WHERE t.org_id = gone.org_id AND t.token = gone.token AND t.contact_id = gone.contact_id;
          INSERT INTO contact_search_tokens (org_id, token, contact_id${columns})
            SELECT DISTINCT n.org_id, word, n.id${value}
              FROM new_rows n JOIN old_rows o ON o.org_id = n.org_id AND o.id = n.id,
                   regexp_split_to_table(n.search_text, '[^a-z0-9]+') AS word
             WHERE word <> '' AND ${changed};
        END IF;
        RETURN NULL;
      END $$;`;
};

export class SearchTokensSortName1765886400000 implements MigrationInterface {
  name = 'SearchTokensSortName1765886400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE contact_search_tokens ADD COLUMN sort_name text;
      UPDATE contact_search_tokens t SET sort_name = c.sort_name
        FROM contacts c WHERE c.org_id = t.org_id AND c.id = t.contact_id;
      ALTER TABLE contact_search_tokens ALTER COLUMN sort_name SET NOT NULL,
        DROP CONSTRAINT contact_search_tokens_pkey,
        ADD PRIMARY KEY (org_id, token, contact_id) INCLUDE (sort_name);
      ${indexContactSearch(true)}
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ${indexContactSearch(false)}
      ALTER TABLE contact_search_tokens DROP CONSTRAINT contact_search_tokens_pkey,
        ADD PRIMARY KEY (org_id, token, contact_id);
      ALTER TABLE contact_search_tokens DROP COLUMN sort_name;
    `);
  }
}
