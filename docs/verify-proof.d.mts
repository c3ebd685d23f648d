// The types of docs/verify-proof.mjs, for the TypeScript tests that run it.

/** An event as GET /ledger gives it (the members the leaf covers, and its position). */
export interface LedgerEvent {
  position: string;
  eventId: string;
  streamId: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: unknown;
}

/** A checkpoint as GET /audit/checkpoints gives it. */
export interface SignedCheckpoint {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  signature: string;
}

export declare const b64: (text: string) => Buffer;
export declare const leafHash: (event: LedgerEvent) => Buffer;
export declare function eventIsSigned(event: LedgerEvent, pem: string): boolean;
export declare const checkpointIsSigned: (checkpoint: SignedCheckpoint, pem: string) => boolean;
export declare function inclusionHolds(leafIndex: number, treeSize: number, leaf: Buffer, path: Buffer[], root: Buffer): boolean;
export declare function consistencyHolds(first: number, second: number, firstRoot: Buffer, secondRoot: Buffer, path: Buffer[]): boolean;
export declare function checkToday(options: { baseUrl: string; apiKey: string; pem: string; kept: SignedCheckpoint; event: LedgerEvent }): Promise<{
  now: SignedCheckpoint;
  signed: boolean;
  extendsKept: boolean;
  eventSigned: boolean;
  includesEvent: boolean;
}>;
