import net from "node:net";

/**
 * A load balancer for benchmarks of several instances: a TCP proxy on
 * loopback that hands each new connection to the next instance in turn,
 * skipping one that refuses (a killed process), as nginx's `proxy_next_upstream
 * error` does. Connections are pinned to their instance until either side
 * closes, so a socket whose instance dies is closed and its client
 * reconnects — through the balancer, to a live instance.
 */
export class TcpBalancer {
  private readonly server: net.Server;
  private next = 0;
  port = 0;

  constructor(private readonly ports: () => readonly number[]) {
    this.server = net.createServer((client) => this.pass(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  private pass(client: net.Socket, tried = 0): void {
    if (tried === 0) client.on("error", () => client.destroy());
    const ports = this.ports();
    if (tried >= ports.length) {
      client.destroy();
      return;
    }
    const port = ports[this.next++ % ports.length] as number;
    const upstream = net.connect({ host: "127.0.0.1", port });
    client.pause();
    upstream.once("connect", () => {
      upstream.setNoDelay(true);
      client.setNoDelay(true);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      upstream.on("close", end);
      client.on("close", end);
      upstream.on("error", end);
      client.on("error", end);
    });
    upstream.once("error", () => {
      if (upstream.connecting || !upstream.remoteAddress) this.pass(client, tried + 1);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
