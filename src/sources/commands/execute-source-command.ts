import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.js';
import { handleCommand, type WriteRequest, type WriteResult } from '../../event-store/handle-command.js';
import type { SourceCommand } from '../domain/source.commands.js';
import { sourceDecider } from '../domain/source.decide.js';
import { sourceStreamId } from '../domain/source.streams.js';
import { SourceKeys } from '../erasure/source-keys.js';

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
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SourceKeys) private readonly keys: Pick<SourceKeys, 'destroy'>,
  ) {}

  execute({ command, request }: ExecuteSourceCommand): Promise<WriteResult> {
    const target = { streamId: sourceStreamId(command.data.sourceId), entityId: command.data.sourceId };
    // An erasure destroys the key once the rules and If-Match allow it, and before SourceErased
    // is appended: should the append then fail, the source is erased all the same, and the
    // erasure repeated records it.
    const beforeAppend = command.type === 'EraseSource' ? () => this.keys.destroy(command.data.sourceId) : undefined;
    return handleCommand(this.store, target, sourceDecider, command, request, {}, { beforeAppend });
  }
}
