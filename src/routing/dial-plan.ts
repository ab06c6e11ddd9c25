/**
 * Dial-peer matching as CUBE does it (cube-reference §1.1-§1.3).
 * Inbound: incoming uri via > request > to > from, then incoming called-number (the called number),
 * then answer-address (the calling number), then destination-pattern against the calling number, else
 * dial-peer 0. Within a criterion: the strongest or longest match, then preference, then the lower tag.
 * Outbound: destination-pattern against the called number; longest explicit match, then preference,
 * then random among equals. Shut-down peers take no part; outbound peers need a session target.
 */
import { DIAL_PEER_0, type DialPeer, URI_CRITERIA, type UriCriterion, isOutboundUp } from './dial-peer.js';
import { type NumberPattern, compareSpecificity, normalizeNumber } from './number-pattern.js';
import { PatternIndex } from './pattern-index.js';
import type { UriParts } from './uri-class.js';

/** What inbound matching looks at, extracted from the INVITE by the B2BUA. */
export interface InboundKeys {
  calledNumber: string;
  callingNumber: string;
  /** The top Via (the previous hop), the Request-URI, To and From. */
  uris?: Partial<Record<UriCriterion, UriParts>>;
}

export type InboundCriterion =
  `uri-${UriCriterion}` | 'called-number' | 'answer-address' | 'destination-pattern' | 'default';

export interface InboundMatch {
  peer: DialPeer;
  criterion: InboundCriterion;
}

export class DialPlan {
  readonly peers: readonly DialPeer[];
  private readonly called = new PatternIndex<DialPeer>();
  private readonly answer = new PatternIndex<DialPeer>();
  private readonly destination = new PatternIndex<DialPeer>();

  constructor(
    peers: DialPeer[],
    private readonly random: () => number = Math.random,
  ) {
    this.peers = [...peers].sort((a, b) => a.tag - b.tag);
    for (const dp of this.peers) {
      if (dp.shutdown) continue;
      if (dp.incomingCalledNumber) this.called.add(dp.incomingCalledNumber, dp);
      if (dp.answerAddress) this.answer.add(dp.answerAddress, dp);
      if (dp.destinationPattern) this.destination.add(dp.destinationPattern, dp);
    }
  }

  byTag(tag: number): DialPeer | undefined {
    return this.peers.find((p) => p.tag === tag);
  }

  inbound(keys: InboundKeys): InboundMatch {
    for (const key of URI_CRITERIA) {
      const parts = keys.uris?.[key];
      if (parts === undefined) continue;
      const hits = this.peers.filter((dp) => !dp.shutdown && dp.incomingUri[key]?.matches(parts) === true);
      const best = hits.sort(
        (a, b) =>
          (b.incomingUri[key]?.strength ?? 0) - (a.incomingUri[key]?.strength ?? 0) ||
          a.preference - b.preference ||
          a.tag - b.tag,
      )[0];
      if (best) return { peer: best, criterion: `uri-${key}` };
    }
    const called = normalizeNumber(keys.calledNumber);
    const calling = normalizeNumber(keys.callingNumber);
    const byNumber: Array<[PatternIndex<DialPeer>, string, InboundCriterion]> = [
      [this.called, called, 'called-number'],
      [this.answer, calling, 'answer-address'],
      [this.destination, calling, 'destination-pattern'],
    ];
    for (const [index, number, criterion] of byNumber) {
      const best = ranked(index, number, (a, b) => a.tag - b.tag)[0];
      if (best) return { peer: best, criterion };
    }
    return { peer: DIAL_PEER_0, criterion: 'default' };
  }

  /** The outbound dial-peers for a called number, in hunt order (CUBE `dial-peer hunt 0`). */
  outbound(calledNumber: string): DialPeer[] {
    const tiebreak = new Map<DialPeer, number>();
    const key = (dp: DialPeer): number => {
      let r = tiebreak.get(dp);
      if (r === undefined) tiebreak.set(dp, (r = this.random()));
      return r;
    };
    return ranked(this.destination, normalizeNumber(calledNumber), (a, b) => key(a) - key(b)).filter(isOutboundUp);
  }
}

/** Matches of `number`, most specific pattern first, then lower preference, then `tiebreak`. */
function ranked(
  index: PatternIndex<DialPeer>,
  number: string,
  tiebreak: (a: DialPeer, b: DialPeer) => number,
): DialPeer[] {
  return index
    .lookup(number)
    .sort(
      (x, y) =>
        compareSpecificity(x.pattern, y.pattern) ||
        x.value.preference - y.value.preference ||
        tiebreak(x.value, y.value),
    )
    .map((e) => e.value);
}

export type { NumberPattern };
