/**
 * `debug ccsip messages`: every SIP message the node sends and receives, to whoever listens (the admin
 * API's stream, Redis subscribers), optionally only one call's. Nothing is formatted or copied while
 * nobody listens: the transport asks `active` first.
 */

export interface TraceEvent {
  /** ms since the epoch. */
  at: number;
  node: string;
  dir: 'in' | 'out';
  transport: string;
  /** `address:port` of the far end. */
  remote: string;
  /** The SBC's call id when the message belongs to a call. */
  call: string | null;
  text: string;
}

export type TraceListener = (ev: TraceEvent) => void;

export class SipTracer {
  private readonly listeners = new Map<TraceListener, string | null>();

  /** Whether anybody listens (checked before any work on a message). */
  get active(): boolean {
    return this.listeners.size > 0;
  }

  /** Listen to every message, or only those of call `call`; returns how to stop. */
  listen(listener: TraceListener, call: string | null = null): () => void {
    this.listeners.set(listener, call);
    return () => void this.listeners.delete(listener);
  }

  emit(ev: TraceEvent): void {
    for (const [listener, call] of this.listeners) {
      if (call !== null && ev.call !== call) continue;
      try {
        listener(ev);
      } catch {
        this.listeners.delete(listener); // a broken listener (a closed stream) stops listening
      }
    }
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** As CUBE prints it: time, the call (or -1), the direction and the far end, then the raw message. */
export function formatTrace(ev: TraceEvent): string {
  const d = new Date(ev.at);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const time = `${MONTHS[d.getUTCMonth()] ?? ''} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)} UTC`;
  const where =
    ev.dir === 'in'
      ? `Received: from ${ev.transport.toUpperCase()} ${ev.remote}`
      : `Sent: to ${ev.transport.toUpperCase()} ${ev.remote}`;
  return `${time}: //${ev.call ?? '-1'}/${ev.node}/SIP/Msg/ccsipDisplayMsg:\n${where}\n${ev.text.replace(/\r\n/g, '\n').replace(/\n+$/, '')}\n`;
}
