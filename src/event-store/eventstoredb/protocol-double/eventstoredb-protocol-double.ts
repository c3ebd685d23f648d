import { randomUUID } from 'node:crypto';
import serverFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import serverFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import type { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import type { StreamIdentifier } from '@eventstore/db-client/generated/shared_pb.js';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type { AppendReq, AppendResp, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb.js';
import { type sendUnaryData, Server, ServerCredentials, type ServerReadableStream, type ServerWritableStream, status } from '@grpc/grpc-js';

/**
 * A PROTOCOL DOUBLE, NOT EventStoreDB: test support only. An in-process, in-memory gRPC server
 * that answers the calls EventStoreDbEventStore makes through `@eventstore/db-client`, built on
 * the service definitions generated from EventStoreDB's .proto files that ship inside that
 * package. What it proves is the wire mapping: the real client, over real gRPC, gets the
 * answers a server gives — appends with every expected-revision case (and the server's own
 * id check, which is only best effort for `any`), stream and $all reads both ways, and the
 * catch-up subscription to $all with a stream-name filter.
 *
 * What it leaves out, so that a pass here is no claim about them: durability, clusters and
 * leader changes, security, deletes, links, prefix and event-type filters, checkpoints, and
 * BatchAppend (a real server advertises it in ServerFeatures and the client then appends
 * through it). The contract suite against a real server (EVENTSTORE_CONNECTION_STRING)
 * covers those.
 */
export class EventStoreDbProtocolDouble {
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly subscriptions = new Map<ServerWritableStream<ReadReq, ReadResp>, (event: StoredEvent) => void>();
  // Positions stand for byte offsets in the server's log, as in EventStoreDB: increasing, not
  // consecutive, and no event of a client's sits at 0 (a real log opens with system records).
  private logEnd = 1024n;
  private server?: Server;

  /** `port` 0: a free one, kept across stop() and start(). */
  constructor(private port = 0) {}

  /** Listens on 127.0.0.1:port. */
  async start(): Promise<void> {
    const server = new Server();
    server.addService(streamsGrpc.StreamsService, { read: this.read.bind(this), append: this.append.bind(this) });
    server.addService(serverFeaturesGrpc.ServerFeaturesService, { getSupportedMethods: this.supportedMethods.bind(this) });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${this.port}`, ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    this.server = server;
  }

  /** Goes away as a crashed server does: open calls and connections break. The log stays for start(). */
  async stop(): Promise<void> {
    this.server?.forceShutdown();
    this.server = undefined;
    this.subscriptions.clear();
  }

  get connectionString(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  /** Ends every open subscription with UNAVAILABLE, as a server does that drops its subscribers. */
  dropSubscriptions(): void {
    for (const call of this.subscriptions.keys()) call.emit('error', { code: status.UNAVAILABLE, details: 'subscription dropped by the protocol double' });
    this.subscriptions.clear();
  }

  private supportedMethods(_call: unknown, callback: sendUnaryData<SupportedMethods>): void {
    const methods = ['Read', 'Append'].map((name) => new serverFeaturesPb.SupportedMethod().setServiceName('event_store.client.streams.Streams').setMethodName(name));
    callback(null, new serverFeaturesPb.SupportedMethods().setMethodsList(methods).setEventStoreServerVersion('0.0.0-protocol-double'));
  }

  private append(call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>): void {
    let options: AppendReq.Options | undefined;
    const proposed: AppendReq.ProposedMessage[] = [];
    call.on('data', (request: AppendReq) => {
      if (request.hasOptions()) options = request.getOptions();
      else proposed.push(request.getProposedMessage()!);
    });
    call.on('end', () => callback(null, this.appendProposed(options!, proposed)));
  }

  /** One append, all or nothing: nothing else runs between the check and the write. */
  private appendProposed(options: AppendReq.Options, proposed: AppendReq.ProposedMessage[]): AppendResp {
    const Expected = streamsPb.AppendReq.Options.ExpectedStreamRevisionCase;
    const name = streamName(options.getStreamIdentifier()!);
    const stream = this.streams.get(name) ?? [];
    const current = stream.length - 1;
    const ids = proposed.map((message) => message.getId()!.getString());
    const expectedCase = options.getExpectedStreamRevisionCase();

    if (expectedCase === Expected.ANY) {
      // The server's check for `any` sees only what it still remembers: here, the stream's tail.
      const tail = stream.slice(-ids.length);
      if (stream.length >= ids.length && sameIds(tail, ids)) return repeated(tail);
    } else if (expectedCase === Expected.STREAM_EXISTS) {
      if (current === -1) return wrongExpectedVersion(options, current);
    } else {
      const expected = expectedCase === Expected.NO_STREAM ? -1 : Number(options.getRevision());
      if (expected > current) return wrongExpectedVersion(options, current);
      if (expected < current) {
        // Already written by this very append (same ids right after the expected revision)?
        const following = stream.slice(expected + 1, expected + 1 + ids.length);
        return following.length === ids.length && sameIds(following, ids) ? repeated(following) : wrongExpectedVersion(options, current);
      }
    }

    const created = BigInt(Date.now()) * 10_000n; // .NET ticks since the Unix epoch
    const appended = proposed.map((message, index): StoredEvent => {
      const metadata = message.getMetadataMap();
      const event = {
        id: ids[index],
        streamName: name,
        revision: current + 1 + index,
        position: this.logEnd,
        type: metadata.get('type') ?? '',
        contentType: metadata.get('content-type') ?? 'application/octet-stream',
        created,
        data: message.getData_asU8(),
        customMetadata: message.getCustomMetadata_asU8(),
      };
      this.logEnd += BigInt(100 + event.data.length + event.customMetadata.length);
      return event;
    });
    this.streams.set(name, [...stream, ...appended]);
    this.log.push(...appended);
    for (const event of appended) for (const deliver of this.subscriptions.values()) deliver(event);
    const last = appended[appended.length - 1];
    const position = new streamsPb.AppendResp.Position().setCommitPosition(String(last.position)).setPreparePosition(String(last.position));
    return new streamsPb.AppendResp().setSuccess(new streamsPb.AppendResp.Success().setCurrentRevision(String(last.revision)).setPosition(position));
  }

  private read(call: ServerWritableStream<ReadReq, ReadResp>): void {
    const options = call.request.getOptions()!;
    if (options.hasSubscription()) return this.subscribe(call, options);
    const backwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
    let events: StoredEvent[];
    if (options.hasStream()) {
      const from = options.getStream()!;
      const stream = this.streams.get(streamName(from.getStreamIdentifier()!));
      if (!stream) {
        call.write(new streamsPb.ReadResp().setStreamNotFound(new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(from.getStreamIdentifier())));
        call.end();
        return;
      }
      const start = from.hasRevision() ? Number(from.getRevision()) : from.hasEnd() ? stream.length : 0; // END: past the last event
      events = backwards ? stream.slice(0, Math.min(start, stream.length - 1) + 1).reverse() : stream.slice(start);
    } else {
      const from = options.getAll()!;
      const position = from.hasPosition() ? BigInt(from.getPosition()!.getCommitPosition()) : from.hasEnd() ? this.logEnd : 0n;
      // Forwards from a position includes the event there; backwards reads what lies before it.
      events = backwards ? this.log.filter((event) => event.position < position).reverse() : this.log.filter((event) => event.position >= position);
    }
    for (const event of events.slice(0, Number(options.getCount()))) call.write(readResponse(event, options.hasAll()));
    call.end();
  }

  /** Catch-up, then live, on one call: confirmation first, as a server sends it. */
  private subscribe(call: ServerWritableStream<ReadReq, ReadResp>, options: ReadReq.Options): void {
    const from = options.getAll();
    const filter = options.getFilter();
    if (!from || (filter && !filter.getStreamIdentifier()?.getRegex())) {
      call.emit('error', { code: status.UNIMPLEMENTED, details: 'the protocol double subscribes to $all only, filtered by a stream-name regex or not at all' });
      return;
    }
    const streams = new RegExp(filter?.getStreamIdentifier()?.getRegex() ?? '');
    const after = from.hasPosition() ? BigInt(from.getPosition()!.getCommitPosition()) : from.hasEnd() ? this.logEnd : -1n;
    const deliver = (event: StoredEvent) => {
      if (event.position > after && streams.test(event.streamName)) call.write(readResponse(event, true));
    };
    call.write(new streamsPb.ReadResp().setConfirmation(new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID())));
    for (const event of this.log) deliver(event);
    this.subscriptions.set(call, deliver);
    call.on('cancelled', () => this.subscriptions.delete(call));
  }
}

interface StoredEvent {
  id: string;
  streamName: string;
  revision: number;
  position: bigint;
  type: string;
  contentType: string;
  created: bigint;
  data: Uint8Array;
  customMetadata: Uint8Array;
}

function streamName(identifier: StreamIdentifier): string {
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

function sameIds(events: StoredEvent[], ids: string[]): boolean {
  return events.every((event, index) => event.id === ids[index]);
}

/** The server's answer to an append it had already written: success, without a position. */
function repeated(written: StoredEvent[]): AppendResp {
  const success = new streamsPb.AppendResp.Success().setCurrentRevision(String(written[written.length - 1].revision)).setNoPosition(new sharedPb.Empty());
  return new streamsPb.AppendResp().setSuccess(success);
}

function wrongExpectedVersion(options: AppendReq.Options, current: number): AppendResp {
  const Expected = streamsPb.AppendReq.Options.ExpectedStreamRevisionCase;
  const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
  if (current === -1) wrong.setCurrentNoStream(new sharedPb.Empty());
  else wrong.setCurrentRevision(String(current));
  switch (options.getExpectedStreamRevisionCase()) {
    case Expected.REVISION:
      wrong.setExpectedRevision(options.getRevision());
      break;
    case Expected.NO_STREAM:
      wrong.setExpectedNoStream(new sharedPb.Empty());
      break;
    case Expected.STREAM_EXISTS:
      wrong.setExpectedStreamExists(new sharedPb.Empty());
      break;
    default:
      wrong.setExpectedAny(new sharedPb.Empty());
  }
  return new streamsPb.AppendResp().setWrongExpectedVersion(wrong);
}

function readResponse(event: StoredEvent, fromAll: boolean): ReadResp {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent()
    .setId(new sharedPb.UUID().setString(event.id))
    .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(event.streamName, 'utf8')))
    .setStreamRevision(String(event.revision))
    .setCommitPosition(String(event.position))
    .setPreparePosition(String(event.position))
    .setData(event.data)
    .setCustomMetadata(event.customMetadata);
  recorded.getMetadataMap().set('type', event.type).set('content-type', event.contentType).set('created', String(event.created));
  const read = new streamsPb.ReadResp.ReadEvent().setEvent(recorded);
  // Stream reads carry each event's $all position (EventStoreDB 22.6 and later) but no position of the read itself.
  if (fromAll) read.setCommitPosition(String(event.position));
  else read.setNoPosition(new sharedPb.Empty());
  return new streamsPb.ReadResp().setEvent(read);
}
