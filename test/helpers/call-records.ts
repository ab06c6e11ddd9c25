/** A connected call's record for store tests, and a poll for what Redis shows some time later. */
import type { CallRecord } from '../../src/state/call-store.js';

export function callRecord(id: string): CallRecord {
  return {
    id,
    version: 0,
    state: 'connected',
    calledNumber: '2001',
    callingNumber: '1000',
    inboundDialPeer: 1,
    outboundDialPeer: 2,
    aLeg: { callId: `a-${id}`, localTag: 't1', remoteTag: 't2', remoteSignalling: '127.0.0.1:5000', transport: 'udp' },
    bLeg: { callId: `b-${id}`, localTag: 't3', remoteTag: 't4', remoteSignalling: '127.0.0.1:6000', transport: 'udp' },
    startedAt: 1,
    ringingAt: 2,
    connectedAt: 3,
    endedAt: null,
    disconnectCause: null,
    disconnectText: null,
    releasedBy: null,
    finalStatus: null,
  };
}

export { eventually } from './eventually.js';
