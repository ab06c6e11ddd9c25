/** Counters of the transport layer; the observability layer exports them. */
export class TransportStats {
  messagesIn = 0;
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** Unparseable datagrams or stream messages, dropped. */
  parseErrors = 0;
  /** Larger than maxMessageBytes: dropped (UDP, after a 513 when the head parses) or connection closed. */
  tooLarge = 0;
  /** RFC 5626 CRLF keep-alives received. */
  keepalives = 0;
  /** Stream framing errors (missing/bad Content-Length, slow drip): that connection was closed. */
  framingErrors = 0;
  connectionsAccepted = 0;
  connectionsRejected = 0;
  connectionsClosedIdle = 0;
  sendErrors = 0;
}
