/** The node's edge steps (edge-pipeline.ts says the order and why), made from the node's parts. */
import type { CallWire } from '../b2bua/call-wire.js';
import type { LegProfiles } from '../b2bua/leg-profiles.js';
import type { SipTracer } from '../observability/sip-trace.js';
import type { SipMessage } from '../sip/sip-message.js';
import type { TransactionLayer } from '../transaction/transaction-layer.js';
import type { TransportLayer } from '../transport/transport-layer.js';
import { type Arrival, type Departure, EdgePipeline, type EdgeStep, step } from './edge-pipeline.js';
import type { EdgeSecurity } from './edge-security.js';
import type { CaptureControl } from './observability-wiring.js';

export interface EdgeParts {
  /** The node's name in trace events. */
  node: string;
  security: EdgeSecurity;
  transport: TransportLayer;
  transactions: TransactionLayer;
  wire: CallWire;
  profiles: LegProfiles;
  tracer: SipTracer;
  capture: CaptureControl;
}

export function nodeEdge(p: EdgeParts): EdgePipeline {
  const trace = (msg: SipMessage, dir: 'in' | 'out', transport: string, remote: string, call: string | null): void => {
    p.tracer.emit({
      at: Date.now(),
      node: p.node,
      dir,
      transport,
      remote,
      call,
      text: msg.serialize().toString('latin1'),
    });
  };
  const inbound: Array<EdgeStep<Arrival>> = [
    {
      // trusted sources, scanners and floods: before anything else is done with a request
      name: 'guard',
      run: ({ msg, flow }) =>
        !msg.isRequest() ||
        p.security.admitted(
          msg,
          flow,
          () => p.transactions.tagFor(msg),
          (res, to) => p.transport.sendResponse(res, to),
        ),
    },
    step('observe', (m) => (m.entry = p.wire.observe(m.msg, 'in'))),
    step('trace', ({ msg, flow, entry }) => {
      if (p.tracer.active)
        trace(msg, 'in', flow.transport, `${flow.remoteAddress}:${flow.remotePort}`, entry?.call.id ?? null);
    }),
    step('capture', ({ msg, flow, entry }) => {
      if (!p.capture.wants(entry?.call.id ?? null, false)) return;
      p.capture.write({
        at: Date.now(),
        transport: flow.transport,
        src: { address: flow.remoteAddress, port: flow.remotePort },
        dst: { address: flow.localAddress, port: flow.localPort },
        payload: msg.serialize(),
      });
    }),
    step('inbound profile', ({ msg, entry }) => p.profiles.arrived(msg, entry)),
    step('transaction layer', ({ msg, flow }) => p.transactions.receive(msg, flow)),
  ];
  const outbound: Array<EdgeStep<Departure>> = [
    step('identify', (m) => (m.entry = p.wire.lookup(m.msg))),
    step('outbound profile', ({ msg, entry }) => p.profiles.leaving(msg, entry)),
    step('observe', ({ msg, entry }) => p.wire.observe(msg, 'out', entry)),
    step('trace', ({ msg, dest, entry }) => {
      if (p.tracer.active) trace(msg, 'out', dest.transport, `${dest.address}:${dest.port}`, entry?.call.id ?? null);
    }),
    step('capture', ({ msg, dest, entry }) => {
      const via = p.capture.wants(entry?.call.id ?? null, false) ? p.transport.sentBy(dest) : undefined;
      if (via === undefined) return;
      p.capture.write({
        at: Date.now(),
        transport: dest.transport,
        src: { address: via.host.replace(/^\[|\]$/g, ''), port: via.port },
        dst: { address: dest.address, port: dest.port },
        payload: msg.serialize(),
      });
    }),
  ];
  return new EdgePipeline(inbound, outbound);
}
