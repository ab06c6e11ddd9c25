/**
 * The native RTP fast path (native/rtp-forwarder.c, built by `npm install` with node-gyp) as the relay
 * worker sees it: RTP sockets it reads, checks, counts and relays without entering JavaScript. Loaded once
 * per worker thread; null where it was not built (the relay then reads its RTP with node:dgram).
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the addon tells JavaScript about: a DTMF packet to read, or a copy of a packet for a capture. */
export const FORWARDER_EVENT = { dtmf: 1, copyIn: 2, copyOut: 3, rtcp: 4 } as const;

/** Indexes into the array `state()` fills. */
export const SIDE_STATE = {
  packets: 0,
  bytes: 1,
  lost: 2,
  jitter16: 3,
  lastArrival: 4,
  forwarded: 5,
  dropped: 6,
  duplicates: 7,
  latched: 8,
  outSent: 9,
  outSsrc: 10,
  outSeq: 11,
  outTs: 12,
  seqShift: 13,
  clockRate: 14,
  shed: 15,
} as const;
export const SIDE_STATE_LENGTH = 16;

export interface NativeForwarder {
  /** Poll this thread's sockets from now on; `shedAfterMs` (0: never) drops what waited longer unrelayed. */
  start(
    onEvent: (kind: number, side: number, bytes: Buffer, address: string, port: number) => void,
    shedAfterMs: number,
  ): void;
  /** Bind a side's RTP socket; its index, or -errno (-98: EADDRINUSE). Nothing is relayed before relay(). */
  open(address: string, port: number): number;
  relay(side: number, peer: number, clockRate: number, latchSdpAddress: boolean): void;
  setRemote(side: number, address: string | null, port: number): void;
  unlatch(side: number): void;
  /** -1: no DTMF payload type, no payload-type mapping. */
  mode(side: number, opaque: boolean, copy: boolean, dtmfPt: number, ptFrom: number, ptTo: number): void;
  send(side: number, bytes: Buffer): boolean;
  state(side: number, into: Float64Array): void;
  setOut(side: number, ssrc: number, seq: number, ts: number, seqShift: number): void;
  latched(side: number): [string, number] | null;
  close(side: number): void;
  /** Datagrams dropped so far because they waited past the shed limit or the socket refused them. */
  shed(): number;
}

/** The package's root: where build/Release is, above dist/src/media (or src/media under a TS runner). */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** The addon, or null when it was not built on this machine. */
export function loadNativeForwarder(): NativeForwarder | null {
  const file = path.join(packageRoot(), 'build', 'Release', 'rtp_forwarder.node');
  if (!fs.existsSync(file)) return null;
  return createRequire(import.meta.url)(file) as NativeForwarder;
}
