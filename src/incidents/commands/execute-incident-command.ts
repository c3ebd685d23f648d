import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.js';
import { handleCommand, type WriteRequest, type WriteResult } from '../../event-store/handle-command.js';
import { RegisteredSources } from '../../sources/registered-sources.js';
import { type IncidentCommand, sourcesReferencedBy } from '../domain/incident.commands.js';
import { incidentDecider } from '../domain/incident.decide.js';
import { incidentStreamId } from '../domain/incident.streams.js';

/** Any incident command (the rules live in domain/incident.decide.ts), with who asked. */
export class ExecuteIncidentCommand extends Command<WriteResult> {
  constructor(
    readonly command: IncidentCommand,
    readonly request: WriteRequest,
  ) {
    super();
  }
}

/** Looks up the outside facts a decision needs, then reads, decides and appends. */
@CommandHandler(ExecuteIncidentCommand)
export class ExecuteIncidentCommandHandler implements ICommandHandler<ExecuteIncidentCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly sources: RegisteredSources,
  ) {}

  async execute({ command, request }: ExecuteIncidentCommand): Promise<WriteResult> {
    const { registered: registeredSources, erased: erasedSources } = await this.sources.among(sourcesReferencedBy(command));
    const target = { streamId: incidentStreamId(command.data.incidentId), entityId: command.data.incidentId };
    return handleCommand(this.store, target, incidentDecider, command, request, { registeredSources, erasedSources });
  }
}
