import type { ApolloDriverConfig } from '@nestjs/apollo';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError } from 'graphql';
import { AppError, type Config } from '@app/common';
import type { AuthenticatedRequest } from '@app/tenancy';
import { compiledQueriesPlugin } from './compiled-queries.plugin.js';
import type { GraphqlExplorer } from './explorer.js';
import { formatError } from './format-error.js';
import { variablesDepthPlugin } from './variables-depth.plugin.js';

export const GRAPHQL_PATH = '/graphql';

/**
 * Apollo options: in-memory code-first schema (committed copy: apps/api/schema.gql),
 * limits, errors, and the caller authenticated once per request (every operation,
 * `{ __typename }` and introspection included, needs an API key). With `explorer`
 * (GRAPHQL_EXPLORER), a browser's GET /graphql gets the explorer page (no key needed for the page itself).
 */
export function graphqlOptions(
  config: Config,
  authenticate: (request: AuthenticatedRequest) => Promise<void>,
  explorer?: GraphqlExplorer,
): ApolloDriverConfig {
  const armor = new ApolloArmor({
    maxDepth: { n: config.GRAPHQL_MAX_DEPTH },
    costLimit: { maxCost: config.GRAPHQL_MAX_COST },
    maxAliases: { n: config.GRAPHQL_MAX_ALIASES },
    maxDirectives: { n: 20 },
    // Its Apollo plugin throws from a hook, which Apollo answers with 500: graphql's parser counts tokens itself (parseOptions).
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: !config.GRAPHQL_INTROSPECTION },
  }).protect();
  return {
    autoSchemaFile: true,
    sortSchema: true,
    path: GRAPHQL_PATH,
    // The parser stops at the first token past the limit: a syntax error, HTTP 400 GRAPHQL_PARSE_FAILED.
    parseOptions: { maxTokens: config.GRAPHQL_MAX_TOKENS },
    introspection: config.GRAPHQL_INTROSPECTION,
    // Nest's GraphiQL stays off; the explorer, when on, is Apollo's (./explorer.ts). Off, a GET wanting HTML gets
    // Apollo's CSRF refusal (JSON) like any other request without a preflight header.
    playground: false,
    formatError,
    context: async (request: AuthenticatedRequest) => {
      try {
        await authenticate(request);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        throw new GraphQLError(error.message, { extensions: { code: error.code, http: { status: 401 } } });
      }
      return { req: request };
    },
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // No HTTP caching or tracing: they wrap every field resolver, which costs on pages of 50 contacts. Queries run
    // compiled (compiled-queries.plugin.ts).
    plugins: [
      ...(armor.plugins as NonNullable<ApolloDriverConfig['plugins']>),
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      variablesDepthPlugin(),
      compiledQueriesPlugin(),
      ...(explorer ? [explorer.plugin()] : []),
    ],
    validationRules: armor.validationRules,
  };
}
