import { type ApolloServerPlugin, type GraphQLResponse, HeaderMap } from '@apollo/server';
import {
  getNamedType,
  type GraphQLInputObjectType,
  type GraphQLNamedType,
  type GraphQLSchema,
  isInputObjectType,
  Kind,
  type OperationDefinitionNode,
  OperationTypeNode,
  typeFromAST,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';

/** How many compiled queries are kept (least recently used dropped): the queries the product's screens send. */
export const COMPILED_QUERIES_KEPT = 500;

/**
 * Runs queries compiled by graphql-jit instead of graphql-js's interpreter: for a page of 50 contacts, graphql-js
 * builds an info object, an arguments object and a promise chain for each of about 400 fields, which cost more than
 * the page's SQL. The same resolvers run, with the same context; Apollo has parsed, validated and limited the document
 * (armor) before this runs, and caches those per query text.
 *
 * Only queries (not introspection), from the second time the same text comes, and only answers without errors: a
 * query whose compiled run reports errors is run again by Apollo's own execution, so that every error keeps one
 * mapping (formatError) and one status. A read run twice answers the same; mutations are never run here.
 */
export function compiledQueriesPlugin(): ApolloServerPlugin {
  const compiled = new Map<string, CompiledQuery>();
  // Compiling costs tens of runs (about 100 ms for introspection): a query is compiled the second time it comes.
  const seenOnce = new Set<string>();
  const compiledFor = (key: string, compile: () => CompiledQuery | null): CompiledQuery | null => {
    let query = compiled.get(key);
    if (query) {
      compiled.delete(key); // most recently used last
    } else {
      if (!seenOnce.has(key)) {
        if (seenOnce.size >= COMPILED_QUERIES_KEPT) seenOnce.clear();
        seenOnce.add(key);
        return null;
      }
      seenOnce.delete(key);
      query = compile() ?? undefined;
      if (!query) return null;
      if (compiled.size >= COMPILED_QUERIES_KEPT) compiled.delete(compiled.keys().next().value!);
    }
    compiled.set(key, query);
    return query;
  };

  return {
    requestDidStart() {
      return Promise.resolve({
        async responseForOperation(context): Promise<GraphQLResponse | null> {
          const { operation, schema } = context;
          if (
            operation.operation !== OperationTypeNode.QUERY ||
            isIntrospection(operation) ||
            takesRecursiveInput(schema, operation)
          )
            return null;
          const query = compiledFor(`${context.queryHash}\u0000${context.operationName ?? ''}`, () => {
            try {
              const result = compileQuery(schema, context.document, context.operationName ?? undefined);
              return isCompiledQuery(result) ? result : null;
            } catch {
              return null; // what graphql-jit cannot compile, graphql-js runs
            }
          });
          if (!query) return null;
          const result = await query.query(undefined, context.contextValue, context.request.variables ?? {});
          if (result.errors?.length) return null;
          return {
            http: { status: undefined, headers: new HeaderMap() },
            body: { kind: 'single', singleResult: result },
          };
        },
      });
    },
  };
}

/** Introspection (an explorer's, a client generator's): seldom, large to compile. */
function isIntrospection(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.some(
    (selection) =>
      selection.kind === Kind.FIELD && selection.name.value.startsWith('__') && selection.name.value !== '__typename',
  );
}

/**
 * Whether a variable's type is an input type that can contain itself (an audience rule): graphql-jit writes code
 * for every path through such a type, about 9 s of compiling for AudienceRuleInput, so those run uncompiled.
 */
function takesRecursiveInput(schema: GraphQLSchema, operation: OperationDefinitionNode): boolean {
  return (operation.variableDefinitions ?? []).some((definition) => {
    const type = typeFromAST(schema, definition.type);
    return type !== undefined && isRecursiveInput(getNamedType(type));
  });
}

const recursive = new WeakMap<GraphQLNamedType, boolean>();
function isRecursiveInput(type: GraphQLNamedType): boolean {
  if (!isInputObjectType(type)) return false;
  let answer = recursive.get(type);
  if (answer === undefined) {
    answer = reaches(type, type, new Set());
    recursive.set(type, answer);
  }
  return answer;
}

/** Whether `from`'s fields lead (through input types) back to `target`. */
function reaches(
  from: GraphQLInputObjectType,
  target: GraphQLInputObjectType,
  visited: Set<GraphQLInputObjectType>,
): boolean {
  for (const field of Object.values(from.getFields())) {
    const type = getNamedType(field.type);
    if (!isInputObjectType(type)) continue;
    if (type === target) return true;
    if (visited.has(type)) continue;
    visited.add(type);
    if (reaches(type, target, visited)) return true;
  }
  return false;
}
