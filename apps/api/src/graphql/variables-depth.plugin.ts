import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

/**
 * How deeply a request's variables may nest (objects and arrays). The deepest input the schema needs is an audience
 * rule at its 12 levels (RULE_LIMITS), about 30 here; graphql-js coerces variables recursively, and some tens of
 * thousands of levels (within the body limit) overflow its stack, which would answer an internal error.
 */
export const MAX_VARIABLES_DEPTH = 64;

/** Refuses variables nested deeper than MAX_VARIABLES_DEPTH with BAD_USER_INPUT naming the variable, before they are coerced. */
export function variablesDepthPlugin(): ApolloServerPlugin {
  return {
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ request }) {
          for (const [name, value] of Object.entries(request.variables ?? {})) {
            if (depthOver(value, MAX_VARIABLES_DEPTH)) {
              throw new GraphQLError(`$${name} nests more than ${MAX_VARIABLES_DEPTH} levels deep`, {
                extensions: { code: 'BAD_USER_INPUT', field: name, http: { status: 400 } },
              });
            }
          }
          return Promise.resolve();
        },
      });
    },
  };
}

/** Whether `value` nests deeper than `max`; iterative, so that no depth can overflow it. */
function depthOver(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}
