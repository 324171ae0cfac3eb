import { describe, expect, it } from '@jest/globals';
import type { GraphQLRequestContextResponseForOperation, GraphQLRequestListener } from '@apollo/server';
import { buildSchema, type OperationDefinitionNode, parse } from 'graphql';
import { COMPILED_QUERIES_KEPT, compiledQueriesPlugin } from './compiled-queries.plugin.js';

const schema = buildSchema(`
  input Rule { all: [Rule!] name: String }
  type Query { greeting(name: String!): String! failing: String matches(rule: Rule): Boolean }
  type Mutation { touch: Boolean! }
`);
let calls = 0;
const rootFields = schema.getQueryType()!.getFields();
rootFields.greeting.resolve = (_: unknown, args: { name: string }, context: { punctuation: string }) => {
  calls++;
  return `Bonjour ${args.name}${context.punctuation}`;
};
rootFields.failing.resolve = () => {
  throw new Error('no');
};
schema.getMutationType()!.getFields().touch.resolve = () => {
  calls++;
  return true;
};

/** What Apollo hands the plugin once it has parsed and validated the operation. */
async function respond(query: string, variables: Record<string, unknown> = {}, plugin = compiledQueriesPlugin()) {
  const document = parse(query);
  const listener = (await plugin.requestDidStart!({} as never)) as GraphQLRequestListener<never>;
  const context = {
    schema,
    document,
    queryHash: query,
    operationName: null,
    operation: document.definitions[0] as OperationDefinitionNode,
    contextValue: { punctuation: '!' },
    request: { variables },
  } as unknown as GraphQLRequestContextResponseForOperation<never>;
  return listener.responseForOperation!(context);
}

/** The second time (the first is left to Apollo: compiling costs tens of runs). */
async function respondAgain(query: string, variables: Record<string, unknown> = {}, plugin = compiledQueriesPlugin()) {
  expect(await respond(query, variables, plugin)).toBeNull();
  return respond(query, variables, plugin);
}

describe('compiledQueriesPlugin', () => {
  it('answers a query with the same resolvers and context, variables coerced', async () => {
    calls = 0;
    const response = await respondAgain('query($n: String!) { greeting(name: $n) }', { n: 'Montréal' });
    expect(response?.body).toEqual({ kind: 'single', singleResult: { data: { greeting: 'Bonjour Montréal!' } } });
    expect(calls).toBe(1);
  });

  it("leaves to Apollo's own execution a query with errors (one error mapping), introspection, recursive inputs and mutations", async () => {
    expect(await respondAgain('{ failing }')).toBeNull();
    expect(await respondAgain('query($n: String!) { greeting(name: $n) }', { n: 42 })).toBeNull();
    expect(await respondAgain('{ __schema { queryType { name } } }')).toBeNull();
    // graphql-jit writes code for every path through an input type that contains itself: seconds to compile
    expect(await respondAgain('query($r: Rule) { matches(rule: $r) }', { r: { name: 'x' } })).toBeNull();
    calls = 0;
    expect(await respondAgain('mutation { touch }')).toBeNull();
    expect(calls).toBe(0);
  });

  it('answers again a query whose compiled form was dropped for newer ones', async () => {
    const plugin = compiledQueriesPlugin();
    for (let i = 0; i <= COMPILED_QUERIES_KEPT; i++)
      expect(await respondAgain(`{ a${i}: greeting(name: "x") }`, {}, plugin)).not.toBeNull();
    const again = await respondAgain('{ a0: greeting(name: "x") }', {}, plugin);
    expect(again?.body).toEqual({ kind: 'single', singleResult: { data: { a0: 'Bonjour x!' } } });
  });
});
