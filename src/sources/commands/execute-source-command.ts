import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.js';
import { handleCommand, type WriteRequest, type WriteResult } from '../../event-store/handle-command.js';
import type { SourceCommand } from '../domain/source.commands.js';
import { sourceDecider } from '../domain/source.decide.js';

export const sourceStreamId = (sourceId: string) => `source-${sourceId}`;

/** Any source command (the rules live in domain/source.decide.ts), with who asked. */
export class ExecuteSourceCommand extends Command<WriteResult> {
  constructor(
    readonly command: SourceCommand,
    readonly request: WriteRequest,
  ) {
    super();
  }
}

@CommandHandler(ExecuteSourceCommand)
export class ExecuteSourceCommandHandler implements ICommandHandler<ExecuteSourceCommand> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute({ command, request }: ExecuteSourceCommand): Promise<WriteResult> {
    const target = { streamId: sourceStreamId(command.data.sourceId), entityId: command.data.sourceId };
    return handleCommand(this.store, target, sourceDecider, command, request, { registeredSources: new Set() });
  }
}

/**
 * Which of these ids name registered sources: the outside fact incident rules need. A
 * source once registered stays registered (no event undoes it), so each store's answers
 * that were yes are kept, and most writes ask the store nothing.
 */
export async function registeredSourcesAmong(store: EventStore, sourceIds: string[]): Promise<Set<string>> {
  let known = knownRegistered.get(store);
  if (!known) knownRegistered.set(store, (known = new Set()));
  const registered = known;
  const found = await Promise.all(
    sourceIds.map(async (id) => (registered.has(id) || (await store.readStream(sourceStreamId(id), { maxCount: 1 })).length > 0 ? [id] : [])),
  );
  for (const id of found.flat()) registered.add(id);
  return new Set(found.flat());
}

// Per store: tests and tools may open several stores, on several databases, in one process.
const knownRegistered = new WeakMap<EventStore, Set<string>>();
