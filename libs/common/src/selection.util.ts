import { type FieldNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/**
 * The names of the fields a query selects `path` below the field being resolved (['edges', 'node'] of a
 * connection: the fields of its items), through fragments and inline fragments. @include and @skip are not read: a
 * field they may leave out counts as selected, which costs a column, never a wrong answer.
 */
export function selectedFields(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  let fields = fieldsOf(info.fieldNodes.flatMap(selectionSetOf), info);
  for (const name of path)
    fields = fieldsOf(fields.filter((field) => field.name.value === name).flatMap(selectionSetOf), info);
  return new Set(fields.map((field) => field.name.value));
}

function selectionSetOf(field: FieldNode): SelectionSetNode[] {
  return field.selectionSet ? [field.selectionSet] : [];
}

/** The fields of these selection sets, fragments spread (validation has ruled out cycles). */
function fieldsOf(sets: readonly SelectionSetNode[], info: GraphQLResolveInfo): FieldNode[] {
  const fields: FieldNode[] = [];
  const visit = (set: SelectionSetNode): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else {
        const fragment = info.fragments[selection.name.value];
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  sets.forEach(visit);
  return fields;
}
