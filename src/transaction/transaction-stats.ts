/** Counters of the transaction layer (exported by observability, shown by `show sip-ua statistics`). */
export class TransactionStats {
  /** Retransmitted requests absorbed by server transactions, and responses they resent. */
  retransmissionsIn = 0;
  /** Requests and responses we retransmitted on a timer (A, E, G). */
  retransmissionsOut = 0;
  /** Client transactions that ended with Timer B or F; server INVITEs whose ACK never came (Timer H). */
  timeouts = 0;
  /** Responses sent without a transaction (core rejections). */
  statelessResponses = 0;
  /** Responses that matched no client transaction, dropped silently. */
  unmatchedResponses = 0;
  /** Messages that failed the core checks and could not even be answered (bad ACK, bad response). */
  dropped = 0;
  serverTransactions = 0;
  clientTransactions = 0;
}
