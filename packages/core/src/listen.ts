import type { AddressInfo, Server } from 'node:net';

/** Where a server listens: the port in use (the real one when 0 was asked for) and the host as a URL writes it. */
export interface Listening {
  port: number;
  /** `127.0.0.1`, or `[::1]` for an IPv6 address. */
  urlHost: string;
}

/** Starts `server` listening on `bind`:`port`; rejects with what `refusal` makes of the error when it cannot. */
export function listenOn(
  server: Server,
  port: number,
  bind: string,
  refusal: (err: NodeJS.ErrnoException) => Error,
): Promise<Listening> {
  return new Promise<Listening>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(refusal(err));
    server.once('error', onError);
    server.listen(port, bind, () => {
      server.off('error', onError);
      resolve({ port: (server.address() as AddressInfo).port, urlHost: bind.includes(':') ? `[${bind}]` : bind });
    });
  });
}
