import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.js';
import { handleCommand, type WriteRequest, type WriteResult } from '../../event-store/handle-command.js';
import type { SourceCommand } from '../domain/source.commands.js';
import { sourceDecider } from '../domain/source.decide.js';
import { sourceStreamId } from '../domain/source.streams.js';

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
    return handleCommand(this.store, target, sourceDecider, command, request, {});
  }
}
