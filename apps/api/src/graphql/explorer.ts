import { AsyncLocalStorage } from 'node:async_hooks';
import type { ApolloServerPlugin, GraphQLServerContext } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Config } from '@app/common';
import { GRAPHQL_PATH } from './graphql.config.js';

/** GRAPHQL_EXPLORER, by default on with the embedded database (`npm start` without DATABASE_URL) only. */
export function explorerEnabled(config: Config, embeddedDatabase: boolean): boolean {
  return config.GRAPHQL_EXPLORER ?? embeddedDatabase;
}

/**
 * The GraphQL explorer a browser gets at GET /graphql when GRAPHQL_EXPLORER is on: Apollo Sandbox in Apollo's local
 * landing page. The page loads Apollo's script from its CDN in the browser (the API itself needs no internet); it
 * introspects and runs operations with POST and a JSON body, so Apollo's CSRF prevention stays as it is.
 *
 * Headers can be shared with it (`npm start` shares the first demo key's, once seeded): they are written into the page
 * only for a browser on this machine (its address, after TRUST_PROXY, a loopback one), since the API listens on every
 * interface by default; anyone else gets the page without them.
 */
export class GraphqlExplorer {
  private headers: Record<string, string> = {};
  /** The request the page is being served to (Apollo renders it without one). */
  private readonly pageRequests = new AsyncLocalStorage<FastifyRequest>();

  /** Headers the explorer sends with every operation, introspection included (its "Shared headers"). */
  shareHeaders(headers: Record<string, string>): void {
    this.headers = { ...headers };
  }

  /** Before the routes are registered: a GET on the GraphQL path runs with its request at hand for the page. */
  register(app: NestFastifyApplication): void {
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
        if (request.method === 'GET' && request.routeOptions.url === GRAPHQL_PATH) this.pageRequests.run(request, done);
        else done();
      });
  }

  /** The Apollo plugin that renders the page (the only landing page: Nest's GraphiQL stays off). */
  plugin(): ApolloServerPlugin {
    const page = async (server: GraphQLServerContext): Promise<string> => {
      const request = this.pageRequests.getStore();
      const sharedHeaders = request && isLoopback(request.ip) ? this.headers : {};
      const landingPage = ApolloServerPluginLandingPageLocalDefault({
        // no schema polling: each poll is an introspection that spends the key's rate limit; reload the page instead
        embed: {
          runTelemetry: false,
          endpointIsEditable: false,
          initialState: { sharedHeaders, pollForSchemaUpdates: false },
        },
        includeCookies: false,
        footer: false,
      });
      const rendered = await (await landingPage.serverWillStart?.(server))?.renderLandingPage?.();
      if (!rendered) throw new Error('Apollo landing page did not render');
      return typeof rendered.html === 'string' ? rendered.html : rendered.html();
    };
    return {
      serverWillStart: (server) =>
        Promise.resolve({
          renderLandingPage: () => Promise.resolve({ html: () => page(server) }),
        }),
    };
  }
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}
