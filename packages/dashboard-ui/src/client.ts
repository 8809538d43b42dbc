import { type Client, createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-web';
import { DashboardService } from '@sloth/proto';
import { csrfToken } from './session.js';

/** The dashboard's API on the server the page came from, each call with the session's CSRF token. */
export const dashboard: Client<typeof DashboardService> = createClient(
  DashboardService,
  createConnectTransport({
    baseUrl: window.location.origin,
    // JSON keeps the calls readable in the browser's network panel; the messages are small.
    useBinaryFormat: false,
    interceptors: [
      (next) => (req) => {
        req.header.set('x-csrf-token', csrfToken());
        return next(req);
      },
    ],
  }),
);
