/**
 * The SBC's Prometheus metrics (prom-client, one registry per node, served on the admin server's
 * `/metrics`). Labels stay bounded: dial-peer tags, never call ids or numbers.
 */
import { Gauge, Registry } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  /** 1 while a dial-peer may take calls, 0 while OPTIONS keepalive has it busied out. */
  readonly dialPeerUp = new Gauge({ name: 'sbc_dialpeer_up', help: 'Dial-peer usable (1) or busied out by OPTIONS keepalive (0)', labelNames: ['tag'], registers: [this.registry] });

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
