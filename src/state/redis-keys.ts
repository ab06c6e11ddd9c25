/** The keys and channels of the shared state in Redis (sbc:<kind>:{<id>}); writers and readers name them here. */
export const callKey = (id: string): string => `sbc:call:{${id}}`;
export const nodeKey = (node: string): string => `sbc:node:${node}`;
export const nodeCallsKey = (node: string): string => `sbc:node:${node}:calls`;
export const HISTORY_KEY = 'sbc:history';
/** The message ladder of an ended call (`show call flow` over the cluster), kept an hour. */
export const flowKey = (id: string): string => `sbc:flow:{${id}}`;
/** The channel a node listens on for commands from the CLI (e.g. clear call). */
export const commandChannel = (node: string): string => `sbc:cmd:${node}`;
/** Where nodes publish the SIP trace while somebody is subscribed (`debug ccsip messages --redis`). */
export const TRACE_CHANNEL = 'sbc:trace';
